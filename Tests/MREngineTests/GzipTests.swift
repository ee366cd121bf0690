import Foundation
import MapReduce
@testable import MRBase
@testable import MRSystem
@testable import MRInput
import TestSupport
import XCTest

/// The gzip reader (with each inflater) and the gzip index.
final class GzipTests: UnitTestCase {
    func testGzipSourceReadsEveryMemberAndNamesTheOffsetOfDamage() throws {
        let path = directory.appendingPathComponent("two.gz").path
        try shell("printf 'one\\n' | gzip -n > \(path) && printf 'two\\n' | gzip -n >> \(path)")
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: 3, alignment: 1)  // tiny: many calls
        defer { buffer.deallocate() }
        let truncated = directory.appendingPathComponent("cut.gz").path
        try Data(try Data(contentsOf: URL(fileURLWithPath: path)).prefix(30)).write(to: URL(fileURLWithPath: truncated))
        for inflater in Inflater.allCases {
            let source = try GzipSource(path: path, inflater: inflater)
            var text: [UInt8] = []
            while case let count = try source.read(into: buffer, capacity: 3), count > 0 {
                text += UnsafeRawBufferPointer(start: buffer, count: count)
            }
            XCTAssertEqual(String(decoding: text, as: UTF8.self), "one\ntwo\n", "\(inflater)")

            let cut = try GzipSource(path: truncated, inflater: inflater)
            XCTAssertThrowsError(try { while try cut.read(into: buffer, capacity: 3) > 0 {} }()) { error in
                XCTAssertEqual((error as? MRError)?.kind, .badInput)
                XCTAssertTrue("\(error)".contains("cut.gz") && "\(error)".contains("truncated"), "\(inflater): \(error)")
            }
        }
    }

    func testGzipIndexRoundTripsAndRejectsEveryDamagedCopy() throws {
        let path = directory.appendingPathComponent("text.gz").path
        // Words from a simple generator: text that compresses like prose, into many deflate blocks.
        var state: UInt64 = 7
        var text = ""
        for _ in 0..<40_000 {
            for word in 0..<6 {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                let length = 3 + Int((state >> 60) % 6)
                for letter in 0..<length {
                    let code = 97 + UInt8((state >> UInt64(8 * letter + 8)) % 26)
                    text.unicodeScalars.append(UnicodeScalar(code))
                }
                text += word == 5 ? "\n" : " "
            }
        }
        try shell("gzip -n -c > '\(path)'", input: Data(text.utf8))

        let index = try GzipIndex.build(path: path, span: 64 << 10)
        XCTAssertEqual(index.members, 1)
        XCTAssertGreaterThan(index.points.count, 4)
        XCTAssertEqual(index.uncompressedSize, Int64(text.utf8.count))
        let location = try index.save(besides: path, cacheDirectory: directory.path)
        let bytes = try FileSystem.readFile(location)
        let loaded = try XCTUnwrap(GzipIndex.load(for: path, cacheDirectory: directory.path))
        XCTAssertEqual(loaded.index.points.map(\.uncompressedOffset), index.points.map(\.uncompressedOffset))

        // Every point inflates to the text that follows it.
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: 100, alignment: 1)
        defer { buffer.deallocate() }
        let utf8 = Array(text.utf8)
        for inflater in Inflater.allCases {
            for point in index.points {
                let count = try GzipSource(path: path, inflater: inflater, from: point).read(into: buffer, capacity: 100)
                let start = Int(point.uncompressedOffset)
                XCTAssertEqual(Array(UnsafeRawBufferPointer(start: buffer, count: count)), Array(utf8[start..<min(start + 100, utf8.count)]),
                               "\(inflater), point at \(start)")
            }
        }
        // From a point to the member's end, over its trailer, and on through a second member:
        // ISA-L reads ahead of the deflate data's end, and must give those bytes back.
        let twoMembers = directory.appendingPathComponent("two-members.gz").path
        try shell("cat '\(path)' > '\(twoMembers)' && printf 'after\\n' | gzip -n >> '\(twoMembers)'")
        for inflater in Inflater.allCases {
            for point in index.points {
                let source = try GzipSource(path: twoMembers, inflater: inflater, from: point)
                var rest: [UInt8] = []
                while case let count = try source.read(into: buffer, capacity: 100), count > 0 {
                    rest += UnsafeRawBufferPointer(start: buffer, count: count)
                }
                XCTAssertEqual(rest, Array(utf8[Int(point.uncompressedOffset)...]) + Array("after\n".utf8),
                               "\(inflater), point at \(point.uncompressedOffset)")
            }
        }
        // A flipped byte anywhere, or a cut, makes the index unreadable rather than wrong.
        for offset in stride(from: 0, to: bytes.count, by: 997) {
            var damaged = bytes
            damaged[offset] ^= 0x20
            XCTAssertNil(GzipIndex.decode(damaged), "flipped byte \(offset) went unnoticed")
        }
        XCTAssertNil(GzipIndex.decode(Array(bytes.dropLast(9))))
    }
}
