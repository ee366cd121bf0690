import Foundation
import TestSupport
import XCTest

/// How `--output` is taken: normalised or refused before any work, one run at a time, never read
/// back as input, and cleaned up whatever signal ends the run.
final class OutputFolderTests: BooksTestCase {
    func testTrailingSlashesAndDotsNameTheSameFolderAndEmptyIsRefusedAtOnce() throws {
        let clean = directory.appendingPathComponent("clean")
        try MR.succeed(["wordcount", books.path, "--output", clean.path])
        for (index, suffix) in ["/", "/.", "//./"].enumerated() {
            let output = directory.appendingPathComponent("out\(index)")
            let run = try MR.succeed(["wordcount", books.path, "--output", output.path + suffix])
            XCTAssertTrue(run.stderr.contains("  output    \(output.path)/part-00000"), run.stderr)
            XCTAssertEqual(try MR.parts(output), try MR.parts(clean))
            // Run again into the same folder: it replaces its own earlier output.
            try MR.succeed(["wordcount", books.path, "--output", output.path + suffix])
        }
        for bad in ["", "/", books.path + "/.."] {
            let refused = try MR.run(["wordcount", books.path, "--output", bad])
            XCTAssertEqual(refused.status, 64, refused.stderr)
            XCTAssertTrue(refused.stderr.contains("names no folder of its own"), refused.stderr)
        }
    }

    func testAnOutputFolderInsideAnInputFolderIsNotReadAsInput() throws {
        let nested = books.appendingPathComponent("counted")
        let first = try MR.succeed(["wordcount", books.path, "--output", nested.path, "--reducers", "2"])
        let second = try MR.succeed(["wordcount", books.path, "--output", nested.path, "--reducers", "2"])
        XCTAssertTrue(second.stderr.contains("warning   skipped '\(nested.path)': the output of an earlier mr run"), second.stderr)
        let inputs = { (summary: String) in summary.split(separator: "\n").first { $0.hasPrefix("  inputs") } }
        XCTAssertEqual(inputs(first.stderr), inputs(second.stderr))
        // Given as an input of its own, an output folder is read (jobs can be chained): its two
        // part files, not its _SUCCESS report.
        let chained = try MR.succeed(["wordcount", nested.path, "--output", directory.appendingPathComponent("chained").path])
        XCTAssertTrue(chained.stderr.contains("  inputs    2 files"), chained.stderr)
    }

    func testASecondRunIntoTheSameOutputIsRefusedWhileTheFirstRuns() throws {
        let output = directory.appendingPathComponent("out")
        let first = try MR.start(["wordcount", books.path, "--output", output.path, "--split-size", "256K"],
                                 environment: ["MR_TEST_TASK_DELAY_MS": "300"], stderrFile: directory.appendingPathComponent("first.log"))
        waitUntil("the first run has a work folder") { workDirectory(forOutput: output) != nil }
        let second = try MR.run(["wordcount", books.path, "--output", output.path])
        XCTAssertEqual(second.status, 73, second.stderr)
        XCTAssertTrue(second.stderr.contains("another mr run (pid \(first.processIdentifier)) is writing '\(output.path)'"), second.stderr)
        first.waitUntilExit()
        XCTAssertEqual(first.terminationStatus, 0)
        XCTAssertEqual(try MR.sortedLines(output), referenceWordCount(try gutenbergBooks(gzippedInto: try directory.appendingPathComponent("again").creatingDirectory())))
        try MR.succeed(["wordcount", books.path, "--output", output.path])  // the lock went with the first run
    }

    /// SIGHUP (the terminal closed) stops a run as SIGTERM does: workers gone, work folder removed.
    func testHangUpStopsTheRunAndRemovesItsWorkFolder() throws {
        let output = directory.appendingPathComponent("out")
        let run = try MR.start(["wordcount", books.path, "--output", output.path, "--split-size", "256K"],
                               environment: ["MR_TEST_TASK_DELAY_MS": "500"], stderrFile: directory.appendingPathComponent("log"))
        waitUntil("a map attempt is running") { attemptStarted("map-", forOutput: output) }
        let workers = childProcesses(of: run.processIdentifier)
        XCTAssertFalse(workers.isEmpty)
        kill(run.processIdentifier, SIGHUP)
        run.waitUntilExit()
        XCTAssertEqual(run.terminationStatus, 129)
        XCTAssertTrue(try String(contentsOf: directory.appendingPathComponent("log"), encoding: .utf8).contains("interrupted by SIGHUP"))
        XCTAssertNil(workDirectory(forOutput: output))
        XCTAssertFalse(FileManager.default.fileExists(atPath: output.path))
        for worker in workers { XCTAssertFalse(isRunning(worker), "worker \(worker) outlived the run") }
    }
}
