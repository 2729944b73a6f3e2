import FknSDK
import Foundation
import XCTest

/// One card API over both applications: OFP1 tokens and Rutoken ECP in PKI mode.
final class CardTests: XCTestCase {
    let rutokenPin = "12345678"

    func testRutokenOverNfcNeedsTheClearPinOptIn() async throws {
        let rt = VirtualRutoken()
        let refused = try await FknCard.open(rt.transport())
        let caps = try await refused.capabilities()
        XCTAssertEqual(caps.application, .rutokenPki)
        XCTAssertFalse(caps.pinProtected)
        let error = await fknError { try await refused.login(pin: self.rutokenPin) }
        XCTAssertEqual(error, .Misuse(problem: .clearPinOverNfc))
        XCTAssertEqual(rt.userPinTriesLeft(), 10)

        let card = try await FknCard.open(rt.transport(), allowClearPinOverNfc: true)
        let wrong = await fknError { try await card.login(pin: "00000000") }
        XCTAssertEqual(wrong?.attemptsLeft, 9)
        try await card.login(pin: rutokenPin)
        let key = try await card.generateKey(id: Data(), curve: .cryptoProA)
        XCTAssertEqual(key.id, Data([1]))
        let d = digest(algorithm: .streebog256, data: Data("pay 100".utf8))
        let sig = try await card.sign(keyId: key.id, digest: d)
        XCTAssertTrue(try verifyDigest(curve: key.curve, publicKey: key.publicKey, digest: d, signature: sig))
        let other = digest(algorithm: .streebog256, data: Data([9]))
        XCTAssertFalse(try verifyDigest(curve: key.curve, publicKey: key.publicKey, digest: other, signature: sig))
        let cert = try await card.selfSignedCertificate(keyId: key.id, subject: "CN=Rutoken user")
        let cms = try await card.signCms(keyId: key.id, certificate: cert, content: Data("document".utf8), detached: false)
        _ = try verifyCms(cms: cms, detachedContent: nil)
    }

    func testOfp1TokensOpenThroughTheSameApi() async throws {
        let vt = try await makeVirtualToken(label: "card", userPin: userPin, adminPin: adminPin)
        let card = try await FknCard.open(vt.transport())
        let caps = try await card.capabilities()
        XCTAssertEqual(caps.application, .ofp1)
        XCTAssertTrue(caps.pinProtected && caps.secureMessaging)
        try await card.login(pin: userPin)
        let key = try await card.generateKey(id: Data([5]), curve: .tc26256a, label: "k")
        let d = digest(algorithm: .streebog256, data: Data([1]))
        let sig = try await card.sign(keyId: key.id, digest: d)
        XCTAssertTrue(try verifyDigest(curve: key.curve, publicKey: key.publicKey, digest: d, signature: sig))
    }

    func testACardWithNeitherApplicationIsNamed() async throws {
        final class Nothing: NfcTransport, @unchecked Sendable {
            func transceive(apdu: Data) throws -> Data { Data([0x6A, 0x82]) }
            func maxTransceiveLength() -> UInt32 { 261 }
            func extendedLengthSupported() -> Bool { false }
        }
        let error = await fknError { _ = try await FknCard.open(Nothing()) }
        XCTAssertEqual(error, .Card(refusal: .unknownCard))
    }
}
