#!/usr/bin/env bash
# A fresh machine runs the README's first command. In a cached Debian trixie
# chroot holding Debian's Rust toolchain (rustc-web/cargo-web: trixie's plain
# rustc is 1.85, older than crypto-bigint 0.7 needs) and nothing else (no
# pkg-config, no -dev packages), a copy of this work tree runs
#   cargo run --release -p fkn-cli --bin fkn -- demo
# and must print the demo's table. The day the demo path needs a system
# library (a build script calling pkg-config, a C header), this fails.
#
# The build directory and the crate cache live in the chroot and are reused,
# so a warm run only rebuilds what changed. Needs root (debootstrap, chroot).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source-path=SCRIPTDIR source=chroot.sh
. tests/chroot.sh

dir=$(fkn_chroot_ensure fresh-rust rustc-web cargo-web ca-certificates)

# The chroot must really lack what the PC/SC backend would need.
if fkn_chroot_run "$dir" "" "" sh -c 'command -v pkg-config || test -e /usr/include/PCSC/winscard.h' >/dev/null; then
  echo "fresh-demo: the chroot has pkg-config or the PC/SC headers; it is not a fresh machine" >&2
  exit 1
fi

# The tracked and new files of the work tree, nothing built.
src=$(mktemp -d)
trap 'rm -rf "$src"' EXIT
git ls-files -co --exclude-standard -z | tar --null -cf - -T - | tar -xf - -C "$src"
# The host's trust roots, so cargo reaches crates.io through whatever TLS
# proxy this machine uses.
cp /etc/ssl/certs/ca-certificates.crt "$dir/etc/ssl/certs/fkn-host-ca.crt"

out="$src.log"
status=0
fkn_chroot_run "$dir" "$src" /src env \
  CARGO_HOME=/var/cache/fkn-cargo-home CARGO_TARGET_DIR=/var/cache/fkn-target \
  CARGO_HTTP_CAINFO=/etc/ssl/certs/fkn-host-ca.crt CARGO_TERM_COLOR=never \
  sh -c 'cd /src && rustc --version && cargo run -q --release -p fkn-cli --bin fkn -- demo' \
  >"$out" 2>&1 || status=$?
cat "$out"
# The per-step table and its total line.
if [ "$status" -ne 0 ] || ! grep -q "^total: [0-9]* APDUs" "$out" || ! grep -q "APDU .* B  NFC" "$out"; then
  rm -f "$out"
  echo "fresh-demo: 0 passed, 1 failed" >&2
  exit 1
fi
rm -f "$out"
echo "fresh-demo: 1 passed, 0 failed"
