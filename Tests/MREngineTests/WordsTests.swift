import Foundation
import MapReduce
import TestSupport
import XCTest

/// `forEachWord` against the standard library's Unicode properties.
final class WordsTests: UnitTestCase {
    private func words(_ text: [UInt8]) -> [String] {
        var found: [String] = []
        text.withUnsafeBytes { forEachWord(in: $0) { found.append(String(decoding: $0, as: UTF8.self)) } }
        return found
    }

    // Reference: the standard library's UTF-8 parser (maximal-subpart errors) and Unicode
    // properties, byte by byte.
    private func referenceWords(_ bytes: [UInt8]) -> [String] {
        var words: [String] = [], current: [UInt8] = []
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        func endWord() {
            if !current.isEmpty { words.append(String(decoding: current, as: UTF8.self)) }
            current = []
        }
        parsing: while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded):
                let scalar = Unicode.UTF8.decode(encoded)
                switch scalar.properties.generalCategory {
                case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
                    current += Array(encoded)
                default: endWord()
                }
            case .error: endWord()
            case .emptyInput: break parsing
            }
        }
        endWord()
        return words
    }

    func testWordsAreRunsOfUnicodeLetters() {
        XCTAssertEqual(words(Array("Hello, wörld! ß-straße 42abc λόγος мир 数据".utf8)),
                       ["Hello", "wörld", "ß", "straße", "abc", "λόγος", "мир", "数据"])
        XCTAssertEqual(words(Array("e\u{301}x".utf8)), ["e", "x"])  // a combining mark separates
        XCTAssertEqual(words([0x61, 0xC0, 0x80, 0x62]), ["a", "b"])  // overlong encoding is invalid
        XCTAssertEqual(words([0x61, 0xF4, 0x90, 0x80, 0x80, 0x62]), ["a", "b"])  // beyond U+10FFFF
        XCTAssertEqual(words([0xF0, 0x90, 0x90, 0x80]), ["\u{10400}"])  // astral letter (Deseret)
        XCTAssertEqual(words([0xE4, 0xB8]), [])  // truncated sequence at the end
    }

    func testWordsMatchTheStandardLibrarysDecoderOnRandomBytes() {
        // Lengths up to 300 put words across 8- and 64-byte boundaries.
        let pieces: [[UInt8]] = ["a", "Zebra", "x", " ", "  ", ",", "-", "7", "é", "λόγος", "数", "\u{10400}", "e\u{301}",
                                 "\u{2028}", "ǅ"].map { Array($0.utf8) } + [[0xC0], [0x80], [0xE4, 0xB8], [0xF4, 0x90], [0xFF]]
        var random = SystemRandomNumberGenerator()
        for _ in 0..<3_000 {
            var bytes: [UInt8] = []
            let target = Int.random(in: 0...300, using: &random)
            while bytes.count < target { bytes += pieces.randomElement(using: &random)! }
            XCTAssertEqual(words(bytes), referenceWords(bytes), "\(bytes)")
        }
    }

    func testWordsEndWhereTheTextEndsWhenLettersFollowInMemory() {
        // A line is a slice of a larger buffer: the bytes after it (here letters, or a non-ASCII
        // byte) may be read in the same page but must not join its last word.
        let text = Array("The quick brown fox jumps over the lazy dog and keeps on running far away, ".utf8)
        let buffer = text + [0xC3, 0xA9] + text + text
        buffer.withUnsafeBytes { all in
            for start in 0..<66 {
                for count in 0...140 {
                    let slice = UnsafeRawBufferPointer(rebasing: all[start..<(start + count)])
                    var found: [String] = []
                    forEachWord(in: slice) { found.append(String(decoding: $0, as: UTF8.self)) }
                    XCTAssertEqual(found, referenceWords(Array(slice)), "bytes \(start)..<\(start + count)")
                }
            }
        }
    }
}
