#!/usr/bin/env bash
# End-to-end: a whole OFP1 session through PC/SC. A virtual token file made
# by `fkn token init` is served by `fkn token serve` to the vsmartcard vpcd
# reader, and the `fkn` verbs talk to it with --token pcsc:READER:
#
#   fkn info, keygen (two curves), sign-digest (16 digests in one command),
#   a wrong PIN, list, cert self-sign, cert export, sign + verify; after the
#   bridge stops, the token file holds what the session made.
#
# Same set-up as pcsc_vpcd.sh (its own pcscd in the foreground, every process
# it starts cleaned up); the two must not run at the same time (both use
# vpcd port 35963). Installs what it needs (Debian 12).
# Environment: FKN_BIN=path/to/fkn skips the build; FKN_E2E_TIMEOUT (seconds,
# default 60) bounds the wait for the card; FKN_E2E_KEEP_LOGS=1 keeps the logs.
set -euo pipefail
cd "$(dirname "$0")/../.."

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
VPCD_PORT=35963
CARD_TIMEOUT="${FKN_E2E_TIMEOUT:-60}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/fkn-pcsc-session.XXXXXX")"
STALE_PIDFILE="${TMPDIR:-/tmp}/fkn-pcsc-session.pids"
USER_PIN=3141
ADMIN_PIN=27182818
PCSCD_PID=""
SERVE_PID=""
RESTORE_SYSTEMD=""
passed=0
failed=0

say() { printf 'pcsc-session e2e: %s\n' "$*"; }
pass() { passed=$((passed + 1)); say "PASS $*"; }
fail() { failed=$((failed + 1)); say "FAIL $*"; }

stop_serve() {
  if [ -n "$SERVE_PID" ] && kill -0 "$SERVE_PID" 2>/dev/null; then
    kill "$SERVE_PID" 2>/dev/null
    wait "$SERVE_PID" 2>/dev/null
  fi
  SERVE_PID=""
}

finish() {
  local rc=$?
  set +e
  stop_serve
  if [ -n "$PCSCD_PID" ] && kill -0 "$PCSCD_PID" 2>/dev/null; then
    $SUDO kill "$PCSCD_PID" 2>/dev/null
    wait "$PCSCD_PID" 2>/dev/null
  fi
  rm -f "$STALE_PIDFILE"
  if [ -n "$RESTORE_SYSTEMD" ]; then
    $SUDO systemctl start pcscd.socket 2>/dev/null
  fi
  if [ "$failed" -gt 0 ] || [ "$rc" -ne 0 ]; then
    for f in "$WORK"/serve.log "$WORK"/pcscd.log; do
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
  echo "pcsc-session e2e: $passed passed, $failed failed"
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
PACKAGES=(pcscd vsmartcard-vpcd pcsc-tools opensc libpcsclite-dev pkg-config openssl
          libengine-gost-openssl)
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
case "$FKN" in /*) ;; *) FKN="$PWD/$FKN" ;; esac

# --- pcscd with the vpcd driver (as pcsc_vpcd.sh) ------------------------------
grep -qs "$(printf '0x%X' "$VPCD_PORT")" /etc/reader.conf.d/vpcd ||
  say "warning: /etc/reader.conf.d/vpcd does not name port $VPCD_PORT"

pcscd_running() {
  local pid
  pid="$(tr -dc '0-9' 2>/dev/null </run/pcscd/pcscd.pid || true)"
  { [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; } ||
    { command -v pidof >/dev/null && pidof pcscd >/dev/null; }
}

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

log="$WORK/pcscd.log"
$SUDO pcscd --foreground --debug >>"$log" 2>&1 &
PCSCD_PID=$!
echo "${SUDO:-pcscd} $PCSCD_PID" >>"$STALE_PIDFILE"
ready=""
for _ in $(seq 1 100); do
  grep -q "daemon ready" "$log" 2>/dev/null && { ready=1; break; }
  kill -0 "$PCSCD_PID" 2>/dev/null || break
  sleep 0.1
done
[ -n "$ready" ] || { say "pcscd did not get ready"; exit 1; }

# --- the token file, served to vpcd --------------------------------------------
cd "$WORK"
TFILE="$WORK/token.fkn"
"$FKN" token init --token "virtual:$TFILE" --user-pin "$USER_PIN" --admin-pin "$ADMIN_PIN" \
  --label "pcsc session" >init.log 2>&1 || { say "fkn token init: $(cat init.log)"; exit 1; }
serial="$("$FKN" info --token "virtual:$TFILE" | sed -n 's/^serial: *//p')"

RUST_LOG=info "$FKN" token serve --token "virtual:$TFILE" --vpcd "127.0.0.1:$VPCD_PORT" \
  >serve.log 2>&1 &
SERVE_PID=$!
echo "$(basename "$FKN") $SERVE_PID" >>"$STALE_PIDFILE"

reader=""
start=$SECONDS
while [ $((SECONDS - start)) -lt "$CARD_TIMEOUT" ]; do
  kill -0 "$SERVE_PID" 2>/dev/null || break
  reader="$(timeout 10 opensc-tool -l 2>/dev/null |
    sed -n 's/^[0-9][0-9]* *Yes .*\(Virtual PCD [0-9][0-9] [0-9][0-9]\)$/\1/p' | head -n 1 || true)"
  [ -n "$reader" ] && break
  sleep 1
done
if [ -n "$reader" ]; then
  pass "card present in \"$reader\" after $((SECONDS - start)) s"
else
  fail "no card in a vpcd reader after $((SECONDS - start)) s"
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
  fail "fkn info: $(why info) $(cat info.out 2>/dev/null | tr '\n' ' ')"
fi

# keygen on two curves.
for curve in tc26-256-a tc26-512-b; do
  if fkn "keygen-$curve" keygen --token "$T" --pin "$USER_PIN" --id "k-$curve" --curve "$curve" &&
    [ "$(tr -d '\n' <"keygen-$curve.out" | wc -c)" -eq $([ "$curve" = tc26-256-a ] && echo 128 || echo 256) ]; then
    pass "fkn keygen $curve over PC/SC"
  else
    fail "fkn keygen $curve: $(why "keygen-$curve")"
  fi
done

# 16 digests, one sign command each curve (fkn checks every signature against the key).
for curve in tc26-256-a tc26-512-b; do
  size=$([ "$curve" = tc26-256-a ] && echo 32 || echo 64)
  args=()
  for i in $(seq 1 16); do
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
