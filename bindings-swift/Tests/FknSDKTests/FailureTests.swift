import FknSDK
import Foundation
import XCTest

/// Runs `body` and returns the `FknError` it threw (failing the test if it
/// threw nothing or something else).
func fknError(
    _ body: () async throws -> Void, file: StaticString = #filePath, line: UInt = #line
) async -> FknError? {
    do {
        try await body()
        XCTFail("no error thrown", file: file, line: line)
    } catch let error as FknError {
        return error
    } catch {
        XCTFail("not an FknError: \(error)", file: file, line: line)
    }
    return nil
}

/// What apps see when the card goes away or the PIN is wrong.
final class FailureTests: XCTestCase {
    func testTransportThrowingMidLoginIsCardRemovedAndTheNextSessionWorks() async throws {
        let vt = try await makeVirtualToken(label: "removed", userPin: userPin, adminPin: adminPin)
        // Exchange 1 is SELECT, 2 and 3 the two login steps.
        let link = ForwardingTransport(vt, failAt: 3)
        let token = try await FknToken.open(link)
        let error = await fknError { try await token.login(pin: userPin) }
        XCTAssertEqual(error, .Link(fault: .cardRemoved))
        XCTAssertEqual(error?.isCardRemoved, true)
        XCTAssertEqual(error?.message,
                       "the card was removed or moved; hold the card still against the phone and retry")

        // The card comes back: a new session (a new tap) logs in and signs.
        vt.reset()
        let again = try await FknToken.open(ForwardingTransport(vt))
        try await again.login(pin: userPin)
        let key = try await again.generateKey(id: Data([7]), curve: .cryptoProA)
        let d = digest(algorithm: .streebog256, data: Data([1, 2, 3]))
        let s = try await again.sign(keyId: key.id, digest: d)
        XCTAssertTrue(try verifyDigest(curve: key.curve, publicKey: key.publicKey, digest: d, signature: s))
        let attempts = try await again.tokenInfo().userPinAttempts
        XCTAssertEqual(attempts, 5, "a login cut short costs no attempt")
    }

    func testTransportThrowingMidSignIsCardRemovedAndEndsTheLogin() async throws {
        let vt = try await makeVirtualToken(label: "removed", userPin: userPin, adminPin: adminPin)
        let link = ForwardingTransport(vt)
        let token = try await FknToken.open(link)
        try await token.login(pin: userPin)
        let key = try await token.generateKey(id: Data([7]), curve: .cryptoProA)
        link.fail(at: link.exchanges + 1)
        let d = digest(algorithm: .streebog256, data: Data([1, 2, 3]))
        let removed = await fknError { _ = try await token.sign(keyId: key.id, digest: d) }
        XCTAssertEqual(removed, .Link(fault: .cardRemoved))
        // The secure channel went with the card; nothing was half-done.
        let after = await fknError { _ = try await token.sign(keyId: key.id, digest: d) }
        XCTAssertEqual(after, .Card(refusal: .notAuthenticated))
        try await token.login(pin: userPin)
        let s = try await token.sign(keyId: key.id, digest: d)
        XCTAssertTrue(try verifyDigest(curve: key.curve, publicKey: key.publicKey, digest: d, signature: s))
    }

    func testOtherSwiftErrorIsALinkErrorWithItsDescription() async throws {
        let vt = try await makeVirtualToken(label: "io", userPin: userPin, adminPin: adminPin)
        let token = try await FknToken.open(ForwardingTransport(vt, failAt: 2, failure: ReaderUnplugged()))
        let error = await fknError { try await token.login(pin: userPin) }
        guard case .Link(.io(let detail)) = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertTrue(detail.contains("reader unplugged"), detail)
    }

    func testTimeoutAndCancelKeepTheirKinds() async throws {
        let vt = try await makeVirtualToken(label: "kinds", userPin: userPin, adminPin: adminPin)
        let link = ForwardingTransport(vt, failAt: 2, failure: TransportError.Timeout)
        let token = try await FknToken.open(link)
        let timeout = await fknError { try await token.login(pin: userPin) }
        XCTAssertEqual(timeout, .Link(fault: .timeout))
        link.fail(at: link.exchanges + 1, with: TransportError.Cancelled)
        let cancelled = await fknError { try await token.login(pin: userPin) }
        XCTAssertEqual(cancelled, .Link(fault: .cancelled))
    }

    func testNoCardAtOpenIsCardRemoved() async throws {
        let vt = try await makeVirtualToken(label: "gone", userPin: userPin, adminPin: adminPin)
        let error = await fknError { _ = try await FknToken.open(ForwardingTransport(vt, failAt: 1)) }
        XCTAssertEqual(error, .Link(fault: .cardRemoved))
    }

    func testWrongPinCountsDownThenBlocksThenAdminUnblocks() async throws {
        let vt = try await makeVirtualToken(label: "pin", userPin: userPin, adminPin: adminPin)
        let token = try await FknToken.open(ForwardingTransport(vt))
        let first = await fknError { try await token.login(pin: "0000") }
        XCTAssertEqual(first, .WrongPin(attemptsLeft: 4))
        XCTAssertEqual(first?.attemptsLeft, 4)
        XCTAssertEqual(first?.message, "wrong PIN, 4 attempt(s) left; check the PIN carefully before the next try")

        // A right PIN restores the counter.
        try await token.login(pin: userPin)
        let restored = try await token.tokenInfo().userPinAttempts
        XCTAssertEqual(restored, 5)

        var left: [UInt8?] = []
        for _ in 0..<5 {
            left.append(await fknError { try await token.login(pin: "0000") }?.attemptsLeft)
        }
        XCTAssertEqual(left, [4, 3, 2, 1, 0])
        let blocked = await fknError { try await token.login(pin: userPin) }
        XCTAssertEqual(blocked, .PinBlocked)
        XCTAssertNil(blocked?.attemptsLeft)

        try await token.loginAdmin(pin: adminPin)
        try await token.unblockPin(newUserPin: "1111")
        try await token.login(pin: "1111")
    }

    func testOperationsBeforeLoginSayLogInFirst() async throws {
        let vt = try await makeVirtualToken(label: "nologin", userPin: userPin, adminPin: adminPin)
        let token = try await FknToken.open(ForwardingTransport(vt))
        let error = await fknError { _ = try await token.tokenInfo() }
        XCTAssertEqual(error, .Card(refusal: .notAuthenticated))
        XCTAssertEqual(error?.message, "this operation needs a login with the right PIN; log in with the right PIN and retry")
        let bad = await fknError { _ = try await token.sign(keyId: Data(), digest: Data(count: 32)) }
        guard case .Misuse = bad else { return XCTFail("\(String(describing: bad))") }
    }
}
