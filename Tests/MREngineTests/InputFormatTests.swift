@testable import MRInput
import XCTest

/// Telling text from what is not, on a file's first bytes.
final class InputFormatTests: XCTestCase {
    func testInvalidUTF8IsCountedAndACharacterCutAtTheSampleEndIsNot() {
        XCTAssertEqual(InputFormat.invalidUTF8Bytes(Array("café 数据 😀".utf8), cutAtEnd: false), 0)
        XCTAssertEqual(InputFormat.invalidUTF8Bytes([0x61, 0xFF, 0xC3, 0x28, 0xC0, 0xAF], cutAtEnd: false), 4)  // FF, lone C3, overlong C0 AF
        XCTAssertEqual(InputFormat.invalidUTF8Bytes([0xED, 0xA0, 0x80], cutAtEnd: false), 3)  // a surrogate
        let cut = Array("abc".utf8) + [0xE6, 0x95]  // the first two bytes of 数
        XCTAssertEqual(InputFormat.invalidUTF8Bytes(cut, cutAtEnd: true), 0)
        XCTAssertEqual(InputFormat.invalidUTF8Bytes(cut, cutAtEnd: false), 2)
    }

    func testMagicBytesDecide() {
        XCTAssertEqual(InputFormat.of(sample: [0x1F, 0x8B, 0x08][...], whole: true), .compressed(.gzip))
        XCTAssertEqual(InputFormat.of(sample: ArraySlice("plain text\n".utf8), whole: true), .text)
        XCTAssertEqual(InputFormat.of(sample: ArraySlice([]), whole: true), .text)
        XCTAssertEqual(InputFormat.of(sample: ArraySlice("BZh91AY&SY".utf8), whole: false), .compressed(.bzip2))
        XCTAssertEqual(InputFormat.of(sample: ArraySlice("BZh0".utf8), whole: true), .text, "no block size 0: text")
        XCTAssertEqual(InputFormat.of(sample: [0x28, 0xB5, 0x2F, 0xFD][...], whole: false), .compressed(.zstd))
        XCTAssertEqual(InputFormat.of(sample: [0x50, 0x2A, 0x4D, 0x18, 4, 0, 0, 0][...], whole: false), .compressed(.zstd), "pzstd's skippable frame")
        XCTAssertEqual(InputFormat.of(sample: [0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00][...], whole: false), .compressed(.xz))
    }
}
