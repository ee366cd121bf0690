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

    func testStreamingRefusesAJobOfSeveralSteps() throws {
        let outcome = try MR.run(["stream", "map", "topwords"])
        XCTAssertEqual(outcome.status, 64, outcome.stderr)
        XCTAssertTrue(outcome.stderr.contains("job topwords has 2 steps, and mr stream runs a job of one step"), outcome.stderr)
    }
}
