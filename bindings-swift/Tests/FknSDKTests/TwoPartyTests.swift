import FknSDK
import Foundation
import XCTest

/// A Swift key store (the `SecureStore` an app implements with the Keychain), in memory.
final class MemoryStore: SecureStore, @unchecked Sendable {
    // @unchecked: every mutable field is guarded by `lock`.
    private let lock = NSLock()
    private var blobs: [String: Data] = [:]

    func load(keyId: String) throws -> Data? { lock.lock(); defer { lock.unlock() }; return blobs[keyId] }
    func save(keyId: String, blob: Data) throws { lock.lock(); defer { lock.unlock() }; blobs[keyId] = blob }
    func delete(keyId: String) throws { lock.lock(); defer { lock.unlock() }; blobs[keyId] = nil }
}

/// A Swift server channel (what an app does with URLSession), straight to the virtual server.
final class CountingChannel: ServerChannel, @unchecked Sendable {
    private let lock = NSLock()
    private let server: VirtualSigningServer
    private var _roundTrips = 0
    private var _offline = false

    init(_ server: VirtualSigningServer) { self.server = server }

    var roundTrips: Int { lock.lock(); defer { lock.unlock() }; return _roundTrips }
    func setOffline(_ offline: Bool) { lock.lock(); _offline = offline; lock.unlock() }

    func exchange(request: Data) throws -> Data {
        lock.lock()
        let offline = _offline
        if !offline { _roundTrips += 1 }
        lock.unlock()
        if offline { throw ServerChannelError.Unreachable }
        return server.handle(request: request)
    }
}

final class TwoPartyTests: XCTestCase {
    func testGenerateSignCmsAndRoundTrips() throws {
        let server = VirtualSigningServer(maxPinFailures: 10)
        let channel = CountingChannel(server)
        let device = try TwoPartyDevice.withIterations(store: MemoryStore(), channel: channel, pbkdf2Iterations: 1000)
        let publicKey = try device.generate(keyId: "k1", curve: .tc26512a, pin: "2468")
        XCTAssertEqual(channel.roundTrips, 2)

        let key = try device.unlock(keyId: "k1", pin: "2468")
        let digest = FknSDK.digest(algorithm: digestAlgorithmFor(curve: .tc26512a), data: Data("contract".utf8))
        let signature = try key.signDigest(digest: digest)
        XCTAssertEqual(channel.roundTrips, 3)
        XCTAssertTrue(try verifyDigest(curve: .tc26512a, publicKey: publicKey, digest: digest, signature: signature))

        let cert = try key.selfSignedCertificate(subject: "CN=Swift Two Party", days: 30)
        _ = try verifyCms(cms: try key.signCms(certificate: cert, content: Data("hi".utf8), detached: false),
                          detachedContent: nil)
    }

    func testWrongPinLockOfflineAndRevokedAreTyped() throws {
        let server = VirtualSigningServer(maxPinFailures: 2)
        let channel = CountingChannel(server)
        let device = try TwoPartyDevice.withIterations(store: MemoryStore(), channel: channel, pbkdf2Iterations: 1000)
        _ = try device.generate(keyId: "k", curve: .tc26256a, pin: "2468")
        let digest = Data(repeating: 7, count: 32)

        let wrong = try device.unlock(keyId: "k", pin: "0000")
        XCTAssertThrowsError(try wrong.signDigest(digest: digest)) { error in
            XCTAssertEqual((error as? FknError)?.attemptsLeft, 1)
        }
        XCTAssertThrowsError(try wrong.signDigest(digest: digest))
        XCTAssertTrue(try server.status(keyId: "k").locked)
        let right = try device.unlock(keyId: "k", pin: "2468")
        XCTAssertThrowsError(try right.signDigest(digest: digest)) { error in
            XCTAssertEqual(error as? FknError, .PinBlocked)
        }
        try server.unlock(keyId: "k")
        _ = try right.signDigest(digest: digest)

        channel.setOffline(true)
        XCTAssertThrowsError(try right.signDigest(digest: digest)) { error in
            XCTAssertEqual(error as? FknError, .TwoParty(fault: .serverUnreachable))
        }
        channel.setOffline(false)
        try server.revoke(keyId: "k")
        XCTAssertThrowsError(try right.signDigest(digest: digest)) { error in
            XCTAssertEqual(error as? FknError, .TwoParty(fault: .revoked))
            XCTAssertTrue((error as? FknError)?.message.hasSuffix("enroll this device again") ?? false)
        }
    }
}
