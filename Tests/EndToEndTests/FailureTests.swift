import Foundation
import TestSupport
import XCTest

/// Workers and the coordinator killed with SIGKILL: output identical, nothing left running,
/// nothing that looks complete.
final class FailureTests: TemporaryDirectoryTestCase {
    private var input: URL!

    override func setUpWithError() throws {
        try super.setUpWithError()
        input = directory.appendingPathComponent("books")
        try FileManager.default.createDirectory(at: input, withIntermediateDirectories: true)
        _ = try gutenbergBooks(gzippedInto: input)
    }

    private var arguments: [String] { ["wordcount", input.path, "--workers", "2", "--reducers", "3", "--split-size", "512K"] }
    /// Each attempt pauses after creating its output, so a kill provably lands mid-task.
    private let slowTasks = ["MR_TEST_TASK_DELAY_MS": "300"]

    private func killWorkerDuring(phase prefix: String) throws {
        let reference = directory.appendingPathComponent("reference")
        try MR.succeed(arguments + ["--output", reference.path])

        let output = directory.appendingPathComponent("killed-\(prefix)")
        let log = directory.appendingPathComponent("log-\(prefix)")
        let coordinator = try MR.start(arguments + ["--output", output.path], environment: slowTasks, stderrFile: log)
        waitUntil("a \(prefix) attempt is running") { attemptStarted(prefix, forOutput: output) }
        let workers = childProcesses(of: coordinator.processIdentifier)
        XCTAssertEqual(workers.count, 2, "expected two worker processes")
        kill(workers[0], SIGKILL)
        coordinator.waitUntilExit()

        let stderr = try String(contentsOf: log, encoding: .utf8)
        XCTAssertEqual(coordinator.terminationStatus, 0, stderr)
        XCTAssertTrue(stderr.contains("1 failed attempt re-run"), stderr)
        XCTAssertEqual(try MR.parts(output), try MR.parts(reference))
        XCTAssertEqual(try MR.sortedLines(output), try MR.sortedLines(reference))
    }

    /// One real SIGKILL mid-task; deaths in each phase, at every point of the schedule, are
    /// scripted in SchedulerLoopTests without processes or sleeps.
    func testWorkerKilledDuringMapPhase() throws {
        try killWorkerDuring(phase: "map-")
    }

    func testCoordinatorKilledLeavesNoWorkersAndNoSuccess() throws {
        // An earlier run's output must survive a later run that is killed.
        let output = directory.appendingPathComponent("out")
        try MR.succeed(arguments + ["--output", output.path])
        let before = try MR.parts(output)
        let fresh = directory.appendingPathComponent("fresh")

        for target in [output, fresh] {
            let coordinator = try MR.start(arguments + ["--output", target.path], environment: slowTasks,
                                           stderrFile: directory.appendingPathComponent("log"))
            waitUntil("a map attempt is running") { attemptStarted("map-", forOutput: target) }
            let workers = childProcesses(of: coordinator.processIdentifier)
            XCTAssertEqual(workers.count, 2)
            kill(coordinator.processIdentifier, SIGKILL)
            coordinator.waitUntilExit()
            // They die with it (PR_SET_PDEATHSIG): wait for that, not for a fixed time.
            waitUntil("the workers of the killed coordinator have ended") { !workers.contains(where: isRunning) }
        }
        XCTAssertEqual(try MR.parts(output), before, "the earlier output changed")
        XCTAssertTrue(FileManager.default.fileExists(atPath: output.appendingPathComponent("_SUCCESS").path))
        XCTAssertFalse(FileManager.default.fileExists(atPath: fresh.path), "a killed run left an output directory")

        // Later runs remove the work directories the killed runs abandoned.
        let workDirectories = { try FileManager.default.contentsOfDirectory(atPath: self.directory.path).filter { $0.contains(".mr-work-") } }
        XCTAssertEqual(try workDirectories().count, 2)
        try MR.succeed(arguments + ["--output", fresh.path])
        try MR.succeed(arguments + ["--output", output.path])
        XCTAssertEqual(try workDirectories(), [])
    }

    func testOutputDirectoryNotMadeByMrIsRefusedAndKept() throws {
        let precious = directory.appendingPathComponent("precious")
        try FileManager.default.createDirectory(at: precious, withIntermediateDirectories: true)
        try Data("keep me".utf8).write(to: precious.appendingPathComponent("notes.txt"))
        let outcome = try MR.run(arguments + ["--output", precious.path])
        XCTAssertEqual(outcome.status, 73)
        XCTAssertTrue(outcome.stderr.contains("was not made by mr"), outcome.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: precious.path), ["notes.txt"])
    }

    func testUsageAndInputErrorsHaveDistinctStatuses() throws {
        let unknown = try MR.run(["wordcont", input.path])
        XCTAssertEqual(unknown.status, 64, unknown.stderr)
        XCTAssertTrue(unknown.stderr.contains("Did you mean 'wordcount'?"), unknown.stderr)
        let missing = try MR.run(["wordcount", directory.appendingPathComponent("nope").path, "--output", directory.appendingPathComponent("o").path])
        XCTAssertEqual(missing.status, 66)
        XCTAssertTrue(missing.stderr.contains("nope"), missing.stderr)
        let corrupt = directory.appendingPathComponent("bad/corrupt.txt.gz")
        try FileManager.default.createDirectory(at: corrupt.deletingLastPathComponent(), withIntermediateDirectories: true)
        var bytes = try Data(contentsOf: input.appendingPathComponent("pg-grimm.txt.gz"))
        bytes[bytes.count / 2] ^= 0xFF
        bytes[bytes.count / 2 + 1] ^= 0xFF
        try bytes.write(to: corrupt)
        let bad = try MR.run(["wordcount", corrupt.path, "--output", directory.appendingPathComponent("o").path])
        XCTAssertEqual(bad.status, 65, bad.stderr)
        XCTAssertTrue(bad.stderr.contains("corrupt.txt.gz") && bad.stderr.contains("compressed byte offset"), bad.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory.appendingPathComponent("o").path))
    }
}
