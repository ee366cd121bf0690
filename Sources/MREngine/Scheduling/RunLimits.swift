/// Bounds on what a run may ask of the machine, so that a typo cannot start thousands of
/// processes, write millions of files or plan millions of one-byte tasks. Each bound that changes
/// a request says so in a note.
enum RunLimits {
    /// Workers per core: more only wait for each other.
    static let workersPerCore = 4
    /// The smallest split (64 KiB): below it a task's fixed cost (a worker message, a sorted run
    /// per partition, a merge input) outweighs its work. Small enough for a few megabytes of input
    /// to make many tasks, as tests and demos want.
    static let minimumSplitSize: Int64 = 64 << 10
    /// Reducers beyond one per this many input bytes (or `reducersAlwaysAllowed`, if more) have
    /// next to nothing to do, and each costs a file per map task.
    static let inputBytesPerReducer: Int64 = 1 << 20
    static let reducersAlwaysAllowed: Int64 = 64

    /// Bounds the worker count and the split size; returns a note for each change.
    static func boundWorkersAndSplits(_ options: inout RunOptions, cores: Int) -> [String] {
        var notes: [String] = []
        let maximumWorkers = workersPerCore * max(cores, 1)
        if options.workers > maximumWorkers {
            notes.append("--workers \(options.workers) is more than \(workersPerCore) per core on \(cores) cores; using \(maximumWorkers)")
            options.workers = maximumWorkers
        }
        if let splitSize = options.splitSize, splitSize < minimumSplitSize {
            notes.append("--split-size \(splitSize) is below the smallest split, 64K; using 64K")
            options.splitSize = minimumSplitSize
        }
        return notes
    }

    /// Bounds the reducer count by what `inputBytes` of (uncompressed) input can use.
    static func boundReducers(_ options: inout RunOptions, inputBytes: Int64, cores: Int) -> String? {
        let useful = max(reducersAlwaysAllowed, Int64(workersPerCore * max(cores, 1)), (inputBytes + inputBytesPerReducer - 1) / inputBytesPerReducer)
        guard Int64(options.reducers) > useful else { return nil }
        defer { options.reducers = Int(useful) }
        return "--reducers \(options.reducers) is more than \(useful) for \(inputBytes / 1_000_000) MB of input (one per MiB, at least \(reducersAlwaysAllowed)); using \(useful)"
    }
}
