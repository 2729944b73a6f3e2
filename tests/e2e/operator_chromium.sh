#!/usr/bin/env bash
# Issue 12: fkn-server's operator page in a real browser (Debian's headless
# Chromium). An operator signs in and creates an enrollment through the
# page's own forms (tests/e2e/operator_cdp.py drives Chromium over its
# DevTools protocol); the page must show a QR code that zbarimg decodes to a
# URI the SDK accepts (server/examples/check_uri.rs), naming this server,
# the account, the server's fingerprint and the code the page shows.
#
# fkn-server runs on SQLite in a temporary directory on 127.0.0.1 at a free
# port, Chromium on a throw-away profile; both are stopped on exit. The
# screenshot is kept: $FKN_E2E_SCREENSHOT, default <target dir>/e2e/operator.png.
#
# Environment: FKN_E2E_KEEP_LOGS=1 keeps the scratch directory.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")/../.."

WORK="$(mktemp -d "${TMPDIR:-/tmp}/fkn-operator.XXXXXX")"
CHROME_PID=""

stop_all() {
  # Chromium leads its own process group (setsid below): its helpers go with it.
  if [ -n "$CHROME_PID" ]; then
    kill -TERM -- "-$CHROME_PID" 2>/dev/null || true
    wait "$CHROME_PID" 2>/dev/null || true
  fi
  stop_fkn_server
  # server.out holds the admin token: only the log (stderr) is shown.
  if e2e_run_failed; then tail_logs "$WORK/server.log" "$WORK/chromium.log"; fi
}
e2e_begin operator-chromium stop_all

apt_install_missing say chromium zbar-tools python3

say "building fkn-server and the URI check"
suite_build -p fkn-server --bin fkn-server --example check_uri
target_dir="$(cargo metadata --format-version 1 --no-deps |
  sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')"
target_dir="${target_dir:-$PWD/target}"
SHOT="${FKN_E2E_SCREENSHOT:-$target_dir/e2e/operator.png}"
rm -f "$SHOT"

start_fkn_server "$WORK" || exit 1
BASE="$FKN_SERVER_URL"
FINGERPRINT="$(sed -n 's/^  server identity fingerprint: \([0-9a-f]*\)$/\1/p' "$WORK/server.out")"
pass "fkn-server on SQLite at $BASE"

# --no-sandbox: Chromium's sandbox does not start as root or in most
# containers, and the only page it loads is our own server's.
# --remote-debugging-port=0: any free port, written to DevToolsActivePort.
setsid chromium --headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage \
  --no-first-run --no-default-browser-check --disable-background-networking \
  --disable-component-update --disable-sync --disable-extensions \
  --window-size=900,1100 --force-device-scale-factor=1 \
  --user-data-dir="$WORK/profile" --remote-debugging-address=127.0.0.1 \
  --remote-debugging-port=0 about:blank >"$WORK/chromium.log" 2>&1 &
CHROME_PID=$!
DEVTOOLS_PORT=""
for _ in $(seq 1 300); do
  DEVTOOLS_PORT="$(head -n 1 "$WORK/profile/DevToolsActivePort" 2>/dev/null || true)"
  [ -n "$DEVTOOLS_PORT" ] && break
  kill -0 "$CHROME_PID" 2>/dev/null || { say "Chromium exited at start"; exit 1; }
  sleep 0.1
done
[ -n "$DEVTOOLS_PORT" ] || { say "Chromium did not open DevTools in 30 s"; exit 1; }
pass "$(chromium --version 2>/dev/null | head -n 1) headless, DevTools on 127.0.0.1:$DEVTOOLS_PORT"

ACCOUNT="operator-e2e-$RANDOM"
if python3 tests/e2e/operator_cdp.py "$DEVTOOLS_PORT" "$BASE" "$WORK/admin-token" \
  "$ACCOUNT" "$SHOT" "$WORK/page.json" >"$WORK/cdp.log" 2>&1; then
  sed 's/^/  /' "$WORK/cdp.log"
  pass "signed in and created an enrollment with the page's forms; screenshot $SHOT"
else
  cat "$WORK/cdp.log"
  fail "driving the operator page in Chromium"
  exit 1
fi

# The QR code in the screenshot, as a phone's camera would read it.
if zbarimg --quiet --raw -Sdisable -Sqrcode.enable "$SHOT" >"$WORK/uri.txt" 2>"$WORK/zbar.log" &&
  [ "$(wc -l <"$WORK/uri.txt")" -eq 1 ] && grep -q '^fkn://enroll?' "$WORK/uri.txt"; then
  pass "the screenshot's QR code decodes to one fkn://enroll? URI ($(wc -c <"$WORK/uri.txt") bytes)"
else
  cat "$WORK/zbar.log"
  fail "zbarimg found no single enrollment URI in $SHOT"
  exit 1
fi

if "$target_dir/debug/examples/check_uri" <"$WORK/uri.txt" >"$WORK/fields.txt" 2>"$WORK/check.log"; then
  pass "the SDK accepts the URI (EnrollmentUri::parse, then format and parse again)"
else
  cat "$WORK/check.log"
  fail "the SDK refuses the QR code's URI"
  exit 1
fi

# The URI names this server, the account typed in, the server's identity,
# and the code the page shows (compared, never printed).
field() { sed -n "s/^$1=//p" "$WORK/fields.txt"; }
page() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$WORK/page.json" "$1"; }
uri_code="$(tr '&' '\n' <"$WORK/uri.txt" | sed -n 's/^c=//p')"
check() {
  if [ "$2" = "$3" ]; then pass "$1"; else fail "$1: '$2' is not '$3'"; fi
}
check "the URI names this server" "$(field server)" "$BASE"
check "the URI names the account typed in" "$(field account)" "$ACCOUNT"
check "the page shows the account" "$(page account)" "$ACCOUNT"
check "the URI carries the server's identity fingerprint" "$(field fingerprint)" "$FINGERPRINT"
if [ -n "$uri_code" ] && [ "$uri_code" = "$(page code)" ]; then
  pass "the URI's activation code is the one the page shows"
else
  fail "the URI's activation code differs from the page's"
fi
say "screenshot: $SHOT"
