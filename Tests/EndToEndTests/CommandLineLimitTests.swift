import Foundation
import TestSupport
import XCTest

/// Every value a user can type is parsed with its range checked: a clear usage error (exit 64)
/// naming the option, never a crash, and empty values are values.
final class CommandLineLimitTests: TemporaryDirectoryTestCase {
    private var input: URL!

    override func setUpWithError() throws {
        try super.setUpWithError()
        input = directory.appendingPathComponent("in.txt")
        try Data("apple pie\napple tart\n".utf8).write(to: input)
    }

    func testHugeNumbersAreUsageErrorsNamingTheOption() throws {
        let output = directory.appendingPathComponent("out").path
        let cases: [([String], String)] = [
            (["wordcount", input.path, "--output", output, "--split-size", "9999999999G"], "--split-size"),
            (["wordcount", input.path, "--output", output, "--memory", "9999999999G"], "--memory"),
            (["wordcount", input.path, "--output", output, "--max-line", "9999999999G"], "--max-line"),
            (["wordcount", input.path, "--output", output, "--memory", "2T"], "--memory must be between 1M and 1T, not 2T"),
            (["wordcount", input.path, "--output", output, "--split-size", "99999999999999999999"], "--split-size"),
            (["wordcount", input.path, "--output", output, "--workers", "99999999999999999999"], "--workers"),
            (["index", input.path, "--span", "9999999999G"], "--span"),
            (["stream", "map", "wordcount", "--max-line", "9999999999G"], "--max-line"),
        ]
        for (arguments, message) in cases {
            let outcome = try MR.run(arguments)
            XCTAssertEqual(outcome.status, 64, "\(arguments): \(outcome.stderr)")
            XCTAssertTrue(outcome.stderr.contains(message), "\(arguments): \(outcome.stderr)")
        }
    }

    func testAnEmptyJobOptionIsAValue() throws {
        let output = directory.appendingPathComponent("out")
        // grep with the empty pattern: every line matches, as with grep ''.
        try MR.succeed(["grep", input.path, "--pattern", "", "--output", output.path])
        XCTAssertEqual(try MR.sortedLines(output, keysUnique: false).count, 2)
    }

    func testAJobCannotTakeTheNameOfACommand() throws {
        let jobs = directory.appendingPathComponent("jobs")
        for name in ["inflate", "new", "jobs", "bench", "stream", "package", "index", "inspect", "run", "help"] {
            let outcome = try MR.run(["new", name], environment: ["MR_JOBS_DIR": jobs.path])
            XCTAssertEqual(outcome.status, 64, outcome.stderr)
            XCTAssertTrue(outcome.stderr.contains("'\(name)' is the name of mr's own command"), outcome.stderr)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: jobs.path))
    }

    /// MR_JOBS_DIR="" is unset: `mr new` writes into ./jobs, not into /.
    func testAnEmptyJobsFolderVariableMeansUnset() throws {
        let outcome = try MR.standardOutput(["new", "tally"], environment: ["MR_JOBS_DIR": ""], currentDirectory: directory)
        XCTAssertEqual(outcome.status, 0, outcome.text)
        XCTAssertTrue(FileManager.default.fileExists(atPath: directory.appendingPathComponent("jobs/tally.swift").path))
        XCTAssertFalse(FileManager.default.fileExists(atPath: "/tally.swift"))
    }
}
