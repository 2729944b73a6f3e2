import FknSDK
import Foundation
import Observation

/// What the sample shows; the SwiftUI views only render it and call `sign()`.
///
/// The flow a card signature needs on an iPhone: the PIN is typed and, if
/// this card was seen before, run through PBKDF2 before the tap (the slow
/// part of a login); the tap then takes four exchanges: SELECT, two login
/// steps and SIGN (plus, on the first run, key generation and a certificate).
@available(iOS 17.0, macOS 14.0, *)
@MainActor
@Observable
public final class SigningModel {
    public enum Phase: Equatable, Sendable {
        case ready
        case preparingPin
        case waitingForCard
        case signed(SignedDocument)
        /// The PIN was wrong; so many tries are left.
        case wrongPin(attemptsLeft: UInt8)
        /// The PIN is blocked: only the admin PIN can unblock it.
        case blocked
        /// The card left the field before the signature was done: tap again.
        case cardMovedAway
        case failed(String)
    }

    public var pin = ""
    public var document = "Договор № 1 от 23.11.2026"
    public private(set) var phase = Phase.ready
    /// Use the built-in virtual card instead of NFC (simulator, demos).
    public var useVirtualCard: Bool

    /// True while a card operation runs (disable the button).
    public var isBusy: Bool { phase == .preparingPin || phase == .waitingForCard }
    /// Offer "Try again" (after the card moved away or a wrong PIN).
    public var canRetry: Bool {
        switch phase {
        case .cardMovedAway, .wrongPin: true
        default: false
        }
    }

    private let nfcReader: (any FknCardReader)?
    private let virtualReader: @Sendable () async throws -> any FknCardReader
    private let store: CardMemory

    /// `nfcReader` is nil where NFC is missing (simulator); the virtual card
    /// is then always used. `virtualReader` makes (once) the virtual card's reader.
    public init(
        nfcReader: (any FknCardReader)?,
        virtualReader: @escaping @Sendable () async throws -> any FknCardReader,
        store: CardMemory = CardMemory()
    ) {
        self.nfcReader = nfcReader
        self.virtualReader = virtualReader
        self.store = store
        self.useVirtualCard = nfcReader == nil
    }

    /// Prepares the PIN, then asks for the card, logs in, makes a key and a
    /// certificate on the first run, and signs `document` as CMS.
    public func sign() async {
        guard !isBusy else { return }
        let pin = self.pin
        let content = Data(document.utf8)
        do {
            let reader: any FknCardReader
            if let nfcReader, !useVirtualCard {
                reader = nfcReader
            } else {
                reader = try await virtualReader()
            }
            phase = .preparingPin
            let known = store.lastCard
            let prepared: PreparedPin? = if let known {
                try await preparePin(serial: known.serial, password: known.userPassword, pin: pin)
            } else {
                nil
            }
            phase = .waitingForCard
            let store = self.store
            let signed = try await reader.withCard(prompt: "Hold the card to the top of the iPhone") { token, progress in
                try await Self.signOnCard(token, pin: pin, prepared: prepared, content: content,
                                          store: store, progress: progress)
            }
            phase = .signed(signed)
        } catch let error as FknError {
            phase = Self.phase(for: error)
        } catch {
            phase = .failed(String(describing: error))
        }
    }

    /// What the screen shows for an SDK error.
    nonisolated static func phase(for error: FknError) -> Phase {
        switch error {
        case .WrongPin(let attemptsLeft): .wrongPin(attemptsLeft: attemptsLeft)
        case .PinBlocked: .blocked
        case .Link(.cardRemoved): .cardMovedAway
        default: .failed(error.message)
        }
    }

    /// Key id the sample signs with.
    nonisolated static let keyId = Data("sample".utf8)

    /// Everything done while the card is held.
    nonisolated static func signOnCard(
        _ token: FknToken, pin: String, prepared: PreparedPin?, content: Data,
        store: CardMemory, progress: FknProgress
    ) async throws -> SignedDocument {
        let select = try await token.selectInfo()
        progress("Checking the PIN…")
        if let prepared, store.lastCard?.serial == select.serial {
            do {
                try await token.login(prepared: prepared)
            } catch FknError.Misuse(.stalePreparedPin) {
                // Prepared for an older salt (the PIN was changed): derive now.
                try await token.login(pin: pin)
            }
        } else {
            try await token.login(pin: pin)
        }
        if let user = select.passwords.first(where: { $0.reference == .user }) {
            store.lastCard = KnownCard(serial: select.serial, userPassword: user)
        }

        let keys = try await token.listKeys()
        var certificate: Data
        if let key = keys.first(where: { $0.id == keyId }), key.hasCertificate {
            certificate = try await token.getCertificate(keyId: keyId)
        } else {
            progress("Creating a key…")
            if keys.contains(where: { $0.id == keyId }) { try await token.deleteKey(keyId: keyId) }
            _ = try await token.generateKey(id: keyId, curve: .tc26256a, label: "FKN sample")
            certificate = try await token.selfSignedCertificate(keyId: keyId, subject: "CN=FKN sample,O=FKN SDK", days: 365)
            try await token.putCertificate(keyId: keyId, der: certificate)
        }
        progress("Signing…")
        let cms = try await token.signCms(keyId: keyId, certificate: certificate, content: content, detached: true)
        let verified = try verifyCms(cms: cms, detachedContent: content)
        return SignedDocument(cms: cms, certificate: verified.signer, tokenSerial: select.serial)
    }
}

/// A signature made on the card, and who made it.
public struct SignedDocument: Equatable, Sendable {
    /// Detached CMS SignedData (DER).
    public let cms: Data
    /// The signer's certificate, as the signature's verification read it.
    public let certificate: CertificateInfo
    public let tokenSerial: Data

    /// The start of the signature in hex, for the screen.
    public var cmsPreview: String {
        cms.suffix(24).map { String(format: "%02x", $0) }.joined()
    }
}

/// The last card's serial and PIN parameters (not secret: a salt), so the
/// next PIN is prepared before the tap. Kept in UserDefaults on the device.
public struct KnownCard: Codable, Equatable, Sendable {
    public let serial: Serial
    public let salt: Data
    public let ind: UInt8
    public let curveName: String
    public let attemptsLeft: UInt8

    public init(serial: Serial, userPassword p: PasswordInfo) {
        self.serial = serial
        salt = p.salt
        ind = p.ind
        curveName = p.curve.shortName()
        attemptsLeft = p.attemptsLeft
    }

    public var userPassword: PasswordInfo {
        PasswordInfo(reference: .user, ind: ind, salt: salt,
                     curve: curveFromName(name: curveName) ?? .tc26256a, attemptsLeft: attemptsLeft)
    }
}

/// Where `KnownCard` lives between runs.
public final class CardMemory: @unchecked Sendable {
    // @unchecked: `value` is guarded by `lock`; UserDefaults is thread-safe.
    private let lock = NSLock()
    private let defaults: UserDefaults?
    private var value: KnownCard?
    private static let key = "dev.fkn.sample.lastCard"

    /// `defaults` nil keeps it in memory only (tests).
    public init(defaults: UserDefaults? = nil) {
        self.defaults = defaults
        if let data = defaults?.data(forKey: Self.key) {
            value = try? JSONDecoder().decode(KnownCard.self, from: data)
        }
    }

    public var lastCard: KnownCard? {
        get { lock.lock(); defer { lock.unlock() }; return value }
        set {
            lock.lock(); value = newValue; lock.unlock()
            if let newValue, let data = try? JSONEncoder().encode(newValue) {
                defaults?.set(data, forKey: Self.key)
            }
        }
    }
}
