import MapReduce
/// Which phase a task belongs to.
public enum TaskKind: UInt8, Sendable {
    case map
    case reduce
}

/// A task: map task `index` reads split `index`; reduce task `index` merges partition `index`.
public struct TaskID: Hashable, Sendable, CustomStringConvertible {
    public let kind: TaskKind
    public let index: Int

    package init(kind: TaskKind, index: Int) {
        self.kind = kind
        self.index = index
    }

    public var description: String {
        (kind == .map ? "map-" : "reduce-") + zeroPadded(index)
    }
}

extension TaskID {
    /// The task a ``description`` names (`map-00003`), if it names one.
    package init?(_ description: String) {
        let parts = description.split(separator: "-")
        guard parts.count == 2, let index = Int(parts[1]), index >= 0 else { return nil }
        switch parts[0] {
        case "map": self.init(kind: .map, index: index)
        case "reduce": self.init(kind: .reduce, index: index)
        default: return nil
        }
    }
}

/// One attempt at running a task: attempts write to their own temporary paths, so a duplicate or
/// dead attempt never touches committed output.
public struct TaskAssignment: Hashable, Sendable, CustomStringConvertible {
    public let task: TaskID
    public let attempt: Int

    package init(task: TaskID, attempt: Int) {
        self.task = task
        self.attempt = attempt
    }

    public var description: String { "\(task) attempt \(attempt)" }
}

/// The counters every run reports, summed over tasks.
public struct Counters: Sendable, Equatable {
    public var inputRecords: Int64 = 0
    public var inputBytes: Int64 = 0
    public var mapOutputRecords: Int64 = 0
    public var combineOutputRecords: Int64 = 0
    /// Sorted runs map tasks wrote (more than one per task when a task outgrew its memory).
    public var spilledRuns: Int64 = 0
    public var reduceGroups: Int64 = 0
    public var outputRecords: Int64 = 0

    package init(inputRecords: Int64 = 0, inputBytes: Int64 = 0, mapOutputRecords: Int64 = 0, combineOutputRecords: Int64 = 0,
                 spilledRuns: Int64 = 0, reduceGroups: Int64 = 0, outputRecords: Int64 = 0) {
        (self.inputRecords, self.inputBytes, self.mapOutputRecords, self.combineOutputRecords) =
            (inputRecords, inputBytes, mapOutputRecords, combineOutputRecords)
        (self.spilledRuns, self.reduceGroups, self.outputRecords) = (spilledRuns, reduceGroups, outputRecords)
    }

    /// The counters by the names the run summary and the run report give them.
    public var named: [(name: String, value: Int64)] {
        [("input records", inputRecords), ("map output records", mapOutputRecords),
         ("combine output records", combineOutputRecords), ("spilled runs", spilledRuns),
         ("reduce groups", reduceGroups), ("output records", outputRecords)]
    }

    public static func += (total: inout Counters, task: Counters) {
        total.inputRecords += task.inputRecords
        total.inputBytes += task.inputBytes
        total.mapOutputRecords += task.mapOutputRecords
        total.combineOutputRecords += task.combineOutputRecords
        total.spilledRuns += task.spilledRuns
        total.reduceGroups += task.reduceGroups
        total.outputRecords += task.outputRecords
    }
}

/// An output record kept for the summary's "top records" list.
public struct TopRecord: Sendable, Equatable {
    public let key: [UInt8]
    public let value: Int64

    /// Larger values first; equal values in key order, so the list is the same in every mode.
    package static func precedes(_ a: TopRecord, _ b: TopRecord) -> Bool {
        a.value != b.value ? a.value > b.value : a.key.lexicographicallyPrecedes(b.key)
    }

    package init(key: [UInt8], value: Int64) {
        self.key = key
        self.value = value
    }
}

/// What a successful attempt reports to the coordinator.
public struct TaskReport: Sendable, Equatable {
    public var counters = Counters()
    /// The job's own counters (``MapOutput/count(_:by:)``).
    public var jobCounters: [String: Int64] = [:]
    public var topRecords: [TopRecord] = []
    /// Input skipped under --skip-bad-input, one line each.
    public var warnings: [String] = []
    /// The files (indexes in the plan) whose damaged rest was skipped under --skip-bad-input.
    public var skippedFiles: [Int] = []
    /// The worker process's peak resident memory so far (processes mode), in bytes.
    public var peakMemory: Int64 = 0
    /// CRC-32 of each indexed gzip piece read, for the whole-file check against the trailer.
    public var pieceChecksums: [PieceChecksum] = []

    /// An empty report, filled in as the task runs.
    package init() {}
}

/// The CRC-32 of the uncompressed bytes [start, start + length) of an input file.
public struct PieceChecksum: Sendable, Equatable {
    public let fileIndex: Int
    public let start: Int64
    public let length: Int64
    public let crc: UInt32

    package init(fileIndex: Int, start: Int64, length: Int64, crc: UInt32) {
        self.fileIndex = fileIndex
        self.start = start
        self.length = length
        self.crc = crc
    }
}

/// Why an attempt failed, as the worker saw it.
public struct TaskFailure: Error, Sendable {
    /// Worth another attempt (job code failed, worker died); bad input fails the same way again.
    public let retryable: Bool
    public let error: MRError

    package init(retryable: Bool, error: MRError) {
        self.retryable = retryable
        self.error = error
    }
}

/// `00042`: the five-digit numbering used in task and part-file names.
package func zeroPadded(_ number: Int) -> String {
    let digits = String(number)
    return digits.count >= 5 ? digits : String(repeating: "0", count: 5 - digits.count) + digits
}
