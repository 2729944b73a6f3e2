import FknSDK
import Foundation
import XCTest

final class ApiTests: XCTestCase {
    /// RFC 6986, example 1 (the message "012345678901234567890123456789012345678901234567890123456789012").
    func testStreebogMatchesRfc6986() {
        let m1 = Data("012345678901234567890123456789012345678901234567890123456789012".utf8)
        XCTAssertEqual(digest(algorithm: .streebog256, data: m1).hex,
                       "9d151eefd8590b89daa6ba6cb74af9275dd051026bb149a452fd84e5e57b5500")
        XCTAssertEqual(digest(algorithm: .streebog512, data: m1).hex,
                       "1b54d01a4af5b9d5cc3d86d68d285462b19abc2475222f35c085122be4ba1ffa"
                       + "00ad30f8767b3a82384c6574f024c311e2a481332b08ef7f41797891c1646f48")
    }

    func testCurveNames() {
        XCTAssertEqual(allCurves().count, 7)
        XCTAssertEqual(curveFromName(name: Curve.tc26512c.shortName()), .tc26512c)
        XCTAssertEqual(Curve.tc26256a.digestLength(), 32)
        XCTAssertEqual(Curve.tc26512a.digestLength(), 64)
        XCTAssertEqual(digestAlgorithmFor(curve: .cryptoProB), .streebog256)
        XCTAssertNil(curveFromName(name: "no such curve"))
    }

    func testErrorsCarryTheSdkMessage() {
        XCTAssertEqual(FknError.WrongPin(attemptsLeft: 2).message,
                       "wrong PIN, 2 attempt(s) left; check the PIN carefully before the next try")
        XCTAssertEqual(FknError.WrongPin(attemptsLeft: 2).attemptsLeft, 2)
        XCTAssertNil(FknError.PinBlocked.attemptsLeft)
        XCTAssertEqual(FknError.PinBlocked.message,
                       "the PIN is blocked; ask your administrator to unblock it")
        XCTAssertEqual(FknError.Card(refusal: .status(sw: 0x6F00)).message,
                       "the token reported an internal error (SW 6F00); "
                       + "take the card away, present it again and retry")
        XCTAssertTrue(FknError.Link(fault: .cardRemoved).isCardRemoved)
        XCTAssertFalse(FknError.Link(fault: .timeout).isCardRemoved)
        XCTAssertNil(FknError.Link(fault: .cardRemoved).attemptsLeft)
    }

    func testCurveIsTheCoresCurveId() {
        let curve: CurveId = .tc26256a
        let same: Curve = curve
        XCTAssertEqual(same, .tc26256a)
    }

    func testLogLevelCanBeSet() {
        setLogLevel(level: .warn)
        setLogLevel(level: .off)
    }
}
