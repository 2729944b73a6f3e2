#!/usr/bin/env bash
# Kotlin bindings of the FKN SDK:
#   1. builds libfkn_ffi.so from the current sources (release; under run-all
#      the workspace's debug build),
#   2. regenerates the Kotlin bindings from it and fails if the committed
#      ones are stale,
#   3. compiles the Kotlin layer, the Android IsoDep adapter and the Android
#      sample's model and runs the JVM test suite with Maven (JNA loads the
#      fresh library; the sample's model tests talk to an fkn-server started
#      here on 127.0.0.1),
#   4. type-checks fkn-core and fkn-ffi for aarch64-linux-android.
# Installs what it needs on a fresh Debian 12 machine (JDK 17, Maven, the
# Android Rust target). Called by tests/run-all.sh; runs on its own too.
#
#   FKN_LEAK_SESSIONS=n   sessions of the leak test (default 10000)
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=e2e/lib.sh
. "$(dirname "$0")/e2e/lib.sh"
cd "$(dirname "$0")/.."
log() { printf '\n==> %s\n' "$*"; }

# --- JDK 17 and Maven ------------------------------------------------------
missing=()
command -v javac >/dev/null || missing+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null || missing+=(maven)
if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${missing[*]}"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${missing[@]}"
fi

export CARGO_TERM_COLOR=never

# --- 1. the library --------------------------------------------------------
log "building libfkn_ffi.so and uniffi-bindgen"
ffi_build
lib="$FFI_DIR/libfkn_ffi.so"

# --- 2. bindings current? --------------------------------------------------
log "regenerating the Kotlin bindings from $lib"
FKN_FFI_LIB="$lib" bindings-kotlin/generate.sh --check

# --- 3. JVM suite ------------------------------------------------------------
# The sample's model tests talk to a real fkn-server: one on 127.0.0.1, any
# port, with a scratch SQLite database and our own admin token; stopped on exit.
log "fkn-server for the sample's model tests"
server_work="$(mktemp -d)"
cleanup() {
  stop_fkn_server
  rm -rf "$server_work"
}
trap cleanup EXIT
start_fkn_server "$server_work"
server_url="$FKN_SERVER_URL"
echo "fkn-server on $server_url"

log "mvn test (Kotlin compile, IsoDep adapter, the sample's model, JVM suite)"
reports="bindings-kotlin/target/surefire-reports"
rm -rf "$reports"
status=0
mvnlog="$(mktemp)"
(cd bindings-kotlin && mvn -B -q \
   -Dfkn.lib.dir="$FFI_DIR" \
   -Dfkn.leak.sessions="${FKN_LEAK_SESSIONS:-10000}" \
   -Dfkn.server.url="$server_url" \
   -Dfkn.server.adminToken="$(cat "$server_work/admin-token")" \
   clean test) >"$mvnlog" 2>&1 || status=$?
# Maven 3.8 prints colour resets even in batch mode.
sed -e 's/\x1b\[[0-9;]*m//g' "$mvnlog"
rm -f "$mvnlog"
# Surefire's summary (-q hides Maven's own).
if compgen -G "$reports/*.txt" >/dev/null; then
  cat "$reports"/*.txt | grep -E '^Tests run:' | awk -F'[:,]' '
    { run += $2; fail += $4; err += $6; skip += $8 }
    END { printf "Kotlin JVM suite: Tests run: %d, Failures: %d, Errors: %d, Skipped: %d\n", run, fail, err, skip }'
  grep -h "leak test:" "$reports"/*-output.txt 2>/dev/null || true
fi
[ "$status" -eq 0 ] || { echo "Kotlin JVM suite failed" >&2; exit "$status"; }

# --- 4. Android type-check ---------------------------------------------------
log "cargo check --target aarch64-linux-android (fkn-core, fkn-ffi)"
rustup target add aarch64-linux-android >/dev/null
cargo check --target aarch64-linux-android -p fkn-core -p fkn-ffi

log "Kotlin bindings: all passed"
