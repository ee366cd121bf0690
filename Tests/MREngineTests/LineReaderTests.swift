import Foundation
@testable import MRInput
import TestSupport
import XCTest

/// A source that hands out its bytes in chunks of varied sizes, as a pipe or an inflater would.
private final class ChunkedSource: ByteSource {
    private let bytes: [UInt8]
    private var position = 0
    private var state: UInt64

    init(_ bytes: [UInt8], seed: UInt64) {
        self.bytes = bytes
        state = seed
    }

    func read(into buffer: UnsafeMutableRawPointer, capacity: Int) throws -> Int {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        let count = min(capacity, bytes.count - position, Int(state >> 50) + 1)
        bytes.withUnsafeBytes { buffer.copyMemory(from: $0.baseAddress! + position, byteCount: count) }
        position += count
        return count
    }
}

/// A source read in place: its bytes lie in one run, revealed a chunk of varied size at a time,
/// as a relayed piece's text or a file mapped while it is written.
private final class RevealedSource: InPlaceByteSource {
    private let bytes: UnsafeMutableRawBufferPointer
    private var revealed = 0
    private var state: UInt64

    init(_ bytes: [UInt8], seed: UInt64) {
        self.bytes = .allocate(byteCount: bytes.count, alignment: 1)
        self.bytes.copyMemory(from: UnsafeRawBufferPointer(start: bytes, count: bytes.count))
        state = seed
    }

    deinit { bytes.deallocate() }

    func text(beyond count: Int) throws -> UnsafeRawBufferPointer {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        revealed = min(bytes.count, max(revealed, count + Int(state >> 50) + 1))
        return UnsafeRawBufferPointer(rebasing: bytes[0..<revealed])
    }

    func read(into buffer: UnsafeMutableRawPointer, capacity: Int) throws -> Int {
        XCTFail("a source read in place is not copied")
        return 0
    }
}

/// Lines handed out one by one and in blocks, from a buffer or in place: the same lines, counts
/// and refusals.
final class LineReaderTests: XCTestCase {
    private var state: UInt64 = 5

    private func random(_ bound: Int) -> Int {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Int(state >> 33) % bound
    }

    /// Text of lines of 0-120 bytes (some ending in \r\n), the last one perhaps unterminated.
    private func text(lines: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        for index in 0..<lines {
            bytes += (0..<random(121)).map { _ in UInt8(ascii: "a") + UInt8(random(26)) }
            if index < lines - 1 || random(2) == 0 {
                if random(8) == 0 { bytes.append(0x0D) }
                bytes.append(0x0A)
            }
        }
        return bytes
    }

    /// The lines `reader` hands out of `bytes[start...]`, each without its line end.
    private func lines(_ bytes: [UInt8], start: Int, skipping: Bool, end: Int64, blocks: Bool, inPlace: Bool = false,
                       maxLine: Int = .max, seed: UInt64) throws -> (lines: [[UInt8]], read: Int64, bytesRead: Int64) {
        let reader = LineReader(capacity: 1 << 16, maxLineLength: maxLine, handsOutBlocks: blocks)
        var found: [[UInt8]] = []
        let source: ByteSource = inPlace ? RevealedSource(Array(bytes[start...]), seed: seed) : ChunkedSource(Array(bytes[start...]), seed: seed)
        try reader.forEachLine(of: source, from: Int64(start),
                               skippingFirstLine: skipping, end: end, firstLineNumber: 1) { record, _, _ in
            guard blocks else { return found.append(Array(record)) }
            var lines = record.split(separator: 0x0A, omittingEmptySubsequences: false).map { Array($0) }
            if record.last == 0x0A { lines.removeLast() }  // after the block's last line end
            for line in lines { found.append(line.last == 0x0D ? Array(line.dropLast()) : line) }
        }
        return (found, reader.linesRead, reader.bytesRead)
    }

    func testBlocksOfLinesHoldTheLinesHandedOutOneByOne() throws {
        for trial in 0..<40 {
            let bytes = text(lines: 2_000 + random(6_000))
            // A whole file, or a split [start, end) that skips the line it starts inside.
            let start = trial % 2 == 0 ? 0 : random(bytes.count / 2)
            let end = trial % 2 == 0 ? Int64.max : Int64(start + random(bytes.count - start) + 1)
            let byLine = try lines(bytes, start: start, skipping: start > 0, end: end, blocks: false, seed: UInt64(trial))
            XCTAssertGreaterThan(byLine.read, 0)
            for (blocks, inPlace) in [(true, false), (false, true), (true, true)] {
                let other = try lines(bytes, start: start, skipping: start > 0, end: end, blocks: blocks, inPlace: inPlace,
                                      seed: UInt64(trial) + 99)
                let variant = "trial \(trial), blocks \(blocks), in place \(inPlace)"
                XCTAssertEqual(other.lines, byLine.lines, variant)
                XCTAssertEqual(other.read, byLine.read, variant)
                XCTAssertEqual(other.bytesRead, byLine.bytesRead, variant)
            }
        }
    }

    func testALineLongerThanTheLimitIsRefusedInBlocksToo() throws {
        var bytes = text(lines: 3_000)
        bytes += [UInt8](repeating: 0x62, count: 5_000) + [0x0A]
        bytes += text(lines: 100)
        for blocks in [false, true] {
            for inPlace in [false, true] {
                XCTAssertThrowsError(try lines(bytes, start: 0, skipping: false, end: .max, blocks: blocks, inPlace: inPlace,
                                               maxLine: 4_096, seed: 3)) { error in
                    XCTAssertTrue(error is LineReader.LineTooLong, "\(error)")
                }
                XCTAssertNoThrow(try lines(bytes, start: 0, skipping: false, end: .max, blocks: blocks, inPlace: inPlace, maxLine: 5_000, seed: 3))
            }
        }
    }

    func testNewlinesAreCountedAsAByteLoopCountsThem() {
        for trial in 0..<300 {
            let count = random(5_000)
            let oneIn = [2, 9, 200][trial % 3]
            let bytes = (0..<count).map { _ in random(oneIn) == 0 ? UInt8(0x0A) : UInt8(random(256)) }
            let offset = min(count, random(8))
            let expected = Int64(bytes[offset...].filter { $0 == 0x0A }.count)
            XCTAssertEqual(bytes.withUnsafeBytes { countNewlines($0.baseAddress! + offset, count - offset) }, expected)
        }
        let allNewlines = [UInt8](repeating: 0x0A, count: 100_003)
        XCTAssertEqual(allNewlines.withUnsafeBytes { countNewlines($0.baseAddress!, $0.count) }, 100_003)
    }
}
