#!/usr/bin/env bash
# Builds bindings-swift/build/FknFFIC.xcframework, the native library the
# Swift package links on Apple platforms (Package.swift), on a Mac with Xcode
# and rustup:
#
#   iOS device        aarch64-apple-ios
#   iOS simulator     aarch64-apple-ios-sim + x86_64-apple-ios   (one lipo'd library)
#   macOS             aarch64-apple-darwin + x86_64-apple-darwin (one lipo'd library;
#                     lets `swift test` run on the Mac)
#
# Each slice is libfkn_ffi.a (staticlib, release, with the `oslog` feature:
# set_log_level routes to the unified log) plus the generated C headers (both
# UniFFI components: fkn and fkn_core) and
# module map in Headers/FknFFIC/ (a subdirectory, so that the module map of
# another XCFramework in the same app cannot collide with ours).
#
#   bindings-swift/build-xcframework.sh           build the XCFramework
#   bindings-swift/build-xcframework.sh --zip     also FknFFIC.xcframework.zip and its
#                                                 SwiftPM checksum, for a release
#                                                 (FKN_XCFRAMEWORK_URL / _CHECKSUM)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$here/.."
out="$here/build"
target_dir="${CARGO_TARGET_DIR:-$root/target}"

if [ "$(uname -s)" != Darwin ] || ! command -v xcodebuild >/dev/null; then
  echo "build-xcframework.sh needs macOS with Xcode (xcodebuild, lipo)" >&2
  exit 1
fi

export IPHONEOS_DEPLOYMENT_TARGET="${IPHONEOS_DEPLOYMENT_TARGET:-15.0}"
export MACOSX_DEPLOYMENT_TARGET="${MACOSX_DEPLOYMENT_TARGET:-12.0}"
targets=(aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios aarch64-apple-darwin x86_64-apple-darwin)

rustup target add "${targets[@]}"
cd "$root"

# The committed bindings must match this library (the XCFramework carries the
# header; the Swift sources are in the package): regenerate-check first.
cargo build --release -p fkn-ffi -p uniffi-bindgen
FKN_FFI_LIB="$target_dir/release/libfkn_ffi.dylib" "$here/generate.sh" --check

for t in "${targets[@]}"; do
  echo "==> cargo build --release -p fkn-ffi --target $t"
  cargo build --release -p fkn-ffi --target "$t"
done

rm -rf "$out"
mkdir -p "$out/ios" "$out/ios-simulator" "$out/macos" "$out/headers/FknFFIC"
cp "$target_dir/aarch64-apple-ios/release/libfkn_ffi.a" "$out/ios/"
lipo -create \
  "$target_dir/aarch64-apple-ios-sim/release/libfkn_ffi.a" \
  "$target_dir/x86_64-apple-ios/release/libfkn_ffi.a" \
  -output "$out/ios-simulator/libfkn_ffi.a"
lipo -create \
  "$target_dir/aarch64-apple-darwin/release/libfkn_ffi.a" \
  "$target_dir/x86_64-apple-darwin/release/libfkn_ffi.a" \
  -output "$out/macos/libfkn_ffi.a"
cp "$here"/Sources/FknFFIC/*.h "$here/Sources/FknFFIC/module.modulemap" "$out/headers/FknFFIC/"

xcodebuild -create-xcframework \
  -library "$out/ios/libfkn_ffi.a" -headers "$out/headers" \
  -library "$out/ios-simulator/libfkn_ffi.a" -headers "$out/headers" \
  -library "$out/macos/libfkn_ffi.a" -headers "$out/headers" \
  -output "$out/FknFFIC.xcframework"
echo "wrote $out/FknFFIC.xcframework"

if [ "${1:-}" = "--zip" ]; then
  (cd "$out" && rm -f FknFFIC.xcframework.zip && zip -qry FknFFIC.xcframework.zip FknFFIC.xcframework)
  echo "wrote $out/FknFFIC.xcframework.zip"
  echo "checksum: $(swift package compute-checksum "$out/FknFFIC.xcframework.zip")"
fi
