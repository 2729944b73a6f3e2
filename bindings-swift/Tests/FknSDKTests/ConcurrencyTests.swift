import FknSDK
import Foundation
import XCTest

/// Many sessions at once, each with its own virtual token.
final class ConcurrencyTests: XCTestCase {
    struct Outcome: Sendable {
        let task: Int
        let serial: Data
        let key: KeyInfo
        let digests: [Data]
        let signatures: [Data]
    }

    func testEightConcurrentTasksSignOnTheirOwnTokens() async throws {
        let outcomes = try await withThrowingTaskGroup(of: Outcome.self) { group in
            for task in 0..<8 {
                group.addTask {
                    let vt = try await makeVirtualToken(label: "task \(task)", userPin: userPin, adminPin: adminPin)
                    let link = ForwardingTransport(vt)
                    let token = try await FknToken.open(link)
                    let select = try await token.selectInfo()
                    XCTAssertEqual(select.label, "task \(task)")
                    try await token.login(pin: userPin)
                    let curve: Curve = task % 2 == 0 ? .tc26256a : .tc26512b
                    let key = try await token.generateKey(id: Data([UInt8(task + 1)]), curve: curve)
                    let digests = (0..<16).map {
                        digest(algorithm: digestAlgorithmFor(curve: curve), data: Data("task \(task) doc \($0)".utf8))
                    }
                    let signatures = try await token.sign(keyId: key.id, digests: digests)
                    XCTAssertFalse(link.ranOnMainThread)
                    return Outcome(task: task, serial: vt.serial(), key: key, digests: digests, signatures: signatures)
                }
            }
            var all: [Outcome] = []
            for try await outcome in group { all.append(outcome) }
            return all.sorted { $0.task < $1.task }
        }

        XCTAssertEqual(outcomes.count, 8)
        XCTAssertEqual(Set(outcomes.map(\.serial)).count, 8, "every task reached its own token")
        for o in outcomes {
            XCTAssertEqual(o.key.id, Data([UInt8(o.task + 1)]))
            XCTAssertEqual(o.signatures.count, 16)
            for (d, s) in zip(o.digests, o.signatures) {
                XCTAssertTrue(try verifyDigest(curve: o.key.curve, publicKey: o.key.publicKey, digest: d, signature: s),
                              "task \(o.task): a signature does not verify")
            }
        }
        // No cross-talk: a task's signature verifies under no other task's key
        // of the same size.
        for a in outcomes {
            for b in outcomes where a.task != b.task && a.key.curve == b.key.curve {
                XCTAssertFalse(try verifyDigest(curve: b.key.curve, publicKey: b.key.publicKey,
                                                digest: a.digests[0], signature: a.signatures[0]))
            }
        }
    }
}
