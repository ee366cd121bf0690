@testable import MRSystem
import TestSupport
import XCTest

/// File names are bytes: every byte string survives the trip into a `String` and back.
final class PathBytesTests: XCTestCase {
    private func roundTrip(_ bytes: [UInt8], file: StaticString = #filePath, line: UInt = #line) {
        let path = PathBytes.string(bytes)
        XCTAssertEqual(PathBytes.cString(path).dropLast().map { UInt8(bitPattern: $0) }, bytes, file: file, line: line)
    }

    func testValidUTF8StaysAsItIs() {
        XCTAssertEqual(PathBytes.string(Array("données/été.txt".utf8)), "données/été.txt")
        roundTrip(Array("données/été.txt".utf8))
    }

    func testInvalidBytesOverlongFormsSurrogatesAndTruncatedSequencesRoundTrip() {
        roundTrip([0x61, 0xFF, 0x62])                   // a byte that never starts UTF-8
        roundTrip([0xC3, 0x41])                         // a lead byte without its continuation
        roundTrip([0xC0, 0xAF])                         // an overlong "/"
        roundTrip([0xED, 0xA0, 0x80])                   // an encoded surrogate
        roundTrip([0x78, 0xE2, 0x82])                   // cut short at the end
        roundTrip([0xF4, 0x90, 0x80, 0x80])             // past U+10FFFF
        roundTrip([0xF4, 0x8F, 0xBC, 0x81, 0x2E])        // U+10FF01 itself, inside the reserved range
        roundTrip([0xFC, 0x80, 0x80, 0x80])             // a lead byte past 0xF4 starts no sequence
        roundTrip(Array(0x01...0xFF))                   // every byte a name may hold
    }

    /// The escaping programs read (job names, the report) is reversible: a name written
    /// `caf\xE9` (with a backslash) and one holding the byte 0xE9 stay apart.
    func testTheNameEscapingIsReversibleForEveryName() {
        for bytes: [UInt8] in [Array("caf".utf8) + [0xE9], Array("caf\\xE9".utf8), Array("a\\\\b".utf8), Array(0x01...0xFF),
                                [0xF4, 0x8F, 0xBC, 0x81], Array("plain/été".utf8)] {
            let escaped = PathBytes.string(bytes).escapedPath
            XCTAssertEqual(PathBytes.unescaped(escaped), bytes, escaped)
        }
        XCTAssertEqual(PathBytes.string(Array("caf".utf8) + [0xE9]).escapedPath, "caf\\xE9")
        XCTAssertEqual("caf\\xE9".escapedPath, "caf\\\\xE9")
        XCTAssertEqual("back\\slash".escapedPath, "back\\slash", "a backslash that starts no escape stays single")
        for bytes: [UInt8] in [Array("a\\".utf8), Array("\\\\x".utf8), Array("\\xE".utf8), Array("\\xe9".utf8), [0x5C, 0xE9]] {
            XCTAssertEqual(PathBytes.unescaped(PathBytes.string(bytes).escapedPath), bytes)
        }
    }

    func testPeopleSeeEachByteThatIsNotUTF8AsHex() {
        XCTAssertEqual(PathBytes.string([0x61, 0xFF, 0x2F, 0xC3, 0xA9, 0x0A]).displayPath, "a\\xFF/é\n")
        XCTAssertEqual("plain".displayPath, "plain")
    }
}
