#!/usr/bin/env bash
# End-to-end: a whole OFP1 session through PC/SC. A virtual token file made
# by `fkn token init` is served by `fkn token serve` to the vsmartcard vpcd
# reader, and the `fkn` verbs talk to it with --token pcsc:READER:
#
#   fkn info, keygen (two curves), sign-digest (16 digests in one command),
#   four processes signing on the card at once,
#   a wrong PIN, list, cert self-sign, cert export, sign + verify; after the
#   bridge stops, the token file holds what the session made.
#
# Same set-up as pcsc_vpcd.sh (its own pcscd in the foreground, every process
# it starts cleaned up); the two must not run at the same time (each runs
# the one pcscd of the machine). Installs what it needs (Debian 12).
# Environment: FKN_BIN=path/to/fkn skips the build; FKN_E2E_TIMEOUT (seconds,
# default 60) bounds the wait for the card; FKN_E2E_KEEP_LOGS=1 keeps the logs.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")/../.."

WORK="$(mktemp -d "${TMPDIR:-/tmp}/fkn-pcsc-session.XXXXXX")"
USER_PIN=3141
ADMIN_PIN=27182818

on_exit() { pcsc_end "$WORK"/serve.log "$WORK"/pcscd.log; }
e2e_begin pcsc-session on_exit
pcsc_begin "${TMPDIR:-/tmp}/fkn-pcsc-session.pids"

# --- packages ----------------------------------------------------------------
apt_install_missing say pcscd vsmartcard-vpcd pcsc-tools opensc libpcsclite-dev pkg-config \
  openssl libengine-gost-openssl

# --- fkn ---------------------------------------------------------------------
find_fkn --features pcsc

# --- pcscd with the vpcd driver ------------------------------------------------
pcsc_take_over
start_pcscd

# --- the token file, served to vpcd --------------------------------------------
cd "$WORK"
TFILE="$WORK/token.fkn"
"$FKN" token init --token "virtual:$TFILE" --user-pin "$USER_PIN" --admin-pin "$ADMIN_PIN" \
  --label "pcsc session" >init.log 2>&1 || { say "fkn token init: $(cat init.log)"; exit 1; }
serial="$("$FKN" info --token "virtual:$TFILE" | sed -n 's/^serial: *//p')"

RUST_LOG=info start_serve serve.log token serve --token "virtual:$TFILE" \
  --vpcd "127.0.0.1:$VPCD_PORT"

if wait_for_card; then
  pass "card present in \"$reader\" after $waited s"
else
  fail "no card in a vpcd reader after $waited s"
  exit 1
fi

# The shortest prefix of $reader that names no other reader (the full name if
# every shorter one is ambiguous: vpcd has two slots, "... 00 00" and "... 00 01").
mapfile -t readers < <("$FKN" readers 2>/dev/null || true)
starts_with() { # how many readers start with $1
  local r n=0
  for r in "${readers[@]}"; do [[ "$r" == "$1"* ]] && n=$((n + 1)); done
  echo "$n"
}
prefix="$reader"
for n in $(seq 1 ${#reader}); do
  if [ "$(starts_with "${reader:0:n}")" -eq 1 ]; then
    prefix="${reader:0:n}"
    break
  fi
done
# An ambiguous prefix is refused with one line naming the candidates.
if [ "$(starts_with Virtual)" -gt 1 ]; then
  rc=0
  err="$(timeout 20 "$FKN" info --token pcsc:Virtual 2>&1 >/dev/null)" || rc=$?
  if [ "$rc" -eq 1 ] && [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] &&
    [[ "$err" == *"\"$reader\""* ]]; then
    pass "ambiguous --token pcsc:Virtual: $err"
  else
    fail "ambiguous --token pcsc:Virtual: exit $rc, $err"
  fi
fi
T="pcsc:$prefix"
say "using --token $T"

# Runs fkn with output in $WORK/<name>.log; true if it succeeded.
fkn() {
  local name="$1"
  shift
  timeout 60 "$FKN" "$@" >"$name.out" 2>"$name.err"
}
why() { head -n 2 "$1.err" 2>/dev/null | tr '\n' ' '; }

# info: SELECT only.
if fkn info info --token "$T" && grep -q "^serial: *$serial$" info.out &&
  grep -q "user PIN: *5 attempt(s) left" info.out; then
  pass "fkn info over PC/SC: serial $serial, 5 PIN attempts"
else
  fail "fkn info: $(why info) $(tr '\n' ' ' <info.out 2>/dev/null)"
fi

# keygen on two curves.
for curve in tc26-256-a tc26-512-b; do
  if fkn "keygen-$curve" keygen --token "$T" --pin "$USER_PIN" --id "k-$curve" --curve "$curve" &&
    [ "$(tr -d '\n' <"keygen-$curve.out" | wc -c)" -eq "$([ "$curve" = tc26-256-a ] && echo 128 || echo 256)" ]; then
    pass "fkn keygen $curve over PC/SC"
  else
    fail "fkn keygen $curve: $(why "keygen-$curve")"
  fi
done

# 16 digests, one sign command each curve (fkn checks every signature against the key).
for curve in tc26-256-a tc26-512-b; do
  size=$([ "$curve" = tc26-256-a ] && echo 32 || echo 64)
  args=()
  for _ in $(seq 1 16); do
    args+=(--digest "$(head -c "$size" /dev/urandom | od -An -tx1 | tr -d ' \n')")
  done
  if fkn "sign-$curve" sign-digest --token "$T" --pin "$USER_PIN" --id "k-$curve" "${args[@]}" &&
    [ "$(wc -l <"sign-$curve.out")" -eq 16 ] &&
    ! grep -qvE "^[0-9A-F]{$((4 * size))}$" "sign-$curve.out"; then
    pass "fkn sign-digest: 16 $curve signatures over PC/SC, each verified"
  else
    fail "fkn sign-digest $curve: $(why "sign-$curve")"
  fi
done

# A wrong PIN: exit 3, one line with the attempts left; the right one resets them.
rc=0
fkn wrongpin list --token "$T" --pin 0000 || rc=$?
if [ "$rc" -eq 3 ] && [ "$(wc -l <wrongpin.err)" -eq 1 ] &&
  grep -q "wrong PIN, 4 attempt(s) left" wrongpin.err; then
  pass "wrong PIN over PC/SC: exit 3, $(cat wrongpin.err)"
else
  fail "wrong PIN: exit $rc, $(why wrongpin)"
fi

if fkn list list --token "$T" --pin "$USER_PIN" && [ "$(wc -l <list.out)" -eq 2 ] &&
  grep -q '^id="k-tc26-256-a" curve=tc26-256-a .*certificate=no' list.out &&
  grep -q '^id="k-tc26-512-b" curve=tc26-512-b .*certificate=no' list.out; then
  pass "fkn list over PC/SC: 2 keys"
else
  fail "fkn list: $(why list) $(tr '\n' ' ' <list.out 2>/dev/null)"
fi

# Certificate made on the token through PC/SC.
if fkn selfsign cert self-sign --token "$T" --pin "$USER_PIN" --id k-tc26-256-a \
  --subject "CN=PC/SC e2e,O=FKN SDK" --days 7 &&
  fkn list2 list --token "$T" --pin "$USER_PIN" &&
  grep -q '^id="k-tc26-256-a" .*certificate=yes' list2.out; then
  pass "fkn cert self-sign over PC/SC: stored on the token"
else
  fail "fkn cert self-sign: $(why selfsign)"
fi

# Export: without --pin a PC/SC token says what to do; with it, over SM.
rc=0
fkn exportnopin cert export --token "$T" --id k-tc26-256-a --out nopin.der || rc=$?
if [ "$rc" -ne 0 ] && grep -q -- "--pin" exportnopin.err && [ ! -e nopin.der ]; then
  pass "fkn cert export without --pin on PC/SC: $(cat exportnopin.err)"
else
  fail "fkn cert export without --pin: exit $rc, $(why exportnopin)"
fi
if fkn export cert export --token "$T" --pin "$USER_PIN" --id k-tc26-256-a --out cert.der &&
  openssl x509 -engine gost -inform DER -in cert.der -noout -subject 2>/dev/null |
  grep -q "CN = PC/SC e2e"; then
  pass "fkn cert export --pin over PC/SC: openssl reads the certificate"
else
  fail "fkn cert export --pin: $(why export)"
fi

# A CMS signature through PC/SC, verified by fkn and by openssl.
printf 'signed through pcscd\n' >doc.txt
openssl x509 -inform DER -in cert.der -out cert.pem 2>/dev/null || true
if fkn signcms sign --token "$T" --pin "$USER_PIN" --id k-tc26-256-a --in doc.txt --out doc.p7m &&
  fkn verify verify --in doc.p7m && grep -q "CN=PC/SC e2e" verify.out &&
  openssl cms -engine gost -verify -binary -inform DER -in doc.p7m -CAfile cert.pem \
    -out /dev/null >/dev/null 2>&1; then
  pass "fkn sign over PC/SC: fkn verify and openssl cms -verify accept it"
else
  fail "fkn sign / verify: $(why signcms) $(why verify)"
fi

# Four processes sign on the one card at once. Each holds the card for its
# whole session (select, login, sign) and the others queue: with the card
# shared, another process's SELECT between a login's steps ends that session.
pids=()
for i in 1 2 3 4; do
  fkn "par$i" sign-digest --token "$T" --pin "$USER_PIN" --id k-tc26-256-a \
    --digest "$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')" &
  pids+=($!)
done
ok=0
for i in 1 2 3 4; do
  if wait "${pids[i - 1]}" && grep -qE "^[0-9A-F]{128}$" "par$i.out"; then
    ok=$((ok + 1))
  else
    say "process $i: $(why "par$i")"
  fi
done
if [ "$ok" -eq 4 ]; then
  pass "four fkn processes signing on one PC/SC card at once: all 4 signed"
else
  fail "four fkn processes at once: $ok of 4 signed"
fi

# Stop the bridge; the file holds the keys and the certificate.
stop_serve
if fkn persisted list --token "virtual:$TFILE" --pin "$USER_PIN" &&
  grep -q '^id="k-tc26-256-a" .*certificate=yes' persisted.out &&
  grep -q '^id="k-tc26-512-b" ' persisted.out; then
  pass "the token file holds what the PC/SC session made"
else
  fail "token file after the session: $(why persisted) $(tr '\n' ' ' <persisted.out 2>/dev/null)"
fi

[ "$failed" -eq 0 ]
