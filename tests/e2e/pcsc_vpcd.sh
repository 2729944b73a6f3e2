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
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")/../.."

SELECT_OFP1=00A4040007F0464B4E4F503100
WORK="$(mktemp -d "${TMPDIR:-/tmp}/fkn-e2e.XXXXXX")"

on_exit() { pcsc_end "$WORK"/*.log; }
e2e_begin pcsc-vpcd on_exit
pcsc_begin "${TMPDIR:-/tmp}/fkn-e2e.pids"

# --- packages ----------------------------------------------------------------
apt_install_missing say pcscd vsmartcard-vpcd pcsc-tools opensc libpcsclite-dev pkg-config

# --- fkn ---------------------------------------------------------------------
find_fkn --features pcsc

# --- pcscd with the vpcd driver ------------------------------------------------
pcsc_take_over
start_pcscd

# --- the virtual token on vpcd -----------------------------------------------
RUST_LOG=debug start_serve "$WORK/serve.log" token serve --vpcd "127.0.0.1:$VPCD_PORT"

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
