import MRBase
import MRInput
import MRSystem
import MapReduce
/// What a finished run reports.
package struct RunResult: Sendable {
    package var files: [InputEntry]
    package var mapTasks: Int
    package var reduceTasks: Int
    /// Workers that ran the tasks (1 in sequential mode), after ``RunLimits``.
    package var workers = 1
    package var partFiles: Int
    /// How the part files are compressed (their names end in its suffix).
    package var outputCompression = Compression.none
    package var counters = Counters()
    package var jobCounters: [String: Int64] = [:]
    package var topRecords: [TopRecord] = []
    /// Attempts started, failed (re-run), started as backups of stragglers; tasks committed.
    package var attempts = 0
    package var failedAttempts = 0
    package var backups = 0
    package var commits = 0
    /// Tasks committed by a killed earlier run and reused (`--resume`).
    package var resumedTasks = 0
    /// The largest resident memory of a worker process (threads, sequential: of the process).
    package var peakWorkerMemory: Int64 = 0
    /// Input skipped under --skip-bad-input, one line each.
    package var warnings: Set<String> = []
    /// Paths of the input files left out in part or whole (`--skip-bad-input`): the counter
    /// `bad input files skipped` counts each file once, however many of its pieces met damage.
    package var skippedInputs: Set<String> = []
    /// Large gzip files split at their saved index, and relayed (inflated once while mapping).
    package var indexedFiles = 0
    package var relayedFiles = 0
    /// Large gzip and zstd files split at member or frame starts found without decompressing them.
    package var memberSplitFiles = 0
    /// Large compressed files read by one map task each, and why (the run report says so).
    package var unsplittable: [String] = []
    /// CRC-32s of the pieces of indexed gzip files.
    package var pieceChecksums: [PieceChecksum] = []
    package var wallSeconds = 0.0
    /// CPU seconds the coordinator's process used during the run (processes mode: the
    /// coordinator alone; threads and sequential: the whole run).
    package var coordinatorCPUSeconds = 0.0
    /// Every attempt: worker, times, outcome (the run report's `timeline`, `--timeline`).
    package var timeline: [AttemptSpan] = []
    /// When the run started and ended, in seconds since 1970 (UTC).
    package var startedAt = 0.0
    package var endedAt = 0.0
    /// Seconds from the start to the end of planning, and to the last map commit.
    package var planningSeconds = 0.0
    package var mapPhaseEndSeconds: Double?
    package var outputDirectory: String
    /// The run report written into `_SUCCESS` (JSON, see ``RunReport``).
    package var report = ""

    package init(files: [InputEntry], mapTasks: Int, reduceTasks: Int, partFiles: Int, outputDirectory: String) {
        self.files = files
        self.mapTasks = mapTasks
        self.reduceTasks = reduceTasks
        self.partFiles = partFiles
        self.outputDirectory = outputDirectory
    }
}
