import MapReduce
/// Bounds on what a run may ask of the machine, so that a typo cannot start thousands of
/// processes, write millions of files or plan millions of one-byte tasks. Each bound that changes
/// a request says so in a note.
package enum RunLimits {
    /// Workers per core: more only wait for each other.
    package static let workersPerCore = 4
    /// The most map tasks a run plans: past it, each task's fixed cost (a worker message, a
    /// committed folder, a merge input) would outweigh its work. Small files are packed into
    /// fewer splits to stay within it.
    package static let maximumMapTasks: Int64 = 100_000
    /// The smallest piece a plain file is cut into by size (64 KiB): smaller cuts would mostly
    /// hold no whole line. `--lines-per-task` cuts a small file at its lines instead.
    package static let minimumPieceSize: Int64 = 64 << 10
    /// The largest piece a first run relays a big gzip file in: each worker holds its piece's
    /// text in memory, so a large `--split-size` does not multiply that.
    package static let largestRelayedPiece: Int64 = 32 << 20
    /// Reducers beyond one per this many input bytes (or `reducersAlwaysAllowed`, if more) have
    /// next to nothing to do, and each costs a file per map task.
    package static let inputBytesPerReducer: Int64 = 1 << 20
    package static let reducersAlwaysAllowed: Int64 = 64

    /// Bounds the worker count; returns a note if it changed.
    package static func boundWorkers(_ options: inout RunOptions, cores: Int) -> [String] {
        var notes: [String] = []
        let maximumWorkers = workersPerCore * max(cores, 1)
        if options.workers > maximumWorkers {
            notes.append("--workers \(options.workers) is more than \(workersPerCore) per core on \(cores) cores; using \(maximumWorkers)")
            options.workers = maximumWorkers
        }
        return notes
    }

    /// The split size that keeps a run of `inputBytes` within ``maximumMapTasks``, and a note
    /// when that is more than the one asked for.
    package static func boundSplitSize(_ splitSize: Int64, inputBytes: Int64) -> (Int64, note: String?) {
        let smallest = (inputBytes + maximumMapTasks - 1) / maximumMapTasks
        guard splitSize < smallest else { return (splitSize, nil) }
        return (smallest, "--split-size \(splitSize) would make more than \(maximumMapTasks) map tasks of \(inputBytes / 1_000_000) MB of input; using \(smallest)")
    }

    /// Bounds the reducer count by what `inputBytes` of (uncompressed) input can use.
    package static func boundReducers(_ options: inout RunOptions, inputBytes: Int64, cores: Int) -> String? {
        let useful = max(reducersAlwaysAllowed, Int64(workersPerCore * max(cores, 1)), (inputBytes + inputBytesPerReducer - 1) / inputBytesPerReducer)
        guard Int64(options.reducers) > useful else { return nil }
        defer { options.reducers = Int(useful) }
        return "--reducers \(options.reducers) is more than \(useful) for \(inputBytes / 1_000_000) MB of input (one per MiB, at least \(reducersAlwaysAllowed)); using \(useful)"
    }
}
