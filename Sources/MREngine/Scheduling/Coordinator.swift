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
    public var showProgress = false

    public init(outputDirectory: String) {
        self.outputDirectory = outputDirectory
    }
}

/// A job ready to run: its instance, the library workers load it from, its option values.
public struct LoadedJob: Sendable {
    public let job: any Job
    public let library: String
    public let options: [String: String]

    public init(job: any Job, library: String, options: [String: String]) {
        self.job = job
        self.library = library
        self.options = options
    }
}

/// What a finished run reports.
public struct RunResult: Sendable {
    public var files: [InputEntry]
    public var mapTasks: Int
    public var reduceTasks: Int
    public var partFiles: Int
    public var counters = Counters()
    public var jobCounters: [String: Int64] = [:]
    public var topRecords: [TopRecord] = []
    public var failedAttempts = 0
    public var wallSeconds = 0.0
    public var outputDirectory: String
}

/// Runs a job: plans splits, hands map attempts to idle workers, then reduce attempts once every
/// map task is committed, re-runs attempts whose worker failed or died, commits each task's output
/// exactly once, and finally puts the output directory in place.
public enum Coordinator {
    public static func run(_ loaded: LoadedJob, inputs: [String], options: RunOptions, registry: ChildRegistry) throws -> RunResult {
        let started = monotonicSeconds()
        let job = loaded.job
        let jobType = type(of: job)
        let jobName = jobType.name
        let files = try InputCatalog.files(for: inputs)
        let workers = options.mode == .sequential ? 1 : max(options.workers, 1)
        let splitSize = options.splitSize ?? SplitPlanner.defaultTargetSize(for: files, workers: workers)
        let splits = SplitPlanner.splits(for: files, targetSize: splitSize)

        let output = try OutputDirectory.prepare(options.outputDirectory)
        registry.setWorkDirectory(output.workDirectory)
        let plan = RunPlan(jobName: jobName, jobLibrary: loaded.library, jobOptions: loaded.options,
                           isMapOnly: jobType.isMapOnly, files: files, splits: splits, reducers: options.reducers,
                           workDirectory: output.workDirectory)
        var result = RunResult(files: files, mapTasks: splits.count, reduceTasks: plan.reduceTaskCount,
                               partFiles: plan.partCount, outputDirectory: options.outputDirectory)
        let progress = ProgressDisplay(jobName: jobName, enabled: options.showProgress)
        defer { progress.clear() }

        let pool: WorkerPool
        do {
            let runner = TaskRunner(job: job, plan: plan)
            switch options.mode {
            case .processes: pool = try ProcessPool(size: workers, plan: plan, registry: registry)
            case .threads: pool = ThreadPool(size: workers, runner: runner)
            case .sequential: pool = SequentialPool(runner: runner)
            }
        } catch {
            output.abandon()
            throw error
        }

        do {
            var table = TaskTable(mapTasks: splits.count, reduceTasks: plan.reduceTaskCount, maxAttempts: options.maxAttempts)
            var idle = Array((0..<pool.size).reversed())
            var lastFailure: [TaskID: String] = [:]
            while !table.isFinished {
                while !idle.isEmpty, let assignment = table.nextAssignment() {
                    try pool.start(assignment, on: idle.removeLast())
                }
                switch try pool.nextEvent() {
                case .finished(let worker, let assignment, .success(let report)):
                    idle.append(worker)
                    try commit(assignment, plan: plan, table: &table)
                    result.counters += report.counters
                    result.jobCounters.merge(report.jobCounters, uniquingKeysWith: +)
                    result.topRecords = mergeTop(result.topRecords, report.topRecords, limit: jobType.topRecordsInSummary)
                case .finished(let worker, let assignment, .failure(let failure)):
                    idle.append(worker)
                    result.failedAttempts += 1
                    lastFailure[assignment.task] = failure.error.message
                    guard table.failed(assignment, retryable: failure.retryable) else {
                        throw failure.retryable
                            ? exhausted(assignment.task, plan: plan, table: table, reason: failure.error.message)
                            : failure.error
                    }
                case .died(let worker, let assignment, let reason):
                    idle.append(worker)
                    guard let assignment else { continue }
                    result.failedAttempts += 1
                    lastFailure[assignment.task] = reason
                    guard table.failed(assignment, retryable: true) else {
                        throw exhausted(assignment.task, plan: plan, table: table, reason: reason)
                    }
                }
                progress.update(table, started: started)
            }
            pool.shutdown()
            try output.commit()
            registry.setWorkDirectory(nil)
        } catch {
            pool.shutdown()
            output.abandon()
            registry.setWorkDirectory(nil)
            throw error
        }
        result.wallSeconds = monotonicSeconds() - started
        return result
    }

    /// Moves a successful attempt's output to its committed name, unless the task was already
    /// committed by another attempt.
    private static func commit(_ assignment: TaskAssignment, plan: RunPlan, table: inout TaskTable) throws {
        let attemptPath = plan.attemptPath(assignment)
        if table.succeeded(assignment) {
            try FileSystem.rename(attemptPath, to: plan.committedPath(assignment.task))
        } else {
            FileSystem.removeTree(attemptPath)
        }
    }

    private static func exhausted(_ task: TaskID, plan: RunPlan, table: TaskTable, reason: String) -> MRError {
        let what: String
        if task.kind == .map {
            let names = plan.splits[task.index].pieces.map { plan.files[$0.fileIndex].path }
            let shown = names.prefix(3).joined(separator: ", ") + (names.count > 3 ? " and \(names.count - 3) more" : "")
            what = "split: \(shown)"
        } else {
            what = "partition \(task.index) of \(plan.reducers)"
        }
        return MRError(.taskFailed, "job \(plan.jobName): task \(task) (\(what)) failed \(table.attempts(of: task)) times; last failure: \(reason)")
    }

    private static func mergeTop(_ a: [TopRecord], _ b: [TopRecord], limit: Int) -> [TopRecord] {
        guard limit > 0 else { return [] }
        return Array((a + b).sorted(by: TopRecord.precedes).prefix(limit))
    }
}
