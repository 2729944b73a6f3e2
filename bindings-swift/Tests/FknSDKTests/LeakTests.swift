import FknSDK
import Foundation
import XCTest

/// Sessions freed on the Swift side free their native objects and release
/// the Swift transports the native side held.
final class LeakTests: XCTestCase {
    let sessions = Int(ProcessInfo.processInfo.environment["FKN_LEAK_SESSIONS"] ?? "") ?? 10_000

    /// The live-object count once it stopped changing. The last reference
    /// to an object used through `FknToken` can sit for a moment in a
    /// dispatch block that already resumed its caller (an earlier test's, or
    /// this one's), so counts settle asynchronously; five seconds is ample.
    func settledCount(_ count: () -> UInt64) async throws -> UInt64 {
        var last = count()
        var stable = 0
        for _ in 0..<500 where stable < 10 {
            try await Task.sleep(nanoseconds: 10_000_000)
            let now = count()
            stable = now == last ? stable + 1 : 0
            last = now
        }
        return last
    }

    func testTenThousandSessionsLeaveNoLiveNativeObjects() async throws {
        let baseline = try await settledCount { liveObjectCount() }
        let swiftTransports = try await settledCount { UInt64(ForwardingTransport.live) }
        let started = Date()
        var logins = 0
        do {
            let vt = try VirtualToken(label: "leak", userPin: userPin, adminPin: adminPin)
            for i in 0..<sessions {
                if i % 10 == 0 {
                    // Through the async layer and its executor.
                    let token = try await FknToken.open(ForwardingTransport(vt))
                    _ = try await token.selectInfo()
                } else if i % 2 == 0 {
                    // Swift transport: the native side holds a handle to it until the session is freed.
                    let s = try TokenSession.open(transport: ForwardingTransport(vt))
                    _ = try s.selectInfo()
                } else {
                    // The Rust transport handed through Swift and back.
                    let s = try TokenSession.open(transport: vt.transport())
                    if i % 100 == 1 {
                        try s.authenticate(pin: userPin)
                        _ = try s.tokenInfo()
                        logins += 1
                    }
                }
                if i % 1000 == 0 {
                    let h = Hasher(algorithm: .streebog512)
                    try h.update(data: Data([1]))
                }
            }
        }
        let seconds = Date().timeIntervalSince(started)
        let after = try await settledCount { liveObjectCount() }
        let transportsAfter = try await settledCount { UInt64(ForwardingTransport.live) }
        print(String(format: "leak test: %d sessions (%d with login) in %.2f s, %.0f µs per session; live objects %llu -> %llu",
                     sessions, logins, seconds, seconds * 1e6 / Double(sessions), baseline, after))
        XCTAssertEqual(after, baseline, "native objects still alive after the last reference went away")
        XCTAssertEqual(transportsAfter, swiftTransports, "Swift transports not released by the native side")
    }

    func testTheCounterSeesOpenObjects() async throws {
        let baseline = try await settledCount { liveObjectCount() }
        do {
            let vt = try VirtualToken(label: "count", userPin: userPin, adminPin: adminPin)
            do {
                // Token, session and the bridge to the Swift transport.
                let s = try TokenSession.open(transport: ForwardingTransport(vt))
                XCTAssertEqual(liveObjectCount(), baseline + 3)
                withExtendedLifetime(s) {}
            }
            XCTAssertEqual(liveObjectCount(), baseline + 1)
            withExtendedLifetime(vt) {}
        }
        XCTAssertEqual(liveObjectCount(), baseline)
    }
}
