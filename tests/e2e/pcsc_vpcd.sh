#!/usr/bin/env bash
# End-to-end: the virtual token as a real smart card.
#
#   fkn token serve --vpcd 127.0.0.1:35963   (virtual token, vpcd client)
#        <-TCP->  pcscd + vsmartcard vpcd driver ("Virtual PCD 00 00")
#        <-PC/SC->  opensc-tool, and `fkn apdu` through fkn's PC/SC transport
#
# Installs what it needs (Debian 12), builds fkn, starts its own pcscd in the
# foreground, and cleans up every process it started, on success or failure.
# Environment: FKN_BIN=path/to/fkn skips the build; FKN_E2E_TIMEOUT (seconds,
# default 60) bounds the wait for the card; FKN_E2E_KEEP_LOGS=1 keeps the logs.
set -euo pipefail
cd "$(dirname "$0")/../.."

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
VPCD_PORT=35963
SELECT_OFP1=00A4040007F0464B4E4F503100
CARD_TIMEOUT="${FKN_E2E_TIMEOUT:-60}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/fkn-e2e.XXXXXX")"
# Pids of the processes we start survive a killed run here, so the next run
# can end them (one "name pid" per line).
STALE_PIDFILE="${TMPDIR:-/tmp}/fkn-e2e.pids"
PCSCD_PID=""
SERVE_PID=""
RESTORE_SYSTEMD=""
passed=0
failed=0

say() { printf 'pcsc-vpcd e2e: %s\n' "$*"; }
pass() { passed=$((passed + 1)); say "PASS $*"; }
fail() { failed=$((failed + 1)); say "FAIL $*"; }

finish() {
  local rc=$?
  set +e
  if [ -n "$SERVE_PID" ] && kill -0 "$SERVE_PID" 2>/dev/null; then
    kill "$SERVE_PID" 2>/dev/null
    wait "$SERVE_PID" 2>/dev/null
  fi
  if [ -n "$PCSCD_PID" ] && kill -0 "$PCSCD_PID" 2>/dev/null; then
    $SUDO kill "$PCSCD_PID" 2>/dev/null
    wait "$PCSCD_PID" 2>/dev/null
  fi
  rm -f "$STALE_PIDFILE"
  if [ -n "$RESTORE_SYSTEMD" ]; then
    $SUDO systemctl start pcscd.socket 2>/dev/null
  fi
  if [ "$failed" -gt 0 ] || [ "$rc" -ne 0 ]; then
    for f in "$WORK"/*.log; do
      [ -f "$f" ] || continue
      echo "---- last lines of $(basename "$f") ----"
      tail -n 30 "$f"
    done
  fi
  if [ -n "${FKN_E2E_KEEP_LOGS:-}" ]; then
    echo "logs kept in $WORK"
  else
    rm -rf "$WORK"
  fi
  if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
    failed=1
    say "aborted (exit $rc) before all checks ran"
  fi
  echo "pcsc-vpcd e2e: $passed passed, $failed failed"
  [ "$failed" -eq 0 ] && [ "$rc" -eq 0 ] || exit 1
}
trap finish EXIT
trap 'exit 130' INT TERM

# End what a killed earlier run left behind, if the pid still names that program.
if [ -f "$STALE_PIDFILE" ]; then
  while read -r name pid; do
    if [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$name" ]; then
      say "ending $name $pid left by an earlier run"
      $SUDO kill "$pid" 2>/dev/null || true
    fi
  done <"$STALE_PIDFILE"
  rm -f "$STALE_PIDFILE"
fi

# --- packages ----------------------------------------------------------------
PACKAGES=(pcscd vsmartcard-vpcd pcsc-tools opensc libpcsclite-dev pkg-config)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]}"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${missing[@]}"
fi

# --- fkn ---------------------------------------------------------------------
if [ -n "${FKN_BIN:-}" ]; then
  FKN="$FKN_BIN"
else
  say "building fkn"
  cargo build -q -p fkn-cli --features pcsc
  target_dir="$(cargo metadata --format-version 1 --no-deps |
    sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')"
  FKN="${target_dir:-target}/debug/fkn"
fi
[ -x "$FKN" ] || { say "no fkn binary at $FKN"; exit 1; }

# --- pcscd with the vpcd driver ------------------------------------------------
# The vpcd reader is configured by /etc/reader.conf.d/vpcd (from the package).
grep -qs "$(printf '0x%X' "$VPCD_PORT")" /etc/reader.conf.d/vpcd ||
  say "warning: /etc/reader.conf.d/vpcd does not name port $VPCD_PORT"

pcscd_running() {
  local pid
  # pcscd may leave NULs in its pid file while exiting.
  pid="$(tr -dc '0-9' 2>/dev/null </run/pcscd/pcscd.pid || true)"
  { [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; } ||
    { command -v pidof >/dev/null && pidof pcscd >/dev/null; }
}

# A systemd-managed pcscd is stopped for the run (and its socket restarted after).
if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
  if systemctl is-active --quiet pcscd.socket || systemctl is-active --quiet pcscd.service; then
    say "stopping the system pcscd for the duration of the test"
    $SUDO systemctl stop pcscd.socket pcscd.service
    RESTORE_SYSTEMD=1
  fi
fi
for _ in $(seq 1 50); do pcscd_running || break; sleep 0.1; done
if pcscd_running; then
  say "another pcscd is running and is not ours to stop; stop it and rerun"
  exit 1
fi

# Starts our pcscd (log appended to pcscd.log) and waits until it is ready.
start_pcscd() {
  local log="$WORK/pcscd.log" before
  before="$(grep -c "daemon ready" "$log" 2>/dev/null || true)"
  $SUDO pcscd --foreground --debug >>"$log" 2>&1 &
  PCSCD_PID=$!
  echo "${SUDO:-pcscd} $PCSCD_PID" >>"$STALE_PIDFILE"
  for _ in $(seq 1 100); do
    [ "$(grep -c "daemon ready" "$log" 2>/dev/null || true)" -gt "${before:-0}" ] && return 0
    kill -0 "$PCSCD_PID" 2>/dev/null || { say "pcscd exited at start"; return 1; }
    sleep 0.1
  done
  say "pcscd did not get ready in 10 s"
  return 1
}

stop_pcscd() {
  $SUDO kill "$PCSCD_PID" 2>/dev/null || true
  wait "$PCSCD_PID" 2>/dev/null || true
  PCSCD_PID=""
}

# Sets $reader to the vpcd slot that holds a card, waiting up to CARD_TIMEOUT.
wait_for_card() {
  reader=""
  waited=0
  local start=$SECONDS
  while [ $((SECONDS - start)) -lt "$CARD_TIMEOUT" ]; do
    kill -0 "$SERVE_PID" 2>/dev/null || break
    # "0    Yes             Virtual PCD 00 00": the vpcd slot holding a card.
    reader="$(timeout 10 opensc-tool -l 2>/dev/null |
      sed -n 's/^[0-9][0-9]* *Yes .*\(Virtual PCD [0-9][0-9] [0-9][0-9]\)$/\1/p' | head -n 1 || true)"
    [ -n "$reader" ] && break
    sleep 1
  done
  waited=$((SECONDS - start))
  [ -n "$reader" ]
}

start_pcscd

# --- the virtual token on vpcd -----------------------------------------------
RUST_LOG=debug "$FKN" token serve --vpcd "127.0.0.1:$VPCD_PORT" >"$WORK/serve.log" 2>&1 &
SERVE_PID=$!
echo "$(basename "$FKN") $SERVE_PID" >>"$STALE_PIDFILE"

if wait_for_card; then
  pass "card present in \"$reader\" after $waited s"
else
  fail "no card in a vpcd reader after $waited s (limit ${CARD_TIMEOUT} s; fkn token serve running: $(kill -0 "$SERVE_PID" 2>/dev/null && echo yes || echo no))"
  exit 1
fi

# fkn's own PC/SC reader listing sees it too.
if "$FKN" readers 2>"$WORK/readers.err" | grep -qxF "$reader"; then
  pass "fkn readers lists \"$reader\""
else
  fail "fkn readers does not list \"$reader\" ($(head -n 1 "$WORK/readers.err"))"
fi

# (1) opensc-tool, straight through pcsc-lite.
opensc_out="$(timeout 20 opensc-tool -r "$reader" -s "$SELECT_OFP1" 2>&1 || true)"
echo "$opensc_out" >"$WORK/opensc.log"
# "Received (SW1=0x90, SW2=0x00)" then hex dump lines: 16 bytes of "XX " then ASCII.
opensc_data="$(printf '%s\n' "$opensc_out" | sed -n '/^Received/,$p' | tail -n +2 |
  cut -c1-48 | tr -d ' \n')"
if printf '%s\n' "$opensc_out" | grep -q "Received (SW1=0x90, SW2=0x00)" &&
  [ "${opensc_data:0:2}" = "6F" ]; then
  pass "opensc-tool SELECT OFP1: 90 00, FCI ${#opensc_data} hex digits"
else
  fail "opensc-tool SELECT OFP1: $(printf '%s' "$opensc_out" | tr '\n' ' ')"
fi

# (2) fkn apdu through fkn-core's PcscTransport.
fkn_out="$(timeout 20 "$FKN" apdu --reader "$reader" "$SELECT_OFP1" 2>&1 || true)"
echo "$fkn_out" >"$WORK/fkn-apdu.log"
if [[ "$fkn_out" =~ ^(6F[0-9A-F]*)\ \ 90\ 00$ ]]; then
  fkn_data="${BASH_REMATCH[1]}"
  pass "fkn apdu SELECT OFP1: 90 00"
  if [ "$fkn_data" = "$opensc_data" ]; then
    pass "fkn apdu and opensc-tool got the same FCI"
  else
    fail "FCI differs: fkn $fkn_data, opensc-tool $opensc_data"
  fi
else
  fail "fkn apdu SELECT OFP1: $fkn_out"
fi

# The token refuses an unknown AID (the answer travels back unchanged).
fkn_out="$(timeout 20 "$FKN" apdu --token "pcsc:$reader" 00A4040005A00000000100 2>&1 || true)"
if [ "$fkn_out" = "6A 82" ]; then
  pass "fkn apdu --token pcsc:READER, unknown AID: 6A 82"
else
  fail "unknown AID: expected 6A 82, got: $fkn_out"
fi

# "Virtual" is a prefix of both vpcd slots: a one-line error naming them.
if [ "$("$FKN" readers 2>/dev/null | grep -c '^Virtual')" -gt 1 ]; then
  rc=0
  err="$(timeout 20 "$FKN" apdu --reader Virtual "$SELECT_OFP1" 2>&1 >/dev/null)" || rc=$?
  if [ "$rc" -ne 0 ] && [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] &&
    [[ "$err" == *"\"$reader\""* ]]; then
    pass "ambiguous reader prefix: exit $rc, one line: $err"
  else
    fail "ambiguous reader prefix: exit $rc, stderr: $err"
  fi
fi

# pcscd restarts (vpcd drops the link): the bridge reconnects by itself.
stop_pcscd
start_pcscd
if wait_for_card; then
  fkn_out="$(timeout 20 "$FKN" apdu --reader "$reader" "$SELECT_OFP1" 2>&1 || true)"
  if [[ "$fkn_out" =~ ^6F[0-9A-F]*\ \ 90\ 00$ ]]; then
    pass "after a pcscd restart: card back in $waited s, SELECT 90 00"
  else
    fail "after a pcscd restart: SELECT gave: $fkn_out"
  fi
else
  fail "after a pcscd restart: no card within ${CARD_TIMEOUT} s"
fi

# SIGTERM ends the bridge cleanly (exit status 0).
kill -TERM "$SERVE_PID"
serve_rc=0
for _ in $(seq 1 50); do kill -0 "$SERVE_PID" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$SERVE_PID" 2>/dev/null; then
  fail "fkn token serve still running 5 s after SIGTERM"
else
  wait "$SERVE_PID" || serve_rc=$?
  SERVE_PID=""
  if [ "$serve_rc" -eq 0 ]; then
    pass "fkn token serve exits 0 on SIGTERM"
  else
    fail "fkn token serve exited $serve_rc on SIGTERM"
  fi
fi

[ "$failed" -eq 0 ]
