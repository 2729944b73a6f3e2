#!/usr/bin/env bash
# Swift bindings of the FKN SDK, tested on Linux:
#   1. a Swift 6 toolchain in a cached Debian trixie chroot (tests/chroot.sh;
#      Debian 12 has no Swift package, trixie has swiftlang 6.0),
#   2. libfkn_ffi.so from the current sources (release; under run-all the
#      workspace's debug build), and the committed
#      Swift bindings checked against a fresh generation,
#   3. `swift test` in the chroot with the repository bind-mounted: the Swift
#      layer (FknSDK) over the virtual token through a Swift NfcTransport, and
#      the sample app's view models (the signing-requests one against an
#      fkn-server started here on 127.0.0.1; the chroot shares the network),
#   4. the CMS signatures made in Swift verified by `openssl cms -verify` with
#      gost-engine, on the host,
#   5. fkn-core and fkn-ffi type-checked for aarch64-apple-ios and
#      aarch64-apple-ios-sim (target directories cached in /var/cache/fkn-sdk).
# Installs what it needs (debootstrap, openssl + gost-engine, Rust targets).
# Called by tests/run-all.sh; runs on its own too. Ends with a line in the
# form XCTest prints, counting the XCTest cases and this script's checks.
#
#   FKN_LEAK_SESSIONS=n   sessions of the leak test (default 10000)
#   FKN_CARGO_CACHE=dir   where the iOS checks keep their target directories
#                         (default /var/cache/fkn-sdk: target-ios, target-ios-sim)
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=chroot.sh
. "$(dirname "$0")/chroot.sh"
# shellcheck source-path=SCRIPTDIR source=e2e/lib.sh
. "$(dirname "$0")/e2e/lib.sh"
cd "$(dirname "$0")/.."
root="$PWD"
started=$SECONDS

log() { printf '\n==> %s\n' "$*"; }
checks=0
failures=0
check_pass() { checks=$((checks + 1)); echo "swift: PASS $*"; }
check_fail() { checks=$((checks + 1)); failures=$((failures + 1)); echo "swift: FAIL $*"; }
tests=0
test_failures=0
# The fkn-server of the sample's model tests (section 3), stopped on exit.
server_work=""
stop_server() {
  stop_fkn_server
  [ -z "$server_work" ] || rm -rf "$server_work"
}
summary() {
  local rc=$? total=$((tests + checks)) failed=$((test_failures + failures)) secs=$((SECONDS - started))
  stop_server
  if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
    failed=1
    echo "swift: aborted (exit $rc) before all checks ran"
  fi
  echo "Swift suite: $tests XCTest cases, $checks script checks, $failed failed"
  local t=tests f=failures
  [ "$total" -ne 1 ] || t="test"
  [ "$failed" -ne 1 ] || f=failure
  echo "Executed $total $t, with $failed $f (0 unexpected) in $secs.000 ($secs.000) seconds"
  [ "$failed" -eq 0 ] && [ "$rc" -eq 0 ] || exit 1
}
trap summary EXIT

export CARGO_TERM_COLOR=never
target_dir="${CARGO_TARGET_DIR:-$root/target}"
# SwiftPM's build directory and what the tests write: inside the repository,
# which is all the chroot sees.
scratch="$root/target/swift"

# --- 1. toolchain -------------------------------------------------------------
log "Swift toolchain (Debian trixie chroot, cached)"
chroot_dir="$(fkn_chroot_ensure swift swiftlang libc6-dev)"
fkn_chroot_run "$chroot_dir" "" "" swift --version
apt_install_missing log openssl libengine-gost-openssl

# --- 2. library and bindings --------------------------------------------------
log "building libfkn_ffi.so and uniffi-bindgen"
ffi_build
mkdir -p "$scratch/lib"
cp "$FFI_DIR/libfkn_ffi.so" "$scratch/lib/"

log "regenerating the Swift bindings"
if FKN_FFI_LIB="$FFI_DIR/libfkn_ffi.so" bindings-swift/generate.sh --check; then
  check_pass "the committed Swift bindings match the library"
else
  check_fail "the committed Swift bindings are stale"
fi

# --- 3. swift test ------------------------------------------------------------
# The sample's requests model is tested against a real fkn-server: one on
# 127.0.0.1, any port, with a scratch SQLite database and our own admin token.
log "fkn-server for the sample's model tests"
server_work="$(mktemp -d)"
start_fkn_server "$server_work"
echo "fkn-server on $FKN_SERVER_URL"

log "swift test (in the chroot, repository at /repo)"
rm -rf "$scratch/artifacts"
xctest_log="$scratch/xctest.log"
status=0
# XCTest only: the suite has no swift-testing tests, whose runner would
# otherwise close the output with "0 tests passed".
fkn_chroot_run "$chroot_dir" "$root" /repo env \
  FKN_FFI_LIB_DIR=/repo/target/swift/lib \
  FKN_SWIFT_ARTIFACTS=/repo/target/swift/artifacts \
  FKN_LEAK_SESSIONS="${FKN_LEAK_SESSIONS:-10000}" \
  FKN_SERVER_URL="$FKN_SERVER_URL" \
  FKN_SERVER_ADMIN_TOKEN="$(cat "$server_work/admin-token")" \
  sh -c 'cd /repo && swift build --build-tests --scratch-path /repo/target/swift/build -j 2 2>&1 &&
         swift test --skip-build --disable-swift-testing --scratch-path /repo/target/swift/build 2>&1' \
  | tee "$xctest_log" || status=$?
# Every test case that ran, and those that failed, from XCTest's own lines.
tests=$(grep -cE "^Test Case '.*' (passed|failed)" "$xctest_log" || true)
test_failures=$(grep -cE "^Test Case '.*' failed" "$xctest_log" || true)
if [ "$status" -ne 0 ] && [ "$test_failures" -eq 0 ]; then
  check_fail "swift build/test exited with $status"
fi
if [ "$status" -ne 0 ]; then
  echo "---- last lines of the fkn-server log ----"
  tail -n 30 "$server_work/server.log"
fi
grep -h "leak test:" "$xctest_log" || true

# --- 4. OpenSSL verifies what Swift signed -------------------------------------
log "openssl cms -verify (gost-engine) on the CMS signatures made in Swift"
art="$scratch/artifacts"
for bits in 256 512; do
  if [ ! -f "$art/cert-$bits.der" ]; then
    check_fail "$bits-bit: the Swift test wrote no certificate and signatures to $art"
    continue
  fi
  openssl x509 -inform DER -in "$art/cert-$bits.der" -out "$art/cert-$bits.pem"
  if openssl cms -engine gost -verify -binary -inform DER -in "$art/attached-$bits.p7m" \
    -CAfile "$art/cert-$bits.pem" -out "$art/attached-$bits.out" 2>"$art/attached-$bits.err" &&
    cmp -s "$art/doc.txt" "$art/attached-$bits.out"; then
    check_pass "$bits-bit: openssl cms -verify accepts the attached CMS made in Swift, content intact"
  else
    check_fail "$bits-bit: openssl cms -verify rejects the attached CMS: $(tail -n 3 "$art/attached-$bits.err")"
  fi
  if openssl cms -engine gost -verify -binary -inform DER -in "$art/detached-$bits.p7s" \
    -CAfile "$art/cert-$bits.pem" -content "$art/doc.txt" -out /dev/null 2>"$art/detached-$bits.err"; then
    check_pass "$bits-bit: openssl cms -verify accepts the detached CMS made in Swift"
  else
    check_fail "$bits-bit: openssl cms -verify rejects the detached CMS: $(tail -n 3 "$art/detached-$bits.err")"
  fi
  printf 'altered' >"$art/altered.txt"
  if ! openssl cms -engine gost -verify -binary -inform DER -in "$art/detached-$bits.p7s" \
    -CAfile "$art/cert-$bits.pem" -content "$art/altered.txt" -out /dev/null 2>/dev/null; then
    check_pass "$bits-bit: openssl rejects the detached CMS over altered content"
  else
    check_fail "$bits-bit: openssl accepted the detached CMS over altered content"
  fi
done

# --- 5. iOS type-check ---------------------------------------------------------
# fkn-ffi without its default `oslog` feature: oslog's build script compiles C
# against an Apple SDK, which only a Mac has (bindings-swift/README.md).
# The target directories live in a cache outside the repository, beside the
# chroots: CI runs a fresh clone each time on the same machine, where an
# in-repository directory would always be cold. Each target has its own, so the
# -Zbuild-std one does not invalidate the host build scripts of the other.
ios_cache="${FKN_CARGO_CACHE:-/var/cache/fkn-sdk}"
mkdir -p "$ios_cache"
for target in aarch64-apple-ios aarch64-apple-ios-sim; do
  log "cargo check --target $target (fkn-core, fkn-ffi)"
  dir="$ios_cache/target-ios"
  [ "$target" = aarch64-apple-ios ] || dir="$ios_cache/target-ios-sim"
  check=(env CARGO_TARGET_DIR="$dir" cargo check --target "$target" -p fkn-core -p fkn-ffi --no-default-features)
  if ! rustup target add "$target" >/dev/null 2>&1; then
    # Some rustup mirrors lack a target's prebuilt std (here: the simulator
    # one): check against std built from rust-src instead. -Zbuild-std is
    # nightly-only, hence RUSTC_BOOTSTRAP.
    rustup component add rust-src >/dev/null 2>&1 || true
    echo "no prebuilt std for $target here: checking with -Zbuild-std from rust-src"
    check=(env RUSTC_BOOTSTRAP=1 "${check[@]}" "-Zbuild-std=std,panic_abort")
  fi
  if "${check[@]}"; then
    check_pass "fkn-core and fkn-ffi type-check for $target"
  else
    check_fail "fkn-core and fkn-ffi do not type-check for $target"
  fi
done
