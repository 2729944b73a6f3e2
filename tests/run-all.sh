#!/usr/bin/env bash
# Runs every test suite of the FKN SDK. Installs what it needs first, idempotently,
# so a fresh Debian 12 machine (or CI) needs nothing but this script.
#
#   tests/run-all.sh            everything
#   FKN_SKIP_E2E=1 tests/...    skip the PC/SC + vpcd end-to-end suite
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

log() { printf '\n==> %s\n' "$*"; }

# --- system packages -------------------------------------------------------
# openssl + gost-engine: independent interop oracle for GOST signatures, hashes,
# CMS; pcscd + vpcd + opensc + pcsc-tools: a real PC/SC stack for the virtual token.
APT_PACKAGES=(openssl libengine-gost-openssl pcscd vsmartcard-vpcd pcsc-tools opensc
              libpcsclite-dev pkg-config)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${missing[*]}"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${missing[@]}"
fi

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

if [ -z "${FKN_SKIP_E2E:-}" ] && [ -x tests/e2e/pcsc_vpcd.sh ]; then
  log "end-to-end: virtual token over vpcd + pcscd"
  tests/e2e/pcsc_vpcd.sh
fi

log "end-to-end: fkn CLI output checked by OpenSSL gost-engine, and back"
tests/e2e/cli_openssl.sh

# After pcsc_vpcd.sh, never beside it: both use vpcd port 35963.
if [ -z "${FKN_SKIP_E2E:-}" ] && [ -x tests/e2e/pcsc_session.sh ]; then
  log "end-to-end: a whole fkn session through pcscd + vpcd"
  tests/e2e/pcsc_session.sh
fi

log "all suites passed"
