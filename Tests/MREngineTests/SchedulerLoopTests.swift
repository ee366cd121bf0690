import Foundation
@testable import MRBase
@testable import MRSystem
@testable import MRInput
@testable import MROutput
@testable import MRReport
@testable import MRWorkers
@testable import MREngine
import TestSupport
import XCTest

/// A worker pool that runs nothing: each attempt does what the test scripts for it, and the pool
/// reports it as a real pool would. No processes, no threads, no sleeps; time is a number the
/// pool advances by one second at each tick.
private final class ScriptedPool: WorkerPool {
    enum Behavior {
        case succeed
        case fail(retryable: Bool)
        case die
        /// Runs until cancelled; then, if `late`, still reports a success (a thread cannot be stopped).
        case hang(late: Bool)
    }

    let size: Int
    let canStopAttempts = true
    var now = 0.0
    /// What each attempt does; an attempt not named succeeds.
    var script: [TaskAssignment: Behavior] = [:]
    /// What happened, in order: `start map-00000 attempt 1 on 0`, `cancel 1`.
    private(set) var log: [String] = []
    private var events: [WorkerEvent] = []
    private var hanging: [Int: (TaskAssignment, late: Bool)] = [:]
    private let plan: RunPlan

    init(size: Int, plan: RunPlan) {
        self.size = size
        self.plan = plan
    }

    func start(_ assignment: TaskAssignment, on worker: Int) throws {
        log.append("start \(assignment) on \(worker)")
        switch script[assignment] ?? .succeed {
        case .succeed:
            var report = try writeOutput(assignment)
            report.counters.inputRecords = 1
            events.append(.finished(worker: worker, assignment, .success(report)))
        case .fail(let retryable):
            events.append(.finished(worker: worker, assignment, .failure(TaskFailure(retryable: retryable, error: MRError(.badInput, "bad \(assignment)")))))
        case .die:
            events.append(.died(worker: worker, assignment, reason: "worker \(worker) killed"))
        case .hang(let late):
            hanging[worker] = (assignment, late)
        }
    }

    func nextEvent() throws -> WorkerEvent {
        if !events.isEmpty { return events.removeFirst() }
        guard !hanging.isEmpty else { throw MRError(.internal, "the loop waited with nothing running") }
        now += 1
        return .tick
    }

    func cancel(worker: Int) {
        log.append("cancel \(worker)")
        guard let (assignment, late) = hanging.removeValue(forKey: worker) else { return }
        if late, let report = try? writeOutput(assignment) {
            events.append(.finished(worker: worker, assignment, .success(report)))
        } else {
            events.append(.died(worker: worker, assignment, reason: "stopped"))
        }
    }

    /// The attempt's output, saying which attempt it came from: a reduce attempt's file, or a
    /// map attempt's log (one per attempt here) and the report that places it there.
    private func writeOutput(_ assignment: TaskAssignment) throws -> TaskReport {
        var report = TaskReport()
        if plan.hasAttemptFile(assignment.task) {
            try FileSystem.writeFile(plan.attemptPath(assignment), "\(assignment)")
        } else {
            let log = "maps-\(assignment.task).a\(assignment.attempt)"
            try FileSystem.writeFile(plan.workDirectory + "/" + log, "\(assignment)")
            report.mapOutput = MapOutputPlace(log: log, spillEnds: [Int64("\(assignment)".utf8.count)])
        }
        return report
    }

    func shutdown() {}
    func progress(of worker: Int) -> TaskProgress { TaskProgress() }
    var waker: @Sendable () -> Void { {} }
}

/// The coordinator's loop driven through deaths, failures, stragglers, late results and resume,
/// asserting the exact attempts it starts and what it commits.
final class SchedulerLoopTests: XCTestCase {
    private var work: String!

    override func setUpWithError() throws {
        work = FileManager.default.temporaryDirectory.appendingPathComponent("scheduler-loop-\(UUID().uuidString)").path
        try FileSystem.makeDirectories(work + "/attempts")
        try FileSystem.makeDirectory(work + "/output")
    }

    override func tearDownWithError() throws {
        FileSystem.removeTree(work)
    }

    private func plan(maps: Int, reduces: Int) -> RunPlan {
        let file = InputEntry(path: "/input.txt", name: "input.txt", size: Int64(maps), compression: .none)
        return RunPlan(jobName: "test", jobLibrary: "", jobOptions: [:], isMapOnly: false, skipBadInput: false,
                       memoryPerWorker: 1 << 20, maxLineLength: 1 << 20, inflater: .isal, files: [file],
                       splits: (0..<maps).map { Split(pieces: [InputPiece(fileIndex: 0, kind: .plainRange(start: Int64($0), end: Int64($0 + 1)))]) },
                       reducers: reduces, workDirectory: work)
    }

    private func loop(_ plan: RunPlan, _ pool: ScriptedPool, maxAttempts: Int = 4) -> SchedulerLoop {
        SchedulerLoop(plan: plan, pool: pool, journal: Journal(path: work + "/journal"),
                result: RunResult(files: plan.files, mapTasks: plan.mapTaskCount, reduceTasks: plan.reduceTaskCount,
                                  partFiles: plan.partCount, outputDirectory: work + "/out"),
                maxAttempts: maxAttempts, backupAfter: 2, speculate: true, topRecordLimit: 0, started: 0,
                clock: { [unowned pool] in pool.now })
    }

    /// Which attempt's output each task committed: a reduce task's file in its place, a map
    /// task's log as the loop will tell the reduce tasks.
    private func committed(_ plan: RunPlan, _ loop: SchedulerLoop, maps: Bool = true, reduces: Bool = true) throws -> [String] {
        let mapOutputs = try (0..<(maps ? plan.mapTaskCount : 0)).map { index -> String in
            let place = try XCTUnwrap(loop.mapOutputs[index], "map-\(index) has no output")
            return String(decoding: try FileSystem.readFile(plan.workDirectory + "/" + place.log), as: UTF8.self)
        }
        let reduceOutputs = try (0..<(reduces ? plan.reduceTaskCount : 0)).map {
            String(decoding: try FileSystem.readFile(plan.committedPath(TaskID(kind: .reduce, index: $0))), as: UTF8.self)
        }
        return mapOutputs + reduceOutputs
    }

    func testEveryTaskIsCommittedOnceMapsBeforeReduces() throws {
        let plan = plan(maps: 3, reduces: 2)
        let pool = ScriptedPool(size: 2, plan: plan)
        let loop = loop(plan, pool)
        try loop.runMapPhase()
        XCTAssertEqual(pool.log.filter { $0.contains("reduce") }, [], "the map phase starts no reduce")
        XCTAssertEqual(try committed(plan, loop, reduces: false), ["map-00000 attempt 1", "map-00001 attempt 1", "map-00002 attempt 1"])
        try loop.runReducePhase()
        XCTAssertEqual(pool.log, ["start map-00000 attempt 1 on 0", "start map-00001 attempt 1 on 1",
                                  "start map-00002 attempt 1 on 0", "start reduce-00000 attempt 1 on 0",
                                  "start reduce-00001 attempt 1 on 1"])
        XCTAssertEqual(try committed(plan, loop), ["map-00000 attempt 1", "map-00001 attempt 1", "map-00002 attempt 1",
                                             "reduce-00000 attempt 1", "reduce-00001 attempt 1"])
        XCTAssertEqual(loop.result.commits, 5)
        XCTAssertEqual(loop.result.counters.inputRecords, 5)
        XCTAssertEqual(Journal(path: work + "/journal").entries().map(\.task.description),
                       ["map-00000", "map-00001", "map-00002", "reduce-00000", "reduce-00001"])
    }

    func testAWorkerDeathOrAFailureReRunsTheTaskAndNothingHalfDoneIsCommitted() throws {
        let plan = plan(maps: 2, reduces: 1)
        let pool = ScriptedPool(size: 1, plan: plan)
        // A death in each phase, and a failure a retry can mend.
        pool.script = [TaskAssignment(task: TaskID(kind: .map, index: 1), attempt: 1): .die,
                       TaskAssignment(task: TaskID(kind: .reduce, index: 0), attempt: 1): .die,
                       TaskAssignment(task: TaskID(kind: .reduce, index: 0), attempt: 2): .fail(retryable: true)]
        let loop = loop(plan, pool)
        try loop.runMapPhase()
        try loop.runReducePhase()
        XCTAssertEqual(pool.log, ["start map-00000 attempt 1 on 0", "start map-00001 attempt 1 on 0",
                                  "start map-00001 attempt 2 on 0", "start reduce-00000 attempt 1 on 0",
                                  "start reduce-00000 attempt 2 on 0", "start reduce-00000 attempt 3 on 0"])
        XCTAssertEqual(try committed(plan, loop), ["map-00000 attempt 1", "map-00001 attempt 2", "reduce-00000 attempt 3"])
        XCTAssertEqual(loop.result.failedAttempts, 3)
        XCTAssertEqual(loop.result.attempts, 6)
    }

    func testAStragglerGetsABackupTheFirstToFinishIsCommittedAndTheLateResultDiscarded() throws {
        let plan = plan(maps: 2, reduces: 1)
        let pool = ScriptedPool(size: 2, plan: plan)
        pool.script = [TaskAssignment(task: TaskID(kind: .map, index: 1), attempt: 1): .hang(late: true)]
        let loop = loop(plan, pool)
        try loop.runMapPhase()
        try loop.runReducePhase()
        // map-00001 runs 2 ticks past the backup threshold (2 s): a copy starts on the free
        // worker, wins, and the loser is stopped; its late success is not committed.
        XCTAssertEqual(pool.log, ["start map-00000 attempt 1 on 0", "start map-00001 attempt 1 on 1",
                                  "start map-00001 attempt 2 on 0", "cancel 1", "start reduce-00000 attempt 1 on 0"])
        XCTAssertEqual(try committed(plan, loop), ["map-00000 attempt 1", "map-00001 attempt 2", "reduce-00000 attempt 1"])
        XCTAssertEqual(loop.result.backups, 1)
        XCTAssertEqual(loop.result.commits, 3)
    }

    func testBadInputFailsAtOnceAndRepeatedFailuresEndTheJobNamingTheTask() throws {
        let plan = plan(maps: 1, reduces: 1)
        let badInput = ScriptedPool(size: 1, plan: plan)
        badInput.script = [TaskAssignment(task: TaskID(kind: .map, index: 0), attempt: 1): .fail(retryable: false)]
        XCTAssertThrowsError(try loop(plan, badInput).runMapPhase()) { error in
            XCTAssertEqual((error as? MRError)?.message, "bad map-00000 attempt 1")
        }
        XCTAssertEqual(badInput.log, ["start map-00000 attempt 1 on 0"])

        let crashing = ScriptedPool(size: 1, plan: plan)
        for attempt in 1...2 { crashing.script[TaskAssignment(task: TaskID(kind: .map, index: 0), attempt: attempt)] = .die }
        XCTAssertThrowsError(try loop(plan, crashing, maxAttempts: 2).runMapPhase()) { error in
            XCTAssertEqual((error as? MRError)?.kind, .taskFailed)
            XCTAssertTrue((error as? MRError)?.message.hasPrefix("job test: task map-00000 (split: /input.txt) failed 2 times") == true,
                          "\(error)")
        }
        XCTAssertEqual(crashing.log, ["start map-00000 attempt 1 on 0", "start map-00000 attempt 2 on 0"])
    }

    func testResumeReusesJournaledOutputsAndRedoesTheRest() throws {
        let plan = plan(maps: 4, reduces: 2)
        let journal = Journal(path: work + "/journal")
        // The killed run journaled map-00000, whose spills its log holds, and map-00001, whose
        // log lost its end (cut short, as by a full disk); map-00002's spills reached a log but
        // not the journal; it renamed reduce-00000's part into place without journaling it.
        func journaled(_ index: Int, logBytes: String, spillEnd: Int64) throws {
            try FileSystem.writeFile(work + "/maps-\(index)", logBytes)
            var report = TaskReport()
            report.counters.inputRecords = 7
            report.mapOutput = MapOutputPlace(log: "maps-\(index)", spillEnds: [spillEnd])
            try journal.record(TaskID(kind: .map, index: index), report)
        }
        try journaled(0, logBytes: "map-00000 attempt 1", spillEnd: 19)
        try journaled(1, logBytes: "map-00001 att", spillEnd: 19)
        try FileSystem.writeFile(work + "/maps-2", "map-00002 attempt 1")
        try FileSystem.writeFile(plan.committedPath(TaskID(kind: .reduce, index: 0)), "reduce-00000 attempt 1")
        let pool = ScriptedPool(size: 1, plan: plan)
        let loop = loop(plan, pool)
        try loop.adoptCommitted(from: journal)
        XCTAssertFalse(FileSystem.exists(plan.committedPath(TaskID(kind: .reduce, index: 0))), "an unjournaled part is cleared")
        try loop.runMapPhase()
        try loop.runReducePhase()
        XCTAssertEqual(pool.log, ["start map-00001 attempt 1 on 0", "start map-00002 attempt 1 on 0", "start map-00003 attempt 1 on 0",
                                  "start reduce-00000 attempt 1 on 0", "start reduce-00001 attempt 1 on 0"])
        XCTAssertEqual(try committed(plan, loop), ["map-00000 attempt 1", "map-00001 attempt 1", "map-00002 attempt 1", "map-00003 attempt 1",
                                                   "reduce-00000 attempt 1", "reduce-00001 attempt 1"])
        XCTAssertEqual(loop.result.resumedTasks, 1)
        XCTAssertEqual(loop.result.counters.inputRecords, 7 + 5)
    }
}
