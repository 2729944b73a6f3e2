// `import FknSDK` is all an app writes: the generated API (TokenSession,
// VirtualToken, NfcTransport, FknError, digest, verifyCms, ...) comes with it.
@_exported import FknFFI

/// The curve of a key: fkn-core's `CurveId` under the name the SDK's
/// Swift and Kotlin layers have always used (Kotlin keeps the same alias).
public typealias Curve = CurveId
