import Foundation
import TestSupport
import XCTest

/// wordcount end to end through the `mr` binary, against references computed here.
final class WordCountTests: XCTestCase {
    func testGutenbergBooksMatchReferenceInEveryModeWorkerCountAndReducerCount() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = directory.appendingPathComponent("books")
        try FileManager.default.createDirectory(at: input, withIntermediateDirectories: true)
        let expected = referenceWordCount(try gutenbergBooks(gzippedInto: input))
        XCTAssertGreaterThan(expected.count, 20_000)

        for reducers in [1, 3, 10] {
            var firstRun: [String: Data]?
            for mode in ["processes", "threads", "sequential"] {
                for workers in [1, 2, 3] {
                    let output = directory.appendingPathComponent("out-\(mode)-\(workers)-\(reducers)")
                    // A small split size gives several map tasks per book file set.
                    try MR.succeed(["wordcount", input.path, "--mode", mode, "--workers", "\(workers)",
                                    "--reducers", "\(reducers)", "--output", output.path, "--split-size", "256K"])
                    XCTAssertEqual(try MR.sortedLines(output), expected, "\(mode) workers=\(workers) R=\(reducers)")
                    let parts = try MR.parts(output)
                    XCTAssertEqual(parts.count, reducers)
                    if let firstRun {
                        XCTAssertEqual(parts, firstRun, "output differs byte for byte: \(mode) workers=\(workers) R=\(reducers)")
                    } else {
                        firstRun = parts
                    }
                }
            }
        }
    }

    func testSummaryReportsCountersAndTopWords() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data("b a b\nc b a\n".utf8).write(to: directory.appendingPathComponent("in.txt"))
        let outcome = try MR.succeed(["wordcount", directory.appendingPathComponent("in.txt").path,
                                      "--output", directory.appendingPathComponent("out").path, "--reducers", "2"])
        XCTAssertTrue(outcome.stderr.contains("input records           2\n"), outcome.stderr)
        XCTAssertTrue(outcome.stderr.contains("map output records      6\n"), outcome.stderr)
        XCTAssertTrue(outcome.stderr.contains("combine output records  3\n"), outcome.stderr)
        XCTAssertTrue(outcome.stderr.contains("output records          3\n"), outcome.stderr)
        XCTAssertTrue(outcome.stderr.contains("  top 3\n    b\t3\n    a\t2\n    c\t1\n"), outcome.stderr)
        XCTAssertTrue(outcome.stderr.contains("1 map, 2 reduce; mode processes"), outcome.stderr)
    }

    func testUnicodeLettersDigitsMarksCRLFAndInvalidBytes() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var text = Data("Café café STRASSE Straße ßtraße\r\n".utf8)
        text += Data("λόγος Λόγος мир Мир 数据 東京\r\n".utf8)
        text += Data("e\u{301}cole naïve abc123def 4th x_y don't\n".utf8)  // combining acute separates
        text += Data([0x61, 0xFF, 0x62, 0x20, 0xC3, 0x28, 0x64, 0x20, 0xE2, 0x82, 0x65, 0x0A])  // a<FF>b, <C3>(d, <E2 82>e
        text += Data([0xED, 0xA0, 0x80, 0x66, 0x20, 0xF0, 0x9F, 0x98, 0x80, 0x67, 0x0A])  // surrogate f, emoji g
        // Valid text enough that the invalid bytes above stay under 1 % of the file: more is
        // not text, and is refused (see FormatTests).
        text += Data(String(repeating: "pad ", count: 250).utf8) + Data("\n".utf8)
        text += Data("end".utf8)  // last line without newline
        let input = directory.appendingPathComponent("in")
        try FileManager.default.createDirectory(at: input, withIntermediateDirectories: true)
        try gzip(text, to: input.appendingPathComponent("unicode.txt.gz"))
        try text.write(to: input.appendingPathComponent("plain.txt"))

        let expected: [String: Int] = [
            "Café": 1, "café": 1, "STRASSE": 1, "Straße": 1, "ßtraße": 1, "λόγος": 1, "Λόγος": 1, "мир": 1,
            "Мир": 1, "数据": 1, "東京": 1, "e": 2, "cole": 1, "naïve": 1, "abc": 1, "def": 1, "th": 1, "x": 1,
            "y": 1, "don": 1, "t": 1, "a": 1, "b": 1, "d": 1, "f": 1, "g": 1, "end": 1, "pad": 250,
        ]
        let expectedLines = expected.map { "\($0.key)\t\($0.value * 2)" }
            .sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        XCTAssertEqual(referenceWordCount([text, text]), expectedLines, "the test's own reference disagrees")
        for mode in ["processes", "threads", "sequential"] {
            let output = directory.appendingPathComponent("out-\(mode)")
            try MR.succeed(["wordcount", input.path, "--mode", mode, "--output", output.path, "--reducers", "3"])
            XCTAssertEqual(try MR.sortedLines(output), expectedLines, mode)
        }
    }
}
