import MapReduce
/// What the user asked for, beyond the job and its inputs.
public struct RunOptions: Sendable {
    public var mode: ExecutionMode = .processes
    public var workers = 1
    public var reducers = 1
    /// Split size in bytes (estimated uncompressed); nil picks one from the input size.
    public var splitSize: Int64?
    /// Map tasks of this many lines of each plain input file (Hadoop's NLineInputFormat), for
    /// maps that spend long on each line.
    public var linesPerTask: Int64?
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
    /// The library that inflates gzip input.
    public var inflater = Inflater.isal
    public var showProgress = false

    public init(outputDirectory: String) {
        self.outputDirectory = outputDirectory
    }
}
