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
    func testTheSplitSizeIsRaisedOnlyToStayWithinTheTaskLimit() {
        XCTAssertEqual(RunLimits.boundSplitSize(1, inputBytes: 5_000).0, 1)
        XCTAssertNil(RunLimits.boundSplitSize(1, inputBytes: RunLimits.maximumMapTasks).note)
        let (raised, note) = RunLimits.boundSplitSize(1, inputBytes: 10 * RunLimits.maximumMapTasks + 1)
        XCTAssertEqual(raised, 11)
        XCTAssertTrue(note?.contains("--split-size 1 would make more than 100000 map tasks") == true, note ?? "")
    }
}
