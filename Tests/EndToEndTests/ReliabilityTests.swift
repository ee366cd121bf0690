import Foundation
import TestSupport
import XCTest

/// Crashes, hangs, stragglers, interruptions and bad input: nothing lost, and a clear word on
/// what happened.
final class ReliabilityTests: TemporaryDirectoryTestCase {
    private var books: URL!

    override func setUpWithError() throws {
        try super.setUpWithError()
        books = directory.appendingPathComponent("books")
        try FileManager.default.createDirectory(at: books, withIntermediateDirectories: true)
        _ = try gutenbergBooks(gzippedInto: books)
    }

    private func arguments(_ job: String, output: URL) -> [String] {
        [job, books.path, "--workers", "2", "--reducers", "3", "--split-size", "256K", "--output", output.path]
    }

    /// The attempts and tasks of the run that wrote `output`, from its report.
    private func attempts(of output: URL) throws -> (started: Int, failed: Int, backups: Int, committed: Int, tasks: Int) {
        let report = try MR.report(output)
        let attempts = try XCTUnwrap(report["attempts"] as? [String: Int])
        let tasks = try XCTUnwrap(report["tasks"] as? [String: Int])
        return (attempts["started"] ?? -1, attempts["failed"] ?? -1, attempts["backups"] ?? -1, attempts["committed"] ?? -1,
                (tasks["map"] ?? 0) + (tasks["reduce"] ?? 0))
    }

    func testChaosCrashesAndStallsLoseNothingAndCommitEachTaskOnce() throws {
        for job in ["wordcount", "indexer"] {
            let clean = directory.appendingPathComponent("clean-\(job)")
            try MR.succeed(arguments(job, output: clean))
            let chaos = directory.appendingPathComponent("chaos-\(job)")
            let outcome = try MR.succeed(arguments(job, output: chaos) + ["--task-timeout", "2", "--max-attempts", "30"],
                                         environment: ["MR_FAULTS": "crash=0.3,stall=0.05,seed=11,stall-seconds=600"])
            XCTAssertEqual(try MR.parts(chaos), try MR.parts(clean), job)
            // Every task committed exactly once, however many attempts ran.
            let counts = try attempts(of: chaos)
            XCTAssertEqual(counts.committed, counts.tasks, outcome.stderr)
            XCTAssertGreaterThan(counts.failed, 0, outcome.stderr)
            XCTAssertGreaterThan(counts.started, counts.tasks, outcome.stderr)
            XCTAssertTrue(outcome.stderr.contains("killed by signal 9"), outcome.stderr)
        }
    }

    func testExternalKillerEvery200MillisecondsChangesNothing() throws {
        let clean = directory.appendingPathComponent("clean")
        try MR.succeed(arguments("wordcount", output: clean))
        let output = directory.appendingPathComponent("killed")
        let log = directory.appendingPathComponent("log")
        let coordinator = try MR.start(arguments("wordcount", output: output) + ["--max-attempts", "100"],
                                       environment: ["MR_TEST_TASK_DELAY_MS": "100"], stderrFile: log)
        var kills = 0
        while coordinator.isRunning {
            usleep(200_000)
            if let victim = childProcesses(of: coordinator.processIdentifier).randomElement() {
                kill(victim, SIGKILL)
                kills += 1
            }
        }
        let stderr = try String(contentsOf: log, encoding: .utf8)
        XCTAssertEqual(coordinator.terminationStatus, 0, stderr)
        XCTAssertGreaterThan(kills, 2)
        XCTAssertEqual(try MR.parts(output), try MR.parts(clean))
    }

    /// A map attempt that dies leaves no file of its own: map tasks append their spills to their
    /// worker's log, so the work folder holds a log per worker (the dead one's still serving
    /// the tasks it committed), never a file per map task or attempt.
    func testAFailedMapAttemptLeavesNoFileBehind() throws {
        let clean = directory.appendingPathComponent("clean")
        try MR.succeed(arguments("wordcount", output: clean))
        let output = directory.appendingPathComponent("crashed")
        let log = directory.appendingPathComponent("log")
        let coordinator = try MR.start(arguments("wordcount", output: output) + ["--no-speculate"],
                                       environment: ["MR_TEST_TASK_DELAY_MS": "300", "MR_FAULTS": "crash=1,task=map-00002,first-attempt-only"],
                                       stderrFile: log)
        waitUntil("a reduce attempt is running") { attemptStarted("reduce-", forOutput: output) }
        let work = workEntries(forOutput: output) + workEntries(forOutput: output, in: "attempts")
        coordinator.waitUntilExit()
        XCTAssertEqual(work.filter { $0.hasPrefix("map-0") }, [], "files of map tasks or attempts")
        XCTAssertTrue((2...3).contains(work.filter { $0.hasPrefix("maps-") }.count), "\(work)")
        let stderr = try String(contentsOf: log, encoding: .utf8)
        XCTAssertEqual(coordinator.terminationStatus, 0, stderr)
        XCTAssertTrue(stderr.contains("map-00002 attempt 1 failed"), stderr)
        XCTAssertEqual(try MR.parts(output), try MR.parts(clean))
    }

    func testStoppedWorkerIsKilledAfterTheTaskTimeoutAndItsTaskRerun() throws {
        let clean = directory.appendingPathComponent("clean")
        try MR.succeed(arguments("wordcount", output: clean))
        let output = directory.appendingPathComponent("stopped")
        let log = directory.appendingPathComponent("log")
        let coordinator = try MR.start(arguments("wordcount", output: output) + ["--task-timeout", "1", "--no-speculate"],
                                       environment: ["MR_TEST_TASK_DELAY_MS": "300"], stderrFile: log)
        waitUntil("a map attempt is running") { attemptStarted("map-", forOutput: output) }
        let worker = childProcesses(of: coordinator.processIdentifier)[0]
        kill(worker, SIGSTOP)
        coordinator.waitUntilExit()
        let stderr = try String(contentsOf: log, encoding: .utf8)
        XCTAssertEqual(coordinator.terminationStatus, 0, stderr)
        XCTAssertTrue(stderr.contains("worker \(worker) killed after 1.0 s without progress (hung or stopped)"), stderr)
        XCTAssertEqual(try MR.parts(output), try MR.parts(clean))
    }

    /// Ctrl-Z of a run (coordinator and workers stopped) for twice --task-timeout, then `fg`:
    /// the time stopped is no worker's fault, so no attempt fails and the output is the same.
    func testARunStoppedLongerThanTheTaskTimeoutKillsNoWorkerWhenContinued() throws {
        let clean = directory.appendingPathComponent("clean")
        try MR.succeed(arguments("wordcount", output: clean))
        let output = directory.appendingPathComponent("stopped")
        let log = directory.appendingPathComponent("log")
        let coordinator = try MR.start(arguments("wordcount", output: output) + ["--task-timeout", "1.5", "--no-speculate"],
                                       environment: ["MR_TEST_TASK_DELAY_MS": "200"], stderrFile: log)
        waitUntil("a map attempt is running") { attemptStarted("map-", forOutput: output) }
        let group = [coordinator.processIdentifier] + descendants(of: coordinator.processIdentifier)
        for pid in group { kill(pid, SIGSTOP) }
        usleep(3_000_000)
        for pid in group.reversed() { kill(pid, SIGCONT) }
        coordinator.waitUntilExit()
        let stderr = try String(contentsOf: log, encoding: .utf8)
        XCTAssertEqual(coordinator.terminationStatus, 0, stderr)
        XCTAssertEqual(try attempts(of: output).failed, 0, stderr)
        XCTAssertEqual(try MR.parts(output), try MR.parts(clean))
    }

    func testStragglersGetABackupAndOnlyOneCopyIsCommitted() throws {
        let clean = directory.appendingPathComponent("clean")
        try MR.succeed(arguments("wordcount", output: clean))
        let output = directory.appendingPathComponent("straggling")
        // The first attempt of map-00001 stalls (heartbeat alive, no records): only a backup,
        // started once the other worker is idle, can finish it before the 10-minute timeout.
        let outcome = try MR.succeed(arguments("wordcount", output: output) + ["--task-timeout", "600"],
                                     environment: ["MR_FAULTS": "stall=1,task=map-00001,first-attempt-only"])
        XCTAssertEqual(try MR.parts(output), try MR.parts(clean))
        let counts = try attempts(of: output)
        XCTAssertGreaterThan(counts.backups, 0, outcome.stderr)
        XCTAssertEqual(counts.failed, 0, "a stopped loser is cancelled, not failed:\n" + outcome.stderr)
        XCTAssertEqual(counts.committed, counts.tasks, outcome.stderr)
    }

    func testInterruptStopsWorkersRemovesTemporaryFilesAndKeepsEarlierOutput() throws {
        let output = directory.appendingPathComponent("out")
        try MR.succeed(arguments("wordcount", output: output))
        let before = try MR.parts(output)
        for (signal, status) in [(SIGINT, Int32(130)), (SIGTERM, Int32(143))] {
            let log = directory.appendingPathComponent("log")
            let coordinator = try MR.start(arguments("wordcount", output: output), environment: ["MR_TEST_TASK_DELAY_MS": "300"], stderrFile: log)
            waitUntil("a map attempt is running") { attemptStarted("map-", forOutput: output) }
            let workers = childProcesses(of: coordinator.processIdentifier)
            kill(coordinator.processIdentifier, signal)
            coordinator.waitUntilExit()
            let stderr = try String(contentsOf: log, encoding: .utf8)
            XCTAssertEqual(coordinator.terminationReason, .exit)
            XCTAssertEqual(coordinator.terminationStatus, status, stderr)
            XCTAssertTrue(stderr.contains("interrupted by") && stderr.contains("temporary files removed"), stderr)
            for worker in workers { XCTAssertFalse(isRunning(worker), "worker \(worker) survived") }
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.contains(".mr-work-") }
            XCTAssertEqual(leftovers, [])
            XCTAssertEqual(try MR.parts(output), before)
        }
    }
}

extension ReliabilityTests {
    func testResumeAfterTheCoordinatorIsKilledInTheReducePhase() throws {
        let clean = directory.appendingPathComponent("clean")
        try MR.succeed(arguments("wordcount", output: clean))
        let output = directory.appendingPathComponent("resumed")
        let coordinator = try MR.start(arguments("wordcount", output: output), environment: ["MR_TEST_TASK_DELAY_MS": "300"],
                                       stderrFile: directory.appendingPathComponent("log"))
        waitUntil("a reduce attempt is running") { attemptStarted("reduce-", forOutput: output) }
        kill(coordinator.processIdentifier, SIGKILL)
        coordinator.waitUntilExit()
        XCTAssertFalse(FileManager.default.fileExists(atPath: output.path))

        let resumed = try MR.succeed(arguments("wordcount", output: output) + ["--resume"])
        XCTAssertEqual(try MR.parts(output), try MR.parts(clean))
        let counts = try attempts(of: output)
        XCTAssertTrue(resumed.stderr.contains("reused from the killed run"), resumed.stderr)
        XCTAssertLessThanOrEqual(counts.started, 3, "only reduce tasks may run again:\n" + resumed.stderr)
        let report = try MR.report(output)
        XCTAssertGreaterThan((report["attempts"] as? [String: Int])?["reused"] ?? 0, 0)
        // The report still counts the whole input, reused tasks included.
        let inputRecords = { (report: [String: Any]) in (report["counters"] as? [String: Int])?["input records"] }
        XCTAssertEqual(inputRecords(report), inputRecords(try MR.report(clean)))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.contains(".mr-work-") }, [])
    }
}

extension ReliabilityTests {
    /// Killing an idle worker (here: both workers while one map task runs) must not make the
    /// coordinator hand two tasks to one worker and lose one.
    func testKillingIdleAndBusyWorkersTogetherLosesNoTask() throws {
        let text = directory.appendingPathComponent("one.txt")
        try Data((0..<500).map { "word\($0 % 37) other\($0 % 11)\n" }.joined().utf8).write(to: text)
        let common = ["wordcount", text.path, "--workers", "2", "--reducers", "4"]
        let clean = directory.appendingPathComponent("clean")
        try MR.succeed(common + ["--output", clean.path])
        let output = directory.appendingPathComponent("out")
        let log = directory.appendingPathComponent("log")
        let coordinator = try MR.start(common + ["--output", output.path], environment: ["MR_TEST_TASK_DELAY_MS": "500"],
                                       stderrFile: log)
        waitUntil("the map attempt is running") { attemptStarted("map-", forOutput: output) }
        for worker in childProcesses(of: coordinator.processIdentifier) { kill(worker, SIGKILL) }
        waitUntil("the run ends", seconds: 60) { !coordinator.isRunning }
        if coordinator.isRunning { kill(coordinator.processIdentifier, SIGKILL) }
        coordinator.waitUntilExit()
        let stderr = try String(contentsOf: log, encoding: .utf8)
        XCTAssertEqual(coordinator.terminationStatus, 0, stderr)
        XCTAssertEqual(try MR.parts(output), try MR.parts(clean))
    }
}
