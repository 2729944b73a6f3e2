import FknSDK
import Foundation

let userPin = "12345678"
let adminPin = "87654321"

/// A Swift `NfcTransport` that forwards every APDU to a `VirtualToken`, as the
/// CoreNFC transport forwards to a card. It can fail on a chosen exchange (a
/// card taken away), and records whether any exchange ran on the main thread.
final class ForwardingTransport: NfcTransport, @unchecked Sendable {
    // @unchecked: every mutable field is guarded by `lock`.
    private let lock = NSLock()
    private let token: VirtualToken
    private var _exchanges = 0
    private var _failAt = 0
    private var _failure: Error = TransportError.TagLost
    private var _onMainThread = false

    /// Swift transports alive now: the leak test checks the native side let go of them.
    nonisolated(unsafe) private static var _live = 0
    private static let liveLock = NSLock()
    static var live: Int { liveLock.lock(); defer { liveLock.unlock() }; return _live }

    /// `failAt`: the 1-based exchange that throws `failure` instead of answering (0: never).
    init(_ token: VirtualToken, failAt: Int = 0, failure: Error = TransportError.TagLost) {
        self.token = token
        _failAt = failAt
        _failure = failure
        Self.liveLock.lock(); Self._live += 1; Self.liveLock.unlock()
    }

    deinit {
        Self.liveLock.lock(); Self._live -= 1; Self.liveLock.unlock()
    }

    var exchanges: Int { locked { _exchanges } }
    var ranOnMainThread: Bool { locked { _onMainThread } }

    /// Makes exchange number `n` (counted from the start) throw `failure`.
    func fail(at n: Int, with failure: Error = TransportError.TagLost) {
        locked { _failAt = n; _failure = failure }
    }

    func transceive(apdu: Data) throws -> Data {
        let failure: Error? = locked {
            _exchanges += 1
            if Thread.isMainThread { _onMainThread = true }
            return _exchanges == _failAt ? _failure : nil
        }
        if let failure { throw failure }
        return token.processApdu(apdu: apdu)
    }

    func maxTransceiveLength() -> UInt32 { 261 }
    func extendedLengthSupported() -> Bool { false }

    private func locked<R>(_ body: () -> R) -> R {
        lock.lock()
        defer { lock.unlock() }
        return body()
    }
}

/// An error a transport throws that is not a `TransportError`.
struct ReaderUnplugged: Error, CustomStringConvertible {
    var description: String { "reader unplugged" }
}

extension Data {
    var hex: String { map { String(format: "%02x", $0) }.joined() }

    init(hex: String) {
        var bytes = [UInt8]()
        var i = hex.startIndex
        while i < hex.endIndex {
            let j = hex.index(i, offsetBy: 2)
            bytes.append(UInt8(hex[i..<j], radix: 16)!)
            i = j
        }
        self.init(bytes)
    }
}
