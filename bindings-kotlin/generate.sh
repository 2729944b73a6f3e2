#!/usr/bin/env bash
# Generates the Kotlin bindings (src/main/kotlin/dev/fkn/sdk/fkn.kt) from the
# built library with the workspace's uniffi-bindgen (UniFFI library mode).
#
#   bindings-kotlin/generate.sh           rewrite the committed file
#   bindings-kotlin/generate.sh --check   fail if it differs from a fresh generation
#
# Build the library first: cargo build --release -p fkn-ffi
# (FKN_FFI_LIB overrides the library path.)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$here/.."
lib="${FKN_FFI_LIB:-$root/target/release/libfkn_ffi.so}"
committed="$here/src/main/kotlin/dev/fkn/sdk/fkn.kt"

if [ ! -f "$lib" ]; then
  echo "no library at $lib: run 'cargo build --release -p fkn-ffi' first" >&2
  exit 1
fi

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
# --no-format: the output must not depend on whether ktlint is installed.
(cd "$root" && cargo run --quiet --release -p uniffi-bindgen -- \
  generate --library "$lib" --language kotlin --out-dir "$out" --no-format)
fresh="$out/dev/fkn/sdk/fkn.kt"

if [ "${1:-}" = "--check" ]; then
  if ! diff -u "$committed" "$fresh" >"$out/diff"; then
    echo "STALE BINDINGS: $committed differs from what the current fkn-ffi generates:" >&2
    head -n 40 "$out/diff" >&2
    echo "Run bindings-kotlin/generate.sh and commit the result." >&2
    exit 1
  fi
  echo "bindings are current ($(wc -l <"$fresh") lines)"
else
  cp "$fresh" "$committed"
  echo "wrote $committed"
fi
