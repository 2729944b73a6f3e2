import FknSDK
import Foundation
import XCTest

/// A whole session through a Swift transport forwarding to the virtual token.
final class FullSessionTests: XCTestCase {
    let key256 = Data([0x01])
    let key512 = Data([0x02])
    let subject = "CN=Ivan Petrov,O=FKN SDK,C=RU"
    let document = Data("Договор № 1 от 23.11.2026".utf8)

    func testLoginKeygenBatchSignCsrCertificateCmsVerify() async throws {
        let vt = try await makeVirtualToken(label: "FKN Swift test", userPin: userPin, adminPin: adminPin)
        let link = ForwardingTransport(vt)
        let token = try await FknToken.open(link)

        let select = try await token.selectInfo()
        XCTAssertEqual(select.serial, vt.serial())
        XCTAssertEqual(select.label, "FKN Swift test")
        XCTAssertEqual(Set(select.curves), Set(allCurves()))
        XCTAssertEqual(select.passwords.map(\.reference), [.user, .admin])

        try await token.login(pin: userPin)
        let info = try await token.tokenInfo()
        XCTAssertEqual(info.userPinAttempts, 5)
        XCTAssertEqual(info.serial, vt.serial())

        let k256 = try await token.generateKey(id: key256, curve: .tc26256a, label: "signing 256")
        let k512 = try await token.generateKey(id: key512, curve: .tc26512a, label: "signing 512")
        XCTAssertEqual(k256.publicKey.count, 64)
        XCTAssertEqual(k512.publicKey.count, 128)
        let labels = try await token.listKeys().map(\.label)
        XCTAssertEqual(labels, ["signing 256", "signing 512"])

        // 16 digests in one command (chained over this short-APDU link);
        // each signature verifies, and only for its own digest.
        let digests = (0..<16).map { digest(algorithm: .streebog256, data: Data("document \($0)".utf8)) }
        let before = try await token.exchanges()
        let signatures = try await token.sign(keyId: key256, digests: digests)
        let used = try await token.exchanges() - before
        XCTAssertLessThan(used, 16, "one command, not one per digest")
        XCTAssertEqual(signatures.count, 16)
        for (d, s) in zip(digests, signatures) {
            XCTAssertEqual(s.count, 64)
            XCTAssertTrue(try verifyDigest(curve: .tc26256a, publicKey: k256.publicKey, digest: d, signature: s))
        }
        XCTAssertFalse(try verifyDigest(curve: .tc26256a, publicKey: k256.publicKey,
                                        digest: digests[1], signature: signatures[0]))

        let d512 = digest(algorithm: digestAlgorithmFor(curve: .tc26512a), data: Data("long document".utf8))
        let s512 = try await token.sign(keyId: key512, digest: d512)
        XCTAssertEqual(s512.count, 128)
        XCTAssertTrue(try verifyDigest(curve: .tc26512a, publicKey: k512.publicKey, digest: d512, signature: s512))

        try await pkiSteps(token, keyId: key256, key: k256, name: "256")
        try await pkiSteps(token, keyId: key512, key: k512, name: "512")

        try await token.deleteKey(keyId: key512)
        do {
            _ = try await token.sign(keyId: key512, digest: d512)
            XCTFail("signed with a deleted key")
        } catch FknError.Card(.keyNotFound) {}

        XCTAssertFalse(link.ranOnMainThread, "a card exchange ran on the main thread")
    }

    /// CSR, self-signed certificate, attached and detached CMS, verification;
    /// writes the certificate and signatures for `openssl cms -verify` when
    /// FKN_SWIFT_ARTIFACTS names a directory (tests/swift.sh).
    func pkiSteps(_ token: FknToken, keyId: Data, key: KeyInfo, name: String) async throws {
        let csr = try await token.createCsr(keyId: keyId, subject: subject)
        let request = try verifyCsr(csr: csr)
        XCTAssertEqual(request.publicKey, key.publicKey)
        XCTAssertEqual(request.curve, key.curve)
        XCTAssertTrue(request.subject.contains("CN=Ivan Petrov"), request.subject)

        let cert = try await token.selfSignedCertificate(keyId: keyId, subject: subject, days: 30)
        XCTAssertEqual(try certificateInfo(certificate: cert).publicKey, key.publicKey)
        try await token.putCertificate(keyId: keyId, der: cert)
        let stored = try await token.getCertificate(keyId: keyId)
        XCTAssertEqual(stored, cert)
        let hasCert = try await token.listKeys().first { $0.id == keyId }?.hasCertificate
        XCTAssertEqual(hasCert, true)

        let attachedCms = try await token.signCms(keyId: keyId, certificate: cert, content: document, detached: false)
        let attached = try verifyCms(cms: attachedCms, detachedContent: nil)
        XCTAssertEqual(attached.content, document)
        XCTAssertEqual(attached.signerCertificate, cert)
        XCTAssertEqual(attached.digestAlgorithm, digestAlgorithmFor(curve: key.curve))

        let detachedCms = try await token.signCms(keyId: keyId, certificate: cert, content: document, detached: true)
        let checked = try verifyCms(cms: detachedCms, detachedContent: document)
        XCTAssertNil(checked.content)
        XCTAssertEqual(checked.contentDigest, digest(algorithm: digestAlgorithmFor(curve: key.curve), data: document))
        var tampered = document
        tampered[0] ^= 1
        do {
            _ = try verifyCms(cms: detachedCms, detachedContent: tampered)
            XCTFail("a signature over altered content verified")
        } catch FknError.Pki(.badSignature, _) {}

        // A large file hashed in pieces, signed as a digest.
        let hasher = Hasher(algorithm: digestAlgorithmFor(curve: key.curve))
        let content = Data((0..<200_000).map { UInt8($0 % 251) })
        var offset = 0
        while offset < content.count {
            try hasher.update(data: content[offset..<min(offset + 65_536, content.count)])
            offset += 65_536
        }
        let bigCms = try await token.signCmsDigest(keyId: keyId, certificate: cert, contentDigest: try hasher.finish())
        _ = try verifyCms(cms: bigCms, detachedContent: content)

        do {
            _ = try await token.createCsr(keyId: keyId, subject: "")
            XCTFail("an empty subject was accepted")
        } catch FknError.Pki(.invalidInput, _) {}

        if let dir = ProcessInfo.processInfo.environment["FKN_SWIFT_ARTIFACTS"] {
            let base = URL(fileURLWithPath: dir)
            try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
            try document.write(to: base.appendingPathComponent("doc.txt"))
            try cert.write(to: base.appendingPathComponent("cert-\(name).der"))
            try attachedCms.write(to: base.appendingPathComponent("attached-\(name).p7m"))
            try detachedCms.write(to: base.appendingPathComponent("detached-\(name).p7s"))
        }
    }

    func testChangeAndUnblockPin() async throws {
        let vt = try await makeVirtualToken(label: "pins", userPin: userPin, adminPin: adminPin)
        let token = try await FknToken.open(vt.transport())
        try await token.login(pin: userPin)
        try await token.changePin(newPin: "2468")
        do {
            try await token.login(pin: userPin)
            XCTFail("the old PIN still works")
        } catch FknError.WrongPin {}
        try await token.login(pin: "2468")
        try await token.loginAdmin(pin: adminPin)
        let who = try await token.authenticatedAs()
        XCTAssertEqual(who, .admin)
        try await token.unblockPin(newUserPin: "1357")
        try await token.login(pin: "1357")
        let attempts = try await token.tokenInfo().userPinAttempts
        XCTAssertEqual(attempts, 5)
    }

    func testPreparedPinLogsInWithTwoExchanges() async throws {
        let vt = try await makeVirtualToken(label: "prepared", userPin: userPin, adminPin: adminPin)
        let select = try await FknToken.open(ForwardingTransport(vt)).selectInfo()
        let user = try XCTUnwrap(select.passwords.first { $0.reference == .user })
        let pin = try await preparePin(serial: select.serial, password: user, pin: userPin)

        let link = ForwardingTransport(vt)
        let token = try await FknToken.open(link)
        try await token.login(prepared: pin)
        XCTAssertEqual(link.exchanges, 3, "SELECT and the two login steps")
        let key = try await token.generateKey(id: Data([9]), curve: .cryptoProA)
        let d = digest(algorithm: .streebog256, data: Data("cold signature".utf8))
        let before = link.exchanges
        let s = try await token.sign(keyId: key.id, digest: d)
        XCTAssertEqual(link.exchanges - before, 1, "a signature is one exchange")
        XCTAssertTrue(try verifyDigest(curve: key.curve, publicKey: key.publicKey, digest: d, signature: s))

        // Prepared for another token: refused before any exchange.
        let other = try await makeVirtualToken(label: "other", userPin: userPin, adminPin: adminPin)
        let otherLink = ForwardingTransport(other)
        let otherToken = try await FknToken.open(otherLink)
        do {
            try await otherToken.login(prepared: pin)
            XCTFail("a PIN prepared for another token was accepted")
        } catch FknError.Misuse(.stalePreparedPin) {}
        XCTAssertEqual(otherLink.exchanges, 1)
    }
}
