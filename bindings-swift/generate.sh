#!/usr/bin/env bash
# Generates the Swift bindings from the built library with the workspace's
# uniffi-bindgen (UniFFI library mode), as bindings-kotlin/generate.sh does
# for Kotlin, and for the same reasons commits them (docs/ffi.md). The library
# carries two UniFFI components, both in the Swift module FknFFI over one C
# module FknFFIC (ffi/uniffi.toml, core/uniffi.toml):
#
#   Sources/FknFFI/FknFFI.swift       component `fkn` (fkn-ffi): objects, functions,
#                                     NfcTransport, TransportError, logging
#   Sources/FknFFI/FknCore.swift      component `fkn_core` (fkn-core): records,
#                                     enums, FknError
#   Sources/FknFFIC/FknFFIC.h         the C declarations of `fkn`
#   Sources/FknFFIC/FknCoreFFIC.h     the C declarations of `fkn_core`
#   Sources/FknFFIC/module.modulemap  the clang module FknFFIC over both headers
#
#   bindings-swift/generate.sh           rewrite the committed files
#   bindings-swift/generate.sh --check   fail if they differ from a fresh generation
#
# Build the library first: cargo build --release -p fkn-ffi
# (FKN_FFI_LIB overrides the library path; FKN_BINDGEN names a built
# uniffi-bindgen to use instead of `cargo run --release -p uniffi-bindgen`.)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$here/.."
target_dir="${CARGO_TARGET_DIR:-$root/target}"
ext=so
[ "$(uname -s)" != Darwin ] || ext=dylib
lib="${FKN_FFI_LIB:-$target_dir/release/libfkn_ffi.$ext}"

if [ ! -f "$lib" ]; then
  echo "no library at $lib: run 'cargo build --release -p fkn-ffi' first" >&2
  exit 1
fi

bindgen() {
  if [ -n "${FKN_BINDGEN:-}" ]; then
    "$FKN_BINDGEN" "$@"
  else
    (cd "$root" && cargo run --quiet --release -p uniffi-bindgen -- "$@")
  fi
}

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
# One crate at a time: UniFFI names each Swift file after its module, and
# both components share the module FknFFI, so together the second file would
# overwrite the first.
# --no-format: the output must not depend on whether swift-format is installed.
for crate in fkn_ffi fkn_core; do
  bindgen \
    generate --library "$lib" --crate "$crate" --language swift --out-dir "$out/$crate" --no-format
done

mkdir -p "$out/fresh/FknFFI" "$out/fresh/FknFFIC"
cp "$out/fkn_ffi/FknFFI.swift" "$out/fresh/FknFFI/FknFFI.swift"
cp "$out/fkn_core/FknFFI.swift" "$out/fresh/FknFFI/FknCore.swift"
cp "$out/fkn_ffi/FknFFIC.h" "$out/fkn_core/FknCoreFFIC.h" "$out/fresh/FknFFIC/"
# One module map over both headers (SwiftPM and XCFrameworks look for
# module.modulemap): fkn-ffi's, with fkn-core's header line added after its own.
core_header="$(grep -E '^ *header ' "$out/fkn_core/FknCoreFFIC.modulemap")"
awk -v extra="$core_header" '{ print } /^ *header / { print extra }' \
  "$out/fkn_ffi/FknFFIC.modulemap" >"$out/fresh/FknFFIC/module.modulemap"

files=(FknFFI/FknFFI.swift FknFFI/FknCore.swift FknFFIC/FknFFIC.h FknFFIC/FknCoreFFIC.h FknFFIC/module.modulemap)
if [ "${1:-}" = "--check" ]; then
  stale=0
  for f in "${files[@]}"; do
    if ! diff -u "$here/Sources/$f" "$out/fresh/$f" >"$out/diff"; then
      echo "STALE BINDINGS: bindings-swift/Sources/$f differs from what the current fkn-ffi generates:" >&2
      head -n 40 "$out/diff" >&2
      stale=1
    fi
  done
  if [ "$stale" -ne 0 ]; then
    echo "Run bindings-swift/generate.sh and commit the result." >&2
    exit 1
  fi
  echo "Swift bindings are current ($(cat "$out"/fresh/FknFFI/*.swift | wc -l) lines of Swift)"
else
  for f in "${files[@]}"; do
    mkdir -p "$(dirname "$here/Sources/$f")"
    cp "$out/fresh/$f" "$here/Sources/$f"
    echo "wrote bindings-swift/Sources/$f"
  done
fi
