import FknSampleModel
import FknSDK
import Foundation
import XCTest

/// A card reader over a virtual token whose card leaves the field at a chosen
/// exchange of the next tap.
final class FlakyReader: FknCardReader, @unchecked Sendable {
    // @unchecked: `dropAt` is guarded by `lock`.
    let token: VirtualToken
    private let lock = NSLock()
    private var dropAt = 0
    init(_ token: VirtualToken) { self.token = token }

    /// The next tap loses the card at its exchange `n` (1 is SELECT).
    func dropNextTap(atExchange n: Int) { lock.lock(); dropAt = n; lock.unlock() }

    private func takeDrop() -> Int {
        lock.lock()
        defer { dropAt = 0; lock.unlock() }
        return dropAt
    }

    func withCard<T: Sendable>(
        prompt: String, _ body: @escaping @Sendable (FknToken, FknProgress) async throws -> T
    ) async throws -> T {
        let n = takeDrop()
        token.reset()
        let card = try await FknToken.open(DroppingTransport(token, dropAt: n))
        return try await body(card, FknProgress { _ in })
    }
}

final class DroppingTransport: NfcTransport, @unchecked Sendable {
    // @unchecked: `count` is guarded by `lock`.
    private let token: VirtualToken
    private let dropAt: Int
    private let lock = NSLock()
    private var count = 0
    init(_ token: VirtualToken, dropAt: Int) { self.token = token; self.dropAt = dropAt }

    func transceive(apdu: Data) throws -> Data {
        lock.lock(); count += 1; let n = count; lock.unlock()
        if n == dropAt { throw TransportError.TagLost }
        return token.processApdu(apdu: apdu)
    }
    func maxTransceiveLength() -> UInt32 { 261 }
    func extendedLengthSupported() -> Bool { false }
}

// The model lives on the main actor, and so do these tests (per method: a
// @MainActor XCTestCase class trips XCTest's generated Linux runner).
// @unchecked Sendable: the only state is an immutable string.
@available(iOS 17.0, macOS 14.0, *)
final class SigningModelTests: XCTestCase, @unchecked Sendable {
    let userPin = "12345678"

    @MainActor func makeModel() async throws -> (SigningModel, FlakyReader) {
        let token = try await makeVirtualToken(label: "sample", userPin: userPin, adminPin: "87654321")
        let reader = FlakyReader(token)
        let model = SigningModel(nfcReader: nil, virtualReader: { reader })
        XCTAssertTrue(model.useVirtualCard, "no NFC: the virtual card is used")
        return (model, reader)
    }

    @MainActor func testFirstTapMakesAKeyAndCertificateNextTapSignsWithAPreparedPin() async throws {
        let (model, reader) = try await makeModel()
        model.pin = userPin
        await model.sign()
        guard case .signed(let first) = model.phase else { return XCTFail("\(model.phase)") }
        XCTAssertTrue(first.certificate.subject.contains("FKN sample"), first.certificate.subject)
        XCTAssertEqual(first.tokenSerial, reader.token.serial())
        let verified = try verifyCms(cms: first.cms, detachedContent: Data(model.document.utf8))
        XCTAssertEqual(verified.signer, first.certificate)

        // The card is known now: the PIN is prepared before the tap and the
        // same key and certificate sign again.
        model.document = "second document"
        await model.sign()
        guard case .signed(let second) = model.phase else { return XCTFail("\(model.phase)") }
        XCTAssertEqual(second.certificate, first.certificate)
        XCTAssertNotEqual(second.cms, first.cms)
        _ = try verifyCms(cms: second.cms, detachedContent: Data("second document".utf8))
    }

    @MainActor func testWrongPinShowsAttemptsLeftThenBlocked() async throws {
        let (model, _) = try await makeModel()
        model.pin = "0000"
        for expected: UInt8 in [4, 3, 2, 1, 0] {
            await model.sign()
            XCTAssertEqual(model.phase, .wrongPin(attemptsLeft: expected))
            XCTAssertTrue(model.canRetry)
        }
        model.pin = userPin
        await model.sign()
        XCTAssertEqual(model.phase, .blocked)
        XCTAssertFalse(model.canRetry)
    }

    @MainActor func testCardMovedAwayOffersRetryAndTheRetrySigns() async throws {
        let (model, reader) = try await makeModel()
        model.pin = userPin
        reader.dropNextTap(atExchange: 3)
        await model.sign()
        XCTAssertEqual(model.phase, .cardMovedAway)
        XCTAssertTrue(model.canRetry)
        await model.sign()
        guard case .signed = model.phase else { return XCTFail("\(model.phase)") }
    }
}
