import Foundation
import MapReduce
@testable import MRShuffle
import TestSupport
import XCTest

/// The partition hash, against its documented definition.
final class KeyHashTests: UnitTestCase {
    func testKeyHashMatchesItsDocumentedDefinition() {
        // Values from an independent Python implementation of the definition in KeyHash.swift.
        func hash(_ text: String) -> UInt64 { Array(text.utf8).withUnsafeBytes { KeyHash.hash($0) } }
        XCTAssertEqual(hash(""), 0)
        XCTAssertEqual(hash("the"), 0x038e_767e_d641_1ba9)
        XCTAssertEqual(hash("abcdefgh"), 0x5cf2_124c_90c0_0bba)
        XCTAssertEqual(hash("Straße und λόγος"), 0xcefd_380c_bac8_17a6)
        // Keys that end at a page followed by an inaccessible page: the short tail is loaded
        // without touching the next page.
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let mapping = mmap(nil, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)!
        defer { munmap(mapping, 2 * page) }
        XCTAssertEqual(mprotect(mapping + page, page, PROT_NONE), 0)
        for text in ["a", "the", "seven!!", "abcdefghi", "Straße und λόγος"] {
            let bytes = Array(text.utf8)
            let start = mapping + page - bytes.count
            start.copyMemory(from: bytes, byteCount: bytes.count)
            XCTAssertEqual(KeyHash.hash(ByteSlice(start: start, count: bytes.count)), hash(text), text)
        }
    }
}
