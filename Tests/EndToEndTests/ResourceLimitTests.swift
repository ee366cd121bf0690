import Foundation
import TestSupport
import XCTest

/// Requests beyond what the machine or the input can use are bounded, with a note, not obeyed.
final class ResourceLimitTests: TemporaryDirectoryTestCase {
    func testWorkersReducersAndSplitSizeAreBoundedWithANote() throws {
        let books = try directory.appendingPathComponent("books").creatingDirectory()
        let texts = try gutenbergBooks(gzippedInto: books)
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let output = directory.appendingPathComponent("out")
        let run = try MR.succeed(["wordcount", books.path, "--workers", "10000", "--reducers", "100000", "--split-size", "1",
                                  "--output", output.path])
        XCTAssertTrue(run.stderr.contains("mr: note: --workers 10000 is more than 4 per core on \(cores) cores; using \(4 * cores)\n"), run.stderr)
        XCTAssertEqual((try MR.report(output)["tasks"] as? [String: Int])?["map"], 8, "one task per .gz file at --split-size 1")
        // 3.3 MB of text: at most one reducer per MiB, but 64 (or 4 per core) are always allowed.
        let reducers = max(4 * cores, 64)
        XCTAssertTrue(run.stderr.contains("mr: note: --reducers 100000 is more than \(reducers) for 3 MB of input"), run.stderr)
        XCTAssertTrue(run.stderr.contains("mode processes, \(4 * cores) workers"), run.stderr)
        XCTAssertEqual(try MR.parts(output).count, reducers)
        XCTAssertEqual(try MR.sortedLines(output), referenceWordCount(texts))
    }
}

extension ResourceLimitTests {
    private func mapTasks(_ output: URL) throws -> Int? {
        (try MR.report(output)["tasks"] as? [String: Int])?["map"]
    }

    /// A CPU-heavy map over a few small files: --split-size 1 packs none of them together.
    func testTinyFilesAreOneTaskEachAtTheSmallestSplitSize() throws {
        let input = try directory.appendingPathComponent("items").creatingDirectory()
        for number in 0..<8 { try Data("item \(number)\n".utf8).write(to: input.appendingPathComponent("f\(number).txt")) }
        let output = directory.appendingPathComponent("out")
        try MR.succeed(["wordcount", input.path, "--split-size", "1", "--output", output.path])
        XCTAssertEqual(try mapTasks(output), 8)
        XCTAssertEqual(try MR.sortedLines(output), ["item\t8"])
    }

    /// --lines-per-task cuts a plain file at its lines: 100 lines, 10 a task, 10 tasks, each line
    /// read once with its own line number.
    func testLinesPerTaskCutsAPlainFileAtItsLines() throws {
        let file = directory.appendingPathComponent("work.txt")
        let lines = (1...100).map { "work item \($0)" }
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: file)
        let output = directory.appendingPathComponent("out")
        try MR.succeed(["grep", file.path, "--pattern", "item", "--lines-per-task", "10", "--output", output.path])
        XCTAssertEqual(try mapTasks(output), 10)
        let expected = lines.enumerated().map { "work.txt:\($0.offset + 1)\t\($0.element)" }
        XCTAssertEqual(try MR.sortedLines(output, keysUnique: false), expected.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) })

        let gzipped = directory.appendingPathComponent("work.txt.gz")
        try gzip(Data("a\n".utf8), to: gzipped)
        let refused = try MR.run(["grep", gzipped.path, "--pattern", "a", "--lines-per-task", "10", "--output", output.path])
        XCTAssertEqual(refused.status, 64, refused.stderr)
        XCTAssertTrue(refused.stderr.contains("'\(gzipped.path)' is gzip"), refused.stderr)
    }

    /// More sorted runs per partition than open files allowed: reduce merges them in passes.
    func testReduceMergesMoreRunsThanTheOpenFileLimitAllows() throws {
        let books = try directory.appendingPathComponent("books").creatingDirectory()
        _ = try gutenbergBooks(gzippedInto: books)
        let whole = directory.appendingPathComponent("whole")
        try MR.succeed(["ngrams", books.path, "--reducers", "2", "--output", whole.path])
        let output = directory.appendingPathComponent("many-runs")
        let run = try MR.run(["-c", "ulimit -n 100; exec \"$0\" \"$@\"", MR.executable.path, "ngrams", books.path,
                              "--reducers", "2", "--memory", "1M", "--output", output.path], program: "/bin/sh")
        XCTAssertEqual(run.status, 0, run.stderr)
        let runs = run.stderr.split(separator: "\n").first { $0.contains("spills") }?.split(separator: " ").last.flatMap { Int($0) } ?? 0
        XCTAssertGreaterThan(runs, 100, "each partition (a file per run) must have more runs than open files: \(run.stderr)")
        XCTAssertEqual(try MR.parts(output), try MR.parts(whole))
    }
}

extension ResourceLimitTests {
    /// Map tasks append their spills, each holding every partition behind an index, to their
    /// worker's log: the work folder holds a file per worker, not one per map task (M) nor one
    /// per map task and reducer (M x R, 64 reducers here).
    func testMapTasksWriteOneLogPerWorkerWhateverTheTasksAndReducers() throws {
        let books = try directory.appendingPathComponent("books").creatingDirectory()
        let texts = try gutenbergBooks(gzippedInto: books)
        let output = directory.appendingPathComponent("out")
        let arguments = ["wordcount", books.path, "--reducers", "64", "--split-size", "256K", "--workers", "2", "--output", output.path]
        // The first reduce task stalls, so the committed map outputs can be looked at.
        let log = directory.appendingPathComponent("log")
        let coordinator = try MR.start(arguments, environment: ["MR_FAULTS": "stall=1,task=reduce-00000"], stderrFile: log)
        defer { if coordinator.isRunning { coordinator.terminate() } }
        try waitUntil("the first reduce task starts") { attemptStarted("reduce-00000", forOutput: output) }
        let work = workEntries(forOutput: output)
        XCTAssertGreaterThanOrEqual(journaledTasks(forOutput: output).filter { $0.hasPrefix("map-") }.count, 8, "a book a task at least")
        XCTAssertEqual(work.filter { $0.hasPrefix("map-0") }, [], "files of map tasks")
        XCTAssertEqual(work.filter { $0.hasPrefix("maps-") }.count, 2, "\(work)")
        coordinator.terminate()
        coordinator.waitUntilExit()

        try MR.succeed(arguments)
        XCTAssertEqual(try MR.parts(output).count, 64)
        XCTAssertEqual(try MR.sortedLines(output), referenceWordCount(texts))
    }
}
