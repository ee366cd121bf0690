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

/// Runs a job: plans splits, hands map attempts to idle workers, then reduce attempts once every
/// map task is committed, re-runs attempts whose worker failed or died, commits each task's output
/// exactly once, and finally puts the output directory in place.
package enum Coordinator {
    package static func run(_ loaded: LoadedJob, inputs: [String], options: RunOptions, registry: ChildRegistry) throws -> RunResult {
        var options = options
        options.outputDirectory = try OutputDirectory.normalized(options.outputDirectory)
        for note in RunLimits.boundWorkers(&options, cores: onlineCoreCount()) { writeToStandardError("mr: note: \(note)\n") }
        do {
            return try run(loaded, inputs: inputs, options: options, registry: registry, guessingMembers: true)
        } catch let error as MRError where error.kind == .wrongSplit {
            // A gzip member or bzip2 block start found by scanning was false (gzip data stored
            // inside gzip, a block magic by chance in bzip2 data): plan again, splitting such files
            // only where unit starts are certain.
            var result = try run(loaded, inputs: inputs, options: options, registry: registry, guessingMembers: false)
            result.warnings.insert("\(error.message); ran again, splitting only where member starts are certain")
            return result
        }
    }

    /// Plan, map phase, reduce phase, commit; on any failure the work folder is removed and the
    /// earlier output stays as it was.
    private static func run(_ loaded: LoadedJob, inputs: [String], options: RunOptions, registry: ChildRegistry,
                            guessingMembers: Bool) throws -> RunResult {
        let started = monotonicSeconds()
        let cpuBefore = processCPUSeconds()
        if options.mode != .processes { resetProcessPeakMemory() }
        var run = try plan(loaded, inputs: inputs, options: options, guessingMembers: guessingMembers, started: started)
        registry.setWorkDirectory(run.output.workDirectory)
        defer { registry.setWorkDirectory(nil) }
        let progress = ProgressDisplay(jobName: run.plan.jobName, enabled: options.showProgress, files: run.plan.files, splits: run.plan.splits)
        defer { progress.clear() }
        let pool: WorkerPool
        run.result.relayedFiles = run.plan.relayedFiles.count
        run.plan.indexSpan = run.input.span
        run.plan.relayInflatesAside = run.workers < onlineCoreCount()
        do {
            pool = try makePool(options.mode, workers: run.workers, loaded: loaded, plan: run.plan, registry: registry,
                                taskTimeout: options.taskTimeout)
        } catch {
            run.output.abandon()
            throw error
        }
        do {
            let relayed = RelayedIndexes(plan: run.plan)
            let loop = SchedulerLoop(plan: run.plan, pool: pool, journal: run.output.journal, result: run.result,
                                     maxAttempts: options.maxAttempts, backupAfter: options.backupAfter,
                                     speculate: options.speculate, guessedFiles: run.input.guessedFiles,
                                     topRecordLimit: type(of: loaded.job).topRecordsInSummary, progress: progress, started: started,
                                     lastPieceHandedOn: relayed.assemble)
            if run.output.resumed { try loop.adoptCommitted(from: run.output.journal) }
            try mapPhase(loop, run: run, relayed: relayed)
            try reducePhase(loop)
            run.result = loop.result
            run.result.warnings.formUnion(relayed.unsaved)
            pool.shutdown()
            run.result.coordinatorCPUSeconds = processCPUSeconds() - cpuBefore
            try commit(&run, loaded: loaded, started: started)
        } catch {
            pool.shutdown()
            run.output.abandon()
            throw error
        }
        return run.result
    }

    /// A run once planned: its options as bounded, the input plan, the plan the workers get, the
    /// output folder being prepared, and what the run reports.
    private struct PlannedRun {
        var options: RunOptions
        let workers: Int
        let input: InputPlanner.Plan
        var plan: RunPlan
        let output: OutputDirectory
        var result: RunResult
    }

    /// The input files and their splits, and the work folder beside the output that the plan's
    /// fingerprint names (a killed run's, with `--resume`, if it is the same plan).
    private static func plan(_ loaded: LoadedJob, inputs: [String], options: RunOptions, guessingMembers: Bool,
                             started: Double) throws -> PlannedRun {
        var options = options
        let jobType = type(of: loaded.job)
        let workers = options.mode == .sequential ? 1 : max(options.workers, 1)
        func fingerprint(_ planned: InputPlanner.Plan) -> String {
            RunPlan.fingerprint(jobName: jobType.name, jobLibrary: loaded.library, jobOptions: loaded.options,
                                isMapOnly: jobType.isMapOnly, files: planned.files, splits: planned.splits, reducers: options.reducers)
        }
        let splitting = InputPlanner.Splitting(workers: workers, memberSplits: !jobType.readsLinePositions,
                                               guessingMembers: guessingMembers, ignoringSavedIndexes: false)
        var planned = try InputPlanner.plan(inputs, options: options, splitting)
        if let note = planned.note, guessingMembers { writeToStandardError("mr: note: \(note)\n") }
        let inputBytes = planned.files.reduce(Int64(0)) { $0 + SplitPlanner.estimatedSize($1) }
        if let note = RunLimits.boundReducers(&options, inputBytes: inputBytes, cores: onlineCoreCount()), guessingMembers {
            writeToStandardError("mr: note: \(note)\n")  // said once, not again when a run is redone
        }
        if options.resume && !planned.indexes.isEmpty {
            // A killed first run relayed these files and saved their index before it died; its
            // committed tasks can be reused only under its own plan, the relayed one.
            var relayedSplitting = splitting
            relayedSplitting.ignoringSavedIndexes = true
            let relayedPlan = try InputPlanner.plan(inputs, options: options, relayedSplitting)
            if OutputDirectory.hasAbandonedRun(options.outputDirectory, fingerprint: fingerprint(relayedPlan)) {
                planned = relayedPlan
            }
        }
        let output = try OutputDirectory.prepare(options.outputDirectory, fingerprint: fingerprint(planned), resume: options.resume)
        var plan = RunPlan(jobName: jobType.name, jobLibrary: loaded.library, jobOptions: loaded.options,
                           isMapOnly: jobType.isMapOnly, skipBadInput: options.skipBadInput,
                           memoryPerWorker: options.memoryPerWorker, maxLineLength: options.maxLineLength,
                           inflater: options.inflater, files: planned.files,
                           splits: planned.splits, reducers: options.reducers, workDirectory: output.workDirectory)
        plan.jobStep = loaded.step
        plan.outputCompression = options.compressOutput
        var result = RunResult(files: plan.files, mapTasks: plan.mapTaskCount, reduceTasks: plan.reduceTaskCount,
                               partFiles: plan.partCount, outputDirectory: options.outputDirectory)
        result.workers = workers
        result.warnings.formUnion(planned.skippedFiles.map(\.warning) + planned.notInput)
        result.indexedFiles = planned.indexes.count
        result.memberSplitFiles = planned.memberSplitFiles
        result.unsplittable = planned.unsplittable
        result.outputCompression = options.compressOutput
        result.skippedInputs.formUnion(planned.skippedFiles.map(\.path))
        result.planningSeconds = monotonicSeconds() - started
        return PlannedRun(options: options, workers: workers, input: planned, plan: plan, output: output, result: result)
    }

    /// Every map task committed, then what only all of them together can show: the CRC-32 of a
    /// gzip file read in pieces against its trailer, before any reduce reads their output (a
    /// relayed file's index, saved when its last piece left its baton, is removed if it fails).
    /// The map reports' spill counts become the reduce tasks' list of inputs.
    private static func mapPhase(_ loop: SchedulerLoop, run: PlannedRun, relayed: RelayedIndexes) throws {
        try loop.runMapPhase()
        try relayed.assembleRest(skipping: loop.result.skippedInputs)
        do {
            try GzipIndex.checkPieces(of: run.input.indexes.merging(relayed.indexes) { $1 }, splits: run.plan.splits,
                                      files: run.plan.files, against: loop.result.pieceChecksums)
        } catch {
            relayed.removeSaved()
            throw error
        }
        if !run.plan.isMapOnly { try run.plan.recordMapOutputs(loop.mapOutputs.compactMap { $0 }) }
    }

    /// Every reduce task committed.
    private static func reducePhase(_ loop: SchedulerLoop) throws {
        try loop.runReducePhase()
    }

    /// Writes `_SUCCESS` (the run report) and puts the output folder in place in one step.
    private static func commit(_ run: inout PlannedRun, loaded: LoadedJob, started: Double) throws {
        if !run.result.skippedInputs.isEmpty { run.result.jobCounters[TaskRunner.skippedFilesCounter] = Int64(run.result.skippedInputs.count) }
        if run.options.mode != .processes { run.result.peakWorkerMemory = processPeakMemory() }
        run.result.wallSeconds = monotonicSeconds() - started
        run.result.endedAt = wallClockSeconds()
        run.result.startedAt = run.result.endedAt - run.result.wallSeconds
        run.result.report = RunReport(run.result, job: loaded, options: run.options).json
        try run.output.commit(report: run.result.report)
    }

    private static func makePool(_ mode: ExecutionMode, workers: Int, loaded: LoadedJob, plan: RunPlan,
                                 registry: ChildRegistry, taskTimeout: Double) throws -> WorkerPool {
        if mode == .processes {
            return try ProcessPool(size: workers, plan: plan, registry: registry, taskTimeout: taskTimeout)
        }
        let runner = TaskRunner(job: loaded.job, plan: plan)
        RecordTracker.installInProcessCrashReporter(jobName: plan.jobName, files: plan.files)
        return mode == .threads ? ThreadPool(size: workers, runner: runner) : SequentialPool(runner: runner)
    }
}
