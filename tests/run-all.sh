#!/usr/bin/env bash
# Runs every test suite of the FKN SDK. Installs what it needs first, idempotently,
# so a fresh Debian 12 machine (or CI) needs nothing but this script.
#
#   tests/run-all.sh            everything
#   FKN_SKIP_E2E=1 tests/...    skip the PC/SC + vpcd end-to-end suite
#   FKN_SKIP_FRESH=1 tests/...  skip the fresh-machine demo check (debootstrap)
#   FKN_SKIP_POSTGRES=1 ...     skip fkn-server's tests on a real PostgreSQL
#   FKN_SKIP_CHROMIUM=1 ...     skip the operator page in headless Chromium (QR code read back)
#   FKN_SKIP_FUZZ=1 tests/...   skip the fuzz smoke pass (FKN_FUZZ_SECONDS per target, default 5)
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=e2e/lib.sh
. "$(dirname "$0")/e2e/lib.sh"
cd "$(dirname "$0")/.."

# Each step's header says how long the run and the previous step took, so a
# slow CI run shows where its time went.
START=$(date +%s)
LAST=$START
log() {
  local now
  now=$(date +%s)
  printf '\n==> [%ds, previous step %ds] %s\n' $((now - START)) $((now - LAST)) "$*"
  LAST=$now
}

# --- system packages -------------------------------------------------------
# openssl + gost-engine: independent interop oracle for GOST signatures, hashes,
# CMS; pcscd + vpcd + opensc + pcsc-tools: a real PC/SC stack for the virtual token.
apt_install_missing log openssl libengine-gost-openssl pcscd vsmartcard-vpcd pcsc-tools opensc \
  libpcsclite-dev pkg-config

# --- Rust toolchain pieces -------------------------------------------------
if ! command -v cargo >/dev/null; then
  echo "cargo not found: install Rust with rustup first" >&2
  exit 1
fi
rustup component add clippy rustfmt >/dev/null 2>&1 || true

export FKN_REQUIRE_OPENSSL_GOST=1
export CARGO_TERM_COLOR=never

log "cargo fmt --check"
cargo fmt --all -- --check

log "cargo clippy (all targets, all features, -D warnings)"
cargo clippy --workspace --all-targets --all-features -- -D warnings

log "cargo test (workspace, all features)"
cargo test --workspace --all-features

# --- end-to-end suites: the real `fkn` binary, pcscd + vpcd, OpenSSL -------
# From here on every script builds the workspace with all features, as
# `cargo test` just did, so cargo reuses that build (see cargo_selection in
# tests/e2e/lib.sh). The binaries and libfkn_ffi are linked once here;
# every script reuses fkn (FKN_BIN).
export FKN_WORKSPACE_BUILD=1
log "building the workspace's binaries and libraries for the suites below"
suite_build -p fkn-cli --features pcsc
export FKN_BIN="${CARGO_TARGET_DIR:-$PWD/target}/debug/fkn"

if [ -z "${FKN_SKIP_E2E:-}" ]; then
  # One after another: the PC/SC suites share pcscd and the vpcd port.
  for suite in tests/e2e/pcsc_vpcd.sh tests/e2e/pcsc_session.sh tests/e2e/rutoken_opensc.sh tests/e2e/cli_openssl.sh tests/e2e/cli_server.sh; do
    if [ -x "$suite" ]; then
      log "end-to-end: $suite"
      "$suite"
    fi
  done
fi

# --- fkn-server on a real PostgreSQL (Debian's packages, throw-away cluster) --
if [ -z "${FKN_SKIP_POSTGRES:-}" ]; then
  log "fkn-server on PostgreSQL: tests/e2e/server_postgres.sh"
  tests/e2e/server_postgres.sh
fi

# --- fkn-server's operator page in headless Chromium; its QR code read back --
if [ -z "${FKN_SKIP_CHROMIUM:-}" ]; then
  log "operator page in headless Chromium: tests/e2e/operator_chromium.sh"
  tests/e2e/operator_chromium.sh
fi

# --- a fresh machine runs the README's demo (Debian's Rust only, no -dev) ----
if [ -z "${FKN_SKIP_FRESH:-}" ]; then
  log "fresh machine: the README's demo in a trixie chroot with only rustc and cargo"
  tests/fresh_demo.sh
fi

# --- FFI: Kotlin bindings on the JVM, Android type-check --------------------
if [ -x tests/kotlin.sh ]; then
  log "Kotlin bindings (JVM) and Android type-check"
  tests/kotlin.sh
fi

# --- FFI: Swift bindings (Swift 6 in a Debian trixie chroot), iOS type-check --
if [ -x tests/swift.sh ]; then
  log "Swift bindings (Linux toolchain in a chroot) and iOS type-check"
  tests/swift.sh
fi

# --- issue 14: dependency policy and a fuzz smoke pass -----------------------
# cargo-deny with deny.toml (licenses, bans incl. duplicate versions, sources;
# the advisories check needs github.com, which CI does not reach: see deny.toml).
log "cargo deny check licenses bans sources"
if ! command -v cargo-deny >/dev/null; then
  cargo install --locked cargo-deny
fi
cargo deny check licenses bans sources

# Every fuzz target for FKN_FUZZ_SECONDS (default 5) each; the long run is
# tests/fuzz.sh with no argument (10 minutes per target).
if [ -z "${FKN_SKIP_FUZZ:-}" ]; then
  log "fuzz smoke pass (${FKN_FUZZ_SECONDS:-5} s per target)"
  tests/fuzz.sh "${FKN_FUZZ_SECONDS:-5}"
fi

log "all suites passed"
