import Foundation

/// An `async` session with one token, over any `NfcTransport` (the CoreNFC
/// one, `VirtualToken.transport()`, or a test double).
///
/// Every call runs the blocking SDK call, and with it the blocking
/// transport, on the session's own `FknExecutor`, so it is safe to call from
/// the main actor. Calls on one `FknToken` run one after another; different
/// tokens run in parallel. Errors are `FknError` (its `message` says what to
/// do next; `attemptsLeft` is set for a wrong PIN).
///
/// Nothing to close: the native session and the transport it holds are freed
/// when the last reference goes away.
public final class FknToken: Sendable {
    /// The blocking session underneath, for calls this layer does not wrap.
    /// Call it off the main actor.
    public let session: TokenSession
    private let executor: FknExecutor

    private init(session: TokenSession, executor: FknExecutor) {
        self.session = session
        self.executor = executor
    }

    /// Selects the token's application over `transport` (one exchange).
    public static func open(
        _ transport: NfcTransport,
        executor: FknExecutor = FknExecutor()
    ) async throws -> FknToken {
        let session = try await executor.run { try TokenSession.open(transport: transport) }
        return FknToken(session: session, executor: executor)
    }

    private func io<T: Sendable>(_ body: @escaping @Sendable (TokenSession) throws -> T) async throws -> T {
        let session = self.session
        return try await executor.run { try body(session) }
    }

    /// What the token announced before login: serial, label, curves, PIN parameters.
    public func selectInfo() async throws -> SelectInfo { try await io { try $0.selectInfo() } }

    /// APDU exchanges so far on this session (SELECT included).
    public func exchanges() async throws -> UInt64 { try await io { try $0.exchanges() } }

    /// Logs in with the user PIN. Throws `FknError.WrongPin` (with the
    /// attempts left) or `FknError.PinBlocked`.
    public func login(pin: String) async throws { try await io { try $0.authenticate(pin: pin) } }

    /// Logs in with a PIN prepared before the tap (`preparePin`): two
    /// exchanges, no PBKDF2 while the card is held. Throws `InvalidInput` if it
    /// was prepared for another token.
    public func login(prepared pin: PreparedPin) async throws {
        try await io { try $0.authenticatePrepared(pin: pin) }
    }

    /// Logs in with the admin PIN.
    public func loginAdmin(pin: String) async throws { try await io { try $0.authenticateAdmin(pin: pin) } }

    /// Which PIN this session is logged in with, if any.
    public func authenticatedAs() async throws -> PinRef? { try await io { try $0.authenticatedAs() } }

    /// Serial, label, free key slots, PIN attempts (needs a login).
    public func tokenInfo() async throws -> TokenInfo { try await io { try $0.tokenInfo() } }

    /// Every key on the token, in creation order.
    public func listKeys() async throws -> [KeyInfo] { try await io { try $0.listKeys() } }

    /// Generates a key pair on the token; the private key never leaves it.
    public func generateKey(id: Data, curve: Curve, label: String = "") async throws -> KeyInfo {
        try await io { try $0.generateKey(id: id, curve: curve, label: label) }
    }

    /// Signs 1 to 16 digests in one command; signatures are `s || r`, in order.
    public func sign(keyId: Data, digests: [Data]) async throws -> [Data] {
        try await io { try $0.sign(id: keyId, digests: digests) }
    }

    /// Signs one digest.
    public func sign(keyId: Data, digest: Data) async throws -> Data {
        let signatures = try await sign(keyId: keyId, digests: [digest])
        return try onlySignature(signatures)
    }

    /// Stores the certificate (DER) of key `keyId`.
    public func putCertificate(keyId: Data, der: Data) async throws {
        try await io { try $0.putCertificate(id: keyId, der: der) }
    }

    /// Reads the certificate (DER) of key `keyId`.
    public func getCertificate(keyId: Data) async throws -> Data {
        try await io { try $0.getCertificate(id: keyId) }
    }

    /// Deletes key `keyId` and its certificate.
    public func deleteKey(keyId: Data) async throws { try await io { try $0.deleteKey(id: keyId) } }

    /// Changes the PIN this session is logged in with.
    public func changePin(newPin: String) async throws { try await io { try $0.changePin(newPin: newPin) } }

    /// Sets a new user PIN and unblocks it (admin login).
    public func unblockPin(newUserPin: String) async throws {
        try await io { try $0.unblockPin(newUserPin: newUserPin) }
    }

    /// Runs PBKDF2 for `pin` against this token's salt, for a later
    /// `login(prepared:)` on this token (e.g. after the card moved away).
    public func preparePin(_ pin: String, for reference: PinRef = .user) async throws -> PreparedPin {
        try await io { try $0.preparePin(reference: reference, pin: pin) }
    }

    /// A PKCS #10 request (DER) for key `keyId`; `subject` like `CN=Ivan Petrov,O=Org,C=RU`.
    public func createCsr(keyId: Data, subject: String) async throws -> Data {
        try await io { try $0.createCsr(keyId: keyId, subject: subject) }
    }

    /// A self-signed certificate (DER) for key `keyId`, valid `days` days (tests, closed systems).
    public func selfSignedCertificate(keyId: Data, subject: String, days: UInt32 = 365) async throws -> Data {
        try await io { try $0.selfSignedCertificate(keyId: keyId, subject: subject, days: days) }
    }

    /// CMS SignedData (DER) over `content` with key `keyId` and its `certificate` (DER).
    public func signCms(keyId: Data, certificate: Data, content: Data, detached: Bool = true) async throws -> Data {
        try await io {
            try $0.signCms(keyId: keyId, certificate: certificate, content: content, detached: detached)
        }
    }

    /// Detached CMS SignedData over content already hashed with the key's
    /// Streebog (see `Hasher`), for documents too large to pass whole.
    public func signCmsDigest(keyId: Data, certificate: Data, contentDigest: Data) async throws -> Data {
        try await io {
            try $0.signCmsDigest(keyId: keyId, certificate: certificate, contentDigest: contentDigest)
        }
    }
}

/// Runs the slow part of a login (PBKDF2) before the user taps, for the token
/// whose `serial` and `password` parameters an earlier session's
/// `selectInfo()` returned; log in with `FknToken.login(prepared:)`.
public func preparePin(serial: Serial, password: PasswordInfo, pin: String) async throws -> PreparedPin {
    try await FknExecutor(label: "dev.fkn.sdk.prepare-pin").run {
        try PreparedPin.derive(serial: serial, password: password, pin: pin)
    }
}

/// The signature of a one-digest sign call; anything else is the card
/// breaking the protocol.
func onlySignature(_ signatures: [Data]) throws -> Data {
    guard signatures.count == 1, let signature = signatures.first else {
        // `FknError.Protocol` would name a metatype: spell the case through the type context.
        let error: FknError = .Protocol(violation: .wrongSignatures)
        throw error
    }
    return signature
}

/// A new virtual token (PBKDF2 for both PINs runs off the caller's actor).
public func makeVirtualToken(label: String, userPin: String, adminPin: String) async throws -> VirtualToken {
    try await FknExecutor(label: "dev.fkn.sdk.virtual-token").run {
        try VirtualToken(label: label, userPin: userPin, adminPin: adminPin)
    }
}

extension FknError {
    /// The SDK's message, what happened and what to do next (e.g. "wrong
    /// PIN, 2 attempt(s) left"), composed once in fkn-core. (The generated
    /// `localizedDescription` is the debug form, naming the case.)
    public var message: String { fknErrorMessage(error: self) }

    /// Attempts left before the PIN blocks, for `WrongPin`; `nil` otherwise.
    public var attemptsLeft: UInt8? {
        if case .WrongPin(let attemptsLeft) = self { return attemptsLeft }
        return nil
    }

    /// The card left the field mid-command: hold it still and tap again.
    public var isCardRemoved: Bool {
        if case .Link(.cardRemoved) = self { return true }
        return false
    }
}
