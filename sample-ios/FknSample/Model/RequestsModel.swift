import FknSDK
import Foundation
import Observation

/// Signing requests, the sample's logic on the public API only (the iOS twin
/// of the Android sample's `RequestsModel`): enroll from the QR code's URI,
/// list the pending requests, open one, approve with the card (every
/// selected request in one tap: one sign command) or with the two-party key,
/// decline. The PINs are typed before the tap. The SwiftUI views render
/// `screen` and call the methods; every blocking SDK call runs on an
/// `FknExecutor`, never on the main actor.
///
/// The card comes from an `FknCardReader`: `FknNfcReader` (CoreNFC, made by
/// the app on an iPhone) or, with `useVirtualCard`, a `VirtualCardReader`
/// over a `VirtualToken` (simulator, tests).
@available(iOS 17.0, macOS 14.0, *)
@MainActor
@Observable
public final class RequestsModel {
    /// What the sample shows.
    public enum Screen: Equatable, Sendable {
        /// No enrollment yet: scan (or paste) the operator's QR code.
        case notEnrolled
        /// Talking to the server.
        case busy
        /// The account's pending requests (titles and sizes, no content).
        case requests([SigningRequest])
        /// One request with what is to be signed: its `document`, or for a
        /// `digestOnly` request only the backend's `summary` (say so).
        case detail(SigningRequest)
        /// Waiting for the card: "hold the card to the top of the iPhone".
        case holdCard
        /// Approvals sent: how many the server accepted, and why it refused the others (by request id).
        case done(signed: Int, refused: [String: RequestRefusal])
        /// Something to tell the user.
        case failed(Problem)
    }

    /// The problems the UI tells apart.
    public enum Problem: Equatable, Sendable {
        /// The card left the field mid-command: hold it still and retry.
        case holdStill
        /// Wrong PIN; the card or the server counts.
        case wrongPin(attemptsLeft: Int)
        /// PIN blocked: the administrator unblocks it.
        case pinBlocked
        /// No network or no server: retry later.
        case serverUnreachable
        /// The server refused a request (gone, already answered, expired...).
        case refused(RequestRefusal)
        /// Anything else, in the SDK's words (what happened; what to do).
        case other(String)
    }

    /// The card's user PIN, typed before the tap.
    public var cardPin = ""
    /// The PIN of the two-party key.
    public var keyPin = ""
    /// Use the virtual card instead of NFC (simulator, demos).
    public var useVirtualCard: Bool
    /// The current screen.
    public private(set) var screen = Screen.busy
    /// True while a step runs (disable the buttons).
    public private(set) var isRunning = false
    /// Whether this device is enrolled (offer enrollment until it is, also after a failed try).
    public private(set) var isEnrolled = false

    private let device: TwoPartyDevice
    private let channel: HTTPServerChannel?
    private let nfcReader: (any FknCardReader)?
    private let virtualReader: @Sendable () async throws -> any FknCardReader
    private let memory: CardMemory
    private let cardKeyId: Data
    private let keyId: String?
    private let io = FknExecutor(label: "dev.fkn.sample.requests")
    /// Self-signed certificates of the two-party keys, by key id, made at their first approval.
    private var keyCertificates: [String: Data] = [:]

    /// - Parameters:
    ///   - device: the device over the app's `SecureStore` and its channel.
    ///   - channel: that channel, when it was made before the server was
    ///     known: the model points it at the enrollment URI's server, or at
    ///     the enrolled device's (`start()`) if it has none.
    ///   - nfcReader: nil where NFC is missing (simulator): the virtual card is then always used.
    ///   - virtualReader: makes (once) the virtual card's reader.
    ///   - memory: the last card's PIN parameters, so the PIN is prepared before the tap.
    ///   - cardKeyId: the card key the requests are signed with (made at enrollment if missing).
    ///   - keyId: the id of the two-party key made at enrollment. Key ids are
    ///     unique on the server, across accounts: nil makes `main-` and 12
    ///     random hex digits. Approvals use the key each request names.
    public init(
        device: TwoPartyDevice,
        channel: HTTPServerChannel? = nil,
        nfcReader: (any FknCardReader)?,
        virtualReader: @escaping @Sendable () async throws -> any FknCardReader,
        memory: CardMemory = CardMemory(),
        cardKeyId: Data = Data("fkn-card".utf8),
        keyId: String? = nil
    ) {
        self.device = device
        self.channel = channel
        self.nfcReader = nfcReader
        self.virtualReader = virtualReader
        self.memory = memory
        self.cardKeyId = cardKeyId
        self.keyId = keyId
        useVirtualCard = nfcReader == nil
    }

    /// Shows the requests if the device is enrolled, else the enrollment screen.
    public func start() async {
        await guarded {
            let device = self.device
            let enrolled: EnrolledDevice? = try await self.io.run {
                do {
                    return try device.enrollment()
                } catch FknError.TwoParty(.notEnrolled) {
                    return nil
                }
            }
            self.isEnrolled = enrolled != nil
            guard let enrolled else { return .notEnrolled }
            if let channel = self.channel, channel.server == nil { channel.server = enrolled.server }
            return try await self.listPending()
        }
    }

    /// Enrolls with the QR code's `uri`: the card signs a certification
    /// request for its key (made on the card if missing; one tap), then the
    /// device pairs, generates the two-party key under `keyPin` and
    /// registers the card key.
    public func enroll(uri: String) async {
        await guarded {
            let uri = uri.trimmingCharacters(in: .whitespacesAndNewlines)
            let summary = try readEnrollmentUri(uri: uri)
            let reader = try await self.reader()
            let pin = self.cardPin, memory = self.memory, cardKeyId = self.cardKeyId
            let prepared = try await Self.prepare(pin: pin, memory: memory)
            self.screen = .holdCard
            let csr = try await reader.withCard(prompt: "Hold the card to the top of the iPhone") { token, progress in
                try await Self.login(token, pin: pin, prepared: prepared, memory: memory)
                let keys = try await token.listKeys()
                if !keys.contains(where: { $0.id == cardKeyId }) {
                    progress("Creating the card's key…")
                    _ = try await token.generateKey(id: cardKeyId, curve: .tc26256a, label: "fkn sample")
                }
                return try await token.createCsr(keyId: cardKeyId, subject: "CN=FKN sample card")
            }
            self.screen = .busy
            self.channel?.server = summary.server
            let device = self.device, keyPin = self.keyPin
            let keyId = self.keyId ?? "main-" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
            _ = try await self.io.run {
                try device.enroll(uri: uri, keyId: keyId, curve: .tc26256a, pin: keyPin, cardCsr: csr)
            }
            self.isEnrolled = true
            return try await self.listPending()
        }
    }

    /// Reloads the list of pending requests.
    public func refresh() async {
        await guarded { try await self.listPending() }
    }

    /// Opens request `id` with its content (the document the user reads).
    public func open(id: String) async {
        await guarded {
            let device = self.device
            let fetched = try await self.io.run { try device.fetchRequests(ids: [id]) }
            guard let request = fetched.first else { return .failed(.refused(.notFound)) }
            return .detail(request)
        }
    }

    /// Approves `ids` (at most 16) with the card: one tap, one sign command
    /// for all of them, then one round trip with the signatures.
    public func approveWithCard(ids: [String]) async {
        await guarded {
            let device = self.device
            let requests = try await self.io.run { try device.fetchRequests(ids: ids) }
            guard requests.allSatisfy({ $0.keyKind == .card }) else {
                return .failed(.other("A selected request is for the two-party key: approve it with the key."))
            }
            let reader = try await self.reader()
            let pin = self.cardPin, memory = self.memory, cardKeyId = self.cardKeyId, io = self.io
            let prepared = try await Self.prepare(pin: pin, memory: memory)
            self.screen = .holdCard
            let results = try await reader.withCard(prompt: "Hold the card to the top of the iPhone") { token, progress in
                try await Self.login(token, pin: pin, prepared: prepared, memory: memory)
                let certificate: Data
                do {
                    certificate = try await token.getCertificate(keyId: cardKeyId)
                } catch FknError.Card {
                    // No certificate on the card yet: the sample makes a self-signed one
                    // (the server checks only the key, registered at enrollment).
                    certificate = try await token.selfSignedCertificate(keyId: cardKeyId, subject: "CN=FKN sample card")
                    try await token.putCertificate(keyId: cardKeyId, der: certificate)
                }
                progress(requests.count == 1 ? "Signing…" : "Signing \(requests.count) documents…")
                return try await io.run {
                    try device.approveWithCard(session: token.session, keyId: cardKeyId,
                                               certificate: certificate, requests: requests)
                }
            }
            return Self.done(results)
        }
    }

    /// Approves `ids` with the two-party key (the one each request names)
    /// under `keyPin`: one signature each, with the server adding its half.
    public func approveWithKey(ids: [String]) async {
        await guarded {
            let device = self.device, pin = self.keyPin, known = self.keyCertificates
            let requests = try await self.io.run { try device.fetchRequests(ids: ids) }
            guard requests.allSatisfy({ $0.keyKind == .twoParty }) else {
                return .failed(.other("A selected request is for the card: approve it with the card."))
            }
            let (results, certificates) = try await self.io.run {
                var results: [ApprovalResult] = []
                var certificates = known
                for (keyId, group) in Dictionary(grouping: requests, by: \.keyId) {
                    let key = try device.unlock(keyId: keyId, pin: pin)
                    let certificate = try certificates[keyId]
                        ?? key.selfSignedCertificate(subject: "CN=FKN sample two-party key", days: 365)
                    certificates[keyId] = certificate
                    results += try device.approveWithKey(key: key, certificate: certificate, requests: group)
                }
                return (results, certificates)
            }
            self.keyCertificates = certificates
            return Self.done(results)
        }
    }

    /// Declines request `id`, telling the sender `reason`.
    public func decline(id: String, reason: String) async {
        await guarded {
            let device = self.device
            try await self.io.run { try device.declineRequest(id: id, reason: reason) }
            return try await self.listPending()
        }
    }

    /// What the UI shows for an error of a step.
    public nonisolated static func problem(for error: Error) -> Problem {
        guard let error = error as? FknError else { return .other(String(describing: error)) }
        switch error {
        case .Link(.cardRemoved), .Link(.timeout): return .holdStill
        case .WrongPin(let attemptsLeft): return .wrongPin(attemptsLeft: Int(attemptsLeft))
        case .PinBlocked: return .pinBlocked
        case .Request(let refusal): return .refused(refusal)
        case .TwoParty(.serverUnreachable), .TwoParty(.serverTimeout): return .serverUnreachable
        default: return .other(error.message)
        }
    }

    private func listPending() async throws -> Screen {
        let device = self.device
        return .requests(try await io.run { try device.pendingRequests() })
    }

    private func reader() async throws -> any FknCardReader {
        if let nfcReader, !useVirtualCard { return nfcReader }
        return try await virtualReader()
    }

    /// Runs `step` showing `.busy` first, and its outcome or the problem after;
    /// a step asked for while another runs is ignored.
    private func guarded(_ step: @MainActor () async throws -> Screen) async {
        guard !isRunning else { return }
        isRunning = true
        defer { isRunning = false }
        screen = .busy
        do {
            screen = try await step()
        } catch {
            screen = .failed(Self.problem(for: error))
        }
    }

    private nonisolated static func done(_ results: [ApprovalResult]) -> Screen {
        var refused: [String: RequestRefusal] = [:]
        for result in results {
            if let refusal = result.refusal { refused[result.id] = refusal }
        }
        return .done(signed: results.count - refused.count, refused: refused)
    }

    /// PBKDF2 of the PIN before the tap, for the card seen last (iOS gives
    /// an NFC session about 20 s); nil for a card not seen yet.
    private nonisolated static func prepare(pin: String, memory: CardMemory) async throws -> PreparedPin? {
        guard let known = memory.lastCard else { return nil }
        return try await preparePin(serial: known.serial, password: known.userPassword, pin: pin)
    }

    /// Logs in with the prepared PIN if it is for this card, else with `pin`,
    /// and remembers the card's PIN parameters for the next tap.
    private nonisolated static func login(
        _ token: FknToken, pin: String, prepared: PreparedPin?, memory: CardMemory
    ) async throws {
        let select = try await token.selectInfo()
        if let prepared, memory.lastCard?.serial == select.serial {
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
            memory.lastCard = KnownCard(serial: select.serial, userPassword: user)
        }
    }
}
