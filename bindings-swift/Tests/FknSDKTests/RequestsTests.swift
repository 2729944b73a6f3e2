import FknSDK
import Foundation
import XCTest

/// The app's channel to the server's device endpoint (`POST {server}/v1/device`), here the virtual server.
final class DeviceEndpointChannel: ServerChannel, @unchecked Sendable {
    // @unchecked: every mutable field is guarded by `lock`.
    private let lock = NSLock()
    private let server: VirtualSigningServer
    private var _roundTrips = 0

    init(_ server: VirtualSigningServer) { self.server = server }

    var roundTrips: Int { lock.lock(); defer { lock.unlock() }; return _roundTrips }

    func exchange(request: Data) throws -> Data {
        lock.lock(); _roundTrips += 1; lock.unlock()
        return server.handleDevice(message: request)
    }
}

/// Signing requests from Swift (as ffi/tests/requests.rs and the Kotlin RequestsTest): enroll with a card
/// key, the backend (the virtual server) asks, the phone lists, fetches, approves with the card in one sign
/// command and with the two-party key, and declines; every CMS verifies.
final class RequestsTests: XCTestCase {
    private let twoPartyPin = "2468"
    private let cardKey = Data("card-1".utf8)

    private func doc(_ n: Int) -> Data { Data("contract \(n)\n".utf8) }

    func testListFetchApproveWithCardAndKeyAndDecline() async throws {
        let server = VirtualSigningServer(maxPinFailures: 3)
        let vt = try await makeVirtualToken(label: "card", userPin: userPin, adminPin: adminPin)
        let token = try await FknToken.open(vt.transport())
        try await token.login(pin: userPin)
        _ = try await token.generateKey(id: cardKey, curve: .tc26256a, label: "signing")
        let csr = try await token.createCsr(keyId: cardKey, subject: "CN=Alice")
        let cardCert = try await token.selfSignedCertificate(keyId: cardKey, subject: "CN=Alice", days: 30)

        let channel = DeviceEndpointChannel(server)
        let device = try TwoPartyDevice.withIterations(store: MemoryStore(), channel: channel, pbkdf2Iterations: 1000)
        let uri = try server.createEnrollment(account: "alice", ttlSeconds: 600)
        let enrolled = try device.enroll(uri: uri, keyId: "main", curve: .tc26256a, pin: twoPartyPin, cardCsr: csr)
        let cardId = try XCTUnwrap(enrolled.cardId, "the card key was registered")
        // One server round trip per call.
        func oneTrip<T>(_ what: String, _ call: () throws -> T) rethrows -> T {
            let before = channel.roundTrips
            let result = try call()
            XCTAssertEqual(channel.roundTrips, before + 1, what)
            return result
        }

        let byCard = try (0..<4).map { n in
            try server.createRequest(account: "alice", title: "contract \(n)", document: doc(n), keyKind: .card,
                                     keyId: cardId, detached: n % 2 == 0, ttlSeconds: 600)
        }
        let byKey = try server.createRequest(account: "alice", title: "contract 9", document: doc(9),
                                             keyKind: .twoParty, keyId: "main", detached: false, ttlSeconds: 600)
        let declined = try server.createRequest(account: "alice", title: "not this one", document: doc(10),
                                                keyKind: .card, keyId: cardId, detached: true, ttlSeconds: 600)

        let pending = try oneTrip("pending") { try device.pendingRequests() }
        XCTAssertEqual(pending.count, 6)
        XCTAssertEqual(Set(pending.map(\.id)), Set(byCard + [byKey, declined]))
        XCTAssertTrue(pending.allSatisfy { $0.document == nil && $0.digest == nil }, "a listing has no content")
        XCTAssertEqual(pending.first { $0.id == byKey }?.documentLength, UInt64(doc(9).count))
        XCTAssertEqual(pending.first { $0.id == byKey }?.keyKind, .twoParty)
        // A listing entry must be fetched before it can be approved.
        XCTAssertThrowsError(try device.approveWithCard(session: token.session, keyId: cardKey, certificate: cardCert,
                                                        requests: [pending[0]])) { error in
            guard let error = error as? FknError, case .Misuse(.invalidArgument(_)) = error else {
                return XCTFail("not a misuse: \(error)")
            }
        }

        let fetched = try oneTrip("fetch") { try device.fetchRequests(ids: byCard) }
        XCTAssertEqual(fetched.map(\.id), byCard)
        XCTAssertEqual(fetched[1].document, doc(1))
        XCTAssertEqual(fetched[1].title, "contract 1")
        XCTAssertEqual(fetched.map(\.detached), [true, false, true, false])

        // The four in one sign command (a few exchanges at most on this link), sent in one round trip.
        let exchanges = try await token.exchanges()
        let results = try oneTrip("approve with the card") {
            try device.approveWithCard(session: token.session, keyId: cardKey, certificate: cardCert, requests: fetched)
        }
        let after = try await token.exchanges()
        XCTAssertLessThan(after - exchanges, 4, "one sign command, not one per request")
        XCTAssertEqual(results.map(\.id), byCard)
        XCTAssertTrue(results.allSatisfy { $0.refusal == nil }, "\(results)")
        // Approving one again: it is refused on its own, the call succeeds.
        let again = try device.approveWithCard(session: token.session, keyId: cardKey, certificate: cardCert,
                                               requests: Array(fetched.prefix(1)))
        XCTAssertEqual(again.map(\.refusal), [.alreadySigned])

        let key = try device.unlock(keyId: "main", pin: twoPartyPin)
        let keyCert = try key.selfSignedCertificate(subject: "CN=Alice 2P", days: 30)
        let toSign = try device.fetchRequests(ids: [byKey])
        let before = channel.roundTrips
        let byKeyResults = try device.approveWithKey(key: key, certificate: keyCert, requests: toSign)
        XCTAssertEqual(channel.roundTrips, before + 2, "one signature, then the approval")
        XCTAssertEqual(byKeyResults, [ApprovalResult(id: byKey, refusal: nil)])

        try oneTrip("decline") { try device.declineRequest(id: declined, reason: "not mine") }
        let state = try server.requestResult(id: declined)
        XCTAssertEqual(state, RequestResult(state: "declined", cms: nil, declineReason: "not mine"))
        XCTAssertThrowsError(try device.fetchRequests(ids: [declined])) { error in
            XCTAssertEqual(error as? FknError, .Request(refusal: .alreadyDeclined))
        }

        for (n, id) in byCard.enumerated() {
            let r = try server.requestResult(id: id)
            XCTAssertEqual(r.state, "signed")
            let detached = n % 2 == 0
            let v = try verifyCms(cms: try XCTUnwrap(r.cms), detachedContent: detached ? doc(n) : nil)
            XCTAssertEqual(v.signerCertificate, cardCert)
            if !detached { XCTAssertEqual(v.content, doc(n)) }
        }
        let r = try server.requestResult(id: byKey)
        XCTAssertEqual(r.state, "signed")
        let v = try verifyCms(cms: try XCTUnwrap(r.cms), detachedContent: nil)
        XCTAssertEqual(v.content, doc(9))
        XCTAssertTrue(try device.pendingRequests().isEmpty)
    }
}
