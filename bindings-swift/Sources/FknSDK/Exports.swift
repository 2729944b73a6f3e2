// `import FknSDK` is all an app writes: the generated API (TokenSession,
// VirtualToken, NfcTransport, FknError, digest, verifyCms, ...) comes with it.
@_exported import FknFFI
