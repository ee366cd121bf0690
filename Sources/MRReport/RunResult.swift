import MRBase
import MRInput
import MRSystem
import MapReduce
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

    package init(files: [InputEntry], mapTasks: Int, reduceTasks: Int, partFiles: Int, outputDirectory: String) {
        self.files = files
        self.mapTasks = mapTasks
        self.reduceTasks = reduceTasks
        self.partFiles = partFiles
        self.outputDirectory = outputDirectory
    }
}
