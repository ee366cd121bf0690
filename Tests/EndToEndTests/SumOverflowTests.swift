import Foundation
import TestSupport
import XCTest

/// Sums are Int64: a sum past its range is exit 65 naming the key, on the map side (the
/// combiner), the reduce side (`values.sum()`) and in `mr stream`, never a wrapped number.
final class SumOverflowTests: TemporaryDirectoryTestCase {
    /// A job emitting each line's number under the key `total` (and `small` 1), with or
    /// without the `.sum` combiner.
    private func totalJob(combining: Bool) throws -> URL {
        let file = directory.appendingPathComponent("total-\(combining).swift")
        try """
            import MapReduce
            public struct Total: Job {
                public static let name = "total"
                public static let summary = "The sum of the numbers on the lines"
                public static let combiner: Combiner? = \(combining ? ".sum" : "nil")
                public init(options: JobOptions) {}
                public func map(_ record: Record, _ output: MapOutput) {
                    output.emit(Array("total".utf8).withUnsafeBytes { $0 }, Int64(String(decoding: record.bytes, as: UTF8.self))!)
                    output.emit(Array("small".utf8).withUnsafeBytes { $0 }, 1)
                }
                public func reduce(_ key: ByteSlice, _ values: inout ReduceValues, _ output: ReduceOutput) {
                    output.emit(key, values.sum())
                }
            }
            """.write(to: file, atomically: true, encoding: .utf8)
        return file
    }

    private func files(_ contents: [String]) throws -> URL {
        let folder = try directory.appendingPathComponent("in-\(UUID().uuidString)").creatingDirectory()
        for (number, text) in contents.enumerated() {
            try Data(text.utf8).write(to: folder.appendingPathComponent("part-\(number).txt"))
        }
        return folder
    }

    func testASumPastInt64IsBadInputNamingTheKey() throws {
        let half = Int64.max / 2 + 1
        let cases: [(combining: Bool, files: [String], mode: String)] = [
            (true, ["\(half)\n\(half)\n"], "processes"),     // within one map task: the combiner
            (true, ["\(half)\n", "\(half)\n"], "processes"),  // across map tasks: reduce's values.sum()
            (false, ["\(half)\n\(half)\n"], "threads"),
            (true, ["-\(half)\n-\(half)\n-1\n"], "sequential"),  // below Int64.min
        ]
        for (number, (combining, contents, mode)) in cases.enumerated() {
            let output = directory.appendingPathComponent("out-\(number)")
            let outcome = try MR.run([try totalJob(combining: combining).path, try files(contents).path, "--mode", mode,
                                      "--split-size", "1", "--output", output.path])
            XCTAssertEqual(outcome.status, 65, "case \(number): \(outcome.stderr)")
            XCTAssertTrue(outcome.stderr.contains("the sum of the values of key 'total' passes the range of Int64"), "case \(number): \(outcome.stderr)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: output.path), "no output for a wrong sum")
        }
        // At the edge: exactly Int64.max is a sum, not an overflow.
        let output = directory.appendingPathComponent("edge")
        try MR.succeed([try totalJob(combining: true).path, try files(["\(Int64.max - 1)\n", "1\n"]).path, "--output", output.path])
        XCTAssertEqual(try MR.sortedLines(output), ["small\t2", "total\t\(Int64.max)"])
    }

    func testStreamCombineAndReduceRefuseAnOverflowingSum() throws {
        for step in ["combine", "reduce"] {
            let outcome = try MR.run(["-c", "printf 'a\\t1\\nb\\t9223372036854775807\\nb\\t1\\n' | \"$0\" stream \(step) wordcount",
                                      MR.executable.path], program: "/bin/sh")
            XCTAssertEqual(outcome.status, 65, outcome.stderr)
            XCTAssertTrue(outcome.stderr.contains("the sum of the values of key 'b' passes the range of Int64"), outcome.stderr)
        }
    }
}
