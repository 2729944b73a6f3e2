// swift-tools-version:6.0
// The FKN SDK for Swift. SwiftPM resolves a package from git only when this
// file is at the repository root; everything Swift lives in bindings-swift/
// and sample-ios/ (bindings-swift/README.md explains the layout).
//
// The native library under the generated bindings:
// - Apple platforms: the XCFramework built by bindings-swift/build-xcframework.sh
//   (a local path; a release pins FKN_XCFRAMEWORK_URL + FKN_XCFRAMEWORK_CHECKSUM);
// - Linux: the host libfkn_ffi.so from `cargo build --release -p fkn-ffi`,
//   found in $FKN_FFI_LIB_DIR or target/release (how tests/swift.sh runs).
import PackageDescription

#if os(Linux)
let libDir = Context.environment["FKN_FFI_LIB_DIR"] ?? "\(Context.packageDirectory)/target/release"
let nativeTarget: Target = .systemLibrary(name: "FknFFIC", path: "bindings-swift/Sources/FknFFIC")
let nativeLinking: [LinkerSetting] = [
    .linkedLibrary("fkn_ffi"),
    .unsafeFlags(["-L\(libDir)", "-Xlinker", "-rpath", "-Xlinker", libDir]),
]
// Debian's Swift 6.0 lacks a symbol that libswiftObservation needs (see the .c file).
let sampleTestSupport: [Target] = [
    .target(name: "ObservationLinkFix", path: "sample-ios/Tests/ObservationLinkFix"),
]
#else
let nativeTarget: Target =
    if let url = Context.environment["FKN_XCFRAMEWORK_URL"],
       let checksum = Context.environment["FKN_XCFRAMEWORK_CHECKSUM"] {
        .binaryTarget(name: "FknFFIC", url: url, checksum: checksum)
    } else {
        .binaryTarget(name: "FknFFIC", path: "bindings-swift/build/FknFFIC.xcframework")
    }
let nativeLinking: [LinkerSetting] = []
let sampleTestSupport: [Target] = []
#endif

let package = Package(
    name: "FknSDK",
    platforms: [.iOS(.v15), .macOS(.v12)],
    products: [
        // The async Swift layer (and, re-exported, the generated API): what apps import.
        .library(name: "FknSDK", targets: ["FknSDK"]),
        // The generated UniFFI bindings alone, blocking calls only.
        .library(name: "FknFFI", targets: ["FknFFI"]),
        // The C module over the native library.
        .library(name: "FknFFIC", targets: ["FknFFIC"]),
    ],
    targets: [
        nativeTarget,
        .target(
            name: "FknFFI",
            dependencies: ["FknFFIC"],
            path: "bindings-swift/Sources/FknFFI",
            linkerSettings: nativeLinking
        ),
        .target(
            name: "FknSDK",
            dependencies: ["FknFFI"],
            path: "bindings-swift/Sources/FknSDK"
        ),
        // The sample app's logic (view model), without its SwiftUI views, so
        // that an API change breaks this build, not only the app's.
        .target(
            name: "FknSampleModel",
            dependencies: ["FknSDK"],
            path: "sample-ios/FknSample/Model"
        ),
        .testTarget(
            name: "FknSDKTests",
            dependencies: ["FknSDK"],
            path: "bindings-swift/Tests/FknSDKTests"
        ),
        .testTarget(
            name: "FknSampleModelTests",
            dependencies: ["FknSampleModel", "FknSDK"] + sampleTestSupport.map { .target(name: $0.name) },
            path: "sample-ios/Tests/FknSampleModelTests"
        ),
    ] + sampleTestSupport
)
