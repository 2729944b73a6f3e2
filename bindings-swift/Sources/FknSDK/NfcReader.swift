// iOS only: macOS has a CoreNFC module too, with the reader APIs unavailable.
#if canImport(CoreNFC) && os(iOS)
import CoreNFC
import Foundation

/// Reads OFP1 cards with CoreNFC (iPhone 7 and later, iOS 15+): starts an
/// `NFCTagReaderSession`, waits for an ISO 7816 tag, opens an `FknToken` over
/// it and runs your code, showing progress on the system NFC sheet.
/// `withAnyCard` does the same with an `FknCard`, for Rutoken ECP cards too.
///
/// The app needs, besides the Near Field Communication Tag Reading capability
/// (see bindings-swift/README.md):
/// - `NFCReaderUsageDescription` in Info.plist;
/// - `com.apple.developer.nfc.readersession.iso7816.select-identifiers` in
///   Info.plist with the OFP1 AID `F0464B4E4F5031`; without it the session
///   fails at once with "Missing required entitlement";
/// - the `com.apple.developer.nfc.readersession.formats` entitlement with `TAG`.
///
/// Time: iOS ends a reader session about 20 s after the first connection.
/// Prepare the PIN before calling (`preparePin`): a cold signature is then
/// four exchanges (SELECT, two login steps, SIGN) and well inside the limit.
///
/// When the card leaves the field mid-command, the reader tells the user to
/// hold it still, restarts polling (`restartPolling()`) and runs `body` again
/// on a fresh session with the card, up to `retries` times, while the
/// session's time lasts.
public final class FknNfcReader: FknCardReader {
    /// Messages on the NFC sheet; replace them to localize.
    public struct Messages: Sendable {
        public var moveAway = "The card moved. Hold it still against the top of the iPhone."
        public var multipleTags = "More than one card: present only one."
        public var notOfp1 = "This is not a supported card."
        public var done = "Done."
        public init() {}
    }

    public let messages: Messages
    /// Extra attempts after the card left the field mid-command.
    public let retries: Int
    /// How long one APDU may take before it fails with `Timeout` (a 512-bit
    /// key generation takes a few seconds on a card).
    public let exchangeTimeout: TimeInterval
    /// Time after the first connection when iOS ends the session.
    public let sessionLimit: TimeInterval
    /// No retry starts when less than this is left of `sessionLimit`.
    public let minimumTimeForRetry: TimeInterval

    public init(
        messages: Messages = Messages(),
        retries: Int = 2,
        exchangeTimeout: TimeInterval = 10,
        sessionLimit: TimeInterval = 20,
        minimumTimeForRetry: TimeInterval = 5
    ) {
        self.messages = messages
        self.retries = retries
        self.exchangeTimeout = exchangeTimeout
        self.sessionLimit = sessionLimit
        self.minimumTimeForRetry = minimumTimeForRetry
    }

    /// Whether this device can read NFC tags at all (false on iPad, in the
    /// simulator, or without the capability).
    public static var isAvailable: Bool { NFCTagReaderSession.readingAvailable }

    public func withCard<T: Sendable>(
        prompt: String,
        _ body: @escaping @Sendable (FknToken, FknProgress) async throws -> T
    ) async throws -> T {
        try await withSession(prompt: prompt, open: { try await FknToken.open($0) }, body)
    }

    /// Like `withCard`, for whichever application the card has (an OFP1
    /// token or a Rutoken ECP in PKI mode, `FknCard`). A Rutoken takes the
    /// PIN in clear: `allowClearPinOverNfc` must be true for `login` to send
    /// it (`docs/cards.md`); the Info.plist lists the Rutoken AIDs too.
    public func withAnyCard<T: Sendable>(
        prompt: String,
        allowClearPinOverNfc: Bool = false,
        _ body: @escaping @Sendable (FknCard, FknProgress) async throws -> T
    ) async throws -> T {
        try await withSession(
            prompt: prompt,
            open: { try await FknCard.open($0, allowClearPinOverNfc: allowClearPinOverNfc) },
            body
        )
    }

    /// Waits for a tag, opens a session of kind `S` on it with `open` and runs
    /// `body`; a card taken away mid-way restarts both on the next tag.
    private func withSession<S: Sendable, T: Sendable>(
        prompt: String,
        open: @escaping @Sendable (NfcTransport) async throws -> S,
        _ body: @escaping @Sendable (S, FknProgress) async throws -> T
    ) async throws -> T {
        let driver = NfcSessionDriver(messages: messages)
        try driver.begin(prompt: prompt)
        var attempt = 0
        while true {
            let tag = try await driver.nextTag()
            let transport = Iso7816Transport(tag: tag, driver: driver, timeout: exchangeTimeout)
            do {
                let session = try await open(transport)
                let result = try await body(session, driver.progress)
                driver.finish(message: messages.done)
                return result
            } catch let error as FknError {
                let timeLeft = sessionLimit - driver.secondsSinceFirstConnection
                if error.isCardRemoved, attempt < retries, driver.isActive,
                   timeLeft >= minimumTimeForRetry {
                    attempt += 1
                    driver.restartPolling(message: messages.moveAway)
                    continue
                }
                let ended = driver.endReason ?? error
                driver.finish(error: ended)
                throw ended
            } catch {
                driver.finish(error: error)
                throw error
            }
        }
    }
}

/// The APDU link to one `NFCISO7816Tag`. `transceive` is called on the
/// session's `FknExecutor` queue and waits there for CoreNFC's completion
/// handler, which arrives on the reader session's queue.
final class Iso7816Transport: NfcTransport, @unchecked Sendable {
    // @unchecked: the tag is used only through sendCommand, which CoreNFC
    // serializes; the driver is thread-safe.
    private let tag: NFCISO7816Tag
    private let driver: NfcSessionDriver
    private let timeout: TimeInterval

    init(tag: NFCISO7816Tag, driver: NfcSessionDriver, timeout: TimeInterval) {
        self.tag = tag
        self.driver = driver
        self.timeout = timeout
    }

    func transceive(apdu: Data) throws -> Data {
        if let ended = driver.endReason { throw TransportError(ended) }
        guard tag.isAvailable else { throw TransportError.TagLost }
        guard let command = NFCISO7816APDU(data: apdu) else {
            throw TransportError.Io(detail: "CoreNFC cannot send this APDU (\(apdu.count) bytes)")
        }
        let done = DispatchSemaphore(value: 0)
        let box = ResultBox()
        tag.sendCommand(apdu: command) { data, sw1, sw2, error in
            if let error {
                box.set(.failure(error))
            } else {
                var response = data
                response.append(contentsOf: [sw1, sw2])
                box.set(.success(response))
            }
            done.signal()
        }
        guard done.wait(timeout: .now() + timeout) == .success else {
            throw TransportError.Timeout
        }
        switch box.get() {
        case .success(let response):
            return response
        case .failure(let error):
            throw driver.endReason.map { TransportError($0) } ?? TransportError(nfc: error)
        case nil:
            throw TransportError.Io(detail: "CoreNFC returned no answer")
        }
    }

    // Short APDUs, chained by the SDK: every iPhone and card takes them.
    func maxTransceiveLength() -> UInt32 { 261 }
    func extendedLengthSupported() -> Bool { false }
}

/// A tag handed from CoreNFC's callback to the awaiting task. CoreNFC tags
/// are not marked Sendable; this one is used by one session at a time.
private struct TagBox: @unchecked Sendable {
    let tag: NFCISO7816Tag
}

/// A value handed from CoreNFC's queue to the waiting executor thread.
private final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Result<Data, Error>?
    func set(_ v: Result<Data, Error>) { lock.lock(); value = v; lock.unlock() }
    func get() -> Result<Data, Error>? { lock.lock(); defer { lock.unlock() }; return value }
}

extension TransportError {
    /// A CoreNFC error of one exchange, as the SDK's transport error.
    init(nfc error: Error) {
        guard let nfc = error as? NFCReaderError else {
            self = .Io(detail: error.localizedDescription)
            return
        }
        switch nfc.code {
        case .readerTransceiveErrorTagConnectionLost, .readerTransceiveErrorTagNotConnected:
            self = .TagLost
        case .readerSessionInvalidationErrorUserCanceled:
            self = .Cancelled
        case .readerSessionInvalidationErrorSessionTimeout:
            self = .Timeout
        default:
            self = .Io(detail: nfc.localizedDescription)
        }
    }

    /// Why an exchange cannot run on a session that already ended.
    init(_ ended: FknError) {
        switch ended {
        case .Link(.cancelled): self = .Cancelled
        case .Link(.timeout): self = .Timeout
        default: self = .TagLost
        }
    }
}

/// The `NFCTagReaderSession` and its delegate: turns the delegate callbacks
/// into "next tag" awaits and remembers why the session ended.
final class NfcSessionDriver: NSObject, NFCTagReaderSessionDelegate, @unchecked Sendable {
    // @unchecked: every mutable field is guarded by `lock`.
    private let lock = NSLock()
    private let queue = DispatchQueue(label: "dev.fkn.sdk.nfc")
    private let messages: FknNfcReader.Messages
    private var session: NFCTagReaderSession?
    private var waiting: CheckedContinuation<NFCISO7816Tag, Error>?
    private var ready: Result<NFCISO7816Tag, Error>?
    private var ended: FknError?
    private var firstConnection: Date?

    init(messages: FknNfcReader.Messages) {
        self.messages = messages
    }

    func begin(prompt: String) throws {
        guard NFCTagReaderSession.readingAvailable else {
            throw FknError.Link(fault: .io(detail: "this device cannot read NFC cards"))
        }
        guard let session = NFCTagReaderSession(pollingOption: [.iso14443], delegate: self, queue: queue) else {
            throw FknError.Link(fault: .io(detail: "could not start an NFC reader session"))
        }
        session.alertMessage = prompt
        locked { self.session = session }
        session.begin()
    }

    /// Waits for the next ISO 7816 tag to be connected.
    func nextTag() async throws -> NFCISO7816Tag {
        try await withCheckedThrowingContinuation { continuation in
            let now: Result<NFCISO7816Tag, Error>? = locked {
                if let r = ready { ready = nil; return r }
                if let e = ended { return .failure(e) }
                waiting = continuation
                return nil
            }
            if let now { continuation.resume(with: now) }
        }
    }

    var progress: FknProgress {
        FknProgress { [weak self] message in
            guard let self else { return }
            self.queue.async { self.locked { self.session }?.alertMessage = message }
        }
    }

    var isActive: Bool { locked { ended == nil && session?.isReady == true } }
    var endReason: FknError? { locked { ended } }

    var secondsSinceFirstConnection: TimeInterval {
        locked { firstConnection.map { Date().timeIntervalSince($0) } ?? 0 }
    }

    func restartPolling(message: String) {
        queue.async {
            guard let session = self.locked({ self.session }) else { return }
            session.alertMessage = message
            session.restartPolling()
        }
    }

    func finish(message: String) {
        let session = locked { self.session }
        session?.alertMessage = message
        session?.invalidate()
    }

    func finish(error: Error) {
        let session = locked { self.session }
        let message = (error as? FknError)?.message ?? error.localizedDescription
        session?.invalidate(errorMessage: message)
    }

    // MARK: NFCTagReaderSessionDelegate (called on `queue`)

    func tagReaderSessionDidBecomeActive(_ session: NFCTagReaderSession) {}

    func tagReaderSession(_ session: NFCTagReaderSession, didInvalidateWithError error: Error) {
        let reason = Self.sessionEnd(error)
        let continuation: CheckedContinuation<NFCISO7816Tag, Error>? = locked {
            if ended == nil { ended = reason }
            defer { waiting = nil }
            return waiting
        }
        continuation?.resume(throwing: reason)
    }

    func tagReaderSession(_ session: NFCTagReaderSession, didDetect tags: [NFCTag]) {
        if tags.count > 1 {
            session.alertMessage = messages.multipleTags
            queue.asyncAfter(deadline: .now() + 0.5) { self.restartPolling() }
            return
        }
        guard let first = tags.first, case .iso7816(let iso) = first else {
            session.alertMessage = messages.notOfp1
            queue.asyncAfter(deadline: .now() + 0.5) { self.restartPolling() }
            return
        }
        let tag = TagBox(tag: iso)
        session.connect(to: first) { error in
            if error != nil {
                // Moved away while connecting: wait for it again.
                self.restartPolling()
                return
            }
            let continuation: CheckedContinuation<NFCISO7816Tag, Error>? = self.locked {
                if self.firstConnection == nil { self.firstConnection = Date() }
                guard let waiting = self.waiting else {
                    self.ready = .success(tag.tag)
                    return nil
                }
                self.waiting = nil
                return waiting
            }
            continuation?.resume(returning: tag.tag)
        }
    }

    private func restartPolling() {
        locked { session }?.restartPolling()
    }

    /// Why the session ended, as the SDK error an app handles: the user's
    /// cancel and the system's timeout are distinct outcomes.
    static func sessionEnd(_ error: Error) -> FknError {
        guard let nfc = error as? NFCReaderError else {
            return .Link(fault: .io(detail: error.localizedDescription))
        }
        switch nfc.code {
        case .readerSessionInvalidationErrorUserCanceled:
            return .Link(fault: .cancelled)
        case .readerSessionInvalidationErrorSessionTimeout:
            return .Link(fault: .timeout)
        case .readerErrorSecurityViolation:
            return .Link(fault: .io(detail: "\(nfc.localizedDescription): the app lacks the NFC entitlement or the "
                + "OFP1 AID F0464B4E4F5031 in com.apple.developer.nfc.readersession.iso7816.select-identifiers"))
        default:
            return .Link(fault: .io(detail: nfc.localizedDescription))
        }
    }

    private func locked<R>(_ body: () -> R) -> R {
        lock.lock()
        defer { lock.unlock() }
        return body()
    }
}
#endif
