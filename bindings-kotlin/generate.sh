#!/usr/bin/env bash
# Generates the Kotlin bindings (src/main/kotlin/dev/fkn/sdk/fkn.kt for the
# FFI's objects and functions, fkn_core.kt for the records, enums and errors
# fkn-core derives) from the built library with the workspace's
# uniffi-bindgen (UniFFI library mode).
#
#   bindings-kotlin/generate.sh           rewrite the committed file
#   bindings-kotlin/generate.sh --check   fail if it differs from a fresh generation
#
# Build the library first: cargo build --release -p fkn-ffi
# (FKN_FFI_LIB overrides the library path; FKN_BINDGEN names a built
# uniffi-bindgen to use instead of `cargo run --release -p uniffi-bindgen`.)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$here/.."
lib="${FKN_FFI_LIB:-$root/target/release/libfkn_ffi.so}"
committed="$here/src/main/kotlin/dev/fkn/sdk"
files=(fkn.kt core/fkn_core.kt)

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
# --no-format: the output must not depend on whether ktlint is installed.
bindgen \
  generate --library "$lib" --language kotlin --out-dir "$out" --no-format
fresh="$out/dev/fkn/sdk"

if [ "${1:-}" = "--check" ]; then
  for f in "${files[@]}"; do
    if ! diff -u "$committed/$f" "$fresh/$f" >"$out/diff"; then
      echo "STALE BINDINGS: $committed/$f differs from what the current fkn-ffi generates:" >&2
      head -n 40 "$out/diff" >&2
      echo "Run bindings-kotlin/generate.sh and commit the result." >&2
      exit 1
    fi
  done
  echo "bindings are current ($(cat "${files[@]/#/$fresh/}" | wc -l) lines)"
else
  for f in "${files[@]}"; do
    cp "$fresh/$f" "$committed/$f"
    echo "wrote $committed/$f"
  done
fi
