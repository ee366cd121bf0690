import MRBase
import MRInput
import MRSystem
import MapReduce
/// The run report machines read: one JSON object, written into `DIR/_SUCCESS` by every
/// successful run and printed by `--json`. Its fields (docs/running.md, "Run report"):
///
/// ```
/// job, jobFile, options{name: value}, mode, workers, reducers, inflater,
/// inputs{files, bytes, uncompressedBytes}, tasks{map, reduce},
/// attempts{started, failed, backups, committed, reused}, wallSeconds{total, planning, map, reduce},
/// peakResidentBytes, counters{name: integer}, warnings[], readByOneTask[], outputDirectory, outputs[]
/// ```
///
/// `counters` holds the engine's counters under the names the summary prints, then the job's.
/// Every string is in mr's name escaping (``Swift/String/escapedPath``): once JSON is decoded, a
/// backslash reads `\\` and a byte of a path that is not UTF-8 `\xNN`.
package enum RunReport {
    package static func json(_ result: RunResult, job: LoadedJob, options: RunOptions) -> String {
        let jobType = type(of: job.job)
        let mapEnd = result.mapPhaseEndSeconds ?? result.wallSeconds
        var counters = result.counters.named.map { ($0.name, JSON.number($0.value)) }
        counters += result.jobCounters.sorted { $0.key < $1.key }.map { ($0.key, JSON.number($0.value)) }
        let report = JSON.object([
            ("job", .string(jobType.name)),
            ("jobFile", .string(job.source)),
            ("options", .object(job.options.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })),
            ("mode", .string(options.mode.rawValue)),
            ("workers", .number(Int64(result.workers))),
            ("reducers", .number(Int64(result.reduceTasks))),
            ("inflater", .string(options.inflater.rawValue)),
            ("inputs", .object([
                ("files", .number(Int64(result.files.count))),
                ("bytes", .number(result.files.reduce(0) { $0 + $1.size })),
                ("uncompressedBytes", .number(result.counters.inputBytes)),
            ])),
            ("tasks", .object([("map", .number(Int64(result.mapTasks))), ("reduce", .number(Int64(result.reduceTasks)))])),
            ("attempts", .object([
                ("started", .number(Int64(result.attempts))), ("failed", .number(Int64(result.failedAttempts))),
                ("backups", .number(Int64(result.backups))), ("committed", .number(Int64(result.commits))),
                ("reused", .number(Int64(result.resumedTasks))),
            ])),
            ("wallSeconds", .object([
                ("total", .seconds(result.wallSeconds)), ("planning", .seconds(result.planningSeconds)),
                ("map", .seconds(mapEnd - result.planningSeconds)), ("reduce", .seconds(result.wallSeconds - mapEnd)),
            ])),
            ("peakResidentBytes", .number(result.peakWorkerMemory)),
            ("counters", .object(counters)),
            ("warnings", .array(result.warnings.sorted().map(JSON.string))),
            ("readByOneTask", .array(result.unsplittable.map(JSON.string))),
            ("outputDirectory", .string(result.outputDirectory)),
            ("outputs", .array((0..<result.partFiles).map { .string(OutputLayout.partFileName($0, compression: result.outputCompression)) })),
        ])
        return report.text + "\n"
    }
}

/// Just enough JSON to write the report: objects keep their keys in the given order.
enum JSON {
    case string(String)
    case number(Int64)
    case seconds(Double)
    case array([JSON])
    case object([(String, JSON)])

    var text: String {
        switch self {
        case .string(let value): return Self.quoted(value)
        case .number(let value): return String(value)
        case .seconds(let value): return value.formatted(decimals: 3)
        case .array(let items): return "[" + items.map(\.text).joined(separator: ", ") + "]"
        case .object(let members):
            return "{" + members.map { Self.quoted($0.0) + ": " + $0.1.text }.joined(separator: ", ") + "}"
        }
    }

    /// A JSON string of `text` in mr's name escaping (``Swift/String/escapedPath``), so a path's
    /// bytes survive exactly whether or not they are UTF-8.
    private static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.escapedPath.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
