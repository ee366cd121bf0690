import Foundation
import MapReduce
@testable import MRShuffle
import TestSupport
import XCTest

/// A key's two zero-padded words, as the map table's slots hold them.
final class KeyBytesTests: UnitTestCase {
    /// The words a byte loop builds: byte `i` of the key at bits `8 * (i % 8)` of word `i / 8`.
    private func wordsByBytes(_ bytes: [UInt8]) -> (UInt64, UInt64) {
        var words: (UInt64, UInt64) = (0, 0)
        for (index, byte) in bytes.enumerated() {
            if index < 8 { words.0 |= UInt64(byte) << UInt64(8 * index) } else { words.1 |= UInt64(byte) << UInt64(8 * (index - 8)) }
        }
        return words
    }

    func testWordsKeepEveryLengthsBytesAndZeroTheRest() {
        // The bytes after the key are 0xFF, so a mask one byte too wide shows.
        let text: [UInt8] = Array(0x41...0x50) + Array(repeating: 0xFF, count: 32)
        for length in 0...16 {
            text.withUnsafeBytes { buffer in
                let key = ByteSlice(rebasing: buffer[0..<length])
                let expected = wordsByBytes(Array(text[0..<length]))
                let words = KeyBytes.words(key)
                XCTAssertEqual(words.0, expected.0, "length \(length)")
                XCTAssertEqual(words.1, expected.1, "length \(length)")
            }
        }
    }

    func testWordsOfAKeyThatEndsAtAnInaccessiblePage() {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let mapping = mmap(nil, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)!
        defer { munmap(mapping, 2 * page) }
        XCTAssertEqual(mprotect(mapping + page, page, PROT_NONE), 0)
        for length in 1...16 {
            let bytes = (0..<length).map { UInt8(0x61 + $0) }
            let start = mapping + page - length
            start.copyMemory(from: bytes, byteCount: length)
            let words = KeyBytes.words(ByteSlice(start: start, count: length))
            let expected = wordsByBytes(bytes)
            XCTAssertEqual(words.0, expected.0, "length \(length)")
            XCTAssertEqual(words.1, expected.1, "length \(length)")
        }
    }
}
