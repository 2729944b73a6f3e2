#!/usr/bin/env python3
"""Drives fkn-server's operator page in a running headless Chromium over the
DevTools protocol (CDP), as an operator would: open /operator, type the admin
token into the sign-in form and submit it, type an account into the
enrollment form and submit it, then screenshot the page with the QR code.

The forms are submitted by the browser itself (a click on their submit
button, so HTML validation and the cookie rules apply); the page has no
JavaScript of its own. Python's standard library has no WebSocket client, so
the few lines of RFC 6455 a CDP client needs are here.

    operator_cdp.py DEVTOOLS_PORT BASE_URL TOKEN_FILE ACCOUNT SCREENSHOT FACTS

FACTS receives the page's account, activation code and expiry (JSON) for the
calling script to compare with the QR code's URI; nothing secret is printed.
"""

import base64
import hashlib
import json
import os
import socket
import struct
import sys
import time
import urllib.request

TIMEOUT = 20.0
WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


class WebSocket:
    """A client WebSocket (RFC 6455): text frames out, masked; frames in."""

    def __init__(self, host, port, path):
        self.sock = socket.create_connection((host, port), timeout=TIMEOUT)
        key = base64.b64encode(os.urandom(16)).decode()
        # No Origin header: Chromium refuses unlisted origins, not their absence.
        request = (
            f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
            "Sec-WebSocket-Version: 13\r\n\r\n"
        )
        self.sock.sendall(request.encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(1)
            if not chunk:
                raise RuntimeError("DevTools closed the connection during the handshake")
            head += chunk
        lines = head.decode("latin-1").split("\r\n")
        if " 101 " not in lines[0]:
            raise RuntimeError(f"DevTools refused the WebSocket: {lines[0]}")
        accept = base64.b64encode(hashlib.sha1((key + WS_GUID).encode()).digest()).decode()
        if not any(l.lower() == f"sec-websocket-accept: {accept}".lower() for l in lines):
            raise RuntimeError("DevTools answered with a wrong Sec-WebSocket-Accept")

    def _exact(self, n):
        out = b""
        while len(out) < n:
            chunk = self.sock.recv(n - len(out))
            if not chunk:
                raise RuntimeError("DevTools closed the connection")
            out += chunk
        return out

    def _frame(self, opcode, payload):
        # Clients must mask every frame (RFC 6455 Section 5.3).
        mask = os.urandom(4)
        n = len(payload)
        if n < 126:
            head = struct.pack("!BB", 0x80 | opcode, 0x80 | n)
        elif n < 1 << 16:
            head = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, n)
        else:
            head = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, n)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(head + mask + masked)

    def send_text(self, text):
        self._frame(0x1, text.encode())

    def recv_text(self):
        """The next whole message; answers pings, fails on close."""
        message = b""
        while True:
            b0, b1 = self._exact(2)
            opcode, n = b0 & 0x0F, b1 & 0x7F
            if n == 126:
                (n,) = struct.unpack("!H", self._exact(2))
            elif n == 127:
                (n,) = struct.unpack("!Q", self._exact(8))
            mask = self._exact(4) if b1 & 0x80 else None
            payload = self._exact(n)
            if mask:
                payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
            if opcode == 0x9:
                self._frame(0xA, payload)
                continue
            if opcode == 0x8:
                raise RuntimeError("DevTools closed the WebSocket")
            if opcode in (0x0, 0x1, 0x2):
                message += payload
                if b0 & 0x80:
                    return message.decode()


class Page:
    """One tab: CDP commands by id, events kept until waited for."""

    def __init__(self, port):
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=TIMEOUT) as r:
            targets = json.load(r)
        page = next(t for t in targets if t.get("type") == "page")
        path = page["webSocketDebuggerUrl"].split(str(port), 1)[1]
        self.ws = WebSocket("127.0.0.1", port, path)
        self.next_id = 0
        self.events = []
        self.call("Page.enable")

    def call(self, method, **params):
        self.next_id += 1
        mid = self.next_id
        self.ws.send_text(json.dumps({"id": mid, "method": method, "params": params}))
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            msg = json.loads(self.ws.recv_text())
            if msg.get("id") == mid:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            if "method" in msg:
                self.events.append(msg["method"])
        raise RuntimeError(f"{method}: no answer in {TIMEOUT} s")

    def wait_load(self):
        deadline = time.monotonic() + TIMEOUT
        while "Page.loadEventFired" not in self.events:
            if time.monotonic() > deadline:
                raise RuntimeError("the page did not finish loading")
            msg = json.loads(self.ws.recv_text())
            if "method" in msg:
                self.events.append(msg["method"])
        self.events.clear()

    def js(self, expression):
        r = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in r:
            raise RuntimeError(f"{expression}: {r['exceptionDetails'].get('text')}")
        return r["result"].get("value")

    def navigate(self, url):
        self.events.clear()
        self.call("Page.navigate", url=url)
        self.wait_load()

    def type_into(self, selector, text):
        """Focuses the field and types into it, as a keyboard would."""
        if not self.js(f"(e => !!e && (e.focus(), true))(document.querySelector({json.dumps(selector)}))"):
            raise RuntimeError(f"no {selector} on {self.js('location.pathname')}")
        self.call("Input.insertText", text=text)

    def submit(self, form_action):
        """Clicks the submit button of the form posting to form_action."""
        self.events.clear()
        selector = f'form[action="{form_action}"] button[type=submit]'
        if not self.js(f"(b => !!b && (b.click(), true))(document.querySelector({json.dumps(selector)}))"):
            raise RuntimeError(f"no submit button for {form_action}")
        self.wait_load()


def main():
    port, base, token_file, account, screenshot, facts = sys.argv[1:7]
    with open(token_file, encoding="ascii") as f:
        token = f.read().strip()
    page = Page(int(port))

    page.navigate(f"{base}/operator")
    page.type_into('input[name="token"]', token)
    page.submit("/operator/login")
    if page.js("location.pathname") != "/operator" or not page.js(
        "!!document.querySelector('form[action=\"/operator/enrollments\"]')"
    ):
        raise RuntimeError("signing in did not lead to the operator page")
    print("signed in: the operator page shows the enrollment form")

    page.type_into('input[name="account"]', account)
    page.submit("/operator/enrollments")
    shown = page.js(
        "({title: document.title,"
        " svg: !!document.querySelector('#qr svg'),"
        " scripts: document.scripts.length,"
        " account: document.querySelector('#account')?.textContent,"
        " code: document.querySelector('#code')?.textContent,"
        " expires: document.querySelector('#expires')?.textContent})"
    )
    if shown["title"] != "Enrollment created" or not shown["svg"]:
        raise RuntimeError(f"no QR code after creating the enrollment (title {shown['title']!r})")
    if shown["scripts"]:
        raise RuntimeError("the operator page carries JavaScript")
    print(f"enrollment created for {shown['account']}, expires {shown['expires']}")

    shot = page.call("Page.captureScreenshot", format="png")
    os.makedirs(os.path.dirname(os.path.abspath(screenshot)), exist_ok=True)
    with open(screenshot, "wb") as f:
        f.write(base64.b64decode(shot["data"]))
    with open(facts, "w", encoding="utf-8") as f:
        json.dump({k: shown[k] for k in ("account", "code", "expires")}, f)


if __name__ == "__main__":
    try:
        main()
    except (RuntimeError, OSError, StopIteration, KeyError, ValueError) as e:
        print(f"operator_cdp: {e!r}", file=sys.stderr)
        sys.exit(1)
