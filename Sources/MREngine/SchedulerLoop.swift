import MRBase
import MRInput
import MROutput
import MRPlugins
import MRReport
import MRShuffle
import MRStreaming
import MRSystem
import MRWorkers
import MapReduce
/// The middle of a run, between planning and putting the output in place: hands attempts to
/// idle workers (``dispatch()``), and handles what the pool reports (``handle(_:)``): a finished
/// attempt is committed exactly once (``commit(_:_:)``), a failed one or one whose worker died is
/// re-run, the loser of a backup race is stopped and its late result discarded. The decisions
/// are the ``TaskTable``'s; this type carries them out against the pool, the work folder and the
/// journal.
final class SchedulerLoop {
    private let plan: RunPlan
    private let pool: WorkerPool
    private let journal: Journal
    private let progress: ProgressDisplay?
    /// Files split at member starts found by scanning: bad data there may be a wrong guess.
    private let guessedFiles: Set<Int>
    /// Backups need a spare worker, and a pool that can stop the loser.
    private let backups: Bool
    private let topRecordLimit: Int
    private let started: Double
    private let clock: () -> Double
    /// Called once the last piece of a relayed file has left its baton.
    private let lastPieceHandedOn: (_ fileIndex: Int) throws -> Void

    private(set) var table: TaskTable
    private(set) var result: RunResult
    /// What each worker runs; a worker not in here is idle. (A death of an idle worker must not
    /// make it "more idle": keyed by worker, it cannot.)
    private var busy: [Int: TaskAssignment] = [:]
    /// Where each committed map task's spills are, from its report: the reduce tasks' inputs
    /// (``RunPlan/mapOutputsPath``).
    private(set) var mapOutputs: [MapOutputPlace?]
    /// Attempts stopped because another attempt of their task was committed.
    private var cancelled: Set<TaskAssignment> = []
    private var failedByPhase: [TaskKind: Int] = [:]

    init(plan: RunPlan, pool: WorkerPool, journal: Journal, result: RunResult, maxAttempts: Int, backupAfter: Double,
         speculate: Bool, guessedFiles: Set<Int> = [], topRecordLimit: Int,
         progress: ProgressDisplay? = nil, started: Double, clock: @escaping () -> Double = monotonicSeconds,
         lastPieceHandedOn: @escaping (_ fileIndex: Int) throws -> Void = { _ in }) {
        self.plan = plan
        self.pool = pool
        self.journal = journal
        self.result = result
        self.progress = progress
        self.guessedFiles = guessedFiles
        self.topRecordLimit = topRecordLimit
        self.started = started
        self.clock = clock
        self.lastPieceHandedOn = lastPieceHandedOn
        mapOutputs = Array(repeating: nil, count: plan.mapTaskCount)
        backups = speculate && pool.canStopAttempts && pool.size > 1
        // A relayed piece waits for its start, left by the task before it (or by a killed run
        // being resumed).
        let waiting = plan.relayedMapTasks.filter { task in
            let piece = plan.splits[task].pieces[0]
            guard case .relayed(let number, _, _) = piece.kind, number > 0 else { return false }
            let start = RelayBaton.path(workDirectory: plan.workDirectory, fileIndex: piece.fileIndex, piece: number)
            return (try? FileSystem.status(start)) == nil
        }
        table = TaskTable(mapTasks: plan.mapTaskCount, reduceTasks: plan.reduceTaskCount, maxAttempts: maxAttempts,
                          backupAfter: backupAfter, withheld: Set(waiting), mapSizes: plan.mapTaskSizes)
    }

    /// Adopts the outputs a killed run journaled (`--resume`), with what they counted; a task it
    /// committed without journaling runs again, its place cleared.
    func adoptCommitted(from journal: Journal) throws {
        for (task, report) in journal.entries() where try isStillThere(task, report) {
            guard table.markCommitted(task) else { continue }
            result.resumedTasks += 1
            add(report, of: task)
        }
        let tasks = (0..<plan.mapTaskCount).map { TaskID(kind: .map, index: $0) }
            + (0..<plan.reduceTaskCount).map { TaskID(kind: .reduce, index: $0) }
        for task in tasks where plan.hasAttemptFile(task) && !table.isCommitted(task) { FileSystem.removeTree(plan.committedPath(task)) }
    }

    /// Whether a journaled task's output is in the work folder: its file, or the spills its
    /// report places in a map output log.
    private func isStillThere(_ task: TaskID, _ report: TaskReport) throws -> Bool {
        if plan.hasAttemptFile(task) { return try FileSystem.status(plan.committedPath(task)) != nil }
        return report.mapOutput.map(plan.holds) ?? false
    }

    /// The map phase: runs until every map task is committed, or throws the failure that ends
    /// the job.
    func runMapPhase() throws {
        try run { $0.mapPhaseIsDone }
    }

    /// The reduce phase: runs until every task is committed (a map attempt still running as a
    /// backup is stopped or its late result ignored), or throws the failure that ends the job.
    func runReducePhase() throws {
        try run { $0.isFinished }
        result.backups = table.backupsStarted
    }

    private func run(until done: (TaskTable) -> Bool) throws {
        while !done(table) {
            try dispatch()
            progress?.update(table, running: busy.map { ($0.value.task, pool.progress(of: $0.key)) },
                             failed: failedByPhase, committedBytes: result.counters.inputBytes, started: started)
            try handle(pool.nextEvent())
        }
    }

    /// Starts the table's next attempts on idle workers.
    func dispatch() throws {
        while busy.count < pool.size, let assignment = table.nextAssignment(now: clock(), backups: backups) {
            let worker = (0..<pool.size).first { busy[$0] == nil }!
            busy[worker] = assignment
            result.attempts += 1
            try pool.start(assignment, on: worker)
        }
    }

    /// Carries out one event of the pool. A worker's death is a failed attempt like any other,
    /// worth a retry.
    func handle(_ event: WorkerEvent) throws {
        let worker: Int, finished: TaskAssignment?, outcome: Result<TaskReport, TaskFailure>
        switch event {
        case .tick:
            return
        case .handedOn(let mapTask):
            // The next piece of the same file may start (relayed pieces are consecutive tasks).
            let piece = plan.splits[mapTask].pieces[0]
            guard case .relayed(let number, let pieces, _) = piece.kind else { return }
            if number + 1 < pieces {
                table.release(mapTask: mapTask + 1)
            } else {
                try lastPieceHandedOn(piece.fileIndex)
            }
            return
        case .finished(let slot, let assignment, let result):
            (worker, finished, outcome) = (slot, assignment, result)
        case .died(let slot, let assignment, let reason):
            (worker, finished, outcome) = (slot, assignment, .failure(TaskFailure(retryable: true, error: MRError(.taskFailed, reason))))
        }
        busy[worker] = nil
        guard let assignment = finished else { return }  // an idle worker died
        // Read before the table forgets the attempt, for the timeline.
        let began = table.runningAttempt(assignment) ?? (clock(), false)
        func ended(_ outcome: AttemptSpan.Outcome, _ report: TaskReport? = nil) {
            result.timeline.append(AttemptSpan(task: assignment.task, attempt: assignment.attempt, worker: worker,
                                               start: began.started - started, end: clock() - started, outcome: outcome,
                                               backup: began.isBackup,
                                               spill: report?.spillSeconds ?? 0, merge: report?.mergeSeconds ?? 0))
        }
        if cancelled.remove(assignment) != nil {
            ended(.killed)
            table.cancelled(assignment)
            return
        }
        switch outcome {
        case .success(let report):
            result.peakWorkerMemory = max(result.peakWorkerMemory, report.peakMemory)
            let decision = table.succeeded(assignment, now: clock())
            ended(decision.commit ? .committed : .discarded, report)
            if decision.commit {
                try commit(assignment, report)
            } else {
                plan.removeAttempt(assignment)
            }
            for loser in decision.cancel {
                guard let loserWorker = busy.first(where: { $0.value == loser })?.key else { continue }
                cancelled.insert(loser)
                pool.cancel(worker: loserWorker)
            }
        case .failure(let failure):
            ended(.failed)
            try failed(assignment, failure)
        }
    }

    /// Puts the attempt's file in its task's place and journals the task: the rename is the
    /// commit. A map task's spills stay where its worker's log holds them: the journal line that
    /// says where (its report) is the commit.
    private func commit(_ assignment: TaskAssignment, _ report: TaskReport) throws {
        if plan.hasAttemptFile(assignment.task) {
            try FileSystem.rename(plan.attemptPath(assignment), to: plan.committedPath(assignment.task))
        } else if report.mapOutput == nil {
            throw MRError(.internal, "\(assignment) reported no map output")
        }
        try journal.record(assignment.task, report)
        result.commits += 1
        add(report, of: assignment.task)
        if result.mapPhaseEndSeconds == nil && table.mapPhaseIsDone { result.mapPhaseEndSeconds = clock() - started }
    }

    private func failed(_ assignment: TaskAssignment, _ failure: TaskFailure) throws {
        result.failedAttempts += 1
        failedByPhase[assignment.task.kind, default: 0] += 1
        plan.removeAttempt(assignment)
        guard table.failed(assignment, retryable: failure.retryable) else {
            if failure.error.kind == .badInput && assignment.task.kind == .map
                && plan.splits[assignment.task.index].pieces.contains(where: { guessedFiles.contains($0.fileIndex) }) {
                // Bad data from a guessed member start: the guess, or the data, is wrong.
                throw MRError(.wrongSplit, "a gzip member start guessed by scanning did not hold (\(failure.error.message))")
            }
            throw failure.retryable ? exhausted(assignment.task, failure.error) : failure.error
        }
        progress?.notice("\(assignment) failed: \(failure.error.message); re-running")
    }

    /// The job's failure after a task's last attempt: of the kind of the last failure (an I/O
    /// error stays one), naming the job, the task, its input and why.
    private func exhausted(_ task: TaskID, _ last: MRError) -> MRError {
        let what: String
        if task.kind == .map {
            let names = plan.splits[task.index].pieces.map { plan.files[$0.fileIndex].path }
            let shown = names.prefix(3).joined(separator: ", ") + (names.count > 3 ? " and \(names.count - 3) more" : "")
            what = "split: \(shown)"
        } else {
            what = "partition \(task.index) of \(plan.reducers)"
        }
        let kind: MRError.Kind = last.kind == .io ? .io : .taskFailed
        return MRError(kind, "job \(plan.jobName): task \(task) (\(what)) failed \(table.failures(of: task)) times; last failure: \(last.message)")
    }

    /// Adds a committed task's counters, top records and warnings to the run's, and where a map
    /// task's spills are to what the reduce tasks will read.
    private func add(_ report: TaskReport, of task: TaskID) {
        if task.kind == .map { mapOutputs[task.index] = report.mapOutput }
        result.counters += report.counters
        result.jobCounters.merge(report.jobCounters, uniquingKeysWith: +)
        result.topRecords = Array((result.topRecords + report.topRecords).sorted(by: TopRecord.precedes).prefix(topRecordLimit))
        result.warnings.formUnion(report.warnings)
        result.skippedInputs.formUnion(report.skippedFiles.map { plan.files[$0].path })
        result.pieceChecksums += report.pieceChecksums
    }
}
