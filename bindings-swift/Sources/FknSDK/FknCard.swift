import Foundation

/// An `async` session with whichever application the tapped card has: an
/// OFP1 token or a Rutoken ECP in PKI mode. Check `capabilities()` before
/// offering features: a Rutoken takes the PIN in clear, signs one digest
/// per card command and stores no certificates. Calls run on the session's
/// own `FknExecutor`, as `FknToken`'s do.
public final class FknCard: Sendable {
    /// The blocking card session underneath.
    public let card: Card
    private let executor: FknExecutor

    private init(card: Card, executor: FknExecutor) {
        self.card = card
        self.executor = executor
    }

    /// Finds out which application the card on `transport` has and opens it.
    /// `allowClearPinOverNfc` lets a card that takes the PIN in clear
    /// (Rutoken PKI mode) be sent it over NFC, where it could be overheard:
    /// leave it off unless your users accept that.
    public static func open(
        _ transport: NfcTransport,
        allowClearPinOverNfc: Bool = false,
        executor: FknExecutor = FknExecutor()
    ) async throws -> FknCard {
        let options = CardOptions(allowClearPinOverNfc: allowClearPinOverNfc)
        let card = try await executor.run { try Card.open(transport: transport, options: options) }
        return FknCard(card: card, executor: executor)
    }

    private func io<T: Sendable>(_ body: @escaping @Sendable (Card) throws -> T) async throws -> T {
        let card = self.card
        return try await executor.run { try body(card) }
    }

    /// What the card's application can do.
    public func capabilities() async throws -> Capabilities { try await io { try $0.capabilities() } }

    /// The card's serial number.
    public func serial() async throws -> Data { try await io { try $0.serial() } }

    /// Logs in with the user PIN (`.Misuse(.clearPinOverNfc)` if not allowed).
    public func login(pin: String) async throws { try await io { try $0.login(pin: pin) } }

    /// The keys on the card.
    public func listKeys() async throws -> [CardKey] { try await io { try $0.listKeys() } }

    /// Generates a key; on a Rutoken `id` may be empty (first free reference).
    public func generateKey(id: Data, curve: Curve, label: String = "") async throws -> CardKey {
        try await io { try $0.generateKey(id: id, curve: curve, label: label) }
    }

    /// Signs digests with key `keyId`; `s || r` each.
    public func sign(keyId: Data, digests: [Data]) async throws -> [Data] {
        try await io { try $0.sign(id: keyId, digests: digests) }
    }

    /// Signs one digest.
    public func sign(keyId: Data, digest: Data) async throws -> Data {
        let signatures = try await sign(keyId: keyId, digests: [digest])
        return try onlySignature(signatures)
    }

    /// A self-signed certificate (DER) for key `keyId`.
    public func selfSignedCertificate(keyId: Data, subject: String, days: UInt32 = 365) async throws -> Data {
        try await io { try $0.selfSignedCertificate(keyId: keyId, subject: subject, days: days) }
    }

    /// A CMS SignedData (DER) over `content` with key `keyId` and its `certificate`.
    public func signCms(keyId: Data, certificate: Data, content: Data, detached: Bool = true) async throws -> Data {
        try await io {
            try $0.signCms(keyId: keyId, certificate: certificate, content: content, detached: detached)
        }
    }
}
