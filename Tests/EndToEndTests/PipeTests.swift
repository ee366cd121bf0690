import Foundation
import TestSupport
import XCTest

/// mr in a pipe and in a chain: standard input as an input (`-`, plain or gzip), the result on
/// standard output (`-o -`, one stream sorted by key), and one run's output folder as the next
/// run's input without its `_SUCCESS` report counted as data.
final class PipeTests: BooksTestCase {
    /// Runs `script` in sh in the books' folder with `$MR` the mr under test; returns stdout.
    private func shell(_ script: String) throws -> String {
        // A temporary folder of the test's own: spooled input and output are looked for there.
        let temporary = try directory.appendingPathComponent("tmp").creatingDirectory().path
        let prelude = "set -e; export MR_CACHE_DIR='\(MR.cache)' TMPDIR='\(temporary)'; MR='\(MR.executable.path)'; cd '\(books.path)'; "
        return String(decoding: try runProgram(["sh", "-c", prelude + script]), as: UTF8.self)
    }

    func testStandardInToStandardOutGivesTheSortedCount() throws {
        let texts = try gutenbergBooksByName(gzippedInto: try directory.appendingPathComponent("again").creatingDirectory())
        let expected = referenceWordCount(texts.map(\.text))
        // Three reducers: the parts are merged by key into one sorted stream.
        let gzipped = try shell("cat *.gz | \"$MR\" wordcount - -o - --reducers 3 --quiet")
        XCTAssertEqual(gzipped.split(separator: "\n").map(String.init), expected, "gzip on standard input")
        let plain = try shell("zcat *.gz | \"$MR\" wordcount - --output - --reducers 2 --quiet")
        XCTAssertEqual(plain, gzipped, "plain text on standard input")
        let head = try shell("zcat *.gz | \"$MR\" wordcount - -o - --quiet | head -3")
        XCTAssertEqual(head.split(separator: "\n").map(String.init), Array(expected.prefix(3)))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("tmp").path), [],
                       "no spooled input or output is left")
    }

    func testAMapOnlyJobStreamsItsLinesInInputOrder() throws {
        let lines = try shell("zcat pg-*.txt.gz | \"$MR\" grep - --pattern 'Baker Street' -o - --quiet")
        let expected = try shell("zcat pg-*.txt.gz | grep -n -F 'Baker Street' | sed 's/^\\([0-9]*\\):/stdin:\\1\\t/'")
        XCTAssertEqual(lines, expected)
        XCTAssertFalse(lines.isEmpty)
    }

    /// The parts of three reducers merged into one stream by their keys unescaped (a tab in a key
    /// is written `\t`, which sorts elsewhere), a key longer than the stream's read buffer
    /// among them; with one reducer the part is copied as it is.
    func testStandardOutMergesThePartsByTheirUnescapedKeys() throws {
        var sums: [[UInt8]: Int] = [:]
        var csv = ""
        func add(_ key: String, _ value: Int) {
            csv += "\"" + key.replacingOccurrences(of: "\"", with: "\"\"") + "\",\(value)\n"
            sums[Array(key.utf8), default: 0] += value
        }
        for number in 0..<3_000 { add("key \(number * 7919 % 3_001)", number % 13) }
        for (index, key) in ["a\tb", "a!", "a\\", "a\\t", "a\\\\", "a", "", "b\r", String(repeating: "z", count: 70_000) + "y"].enumerated() {
            add(key, index + 1)
            add(key, 100)
        }
        try Data(csv.utf8).write(to: directory.appendingPathComponent("table.csv"))
        func escaped(_ key: [UInt8]) -> String {
            String(decoding: key, as: UTF8.self).replacingOccurrences(of: "\\", with: "\\\\")
                .replacingOccurrences(of: "\t", with: "\\t").replacingOccurrences(of: "\r", with: "\\r")
        }
        let expected = sums.keys.sorted { $0.lexicographicallyPrecedes($1) }.map { escaped($0) + "\t\(sums[$0]!)\n" }.joined()
        for reducers in [3, 1] {
            let streamed = try shell("\"$MR\" groupby ../table.csv --format csv --reducers \(reducers) -o - --quiet")
            XCTAssertEqual(streamed, expected, "\(reducers) reducers")
        }
    }

    /// The run summary says where the output went: not to the temporary folders that `-o -`
    /// and a multi-step job's earlier steps write, which are gone once the run is over.
    func testTheSummaryNamesWhereTheOutputWent() throws {
        let streamed = try MR.succeed(["wordcount", books.path, "-o", "-"])
        XCTAssertTrue(streamed.stderr.contains("\n  output    standard output\n"), streamed.stderr)
        XCTAssertFalse(streamed.stderr.contains("part-00000"), streamed.stderr)
        let top = directory.appendingPathComponent("top")
        let chained = try MR.succeed(["topwords", books.path, "-o", top.path]).stderr
        XCTAssertTrue(chained.contains("\n  output    read by the next step\n"), chained)
        XCTAssertTrue(chained.contains("\n  output    \(top.path)/part-00000 .. "), chained)
    }

    /// `mr wordcount in/ -o a/ && mr wordcount a/`: names starting with `_` or `.` in an input
    /// folder are not data (Hadoop's rule), so the report in `a/_SUCCESS` is not counted.
    func testAChainedRunReadsTheOutputButNotItsReport() throws {
        let first = directory.appendingPathComponent("a")
        try MR.succeed(["wordcount", books.path, "-o", first.path])
        let second = directory.appendingPathComponent("b")
        try MR.succeed(["wordcount", first.path, "-o", second.path])
        let parts = try MR.parts(first).sorted { $0.key < $1.key }.map(\.value)
        XCTAssertEqual(try MR.sortedLines(second), referenceWordCount(parts))
    }
}
