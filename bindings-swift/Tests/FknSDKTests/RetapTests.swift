import FknSDK
import Foundation
import XCTest

/// Forwards to the virtual card until exchange `lostAt` (1-based), which
/// loses the link: before the card sees the command, or after it acted.
final class LosingTransport: NfcTransport, @unchecked Sendable {
    // @unchecked: the counter is guarded by `lock`.
    private let lock = NSLock()
    private let token: VirtualToken
    private let lostAt: Int
    private let cardActs: Bool
    private var count = 0

    init(_ token: VirtualToken, lostAt: Int, cardActs: Bool) {
        self.token = token
        self.lostAt = lostAt
        self.cardActs = cardActs
    }

    var exchanges: Int { lock.lock(); defer { lock.unlock() }; return count }

    func transceive(apdu: Data) throws -> Data {
        lock.lock()
        count += 1
        let n = count
        lock.unlock()
        if n < lostAt { return token.processApdu(apdu: apdu) }
        if n == lostAt && cardActs { _ = token.processApdu(apdu: apdu) }
        throw TransportError.TagLost
    }

    func maxTransceiveLength() -> UInt32 { 261 }
    func extendedLengthSupported() -> Bool { false }
}

/// The user taps again: the same card, power-cycled, on a fresh link.
final class Retaps: CardTapSource, @unchecked Sendable {
    // @unchecked: `asked` is guarded by `lock`.
    private let lock = NSLock()
    private let token: VirtualToken
    private var asked: [UInt32] = []

    init(_ token: VirtualToken) { self.token = token }

    var taps: [UInt32] { lock.lock(); defer { lock.unlock() }; return asked }

    func nextCard(tap: UInt32) throws -> NfcTransport {
        lock.lock()
        asked.append(tap)
        lock.unlock()
        token.reset()
        return ForwardingTransport(token)
    }
}

/// A lost tap costs a re-tap (RetapRunner), from Swift.
final class RetapTests: XCTestCase {
    private let key = Data([0x6b, 0x65, 0x79])
    private let newKey = Data([0x6e, 0x65, 0x77])
    private let newPin = "24681357"
    private let digests = [Data(repeating: 1, count: 32), Data(repeating: 2, count: 32)]

    private func runOp(_ vt: VirtualToken, _ op: RetapOperation, pin: String = userPin,
                     first: NfcTransport? = nil, source: Retaps? = nil) throws -> RetapOutcome {
        let runner = RetapRunner(reference: .user, pin: pin, maxTaps: 0)
        return try runner.run(first: first ?? ForwardingTransport(vt), operation: op,
                              source: source ?? Retaps(vt), listener: nil)
    }

    private func keys(_ vt: VirtualToken, pin: String = userPin) throws -> [KeyInfo] {
        guard case .keys(let keys) = try runOp(vt, .listKeys, pin: pin) else {
            XCTFail("listKeys gave no keys")
            return []
        }
        return keys
    }

    /// A card with key `key` on it.
    private func card() throws -> VirtualToken {
        let vt = try VirtualToken(label: "retap", userPin: userPin, adminPin: adminPin)
        _ = try runOp(vt, .generateKey(keyId: key, curve: .tc26256a, label: "first"))
        return vt
    }

    private func checkEndState(_ vt: VirtualToken, _ op: RetapOperation, _ outcome: RetapOutcome,
                               _ what: String) throws {
        switch (op, outcome) {
        case (.sign, .signatures(let sigs)):
            let pub = try keys(vt).first { $0.id == key }!.publicKey
            XCTAssertEqual(sigs.count, digests.count, what)
            for (d, s) in zip(digests, sigs) {
                XCTAssertTrue(try verifyDigest(curve: .tc26256a, publicKey: pub, digest: d, signature: s), what)
            }
        case (.generateKey, .keyGenerated(let made)):
            let ours = try keys(vt).filter { $0.id == newKey }
            XCTAssertEqual(ours.count, 1, "\(what): the key exists once")
            XCTAssertEqual(ours.first?.publicKey, made.publicKey, what)
        case (.changePin, .pinChanged):
            XCTAssertEqual(try keys(vt, pin: newPin).count, 1, "\(what): the new PIN works")
            XCTAssertThrowsError(try keys(vt, pin: userPin), "\(what): the old PIN does not") { error in
                XCTAssertEqual(error as? FknError, .WrongPin(attemptsLeft: 4), what)
            }
        default:
            XCTFail("\(what): \(op) gave \(outcome)")
        }
    }

    func testSignKeygenAndPinChangeFinishAfterALostTapAtEveryExchange() throws {
        let ops: [RetapOperation] = [
            .sign(keyId: key, digests: digests),
            .generateKey(keyId: newKey, curve: .tc26256a, label: "second"),
            .changePin(newPin: newPin),
        ]
        var runs = 0
        for op in ops {
            for cardActs in [false, true] {
                var at = 1
                var lost = true
                while lost {
                    let what = "\(op), link lost at exchange \(at), card acted: \(cardActs)"
                    let vt = try card()
                    let first = LosingTransport(vt, lostAt: at, cardActs: cardActs)
                    let retaps = Retaps(vt)
                    let outcome = try runOp(vt, op, first: first, source: retaps)
                    runs += 1
                    lost = first.exchanges >= at
                    XCTAssertEqual(retaps.taps, lost ? [2] : [], what)
                    try checkEndState(vt, op, outcome, what)
                    at += 1
                }
            }
        }
        XCTAssertGreaterThanOrEqual(runs, 3 * 2 * 5)
    }

    func testAWrongPinIsFinal() throws {
        let vt = try card()
        let retaps = Retaps(vt)
        XCTAssertThrowsError(try runOp(vt, .listKeys, pin: "00000000", source: retaps)) { error in
            XCTAssertEqual(error as? FknError, .WrongPin(attemptsLeft: 4))
        }
        XCTAssertEqual(retaps.taps, [], "no re-tap after the card's answer")
    }
}
