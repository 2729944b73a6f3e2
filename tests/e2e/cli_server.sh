#!/usr/bin/env bash
# End-to-end: the `fkn` command in both roles of two-party keys, over HTTP.
#
#   fkn server run (SQLite in a scratch directory, 127.0.0.1, any port)
#   curl POST /admin/v1/enrollments          -> the enrollment URI
#   fkn enroll URI --card virtual:...        -> paired, key generated, card key registered
#   fkn dsign FILE [--detached]              -> openssl cms -verify (gost-engine) accepts it
#   refusals: the same URI again (exit 5, "already used"); a wrong code (exit 5,
#   attempts left); a wrong PIN (exit 3); a revoked device cannot dsign (exit 6)
#
# Installs openssl + libengine-gost-openssl and curl if missing (Debian).
# Environment: FKN_BIN=path/to/fkn skips the build; FKN_E2E_KEEP_LOGS=1 keeps
# the scratch directory.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")/../.."

WORK="$(mktemp -d "${TMPDIR:-/tmp}/fkn-cli-server.XXXXXX")"
PIN=2468
CARD_PIN=2580
SERVER_PID=""

stop_server() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  if e2e_run_failed; then
    tail_logs "$WORK/server.log"
  fi
}
e2e_begin cli-server stop_server

apt_install_missing say openssl libengine-gost-openssl curl
if ! openssl engine gost -t 2>/dev/null | grep -q available; then
  say "the OpenSSL gost engine does not load (openssl engine gost -t)"
  exit 1
fi
# shellcheck disable=SC2119 # default features
find_fkn

cd "$WORK"
run() {
  local name="$1"
  shift
  "$@" >"$name.log" 2>&1
}
why() { head -n 3 "$1.log" 2>/dev/null | tr '\n' ' '; }
# Runs a command expected to fail; sets $rc to its exit status.
run_rc() {
  rc=0
  run "$@" || rc=$?
}

# --- the server --------------------------------------------------------------
"$FKN" server run --listen 127.0.0.1:0 --data-dir "$WORK/server-data" >server.out 2>server.log &
SERVER_PID=$!
BASE=""
for _ in $(seq 1 100); do
  BASE="$(sed -n 's/^fkn-server listening on \(http:[^ ]*\)$/\1/p' server.out 2>/dev/null || true)"
  [ -n "$BASE" ] && break
  kill -0 "$SERVER_PID" 2>/dev/null || break
  sleep 0.1
done
if [ -n "$BASE" ] && curl -sf "$BASE/healthz" >/dev/null; then
  pass "fkn server run listens on $BASE"
else
  fail "fkn server run did not start: $(head -n 3 server.out server.log | tr '\n' ' ')"
  exit 1
fi
TOKEN="$(cat server-data/admin-token)"
if grep -q "admin token .*: $TOKEN" server.out; then
  pass "fkn server run prints the admin token"
else
  fail "the admin token is not in the start-up lines"
fi

admin() { # METHOD PATH [JSON]
  curl -sS -X "$1" -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' \
    ${3:+-d "$3"} "$BASE$2"
}
# A new enrollment for account $1; prints its URI.
enrollment() {
  admin POST /admin/v1/enrollments "{\"account\":\"$1\",\"ttl_seconds\":600}" |
    sed -n 's/.*"uri":"\([^"]*\)".*/\1/p'
}

# --- enroll, with a card -------------------------------------------------------
run token "$FKN" token init --token "virtual:$WORK/card.fkn" --user-pin "$CARD_PIN" \
  --admin-pin 14702580 --label "e2e card"
URI="$(enrollment alice)"
[ -n "$URI" ] || { fail "no enrollment URI from the admin API"; exit 1; }
if run enroll "$FKN" enroll "$URI" --store dev --pin "$PIN" --card "virtual:$WORK/card.fkn" \
  --card-pin "$CARD_PIN" && grep -q "^enrolled:" enroll.log && grep -q "registered card key" enroll.log; then
  pass "fkn enroll: paired, two-party key generated, card key registered"
else
  fail "fkn enroll: $(why enroll)"
  exit 1
fi
DEVICE_ID="$(sed -n 's/.*device id \([0-9a-f]*\)$/\1/p' enroll.log)"
if admin GET /admin/v1/cards | grep -q "\"device_id\":\"$DEVICE_ID\""; then
  pass "the server lists the card key under this device"
else
  fail "the card key is not in GET /admin/v1/cards"
fi
if [ "$(stat -c %a dev)" = 700 ] && ! grep -rq "$PIN" dev; then
  pass "the device directory is private and holds no PIN"
else
  fail "device directory mode $(stat -c %a dev), or the PIN is in it"
fi

# --- sign, verify with OpenSSL -------------------------------------------------
printf 'Contract No. 42: signed with a two-party key.\n%.0s' $(seq 1 50) >doc.txt
sed 's/No\. 42/No. 43/' doc.txt >altered.txt
if run dsign "$FKN" dsign doc.txt --store dev --pin "$PIN" && [ -s doc.txt.p7s ] &&
  openssl x509 -inform DER -in "dev/$(cat dev/default-key).crt" -out cert.pem 2>/dev/null &&
  run cmsv openssl cms -engine gost -verify -binary -inform DER -in doc.txt.p7s \
    -CAfile cert.pem -out doc.out && cmp -s doc.txt doc.out; then
  pass "fkn dsign: openssl cms -verify accepts the attached signature, content intact"
else
  fail "fkn dsign / openssl cms -verify: $(why dsign) $(why cmsv)"
fi
if run dsignd "$FKN" dsign doc.txt --store dev --pin "$PIN" --detached --out doc.p7s &&
  run cmsd openssl cms -engine gost -verify -binary -inform DER -in doc.p7s \
    -CAfile cert.pem -content doc.txt -out /dev/null &&
  ! run cmsdbad openssl cms -engine gost -verify -binary -inform DER -in doc.p7s \
    -CAfile cert.pem -content altered.txt -out /dev/null; then
  pass "fkn dsign --detached: openssl accepts it, and rejects an altered document"
else
  fail "fkn dsign --detached: $(why dsignd) $(why cmsd)"
fi

# --- refusals -----------------------------------------------------------------
run_rc reuse "$FKN" enroll "$URI" --store dev2 --pin "$PIN"
if [ "$rc" -eq 5 ] && grep -q "already used" reuse.log; then
  pass "the same URI again: exit 5, already used"
else
  fail "the same URI again: exit $rc: $(why reuse)"
fi

URI2="$(enrollment bob)"
code="$(printf '%s' "$URI2" | sed -n 's/.*[?&]c=\([0-9]*\).*/\1/p')"
# Another 12-digit code: each digit moved by one.
wrong="$(printf '%s' "$code" | tr 0123456789 1234567890)"
run_rc wrongcode "$FKN" enroll "${URI2/c=$code/c=$wrong}" --store dev3 --pin "$PIN"
if [ "$rc" -eq 5 ] && grep -q "attempt(s) left" wrongcode.log; then
  pass "a wrong activation code: exit 5, $(grep -o '[0-9]* attempt(s) left' wrongcode.log)"
else
  fail "a wrong activation code: exit $rc: $(why wrongcode)"
fi
if run rightcode "$FKN" enroll "$URI2" --store dev3 --pin "$PIN"; then
  pass "the right code still works after a wrong one"
else
  fail "the right code after a wrong one: $(why rightcode)"
fi

run_rc wrongpin "$FKN" dsign doc.txt --store dev --pin 9999 --out wrong.p7s
if [ "$rc" -eq 3 ] && [ ! -e wrong.p7s ]; then
  pass "a wrong PIN: exit 3, nothing written ($(why wrongpin))"
else
  fail "a wrong PIN: exit $rc: $(why wrongpin)"
fi

if admin POST "/admin/v1/devices/$DEVICE_ID/revoke" | grep -q '"revoked":true'; then
  run_rc revoked "$FKN" dsign doc.txt --store dev --pin "$PIN" --out revoked.p7s
  if [ "$rc" -eq 6 ] && grep -q "revoked" revoked.log && [ ! -e revoked.p7s ]; then
    pass "a revoked device cannot dsign: exit 6"
  else
    fail "a revoked device: exit $rc: $(why revoked)"
  fi
else
  fail "POST /admin/v1/devices/$DEVICE_ID/revoke"
fi
