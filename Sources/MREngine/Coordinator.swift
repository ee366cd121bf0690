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
            // A gzip member start found by scanning was false (gzip data stored inside gzip, say):
            // plan again, splitting such files only where it is certain.
            var result = try run(loaded, inputs: inputs, options: options, registry: registry, guessingMembers: false)
            result.warnings.insert("\(error.message); ran again, splitting only where member starts are certain")
            return result
        }
    }

    /// Plan, run, commit.
    private static func run(_ loaded: LoadedJob, inputs: [String], options: RunOptions, registry: ChildRegistry,
                            guessingMembers: Bool) throws -> RunResult {
        var options = options
        let started = monotonicSeconds()
        if options.mode != .processes { resetProcessPeakMemory() }
        let jobType = type(of: loaded.job)
        let workers = options.mode == .sequential ? 1 : max(options.workers, 1)

        // Plan: the input files and their splits, and the work folder the plan's fingerprint names.
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
            // A killed first run fed these files and saved their index before it died; its
            // committed tasks can be reused only under its own plan, the fed one.
            var fedSplitting = splitting
            fedSplitting.ignoringSavedIndexes = true
            let fedPlan = try InputPlanner.plan(inputs, options: options, fedSplitting)
            if OutputDirectory.hasAbandonedRun(options.outputDirectory, fingerprint: fingerprint(fedPlan)) {
                planned = fedPlan
            }
        }
        let output = try OutputDirectory.prepare(options.outputDirectory, fingerprint: fingerprint(planned), resume: options.resume)
        registry.setWorkDirectory(output.workDirectory)
        let plan = RunPlan(jobName: jobType.name, jobLibrary: loaded.library, jobOptions: loaded.options,
                           isMapOnly: jobType.isMapOnly, skipBadInput: options.skipBadInput,
                           memoryPerWorker: options.memoryPerWorker, maxLineLength: options.maxLineLength,
                           inflater: options.inflater, files: planned.files,
                           splits: planned.splits, reducers: options.reducers, workDirectory: output.workDirectory)
        var result = RunResult(files: plan.files, mapTasks: plan.mapTaskCount, reduceTasks: plan.reduceTaskCount,
                               partFiles: plan.partCount, outputDirectory: options.outputDirectory)
        result.workers = workers
        result.warnings.formUnion(planned.skippedFiles.map(\.warning) + planned.notInput)
        result.indexedFiles = planned.indexes.count
        result.memberSplitFiles = planned.memberSplitFiles
        result.skippedInputs.formUnion(planned.skippedFiles.map(\.path))
        result.planningSeconds = monotonicSeconds() - started
        let progress = ProgressDisplay(jobName: jobType.name, enabled: options.showProgress, files: plan.files, splits: plan.splits)
        defer { progress.clear() }

        // Run: the workers, the feeder of unindexed gzip files, and the loop between them.
        let pool: WorkerPool
        let feeder: GzipFeeder?
        do {
            pool = try makePool(options.mode, workers: workers, loaded: loaded, plan: plan, registry: registry,
                                taskTimeout: options.taskTimeout)
            let fedFiles = plan.fedFiles
            result.fedFiles = fedFiles.count
            feeder = fedFiles.isEmpty ? nil : GzipFeeder(files: fedFiles, span: planned.span, limit: workers + 2,
                                                         skipBadInput: options.skipBadInput, wake: pool.waker)
        } catch {
            output.abandon()
            throw error
        }
        do {
            let loop = SchedulerLoop(plan: plan, pool: pool, journal: output.journal, result: result,
                               maxAttempts: options.maxAttempts, backupAfter: options.backupAfter,
                               speculate: options.speculate, feeder: feeder, guessedFiles: planned.guessedFiles,
                               topRecordLimit: jobType.topRecordsInSummary, progress: progress, started: started)
            if output.resumed { try loop.adoptCommitted(from: output.journal) }
            try loop.run()
            result = loop.result
            feeder?.stop()
            pool.shutdown()

            // Commit: check what can be checked only now, then put the output in place.
            if let warnings = feeder?.warnings {
                result.warnings.formUnion(warnings.skippedFiles.map(\.warning) + warnings.unsavedIndexes)
                result.skippedInputs.formUnion(warnings.skippedFiles.map(\.path))
            }
            if !result.skippedInputs.isEmpty { result.jobCounters[TaskRunner.skippedFilesCounter] = Int64(result.skippedInputs.count) }
            if options.mode != .processes { result.peakWorkerMemory = processPeakMemory() }
            try GzipIndex.checkPieces(of: planned.indexes, splits: plan.splits, files: plan.files, against: result.pieceChecksums)
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
