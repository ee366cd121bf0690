import CZlib
import MapReduce

/// How tasks are executed.
public enum ExecutionMode: String, CaseIterable, Sendable {
    /// Long-lived worker processes (the `mr` binary in worker mode): survives crashing jobs.
    case processes
    /// Worker threads in this process.
    case threads
    /// One task after another on the calling thread, nothing spawned.
    case sequential
}

/// What the user asked for, beyond the job and its inputs.
public struct RunOptions: Sendable {
    public var mode: ExecutionMode = .processes
    public var workers = 1
    public var reducers = 1
    /// Split size in bytes (estimated uncompressed); nil picks one from the input size.
    public var splitSize: Int64?
    public var outputDirectory: String
    public var maxAttempts = 4
    /// A worker process making no progress for this long is killed and its task re-run.
    public var taskTimeout = 60.0
    /// Run backup copies of stragglers when a phase is nearly done.
    public var speculate = true
    /// A straggler is an attempt running at least this long (and 1.5x its phase's median).
    public var backupAfter = 2.0
    /// Skip the rest of an input file that turns out corrupt, instead of failing the job.
    public var skipBadInput = false
    /// Reuse what a killed earlier run of the same plan committed.
    public var resume = false
    /// Bytes of map output a worker holds before spilling a sorted run (`--memory`).
    public var memoryPerWorker = 512 << 20
    /// The longest line read; a longer one is bad input.
    public var maxLineLength = 64 << 20
    public var showProgress = false

    public init(outputDirectory: String) {
        self.outputDirectory = outputDirectory
    }
}

/// A job ready to run: its instance, the library workers load it from, its option values.
public struct LoadedJob: Sendable {
    public let job: any Job
    public let library: String
    /// The job's Swift file, as the run summary names it.
    public let source: String
    public let options: [String: String]

    public init(job: any Job, library: String, source: String, options: [String: String]) {
        self.job = job
        self.library = library
        self.source = source
        self.options = options
    }
}

/// What a finished run reports.
public struct RunResult: Sendable {
    public var files: [InputEntry]
    public var mapTasks: Int
    public var reduceTasks: Int
    /// Workers that ran the tasks (1 in sequential mode), after ``RunLimits``.
    public var workers = 1
    public var partFiles: Int
    public var counters = Counters()
    public var jobCounters: [String: Int64] = [:]
    public var topRecords: [TopRecord] = []
    /// Attempts started, failed (re-run), started as backups of stragglers; tasks committed.
    public var attempts = 0
    public var failedAttempts = 0
    public var backups = 0
    public var commits = 0
    /// Tasks committed by a killed earlier run and reused (`--resume`).
    public var resumedTasks = 0
    /// The largest resident memory of a worker process (threads, sequential: of the process).
    public var peakWorkerMemory: Int64 = 0
    /// Input skipped under --skip-bad-input, one line each.
    public var warnings: Set<String> = []
    /// Paths of the input files left out in part or whole (`--skip-bad-input`): the counter
    /// `bad input files skipped` counts each file once, however many of its pieces met damage.
    public var skippedInputs: Set<String> = []
    /// Large gzip files split at their saved index, and fed (inflated once while mapping).
    public var indexedFiles = 0
    public var fedFiles = 0
    /// Large gzip files split at member starts found without inflating them.
    public var memberSplitFiles = 0
    /// CRC-32s of the pieces of indexed gzip files.
    public var pieceChecksums: [PieceChecksum] = []
    public var wallSeconds = 0.0
    /// Seconds from the start to the end of planning, and to the last map commit.
    public var planningSeconds = 0.0
    public var mapPhaseEndSeconds: Double?
    public var outputDirectory: String
    /// The run report written into `_SUCCESS` (JSON, see ``RunReport``).
    public var report = ""
}

/// Runs a job: plans splits, hands map attempts to idle workers, then reduce attempts once every
/// map task is committed, re-runs attempts whose worker failed or died, commits each task's output
/// exactly once, and finally puts the output directory in place.
public enum Coordinator {
    public static func run(_ loaded: LoadedJob, inputs: [String], options: RunOptions, registry: ChildRegistry) throws -> RunResult {
        var options = options
        options.outputDirectory = try OutputDirectory.normalized(options.outputDirectory)
        for note in RunLimits.boundWorkersAndSplits(&options, cores: onlineCoreCount()) { writeToStandardError("mr: note: \(note)\n") }
        do {
            return try run(loaded, inputs: inputs, options: options, registry: registry, guessingMembers: true)
        } catch let error as MRError where error.kind == .wrongSplit {
            // A gzip member start found by scanning was false (gzip data stored inside gzip, say):
            // plan again, splitting such files only where it is certain.
            var result = try run(loaded, inputs: inputs, options: options, registry: registry, guessingMembers: false)
            result.warnings.insert("\(error.message); ran again, splitting only where member starts are certain")
            return result
        }
    }

    private static func run(_ loaded: LoadedJob, inputs: [String], options: RunOptions, registry: ChildRegistry,
                            guessingMembers: Bool) throws -> RunResult {
        var options = options
        let started = monotonicSeconds()
        if options.mode != .processes { resetProcessPeakMemory() }
        let job = loaded.job
        let jobType = type(of: job)
        let jobName = jobType.name
        let workers = options.mode == .sequential ? 1 : max(options.workers, 1)
        func fingerprint(_ files: [InputEntry], _ splits: [Split]) -> String {
            RunPlan.fingerprint(jobName: jobName, jobLibrary: loaded.library, jobOptions: loaded.options,
                                isMapOnly: jobType.isMapOnly, files: files, splits: splits, reducers: options.reducers)
        }
        let splitting = Splitting(workers: workers, memberSplits: !jobType.readsLinePositions,
                                  guessingMembers: guessingMembers, ignoringSavedIndexes: false)
        var planned = try planSplits(inputs, options: options, splitting)
        let inputBytes = planned.files.reduce(Int64(0)) { $0 + SplitPlanner.estimatedSize($1) }
        if let note = RunLimits.boundReducers(&options, inputBytes: inputBytes, cores: onlineCoreCount()), guessingMembers {
            writeToStandardError("mr: note: \(note)\n")  // said once, not again when a run is redone
        }
        if options.resume && !planned.indexes.isEmpty {
            // A killed first run fed these files and saved their index before it died; its
            // committed tasks can be reused only under its own plan, the fed one.
            var fedSplitting = splitting
            fedSplitting.ignoringSavedIndexes = true
            let fedPlan = try planSplits(inputs, options: options, fedSplitting)
            if OutputDirectory.hasAbandonedRun(options.outputDirectory, fingerprint: fingerprint(fedPlan.files, fedPlan.splits)) {
                planned = fedPlan
            }
        }
        let (files, splits, indexes, span) = (planned.files, planned.splits, planned.indexes, planned.span)
        let fingerprint = fingerprint(files, splits)
        let output = try OutputDirectory.prepare(options.outputDirectory, fingerprint: fingerprint, resume: options.resume)
        registry.setWorkDirectory(output.workDirectory)
        let plan = RunPlan(jobName: jobName, jobLibrary: loaded.library, jobOptions: loaded.options,
                           isMapOnly: jobType.isMapOnly, skipBadInput: options.skipBadInput,
                           memoryPerWorker: options.memoryPerWorker, maxLineLength: options.maxLineLength, files: files,
                           splits: splits, reducers: options.reducers, workDirectory: output.workDirectory)
        var result = RunResult(files: files, mapTasks: splits.count, reduceTasks: plan.reduceTaskCount,
                               partFiles: plan.partCount, outputDirectory: options.outputDirectory)
        result.workers = workers
        result.warnings.formUnion(planned.skippedFiles.map(\.warning) + planned.notInput)
        result.indexedFiles = indexes.count
        result.memberSplitFiles = planned.memberSplitFiles
        result.skippedInputs.formUnion(planned.skippedFiles.map(\.path))
        result.planningSeconds = monotonicSeconds() - started
        let progress = ProgressDisplay(jobName: jobName, enabled: options.showProgress, files: files, splits: splits)
        defer { progress.clear() }

        let fedTasks = Set(splits.indices.filter { splits[$0].pieces.first!.fedPiece >= 0 })
        let pool: WorkerPool
        let feeder: GzipFeeder?
        do {
            let runner = TaskRunner(job: job, plan: plan)
            if options.mode != .processes { RecordTracker.installInProcessCrashReporter(jobName: jobName, files: files) }
            switch options.mode {
            case .processes: pool = try ProcessPool(size: workers, plan: plan, registry: registry, taskTimeout: options.taskTimeout)
            case .threads: pool = ThreadPool(size: workers, runner: runner)
            case .sequential: pool = SequentialPool(runner: runner)
            }
            let fedFiles = fedTasks.sorted().filter { splits[$0].pieces[0].fedPiece == 0 }.map { first in
                let fileIndex = splits[first].pieces[0].fileIndex
                return GzipFeeder.FedFile(fileIndex: fileIndex, path: files[fileIndex].path, firstTask: first,
                                          pieces: fedTasks.filter { splits[$0].pieces[0].fileIndex == fileIndex }.count)
            }
            result.fedFiles = fedFiles.count
            feeder = fedFiles.isEmpty ? nil : GzipFeeder(files: fedFiles, plan: plan, span: span, limit: workers + 2,
                                                         skipBadInput: options.skipBadInput, wake: pool.waker)
        } catch {
            output.abandon()
            throw error
        }

        do {
            var table = TaskTable(mapTasks: splits.count, reduceTasks: plan.reduceTaskCount,
                                  maxAttempts: options.maxAttempts, backupAfter: options.backupAfter, withheld: fedTasks)
            if output.resumed {
                // Outputs committed before the previous coordinator was killed, and what they counted.
                for (task, report) in output.journal.entries() where try FileSystem.status(plan.committedPath(task)) != nil {
                    guard table.markCommitted(task) else { continue }
                    result.resumedTasks += 1
                    add(report, to: &result, files: files, limit: jobType.topRecordsInSummary)
                }
                // A task the killed run committed without journaling it runs again: clear its place.
                let tasks = (0..<splits.count).map { TaskID(kind: .map, index: $0) }
                    + (0..<plan.reduceTaskCount).map { TaskID(kind: .reduce, index: $0) }
                for task in tasks where !table.isCommitted(task) { FileSystem.removeTree(plan.committedPath(task)) }
            }
            // What each worker runs; a worker not in here is idle. (A death of an idle worker
            // must not make it "more idle": keyed by worker, it cannot.)
            var busy: [Int: TaskAssignment] = [:]
            var cancelled: Set<TaskAssignment> = []
            var failedByPhase: [TaskKind: Int] = [:]
            // Backups need a spare worker, and processes mode to stop the loser.
            let backups = options.speculate && options.mode == .processes && pool.size > 1
            while !table.isFinished {
                for task in try feeder?.takeReleased() ?? [] {
                    table.release(mapTask: task)
                    if table.isCommitted(TaskID(kind: .map, index: task)) { feeder?.committed(splits[task].pieces[0]) }
                }
                while busy.count < pool.size, let assignment = table.nextAssignment(now: monotonicSeconds(), backups: backups) {
                    let worker = (0..<pool.size).first { busy[$0] == nil }!
                    busy[worker] = assignment
                    result.attempts += 1
                    try pool.start(assignment, on: worker)
                }
                progress.update(table, running: busy.map { ($0.value.task, pool.progress(of: $0.key)) }, failed: failedByPhase,
                                committedBytes: result.counters.inputBytes, started: started)
                // A worker's death is a failed attempt like any other, worth a retry.
                let worker: Int, finished: TaskAssignment?, outcome: Result<TaskReport, TaskFailure>
                switch try pool.nextEvent() {
                case .tick:
                    continue
                case .finished(let slot, let assignment, let result):
                    (worker, finished, outcome) = (slot, assignment, result)
                case .died(let slot, let assignment, let reason):
                    (worker, finished, outcome) = (slot, assignment, .failure(TaskFailure(retryable: true, error: MRError(.taskFailed, reason))))
                }
                busy[worker] = nil
                guard let assignment = finished else { continue }  // an idle worker died
                if cancelled.remove(assignment) != nil {
                    table.cancelled(assignment)
                    continue
                }
                switch outcome {
                case .success(let report):
                    let decision = table.succeeded(assignment, now: monotonicSeconds())
                    result.peakWorkerMemory = max(result.peakWorkerMemory, report.peakMemory)
                    if decision.commit {
                        try FileSystem.rename(plan.attemptPath(assignment), to: plan.committedPath(assignment.task))
                        try output.journal.record(assignment.task, report)
                        if fedTasks.contains(assignment.task.index) && assignment.task.kind == .map {
                            feeder?.committed(splits[assignment.task.index].pieces[0])
                        }
                        result.commits += 1
                        add(report, to: &result, files: files, limit: jobType.topRecordsInSummary)
                        if result.mapPhaseEndSeconds == nil && table.mapPhaseIsDone { result.mapPhaseEndSeconds = monotonicSeconds() - started }
                    } else {
                        FileSystem.removeTree(plan.attemptPath(assignment))
                    }
                    for loser in decision.cancel {
                        guard let loserWorker = busy.first(where: { $0.value == loser })?.key else { continue }
                        cancelled.insert(loser)
                        pool.cancel(worker: loserWorker)
                    }
                case .failure(let failure):
                    result.failedAttempts += 1
                    failedByPhase[assignment.task.kind, default: 0] += 1
                    FileSystem.removeTree(plan.attemptPath(assignment))
                    guard table.failed(assignment, retryable: failure.retryable) else {
                        if failure.error.kind == .badInput && assignment.task.kind == .map
                            && splits[assignment.task.index].pieces.contains(where: { planned.guessedFiles.contains($0.fileIndex) }) {
                            // Bad data from a guessed member start: the guess, or the data, is wrong.
                            throw MRError(.wrongSplit, "a gzip member start guessed by scanning did not hold (\(failure.error.message))")
                        }
                        throw failure.retryable
                            ? exhausted(assignment.task, plan: plan, table: table, failure.error)
                            : failure.error
                    }
                    progress.notice("\(assignment) failed: \(failure.error.message); re-running")
                }
            }
            result.backups = table.backupsStarted
            feeder?.stop()
            pool.shutdown()
            if let warnings = feeder?.warnings {
                result.warnings.formUnion(warnings.skippedFiles.map(\.warning) + warnings.unsavedIndexes)
                result.skippedInputs.formUnion(warnings.skippedFiles.map(\.path))
            }
            if !result.skippedInputs.isEmpty { result.jobCounters[TaskRunner.skippedFilesCounter] = Int64(result.skippedInputs.count) }
            if options.mode != .processes { result.peakWorkerMemory = processPeakMemory() }
            try checkIndexedFiles(indexes, splits: splits, files: files, against: result.pieceChecksums)
            result.wallSeconds = monotonicSeconds() - started
            result.report = RunReport.json(result, job: loaded, options: options)
            try output.commit(report: result.report)
            registry.setWorkDirectory(nil)
        } catch {
            feeder?.stop()
            pool.shutdown()
            output.abandon()
            registry.setWorkDirectory(nil)
            throw error
        }
        return result
    }

    /// The job's failure after a task's last attempt: of the kind of the last failure (an I/O
    /// error stays one), naming the job, the task, its input and why.
    private static func exhausted(_ task: TaskID, plan: RunPlan, table: TaskTable, _ last: MRError) -> MRError {
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

    /// How large gzip files may be split.
    private struct Splitting {
        var workers: Int
        /// The job reads no line positions, so files of many members may be split at them.
        var memberSplits: Bool
        /// Member starts found by scanning may be used, not only BGZF's.
        var guessingMembers: Bool
        var ignoringSavedIndexes: Bool
    }

    private struct PlannedSplits {
        var files: [InputEntry]
        var splits: [Split]
        var indexes: [Int: GzipIndex]
        var memberSplitFiles: Int
        /// Files split at member starts found by scanning (unconfirmed until read).
        var guessedFiles: Set<Int>
        /// Unreadable files left out (`--skip-bad-input`).
        var skippedFiles: [(path: String, warning: String)]
        /// What input folders hold that is not a file to read.
        var notInput: [String]
        var span: Int64
    }

    /// Finds the input files and cuts them into splits. A gzip file large enough to split is cut
    /// at the access points of its saved index, or, for a job that reads no line positions, at
    /// member starts found without inflating it; otherwise it is fed (a ``GzipFeeder`` inflates it
    /// once during the run, building the index) or, in sequential mode, indexed first.
    private static func planSplits(_ inputs: [String], options: RunOptions, _ splitting: Splitting) throws -> PlannedSplits {
        var (files, skippedFiles, notInput) = try InputCatalog.readableFiles(for: inputs, skipUnreadable: options.skipBadInput)
        let splitSize = options.splitSize ?? SplitPlanner.defaultTargetSize(for: files, workers: splitting.workers)
        let span = GzipIndex.span(forSplitSize: splitSize)
        var indexes: [Int: GzipIndex] = [:]
        var fed: [Int: Int] = [:]
        var memberStarts: [Int: [Int64]] = [:]
        var guessedFiles: Set<Int> = []
        for (number, file) in files.enumerated()
        where file.isGzip && SplitPlanner.estimatedSize(file) > max(2 * splitSize, 4 << 20) {
            if !splitting.ignoringSavedIndexes, let (index, location) = GzipIndex.load(for: file.path, cacheDirectory: cacheDirectory()) {
                files[number].indexPath = location
                indexes[number] = index
                continue
            }
            if splitting.memberSplits,
               let found = try GzipMembers.splitPoints(path: file.path, size: file.size, spacing: splitSize / SplitPlanner.gzipExpansion,
                                                       scanning: splitting.guessingMembers) {
                memberStarts[number] = found.starts
                if found.evidence == .scanned { guessedFiles.insert(number) }
                continue
            }
            if options.mode != .sequential {
                fed[number] = Int((SplitPlanner.estimatedSize(file) + splitSize - 1) / splitSize)
                continue
            }
            do {
                let (index, location) = try GzipIndex.loadOrBuild(for: file.path, span: span)
                files[number].indexPath = location
                indexes[number] = index
            } catch let error as MRError where error.kind == .badInput && options.skipBadInput {
                continue  // the map task meets the same damage and skips it
            }
        }
        let splits = SplitPlanner.splits(for: files, targetSize: splitSize, indexes: indexes, fed: fed, memberStarts: memberStarts)
        return PlannedSplits(files: files, splits: splits, indexes: indexes, memberSplitFiles: memberStarts.count,
                             guessedFiles: guessedFiles, skippedFiles: skippedFiles, notInput: notInput, span: span)
    }

    /// Checks each single-member gzip file read in pieces: the CRC-32s of its pieces, joined with
    /// crc32_combine, must equal the CRC-32 in its trailer (and their lengths its size).
    private static func checkIndexedFiles(_ indexes: [Int: GzipIndex], splits: [Split], files: [InputEntry],
                                          against checksums: [PieceChecksum]) throws {
        for (fileIndex, index) in indexes {
            let expected = splits.filter { $0.pieces.first?.fileIndex == fileIndex }.count
            let pieces = checksums.filter { $0.fileIndex == fileIndex }.sorted { $0.start < $1.start }
            // Skipped when a piece was skipped as bad input, or when the trailer is only the last
            // member's (zlib checks every member it reads from its start).
            guard pieces.count == expected, index.members == 1, index.stamp.trailer.count == 8 else { continue }
            var crc: uLong = 0
            var length: Int64 = 0
            for piece in pieces {
                crc = crc32_combine(crc, uLong(piece.crc), off_t(piece.length))
                length += piece.length
            }
            let trailer = index.stamp.trailer
            let storedCRC = UInt32(littleEndianValue(trailer[0..<4]))
            let storedSize = UInt32(littleEndianValue(trailer[4..<8]))
            guard UInt32(truncatingIfNeeded: crc) == storedCRC && UInt32(truncatingIfNeeded: length) == storedSize else {
                let path = files[fileIndex].path
                throw MRError(.badInput, "\(path): the CRC-32 of its pieces does not match its gzip trailer (corrupt data, or a wrong index); delete its .mrindex and run again")
            }
        }
    }

    /// Adds a committed task's counters, top records and warnings to the run's.
    private static func add(_ report: TaskReport, to result: inout RunResult, files: [InputEntry], limit: Int) {
        result.counters += report.counters
        result.jobCounters.merge(report.jobCounters, uniquingKeysWith: +)
        result.topRecords = Array((result.topRecords + report.topRecords).sorted(by: TopRecord.precedes).prefix(limit))
        result.warnings.formUnion(report.warnings)
        result.skippedInputs.formUnion(report.skippedFiles.map { files[$0].path })
        result.pieceChecksums += report.pieceChecksums
    }
}
