# shellcheck shell=bash
# What the end-to-end scripts share. Sourced, not run:
#
#   . "$(dirname "$0")/lib.sh"     (before the script changes directory)
#
#   e2e_begin NAME [HOOK]    counters, say/pass/fail, the exit trap that prints
#                            "NAME e2e: N passed, M failed" (HOOK runs first)
#   apt_install_missing REPORT PKG...   installs the Debian packages not there
#   find_fkn [CARGO_ARGS...]            sets FKN: $FKN_BIN, or a fresh build
#   cargo_selection ARGS..., suite_build ARGS...   what to ask cargo for (below)
#   ffi_build                           builds libfkn_ffi; sets FFI_DIR, FKN_BINDGEN
#   start_fkn_server DIR, stop_fkn_server   a throw-away fkn-server on 127.0.0.1
#   pcsc_*, start_pcscd, start_serve, wait_for_card: pcscd + vpcd (below)
#
# Defines the globals SUDO, passed, failed; the scripts read them.

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

# --- counters and the exit summary ---------------------------------------------

say() { printf '%s e2e: %s\n' "$E2E_NAME" "$*"; }
pass() { passed=$((passed + 1)); say "PASS $*"; }
fail() { failed=$((failed + 1)); say "FAIL $*"; }

# Starts the counters and traps. HOOK (a function name) runs first on exit,
# to end what the script started; $E2E_RC is then the script's exit status.
# Whatever the script sets in WORK is removed unless FKN_E2E_KEEP_LOGS is set.
e2e_begin() {
  E2E_NAME="$1"
  E2E_HOOK="${2:-}"
  E2E_RC=0
  passed=0
  failed=0
  trap e2e_finish EXIT
  trap 'exit 130' INT TERM
}

# True when a check failed or the script is exiting with an error.
e2e_run_failed() {
  [ "$failed" -gt 0 ] || [ "$E2E_RC" -ne 0 ]
}

# The exit trap: hook, scratch directory, summary line; exit 1 unless all passed.
e2e_finish() {
  E2E_RC=$?
  set +e
  [ -z "$E2E_HOOK" ] || "$E2E_HOOK"
  if [ -n "${FKN_E2E_KEEP_LOGS:-}" ]; then
    say "files kept in ${WORK:-}"
  elif [ -n "${WORK:-}" ]; then
    rm -rf "$WORK"
  fi
  if [ "$E2E_RC" -ne 0 ] && [ "$failed" -eq 0 ]; then
    failed=1
    say "aborted (exit $E2E_RC) before all checks ran"
  fi
  echo "$E2E_NAME e2e: $passed passed, $failed failed"
  [ "$failed" -eq 0 ] && [ "$E2E_RC" -eq 0 ] || exit 1
}

# The last 30 lines of each file that exists, for a failed run.
tail_logs() {
  local f
  for f in "$@"; do
    [ -f "$f" ] || continue
    echo "---- last lines of $(basename "$f") ----"
    tail -n 30 "$f"
  done
}

# --- set-up ----------------------------------------------------------------------

# Installs those of the Debian packages PKG... that are missing (one apt run),
# announcing them with the function REPORT (say, log, ...).
apt_install_missing() {
  local report="$1" p
  shift
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    "$report" "installing ${missing[*]}"
    $SUDO apt-get update -q
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${missing[@]}"
  fi
}

# --- what the scripts build --------------------------------------------------------
# Alone, a script builds just the packages it names. Under tests/run-all.sh
# (FKN_WORKSPACE_BUILD=1) it asks for what `cargo test --workspace
# --all-features` built: the same packages and features, dev-dependencies
# included, so cargo reuses that build instead of compiling sqlx, uniffi and
# the rest again under another feature set (minutes per script on CI).

# The package selection for `cargo test`, one argument per line.
cargo_selection() {
  if [ -n "${FKN_WORKSPACE_BUILD:-}" ]; then
    printf '%s\n' --workspace --all-features
  else
    printf '%s\n' "$@"
  fi
}

# `cargo build -q ARGS`, or under run-all every target of the workspace
# (binaries, examples, libfkn_ffi, uniffi-bindgen) at once.
suite_build() {
  if [ -n "${FKN_WORKSPACE_BUILD:-}" ]; then
    cargo build -q --workspace --all-features --all-targets
  else
    cargo build -q "$@"
  fi
}

# Builds libfkn_ffi and uniffi-bindgen. Sets FFI_DIR (the directory holding
# both) and exports FKN_BINDGEN for bindings-*/generate.sh. Alone: release.
# Under run-all: the workspace's debug build (the crypto crates are
# optimised in the dev profile too).
ffi_build() {
  local target_dir="${CARGO_TARGET_DIR:-$PWD/target}"
  if [ -n "${FKN_WORKSPACE_BUILD:-}" ]; then
    suite_build -p fkn-ffi -p uniffi-bindgen
    FFI_DIR="$target_dir/debug"
  else
    cargo build --release -p fkn-ffi -p uniffi-bindgen
    FFI_DIR="$target_dir/release"
  fi
  export FKN_BINDGEN="$FFI_DIR/uniffi-bindgen"
}

# --- a throw-away fkn-server -------------------------------------------------------
# start_fkn_server DIR: fkn-server on 127.0.0.1, any port, SQLite in DIR/data,
# a random admin token in DIR/admin-token (ours, so it never has to be read
# back from the server's output). Sets FKN_SERVER_URL and FKN_SERVER_PID;
# DIR/server.out holds the start-up lines (the admin token among them, so
# show only DIR/server.log, the log). The caller's exit trap calls
# stop_fkn_server.
start_fkn_server() {
  local dir="$1"
  suite_build -p fkn-server --bin fkn-server
  (umask 077 && od -An -N32 -tx1 /dev/urandom | tr -d ' \n' >"$dir/admin-token")
  "${CARGO_TARGET_DIR:-$PWD/target}/debug/fkn-server" --listen 127.0.0.1:0 \
    --data-dir "$dir/data" --admin-token-file "$dir/admin-token" \
    >"$dir/server.out" 2>"$dir/server.log" &
  FKN_SERVER_PID=$!
  FKN_SERVER_URL=""
  for _ in $(seq 1 100); do
    FKN_SERVER_URL="$(sed -n 's/^fkn-server listening on \(http:.*\)$/\1/p' "$dir/server.out")"
    [ -n "$FKN_SERVER_URL" ] && return 0
    if ! kill -0 "$FKN_SERVER_PID" 2>/dev/null; then
      tail -n 20 "$dir/server.log" >&2
      echo "fkn-server exited at start" >&2
      return 1
    fi
    sleep 0.1
  done
  echo "fkn-server did not start in 10 s" >&2
  return 1
}

stop_fkn_server() {
  if [ -n "${FKN_SERVER_PID:-}" ]; then
    kill "$FKN_SERVER_PID" 2>/dev/null || true
    wait "$FKN_SERVER_PID" 2>/dev/null || true
    FKN_SERVER_PID=""
  fi
}

# Sets FKN to an absolute path of the fkn binary: $FKN_BIN if set, else
# `cargo build -q -p fkn-cli CARGO_ARGS...`. Exits if there is no binary.
find_fkn() {
  if [ -n "${FKN_BIN:-}" ]; then
    FKN="$FKN_BIN"
  else
    say "building fkn"
    cargo build -q -p fkn-cli "$@"
    local target_dir
    target_dir="$(cargo metadata --format-version 1 --no-deps |
      sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')"
    FKN="${target_dir:-target}/debug/fkn"
  fi
  [ -x "$FKN" ] || { say "no fkn binary at $FKN"; exit 1; }
  # The scripts change directory later.
  case "$FKN" in /*) ;; *) FKN="$PWD/$FKN" ;; esac
}

# --- pcscd + the vsmartcard vpcd reader ------------------------------------------
# Our own pcscd runs in the foreground for the test, with its own reader
# configuration (only the vpcd reader, on a port of our choosing); the system
# one (systemd) is stopped meanwhile and its socket restarted after. Globals: VPCD_PORT,
# CARD_TIMEOUT, STALE_PIDFILE (pids that outlive a killed run, one
# "name pid" per line, so the next run can end them), PCSCD_PID, SERVE_PID.

# Sets the PC/SC globals (STALE_PIDFILE is the argument) and ends what a
# killed earlier run left behind, if the pid still names that program.
pcsc_begin() {
  # vpcd's own default, 35963, lies in Linux's ephemeral range: after the
  # thousands of loopback connections of the test suites one of them may hold
  # it in TIME_WAIT, and vpcd's bind fails (seen on CI). A free port below
  # 32768 (vpcd takes PORT and PORT+1, one per slot) cannot be.
  VPCD_PORT=""
  local candidate
  for _ in $(seq 50); do
    candidate=$((20000 + RANDOM % 12000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null &&
      ! (exec 3<>"/dev/tcp/127.0.0.1/$((candidate + 1))") 2>/dev/null; then
      VPCD_PORT=$candidate
      break
    fi
  done
  [ -n "$VPCD_PORT" ] || { say "no free port pair for vpcd"; exit 1; }
  CARD_TIMEOUT="${FKN_E2E_TIMEOUT:-60}"
  STALE_PIDFILE="$1"
  PCSCD_PID=""
  SERVE_PID=""
  RESTORE_SYSTEMD=""
  [ -f "$STALE_PIDFILE" ] || return 0
  local name pid
  while read -r name pid; do
    if [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$name" ]; then
      say "ending $name $pid left by an earlier run"
      $SUDO kill "$pid" 2>/dev/null || true
    fi
  done <"$STALE_PIDFILE"
  rm -f "$STALE_PIDFILE"
}

# The vpcd driver library the package installed (its path differs by release).
vpcd_driver() {
  local lib
  lib="$(sed -n 's/^LIBPATH[[:space:]]*//p' /etc/reader.conf.d/vpcd 2>/dev/null | head -n 1)"
  echo "${lib:-/usr/lib/pcsc/drivers/serial/libifdvpcd.so}"
}

pcscd_running() {
  local pid
  # pcscd may leave NULs in its pid file while exiting.
  pid="$(tr -dc '0-9' 2>/dev/null </run/pcscd/pcscd.pid || true)"
  { [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; } ||
    { command -v pidof >/dev/null && pidof pcscd >/dev/null; }
}

# Makes room for our pcscd: stops a systemd-managed one, exits if another
# pcscd keeps running.
pcsc_take_over() {
  # Our pcscd reads this directory instead of /etc/reader.conf.d: the vpcd
  # reader (the package's driver) on VPCD_PORT, nothing else.
  local port_hex
  port_hex="$(printf '0x%X' "$VPCD_PORT")"
  mkdir -p "$WORK/reader.conf.d"
  printf 'FRIENDLYNAME "Virtual PCD"\nDEVICENAME   /dev/null:%s\nLIBPATH      %s\nCHANNELID    %s\n' \
    "$port_hex" "$(vpcd_driver)" "$port_hex" >"$WORK/reader.conf.d/vpcd"
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
}

# Starts our pcscd (log appended to $WORK/pcscd.log) and waits until it is ready.
start_pcscd() {
  local log="$WORK/pcscd.log" before
  before="$(grep -c "daemon ready" "$log" 2>/dev/null || true)"
  $SUDO pcscd --foreground --debug --config "$WORK/reader.conf.d" >>"$log" 2>&1 &
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

# No kill -0 test first: without root, pcscd runs under sudo and cannot be probed.
stop_pcscd() {
  if [ -n "$PCSCD_PID" ]; then
    $SUDO kill "$PCSCD_PID" 2>/dev/null || true
    wait "$PCSCD_PID" 2>/dev/null || true
  fi
  PCSCD_PID=""
}

# Runs `$FKN ARGS...` in the background with output to LOG (the first
# argument), as SERVE_PID; the caller's environment prefix (RUST_LOG=...) applies.
start_serve() {
  local log="$1"
  shift
  "$FKN" "$@" >"$log" 2>&1 &
  SERVE_PID=$!
  echo "$(basename "$FKN") $SERVE_PID" >>"$STALE_PIDFILE"
}

stop_serve() {
  if [ -n "$SERVE_PID" ] && kill -0 "$SERVE_PID" 2>/dev/null; then
    kill "$SERVE_PID" 2>/dev/null || true
    wait "$SERVE_PID" 2>/dev/null || true
  fi
  SERVE_PID=""
}

# Sets $reader to the vpcd slot that holds a card and $waited to the seconds
# it took; false if none within CARD_TIMEOUT or if the server died.
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
  # shellcheck disable=SC2034 # the scripts report it
  waited=$((SECONDS - start))
  [ -n "$reader" ]
}

# For the exit hook: ends the server and our pcscd, restarts the system
# pcscd socket if we stopped it; after a failed run shows the tail of LOG...
pcsc_end() {
  stop_serve
  stop_pcscd
  rm -f "$STALE_PIDFILE"
  if [ -n "$RESTORE_SYSTEMD" ]; then
    $SUDO systemctl start pcscd.socket 2>/dev/null
  fi
  if e2e_run_failed; then
    tail_logs "$@"
  fi
}
