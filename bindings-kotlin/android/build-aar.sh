#!/usr/bin/env bash
# Builds the FKN SDK AAR: libfkn_ffi.so for four ABIs with cargo-ndk, then the
# Android library with Gradle. Needs a machine with the Android SDK + NDK
# (ANDROID_HOME, ANDROID_NDK_HOME), JDK 17, Gradle 8.9+ and rustup.
# Output: build/outputs/aar/fkn-android-release.aar
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$here/../.."
cd "$root"

: "${ANDROID_NDK_HOME:?set ANDROID_NDK_HOME to the Android NDK (r27 or newer)}"

rustup target add aarch64-linux-android armv7-linux-androideabi x86_64-linux-android i686-linux-android
command -v cargo-ndk >/dev/null || cargo install cargo-ndk --locked

# The committed bindings must match the library we ship.
cargo build --release -p fkn-ffi
bindings-kotlin/generate.sh --check

# 16 KiB page alignment, required on Android 15+ devices with large pages.
export RUSTFLAGS="${RUSTFLAGS:-} -C link-arg=-Wl,-z,max-page-size=16384"
cargo ndk --platform 24 \
  -t arm64-v8a -t armeabi-v7a -t x86_64 -t x86 \
  -o "$here/build/rustJniLibs" \
  build --release -p fkn-ffi

cd "$here"
gradle --no-daemon assembleRelease
ls -l build/outputs/aar/
