#!/usr/bin/env bash
# Generates the Swift bindings from the built library with the workspace's
# uniffi-bindgen (UniFFI library mode), as bindings-kotlin/generate.sh does
# for Kotlin, and for the same reasons commits them (docs/ffi.md):
#
#   Sources/FknFFI/FknFFI.swift     the generated Swift API (module FknFFI)
#   Sources/FknFFIC/FknFFIC.h       the C declarations it calls
#   Sources/FknFFIC/module.modulemap  the clang module FknFFIC over that header
#
#   bindings-swift/generate.sh           rewrite the committed files
#   bindings-swift/generate.sh --check   fail if they differ from a fresh generation
#
# Build the library first: cargo build --release -p fkn-ffi
# (FKN_FFI_LIB overrides the library path.)
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

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
# --no-format: the output must not depend on whether swift-format is installed.
(cd "$root" && cargo run --quiet --release -p uniffi-bindgen -- \
  generate --library "$lib" --language swift --out-dir "$out/gen" --no-format)

# UniFFI names the module map after the module; SwiftPM and XCFrameworks
# look for module.modulemap.
mkdir -p "$out/fresh/FknFFI" "$out/fresh/FknFFIC"
cp "$out/gen/FknFFI.swift" "$out/fresh/FknFFI/FknFFI.swift"
cp "$out/gen/FknFFIC.h" "$out/fresh/FknFFIC/FknFFIC.h"
cp "$out/gen/FknFFIC.modulemap" "$out/fresh/FknFFIC/module.modulemap"

files=(FknFFI/FknFFI.swift FknFFIC/FknFFIC.h FknFFIC/module.modulemap)
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
  echo "Swift bindings are current ($(wc -l <"$out/fresh/FknFFI/FknFFI.swift") lines of Swift)"
else
  for f in "${files[@]}"; do
    mkdir -p "$(dirname "$here/Sources/$f")"
    cp "$out/fresh/$f" "$here/Sources/$f"
    echo "wrote bindings-swift/Sources/$f"
  done
fi
