import Foundation
import TestSupport
import XCTest

/// A job of several steps (`nextSteps`, as mrjob's `steps()`) runs as one `mr NAME`, each step
/// over the output of the one before, only the last step's output written.
final class MultiStepTests: BooksTestCase {
    func testTopwordsCountsThenKeepsTheMostFrequent() throws {
        let texts = try gutenbergBooks(gzippedInto: try directory.appendingPathComponent("again").creatingDirectory())
        var counts: [String: Int] = [:]
        for text in texts { for word in referenceWords(text) { counts[word, default: 0] += 1 } }
        let top = counts.sorted { $0.value != $1.value ? $0.value > $1.value : Array($0.key.utf8).lexicographicallyPrecedes(Array($1.key.utf8)) }
            .prefix(12)
        let expected = sortedCountLines(Dictionary(uniqueKeysWithValues: top.map { ($0.key, $0.value) }))
        let temporary = try directory.appendingPathComponent("tmp").creatingDirectory()
        for mode in ["processes", "threads"] {
            let output = directory.appendingPathComponent("top-\(mode)")
            let run = try MR.succeed(["topwords", books.path, "--n", "12", "--mode", mode, "--reducers", "3", "-o", output.path],
                                     environment: ["TMPDIR": temporary.path])
            XCTAssertEqual(try MR.sortedLines(output), expected, mode)
            XCTAssertTrue(run.stderr.contains("step 1 of 2:") && run.stderr.contains("step 2 of 2:"), run.stderr)
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: temporary.path), [], "the first step's output is removed")
    }

    /// Through `mr stream`: `steps` names each step's parts, `--step N` runs one, and the two
    /// pipelines one after the other (as a wrapper runs them) equal `mr topwords`.
    func testStreamingRunsEachStepOfAJobOfSeveralSteps() throws {
        let listed = try MR.standardOutput(["stream", "steps", "topwords", "--n", "7"])
        XCTAssertEqual(listed.status, 0)
        XCTAssertEqual(listed.text, "map combine reduce\nmap reduce\n")
        let mr = "'\(MR.executable.path)'"
        let script = "set -e; export MR_CACHE_DIR='\(MR.cache)'; cd '\(books.path)'; "
            + "for f in *.gz; do zcat $f | \(mr) stream map topwords --n 7; done | LC_ALL=C sort | \(mr) stream combine topwords --n 7"
            + " | \(mr) stream reduce topwords --n 7"
            + " | \(mr) stream map topwords --n 7 --step 2 | LC_ALL=C sort | \(mr) stream reduce topwords --n 7 --step 2"
        let streamed = String(decoding: try runProgram(["sh", "-c", script]), as: UTF8.self)
        let output = directory.appendingPathComponent("local")
        try MR.succeed(["topwords", books.path, "--n", "7", "--output", output.path])
        XCTAssertEqual(streamed.split(separator: "\n").map(String.init), try MR.sortedLines(output))
        let refused = try MR.run(["stream", "map", "topwords", "--step", "3"])
        XCTAssertEqual(refused.status, 64, refused.stderr)
        XCTAssertTrue(refused.stderr.contains("job topwords has 2 steps, not a step 3"), refused.stderr)
    }
}
