import FknSampleModel
import FknSDK
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import XCTest

private let cardPin = "12345678"
private let keyPin = "2468"

/// The app's key store (the Keychain on a phone), in memory.
final class TestStore: SecureStore, @unchecked Sendable {
    // @unchecked: `blobs` is guarded by `lock`.
    private let lock = NSLock()
    private var blobs: [String: Data] = [:]

    func load(keyId: String) throws -> Data? { lock.lock(); defer { lock.unlock() }; return blobs[keyId] }
    func save(keyId: String, blob: Data) throws { lock.lock(); blobs[keyId] = blob; lock.unlock() }
    func delete(keyId: String) throws { lock.lock(); blobs[keyId] = nil; lock.unlock() }
}

/// A reader that counts the taps it was asked for.
final class CountingReader: FknCardReader, @unchecked Sendable {
    // @unchecked: `count` is guarded by `lock`.
    private let reader: any FknCardReader
    private let lock = NSLock()
    private var count = 0
    init(_ reader: any FknCardReader) { self.reader = reader }

    var taps: Int { lock.lock(); defer { lock.unlock() }; return count }
    private func countTap() { lock.lock(); count += 1; lock.unlock() }

    func withCard<T: Sendable>(
        prompt: String, _ body: @escaping @Sendable (FknToken, FknProgress) async throws -> T
    ) async throws -> T {
        countTap()
        return try await reader.withCard(prompt: prompt, body)
    }
}

/// The real fkn-server that `tests/swift.sh` starts on 127.0.0.1, through
/// its admin API (the operator) and backend API (a bank): URLSession and
/// JSONSerialization, as an app's backend would do it in any language.
struct TestServer {
    struct NotConfigured: Error, CustomStringConvertible {
        var description: String {
            "run through tests/swift.sh, which starts fkn-server and sets FKN_SERVER_URL and FKN_SERVER_ADMIN_TOKEN"
        }
    }

    struct Failed: Error, CustomStringConvertible {
        let description: String
    }

    let url: String
    let adminToken: String

    init() throws {
        let env = ProcessInfo.processInfo.environment
        guard let url = env["FKN_SERVER_URL"], !url.isEmpty,
              let adminToken = env["FKN_SERVER_ADMIN_TOKEN"], !adminToken.isEmpty
        else { throw NotConfigured() }
        self.url = url
        self.adminToken = adminToken
    }

    /// `method path` with a bearer token and a JSON body; the answer's status and JSON object.
    @MainActor func call(
        _ method: String, _ path: String, bearer: String, body: [String: Any]? = nil, expect: Int = 200
    ) async throws -> [String: Any] {
        var request = URLRequest(url: URL(string: url + path)!)
        request.httpMethod = method
        request.setValue("Bearer \(bearer)", forHTTPHeaderField: "Authorization")
        if let body {
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            request.httpBody = try JSONSerialization.data(withJSONObject: body)
        }
        let (status, data) = try await Self.send(request)
        let text = String(decoding: data, as: UTF8.self)
        guard status == expect else { throw Failed(description: "\(method) \(path): \(status) \(text)") }
        guard let json = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw Failed(description: "\(method) \(path): not a JSON object: \(text)")
        }
        return json
    }

    private static func send(_ request: URLRequest) async throws -> (Int, Data) {
        try await withCheckedThrowingContinuation { continuation in
            URLSession.shared.dataTask(with: request) { data, response, error in
                if let error {
                    continuation.resume(throwing: error)
                } else {
                    continuation.resume(returning: ((response as? HTTPURLResponse)?.statusCode ?? 0, data ?? Data()))
                }
            }.resume()
        }
    }

    /// A new account's enrollment: its name and the QR code's URI.
    @MainActor func newAccount() async throws -> (account: String, uri: String) {
        let account = "sample-\(UUID().uuidString.prefix(8).lowercased())"
        let made = try await call("POST", "/admin/v1/enrollments", bearer: adminToken,
                                  body: ["account": account, "ttl_seconds": 600], expect: 201)
        return (account, try Self.string(made, "uri"))
    }

    /// A new backend's API key.
    @MainActor func newBackend() async throws -> String {
        let made = try await call("POST", "/admin/v1/backends", bearer: adminToken,
                                  body: ["name": "sample-\(UUID().uuidString.prefix(8).lowercased())"], expect: 201)
        return try Self.string(made, "api_key")
    }

    /// The id of the card key `account` registered at enrollment.
    @MainActor func cardId(of account: String) async throws -> String {
        let listed = try await call("GET", "/admin/v1/cards", bearer: adminToken)
        let cards = listed["cards"] as? [[String: Any]] ?? []
        guard let card = cards.first(where: { $0["account"] as? String == account }) else {
            throw Failed(description: "no card of \(account) in \(listed)")
        }
        return try Self.string(card, "id")
    }

    /// The id of the two-party key `account` made at enrollment.
    @MainActor func twoPartyKeyId(of account: String) async throws -> String {
        let listed = try await call("GET", "/admin/v1/keys", bearer: adminToken)
        let keys = listed["keys"] as? [[String: Any]] ?? []
        guard let key = keys.first(where: { $0["account_id"] as? String == account }) else {
            throw Failed(description: "no two-party key of \(account) in \(listed)")
        }
        return try Self.string(key, "key_id")
    }

    /// The backend asks `account` to sign `document` with `key` (`["card": id]` or `["distributed": id]`).
    @MainActor func createRequest(
        apiKey: String, account: String, key: [String: String], document: String, detached: Bool
    ) async throws -> String {
        let made = try await call("POST", "/api/v1/requests", bearer: apiKey, body: [
            "account": account, "title": document, "document": Data(document.utf8).base64EncodedString(),
            "key": key, "detached": detached, "ttl_seconds": 600,
        ], expect: 201)
        return try Self.string(made, "id")
    }

    /// The backend asks `account` to sign only `digest`, which `summary` describes.
    @MainActor func createDigestRequest(
        apiKey: String, account: String, key: [String: String], digest: Data, summary: String
    ) async throws -> String {
        let made = try await call("POST", "/api/v1/requests", bearer: apiKey, body: [
            "account": account, "title": summary, "summary": summary,
            "digest": digest.map { String(format: "%02x", $0) }.joined(), "key": key, "ttl_seconds": 600,
        ], expect: 201)
        return try Self.string(made, "id")
    }

    /// What the backend reads of request `id`: its state and, once signed, the CMS.
    @MainActor func show(apiKey: String, id: String) async throws -> (state: String, cms: Data?) {
        let shown = try await call("GET", "/api/v1/requests/\(id)", bearer: apiKey)
        return (try Self.string(shown, "state"), (shown["cms"] as? String).flatMap { Data(base64Encoded: $0) })
    }

    static func string(_ json: [String: Any], _ name: String) throws -> String {
        guard let value = json[name] as? String else { throw Failed(description: "no \(name) in \(json)") }
        return value
    }
}

/// The sample's requests model against a real fkn-server: enroll from the QR
/// code's URI with the virtual card, list, open, approve three requests in one
/// tap, one with the two-party key, decline one; the backend then reads every
/// CMS; a digest-only request is shown as such and signed. And the states a user must see: wrong PIN, the card taken away, the
/// server unreachable. (As the Android sample's RequestsModelTest.)
// The model lives on the main actor, and so do these tests (per method, as in SigningModelTests).
@available(iOS 17.0, macOS 14.0, *)
final class RequestsModelTests: XCTestCase, @unchecked Sendable {
    private func device(_ store: SecureStore = TestStore(), server: String) throws -> TwoPartyDevice {
        try TwoPartyDevice.withIterations(store: store, channel: HTTPServerChannel(server: server), pbkdf2Iterations: 1000)
    }

    @MainActor func testEnrollListOpenApproveDecline() async throws {
        let server = try TestServer()
        let (account, uri) = try await server.newAccount()
        let bank = try await server.newBackend()
        let token = try await makeVirtualToken(label: "sample card", userPin: cardPin, adminPin: "87654321")
        let reader = CountingReader(VirtualCardReader(token: token))
        // The app's way: the channel made before the server is known, pointed at it by the model.
        let store = TestStore()
        let channel = HTTPServerChannel()
        let device = try TwoPartyDevice.withIterations(store: store, channel: channel, pbkdf2Iterations: 1000)
        let model = RequestsModel(device: device, channel: channel, nfcReader: nil, virtualReader: { reader })
        XCTAssertTrue(model.useVirtualCard, "no NFC: the virtual card is used")
        model.cardPin = cardPin
        model.keyPin = keyPin
        await model.start()
        XCTAssertEqual(model.screen, .notEnrolled)
        XCTAssertFalse(model.isEnrolled)
        await model.enroll(uri: uri)
        XCTAssertEqual(model.screen, .requests([]))
        XCTAssertTrue(model.isEnrolled)
        XCTAssertEqual(reader.taps, 1, "enrollment: one tap for the card's CSR")

        let card = ["card": try await server.cardId(of: account)]
        var byCard: [String] = []
        for n in 1...3 {
            byCard.append(try await server.createRequest(apiKey: bank, account: account, key: card,
                                                         document: "Order \(n): 3 units.", detached: n == 2))
        }
        // Key ids are unique on the server: the model made `main-<random>`.
        let keyId = try await server.twoPartyKeyId(of: account)
        XCTAssertTrue(keyId.hasPrefix("main-"), keyId)
        let byKey = try await server.createRequest(apiKey: bank, account: account, key: ["distributed": keyId],
                                                   document: "Order 4: 1 unit.", detached: false)
        let unwanted = try await server.createRequest(apiKey: bank, account: account, key: card,
                                                      document: "Order 5: 1000 units.", detached: true)

        await model.refresh()
        guard case .requests(let listed) = model.screen else { return XCTFail("\(model.screen)") }
        XCTAssertEqual(listed.count, 5)
        XCTAssertEqual(Set(listed.map(\.id)), Set(byCard + [byKey, unwanted]))
        XCTAssertTrue(listed.allSatisfy { $0.document == nil }, "the list carries no documents")
        await model.open(id: byCard[0])
        guard case .detail(let shown) = model.screen else { return XCTFail("\(model.screen)") }
        XCTAssertEqual(shown.document, Data("Order 1: 3 units.".utf8))
        XCTAssertFalse(shown.digestOnly)

        await model.approveWithCard(ids: byCard)
        XCTAssertEqual(model.screen, .done(signed: 3, refused: [:]))
        XCTAssertEqual(reader.taps, 2, "the three requests in one tap")
        await model.approveWithKey(ids: [byKey])
        XCTAssertEqual(model.screen, .done(signed: 1, refused: [:]))
        await model.decline(id: unwanted, reason: "too many")
        XCTAssertEqual(model.screen, .requests([]))

        for (n, id) in (byCard + [byKey]).enumerated() {
            let (state, cms) = try await server.show(apiKey: bank, id: id)
            XCTAssertEqual(state, "signed", id)
            let doc = Data("Order \(n + 1): \(n < 3 ? "3 units" : "1 unit").".utf8)
            let verified = try verifyCms(cms: try XCTUnwrap(cms, id), detachedContent: n == 1 ? doc : nil)
            if n != 1 { XCTAssertEqual(verified.content, doc) }
        }
        let (declined, noCms) = try await server.show(apiKey: bank, id: unwanted)
        XCTAssertEqual(declined, "declined")
        XCTAssertNil(noCms)
        // The request is answered: opening it again says so.
        await model.open(id: unwanted)
        XCTAssertEqual(model.screen, .failed(.refused(.alreadyDeclined)))

        // Only a digest: the phone cannot show the document, and says so.
        let invoice = Data("Invoice 9, a PDF the phone never sees.".utf8)
        let hash = digest(algorithm: .streebog256, data: invoice)
        let blind = try await server.createDigestRequest(apiKey: bank, account: account, key: card,
                                                         digest: hash, summary: "Invoice 9 (PDF, 12 pages)")
        await model.open(id: blind)
        guard case .detail(let shownBlind) = model.screen else { return XCTFail("\(model.screen)") }
        XCTAssertTrue(shownBlind.digestOnly)
        XCTAssertNil(shownBlind.document)
        XCTAssertEqual(shownBlind.digest, hash)
        XCTAssertEqual(shownBlind.summary, "Invoice 9 (PDF, 12 pages)")
        await model.approveWithCard(ids: [blind])
        XCTAssertEqual(model.screen, .done(signed: 1, refused: [:]))
        let signedBlind = try await server.show(apiKey: bank, id: blind)
        XCTAssertEqual(signedBlind.state, "signed")
        _ = try verifyCms(cms: try XCTUnwrap(signedBlind.cms), detachedContent: invoice)

        // The app started again: the channel learns the server from the enrolled device.
        let relaunchedChannel = HTTPServerChannel()
        let relaunched = RequestsModel(
            device: try TwoPartyDevice.withIterations(store: store, channel: relaunchedChannel, pbkdf2Iterations: 1000),
            channel: relaunchedChannel, nfcReader: nil, virtualReader: { reader })
        await relaunched.start()
        XCTAssertEqual(relaunched.screen, .requests([]))
        XCTAssertTrue(relaunched.isEnrolled)
    }

    @MainActor func testWrongPinCardTakenAwayAndServerUnreachable() async throws {
        let server = try TestServer()
        let (account, uri) = try await server.newAccount()
        let bank = try await server.newBackend()
        let token = try await makeVirtualToken(label: "sample card", userPin: cardPin, adminPin: "87654321")
        // The card the user taps: it can leave the field mid-command (SigningModelTests.swift).
        let reader = FlakyReader(token)
        let store = TestStore()
        let model = RequestsModel(device: try device(store, server: server.url), nfcReader: nil, virtualReader: { reader })
        model.cardPin = cardPin
        model.keyPin = keyPin
        await model.enroll(uri: uri)
        XCTAssertEqual(model.screen, .requests([]))
        let id = try await server.createRequest(apiKey: bank, account: account,
                                                key: ["card": try await server.cardId(of: account)],
                                                document: "Order 6.", detached: true)

        model.cardPin = "00000000"
        await model.approveWithCard(ids: [id])
        guard case .failed(.wrongPin(let attemptsLeft)) = model.screen else { return XCTFail("\(model.screen)") }
        XCTAssertGreaterThan(attemptsLeft, 0)

        model.cardPin = cardPin
        reader.dropNextTap(atExchange: 4)
        await model.approveWithCard(ids: [id])
        XCTAssertEqual(model.screen, .failed(.holdStill))
        let meanwhile = try await server.show(apiKey: bank, id: id)
        XCTAssertEqual(meanwhile.state, "pending")
        await model.approveWithCard(ids: [id])
        XCTAssertEqual(model.screen, .done(signed: 1, refused: [:]), "nothing was lost: the retry signs")
        let after = try await server.show(apiKey: bank, id: id)
        XCTAssertEqual(after.state, "signed")
        _ = try verifyCms(cms: try XCTUnwrap(after.cms), detachedContent: Data("Order 6.".utf8))

        // The same enrolled phone without a server (port 9: nothing listens).
        let offline = RequestsModel(device: try device(store, server: "http://127.0.0.1:9"), nfcReader: nil,
                                    virtualReader: { reader })
        await offline.refresh()
        XCTAssertEqual(offline.screen, .failed(.serverUnreachable))
    }
}
