import MapReduce
/// What the user asked for, beyond the job and its inputs.
package struct RunOptions: Sendable {
    package var mode: ExecutionMode = .processes
    package var workers = 1
    package var reducers = 1
    /// Split size in bytes (estimated uncompressed); nil picks one from the input size.
    package var splitSize: Int64?
    /// Map tasks of this many lines of each plain input file (Hadoop's NLineInputFormat), for
    /// maps that spend long on each line.
    package var linesPerTask: Int64?
    package var outputDirectory: String
    package var maxAttempts = 4
    /// A worker process making no progress for this long is killed and its task re-run.
    package var taskTimeout = 60.0
    /// Run backup copies of stragglers when a phase is nearly done.
    package var speculate = true
    /// A straggler is an attempt running at least this long (and 1.5x its phase's median).
    package var backupAfter = 2.0
    /// Skip the rest of an input file that turns out corrupt, instead of failing the job.
    package var skipBadInput = false
    /// Reuse what a killed earlier run of the same plan committed.
    package var resume = false
    /// Bytes of map output a worker holds before spilling a sorted run (`--memory`).
    package var memoryPerWorker = 128 << 20
    /// The longest line read; a longer one is bad input.
    package var maxLineLength = 64 << 20
    /// The library that inflates gzip input.
    package var inflater = Inflater.isal
    /// How part files are compressed (`--compress-output`): none, gzip or zstd.
    package var compressOutput = Compression.none
    package var showProgress = false

    package init(outputDirectory: String) {
        self.outputDirectory = outputDirectory
    }
}
