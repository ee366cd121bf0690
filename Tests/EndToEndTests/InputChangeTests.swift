import Foundation
import TestSupport
import XCTest

/// Inputs that change under a run, or are not files: never a wrong answer marked done, never a
/// file left out without a word.
final class InputChangeTests: TemporaryDirectoryTestCase {
    private var input: URL!
    private var texts: [(name: String, text: Data)] = []

    override func setUpWithError() throws {
        try super.setUpWithError()
        input = try directory.appendingPathComponent("books").creatingDirectory()
        // Plain text, so that a word can be changed in place, keeping the file's size.
        let gzipped = try directory.appendingPathComponent("gz").creatingDirectory()
        texts = try gutenbergBooksByName(gzippedInto: gzipped).map { (String($0.name.dropLast(3)), $0.text) }
        for (name, text) in texts { try text.write(to: input.appendingPathComponent(name)) }
    }

    private func arguments(output: URL) -> [String] {
        ["wordcount", input.path, "--workers", "2", "--reducers", "3", "--split-size", "256K", "--output", output.path]
    }

    /// Kills a run once every map task has committed (a reduce attempt runs).
    private func killAfterTheMapPhase(output: URL) throws {
        let coordinator = try MR.start(arguments(output: output), environment: ["MR_TEST_TASK_DELAY_MS": "300"],
                                       stderrFile: directory.appendingPathComponent("killed.log"))
        waitUntil("a reduce attempt is running") { attemptStarted("reduce-", forOutput: output) }
        kill(coordinator.processIdentifier, SIGKILL)
        coordinator.waitUntilExit()
    }

    /// Replaces "Holmes" with "Watson" throughout one book: same size, other words.
    private func editKeepingTheSize() throws -> URL {
        let book = input.appendingPathComponent("pg-sherlock_holmes.txt")
        let text = try String(contentsOf: book, encoding: .utf8)
        let edited = text.replacingOccurrences(of: "Holmes", with: "Watson")
        XCTAssertNotEqual(text, edited)
        try edited.write(to: book, atomically: false, encoding: .utf8)
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: book.path)[.size] as? Int, text.utf8.count)
        return book
    }

    func testResumeAfterAnInputWasEditedKeepingItsSizeRedoesTheWork() throws {
        let output = directory.appendingPathComponent("out")
        try killAfterTheMapPhase(output: output)
        _ = try editKeepingTheSize()
        let resumed = try MR.succeed(arguments(output: output) + ["--resume"])
        XCTAssertFalse(resumed.stderr.contains("reused from the killed run"), resumed.stderr)
        let expected = referenceWordCount(try texts.map { try Data(contentsOf: input.appendingPathComponent($0.name)) })
        XCTAssertEqual(try MR.sortedLines(output), expected)
    }

    func testResumeWillNotAdoptAWorkFolderOfAnotherUser() throws {
        try requireRoot("gives the work folder to user nobody")
        let output = directory.appendingPathComponent("out")
        try killAfterTheMapPhase(output: output)
        let work = try XCTUnwrap(workDirectory(forOutput: output))
        try runProgram(["chown", "-R", "65534:65534", work.path])
        let outcome = try MR.run(arguments(output: output) + ["--resume"])
        XCTAssertEqual(outcome.status, 73, outcome.stderr)
        XCTAssertTrue(outcome.stderr.contains("will not resume from '\(work.path)': it belongs to user 65534"), outcome.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: output.path))
    }

    /// Waits for `run`: exit 65 with `message` and no output, or, `skipping` bad input, exit 0
    /// with the file skipped once (each of its splits may meet the change) and the same message.
    private func assertBadInput(_ run: Process, log: URL, output: URL, skipping: Bool, message: String,
                                file: StaticString = #filePath, line: UInt = #line) throws {
        run.waitUntilExit()
        let stderr = try String(contentsOf: log, encoding: .utf8)
        XCTAssertEqual(run.terminationStatus, skipping ? 0 : 65, stderr, file: file, line: line)
        XCTAssertTrue(stderr.contains((skipping ? "warning   skipped the rest of " : "mr: error: ") + message), stderr, file: file, line: line)
        XCTAssertEqual(stderr.contains("bad input files skipped 1\n"), skipping, stderr, file: file, line: line)
        XCTAssertEqual(FileManager.default.fileExists(atPath: output.path), skipping, file: file, line: line)
    }

    /// A plain input cut short after the run was planned: exit 65 naming it, or, with
    /// --skip-bad-input, left out with a warning.
    func testAPlainInputThatShrinksDuringTheRunIsBadInput() throws {
        let book = input.appendingPathComponent("pg-huckleberry_finn.txt")
        for skipping in [false, true] {
            try texts.first { $0.name == "pg-huckleberry_finn.txt" }!.text.write(to: book)
            let output = directory.appendingPathComponent("out-\(skipping)")
            let log = directory.appendingPathComponent("log-\(skipping)")
            // One worker, each task waiting 300 ms before it reads: the file shrinks after
            // planning and before most tasks read it.
            let run = try MR.start(arguments(output: output) + ["--workers", "1"] + (skipping ? ["--skip-bad-input"] : []),
                                   environment: ["MR_TEST_TASK_DELAY_MS": "300"], stderrFile: log)
            waitUntil("a map attempt is running") { attemptStarted("map-", forOutput: output) }
            try FileHandle(forWritingTo: book).truncate(atOffset: 100_000)
            try assertBadInput(run, log: log, output: output, skipping: skipping, message: "\(book.path): is 100000 bytes long, not the")
        }
    }

    /// A plain input that grows while a task reads it (the task stalls 2 s mid-file, and the file
    /// grows meanwhile): exit 65 naming it (or, with --skip-bad-input, a counted skip), never
    /// the text cut at the planned size and marked done.
    func testAnInputThatGrowsWhileATaskReadsItIsBadInput() throws {
        let folder = try directory.appendingPathComponent("growing").creatingDirectory()
        let book = folder.appendingPathComponent("book.txt")
        for skipping in [false, true] {
            try texts[0].text.write(to: book)
            let output = directory.appendingPathComponent("grown-\(skipping)")
            let log = directory.appendingPathComponent("grown-log-\(skipping)")
            let run = try MR.start(["wordcount", book.path, "--workers", "1", "--split-size", "1G", "--no-speculate", "--output", output.path]
                                   + (skipping ? ["--skip-bad-input"] : []),
                                   environment: ["MR_FAULTS": "stall=1,stall-seconds=2,task=map-00000"], stderrFile: log)
            waitUntil("the map attempt is running") { attemptStarted("map-", forOutput: output) }
            usleep(500_000)
            let handle = try FileHandle(forWritingTo: book)
            try handle.seekToEnd()
            try handle.write(contentsOf: Data("appended while mr reads\n".utf8))
            try handle.close()
            try assertBadInput(run, log: log, output: output, skipping: skipping, message: "\(book.path): changed while mr read it")
        }
    }

    /// A pipe or a broken link in an input folder is not read, and the run says so, even --quiet.
    func testWhatIsNotAFileInAnInputFolderIsNamedInAWarning() throws {
        let fifo = input.appendingPathComponent("a-pipe")
        XCTAssertEqual(mkfifo(fifo.path, 0o644), 0)
        let link = input.appendingPathComponent("a-broken-link")
        try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: directory.appendingPathComponent("nothing").path)
        let output = directory.appendingPathComponent("out")
        let run = try MR.succeed(arguments(output: output))
        XCTAssertTrue(run.stderr.contains("warning   skipped '\(fifo.path)': not a regular file (a pipe, socket or device)"), run.stderr)
        XCTAssertTrue(run.stderr.contains("warning   skipped '\(link.path)': a symbolic link to nothing"), run.stderr)
        XCTAssertFalse(run.stderr.contains("bad input files skipped"), "nothing was bad input: \(run.stderr)")
        let quiet = try MR.succeed(arguments(output: output) + ["--quiet"])
        XCTAssertEqual(quiet.stderr.split(separator: "\n").sorted(), [
            "mr: warning: skipped '\(link.path)': a symbolic link to nothing",
            "mr: warning: skipped '\(fifo.path)': not a regular file (a pipe, socket or device)",
        ])
        XCTAssertEqual(try MR.sortedLines(output), referenceWordCount(texts.map(\.text)))
    }
}
