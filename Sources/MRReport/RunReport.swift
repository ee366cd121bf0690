import FoundationEssentials
import MRBase
import MRInput
import MRSystem
import MapReduce

/// The run report machines read: one JSON object, written into `DIR/_SUCCESS` by every
/// successful run and printed by `--json`; its fields are documented in docs/running.md ("Run
/// report"). Built from `Codable` types by `JSONEncoder` (keys sorted, so that two reports
/// compare line by line); every string is in mr's name escaping (``Swift/String/escapedPath``),
/// so once JSON is decoded a backslash reads `\\` and a byte of a path that is not UTF-8 `\xNN`.
package struct RunReport: Codable, Equatable {
    /// Raised when a field changes meaning or goes; new fields keep the number.
    package static let currentSchema = 2

    package struct Inputs: Codable, Equatable {
        package var files: Int
        package var bytes: Int64
        package var uncompressedBytes: Int64
    }
    package struct Tasks: Codable, Equatable {
        package var map: Int
        package var reduce: Int
    }
    package struct Attempts: Codable, Equatable {
        package var started: Int
        package var failed: Int
        package var backups: Int
        package var committed: Int
        package var reused: Int
    }
    package struct Phases: Codable, Equatable {
        package var total: Double
        package var planning: Double
        package var map: Double
        package var reduce: Double
    }
    package struct Record: Codable, Equatable {
        package var key: String
        package var value: Int64
    }

    package var schemaVersion: Int
    package var mrVersion: String
    package var job: String
    package var jobFile: String
    package var commandLine: [String]
    package var startedAt: String
    package var endedAt: String
    package var options: [String: String]
    package var mode: String
    package var workers: Int
    package var reducers: Int
    package var inflater: String
    package var inputs: Inputs
    package var tasks: Tasks
    package var attempts: Attempts
    package var wallSeconds: Phases
    package var peakResidentBytes: Int64
    package var coordinatorCPUSeconds: Double
    package var counters: [String: Int64]
    package var topRecords: [Record]
    package var warnings: [String]
    package var readByOneTask: [String]
    package var outputDirectory: String
    package var outputs: [String]
    package var timeline: [AttemptSpan]

    package init(_ result: RunResult, job: LoadedJob, options: RunOptions) {
        let mapEnd = result.mapPhaseEndSeconds ?? result.wallSeconds
        var counters = Dictionary(uniqueKeysWithValues: result.counters.named(combinerRan: job.combines).map { ($0.name, $0.value) })
        counters.merge(result.jobCounters) { engine, _ in engine }
        schemaVersion = Self.currentSchema
        mrVersion = Version.mr
        self.job = type(of: job.job).name
        jobFile = job.source.escapedPath
        commandLine = CommandLine.arguments.map(\.escapedPath)
        startedAt = Self.iso8601(result.startedAt)
        endedAt = Self.iso8601(result.endedAt)
        self.options = Dictionary(uniqueKeysWithValues: job.options.map { ($0.key.escapedPath, $0.value.escapedPath) })
        mode = options.mode.rawValue
        workers = result.workers
        reducers = result.reduceTasks
        inflater = options.inflater.rawValue
        inputs = Inputs(files: result.files.count, bytes: result.files.reduce(0) { $0 + $1.size },
                        uncompressedBytes: result.counters.inputBytes)
        tasks = Tasks(map: result.mapTasks, reduce: result.reduceTasks)
        attempts = Attempts(started: result.attempts, failed: result.failedAttempts, backups: result.backups,
                            committed: result.commits, reused: result.resumedTasks)
        wallSeconds = Phases(total: roundedToMilliseconds(result.wallSeconds), planning: roundedToMilliseconds(result.planningSeconds),
                             map: roundedToMilliseconds(mapEnd - result.planningSeconds), reduce: roundedToMilliseconds(result.wallSeconds - mapEnd))
        peakResidentBytes = result.peakWorkerMemory
        coordinatorCPUSeconds = roundedToMilliseconds(result.coordinatorCPUSeconds)
        self.counters = Dictionary(uniqueKeysWithValues: counters.map { ($0.key.escapedPath, $0.value) })
        topRecords = result.topRecords.map { Record(key: String(decoding: $0.key, as: UTF8.self).escapedPath, value: $0.value) }
        warnings = result.warnings.sorted().map(\.escapedPath)
        readByOneTask = result.unsplittable.map(\.escapedPath)
        outputDirectory = result.outputDirectory.escapedPath
        outputs = (0..<result.partFiles).map { OutputLayout.partFileName($0, compression: result.outputCompression) }
        timeline = result.timeline.sorted { ($0.start, $0.worker) < ($1.start, $1.worker) }
    }

    /// The report as JSON text, one object and a line end.
    package var json: String {
        JSONText.encode(self)
    }

    /// `2026-12-04T16:22:15Z`.
    private static func iso8601(_ secondsSince1970: Double) -> String {
        Date(timeIntervalSince1970: secondsSince1970.rounded(.down)).formatted(.iso8601)
    }
}

/// JSON text of an `Encodable` value as mr writes it: keys sorted, slashes not escaped, a line end.
package enum JSONText {
    package static func encode(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Only types of mr's own, of strings and numbers: encoding cannot fail.
        let data = try! encoder.encode(value)
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}

/// Seconds rounded to milliseconds, as the report and the timeline give them (printed as
/// `0.117`, not `0.11700000000000001`).
func roundedToMilliseconds(_ seconds: Double) -> Double { (seconds * 1000).rounded() / 1000 }
