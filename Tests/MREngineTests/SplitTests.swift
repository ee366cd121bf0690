import Foundation
import MapReduce
@testable import MRBase
@testable import MRInput
import TestSupport
import XCTest

/// Lines and splits: each line read by exactly one split, small files packed, large ones cut.
final class SplitTests: UnitTestCase {
    func testLineReaderGivesEachLineToExactlyOneSplit() throws {
        let text = "first\r\nsecond line\n\nfourth\nlast without newline"
        let path = directory.appendingPathComponent("lines.txt").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        let size = Int64(text.utf8.count)
        for splitSize in 1...size {
            var lines: [String] = []
            var start: Int64 = 0
            while start < size {
                let end = min(start + splitSize, size)
                let source = try PlainFileSource(path: path, from: max(start - 1, 0))
                let firstLine = start > 0 ? try countNewlines(in: path, before: start - 1) + 1 : 1
                try LineReader(capacity: 4).forEachLine(of: source, from: max(start - 1, 0), skippingFirstLine: start > 0,
                                                         end: end, firstLineNumber: firstLine) { line, _, number in
                    lines.append("\(number) " + String(decoding: line, as: UTF8.self))
                }
                start = end
            }
            XCTAssertEqual(lines, ["1 first", "2 second line", "3 ", "4 fourth", "5 last without newline"], "split size \(splitSize)")
        }
    }

    func testSplitPlannerPacksSmallFilesAndCutsLargeOnes() {
        let files = (0..<10).map { InputEntry(path: "f\($0)", name: "f\($0)", size: 100, compression: .none) }
            + [InputEntry(path: "big", name: "big", size: 1000, compression: .none),
               InputEntry(path: "z.gz", name: "z.gz", size: 50, compression: .gzip)]
        XCTAssertEqual(SplitPlanner.splits(for: files, targetSize: 300).count, 5, "pieces of a file are at least 64K: big stays whole, beside f9")
        let splits = SplitPlanner.splits(for: files, targetSize: 300, minimumPiece: 1)
        // f0-f2 | f3-f5 | f6-f8 | f9 + big[0,200) | big[200,500) | big[500,800) | big[800,1000) | z.gz
        // (z.gz weighs 150 as gzip inflates about threefold: it does not fit beside 200 bytes).
        XCTAssertEqual(splits.map { $0.pieces.count }, [3, 3, 3, 2, 1, 1, 1, 1])
        // Every byte of every file is in exactly one piece.
        for (index, file) in files.enumerated() {
            let pieces = splits.flatMap(\.pieces).filter { $0.fileIndex == index }
            guard !file.isGzip else {
                XCTAssertEqual(pieces.map(\.kind), [.wholeCompressed])
                continue
            }
            let ranges = pieces.compactMap { piece -> (Int64, Int64)? in
                guard case .plainRange(let start, let end) = piece.kind else { return nil }
                return (start, end)
            }
            XCTAssertEqual(ranges.count, pieces.count, "plain files are cut into ranges")
            XCTAssertEqual(ranges.first?.0, 0)
            XCTAssertEqual(ranges.last?.1, file.size)
            XCTAssertTrue(zip(ranges, ranges.dropFirst()).allSatisfy { $0.1 == $1.0 })
        }
    }
}

extension SplitTests {
    /// A file split at its index's points is cut into about equal splits, as many as the target
    /// size gives (a multiple of the workers once there are that many), each weighed by its
    /// text, the last one too (it ends where the index says the text does), so that larger
    /// splits are handed out first whatever the compression ratio.
    func testIndexedSplitsAreAboutEqualAndWeighTheirTextTheLastOneToo() {
        let megabyte: Int64 = 1 << 20
        let points = (0..<40).map { (offset: Int64) in
            GzipIndex.AccessPoint(compressedOffset: offset * megabyte / 100, bits: 0, uncompressedOffset: offset * megabyte,
                                  linesBefore: 0, window: [UInt8](repeating: 0, count: GzipIndex.windowSize))
        }
        for (textSize, workers, count) in [(35 * megabyte, 1, 4), (40 * megabyte, 1, 4), (34 * megabyte, 1, 3), (34 * megabyte, 2, 4),
                                           (25 * megabyte, 2, 4), (14 * megabyte, 2, 1), (5 * megabyte, 2, 1), (34 * megabyte, 4, 3)] {
            let index = GzipIndex(stamp: GzipIndex.Stamp(size: megabyte, modified: 0, trailer: []),
                                  points: points.filter { $0.uncompressedOffset < textSize }, uncompressedSize: textSize, members: 1)
            let file = InputEntry(path: "/big.gz", name: "big.gz", size: megabyte, compression: .gzip)  // "3 MB" by the estimate
            let splits = SplitPlanner.splits(for: [file], targetSize: 10 * megabyte, workers: workers, indexes: [0: index])
            let sizes = splits.map { $0.pieces[0].estimatedSize(in: file) }
            XCTAssertEqual(sizes.count, count, "\(textSize), \(workers) workers")
            XCTAssertEqual(sizes.reduce(0, +), textSize)
            XCTAssertLessThanOrEqual(sizes.max()! - sizes.min()!, 2 * megabyte, "\(sizes)")
            guard case .indexed(_, _, let end) = splits.last!.pieces[0].kind else { return XCTFail("not indexed") }
            XCTAssertEqual(end, textSize)
        }
    }

    func testTheSplitSizeIsRaisedOnlyToStayWithinTheTaskLimit() {
        XCTAssertEqual(RunLimits.boundSplitSize(1, inputBytes: 5_000).0, 1)
        XCTAssertNil(RunLimits.boundSplitSize(1, inputBytes: RunLimits.maximumMapTasks).note)
        let (raised, note) = RunLimits.boundSplitSize(1, inputBytes: 10 * RunLimits.maximumMapTasks + 1)
        XCTAssertEqual(raised, 11)
        XCTAssertTrue(note?.contains("--split-size 1 would make more than 100000 map tasks") == true, note ?? "")
    }
}
