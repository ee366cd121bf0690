import MapReduce
/// Which phase a task belongs to.
package enum TaskKind: UInt8, Sendable {
    case map
    case reduce
}

/// A task: map task `index` reads split `index`; reduce task `index` merges partition `index`.
package struct TaskID: Hashable, Sendable, CustomStringConvertible {
    package let kind: TaskKind
    package let index: Int

    package init(kind: TaskKind, index: Int) {
        self.kind = kind
        self.index = index
    }

    package var description: String {
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
package struct TaskAssignment: Hashable, Sendable, CustomStringConvertible {
    package let task: TaskID
    package let attempt: Int

    package init(task: TaskID, attempt: Int) {
        self.task = task
        self.attempt = attempt
    }

    package var description: String { "\(task) attempt \(attempt)" }
}

/// The counters every run reports, summed over tasks.
package struct Counters: Sendable, Equatable {
    package var inputRecords: Int64 = 0
    package var inputBytes: Int64 = 0
    package var mapOutputRecords: Int64 = 0
    package var combineOutputRecords: Int64 = 0
    /// Sorted runs map tasks wrote (more than one per task when a task outgrew its memory).
    package var spills: Int64 = 0
    package var reduceGroups: Int64 = 0
    package var outputRecords: Int64 = 0

    package init(inputRecords: Int64 = 0, inputBytes: Int64 = 0, mapOutputRecords: Int64 = 0, combineOutputRecords: Int64 = 0,
                 spills: Int64 = 0, reduceGroups: Int64 = 0, outputRecords: Int64 = 0) {
        (self.inputRecords, self.inputBytes, self.mapOutputRecords, self.combineOutputRecords) =
            (inputRecords, inputBytes, mapOutputRecords, combineOutputRecords)
        (self.spills, self.reduceGroups, self.outputRecords) = (spills, reduceGroups, outputRecords)
    }

    /// The counters by the names the run summary and the run report give them; the combiner's
    /// only when one ran (a job without one would show a copy of map output records).
    package func named(combinerRan: Bool) -> [(name: String, value: Int64)] {
        [("input records", inputRecords), ("map output records", mapOutputRecords)]
            + (combinerRan ? [("combine output records", combineOutputRecords)] : [])
            + [("spills", spills), ("reduce groups", reduceGroups), ("output records", outputRecords)]
    }

    package static func += (total: inout Counters, task: Counters) {
        total.inputRecords += task.inputRecords
        total.inputBytes += task.inputBytes
        total.mapOutputRecords += task.mapOutputRecords
        total.combineOutputRecords += task.combineOutputRecords
        total.spills += task.spills
        total.reduceGroups += task.reduceGroups
        total.outputRecords += task.outputRecords
    }
}

/// An output record kept for the summary's "top records" list.
package struct TopRecord: Sendable, Equatable {
    package let key: [UInt8]
    package let value: Int64

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
package struct TaskReport: Sendable, Equatable {
    package var counters = Counters()
    /// The job's own counters (``MapOutput/count(_:by:)``).
    package var jobCounters: [String: Int64] = [:]
    package var topRecords: [TopRecord] = []
    /// Input skipped under --skip-bad-input, one line each.
    package var warnings: [String] = []
    /// The files (indexes in the plan) whose damaged rest was skipped under --skip-bad-input.
    package var skippedFiles: [Int] = []
    /// The worker process's peak resident memory so far (processes mode), in bytes.
    package var peakMemory: Int64 = 0
    /// CRC-32 of each indexed gzip piece read, for the whole-file check against the trailer.
    package var pieceChecksums: [PieceChecksum] = []
    /// Seconds of the attempt spent apart from map or reduce proper, for the timeline: a map
    /// task's sorting and writing of spills, a reduce task's merge passes before it reduces.
    package var spillSeconds = 0.0
    package var mergeSeconds = 0.0
    /// Where a map task's spills are (not for a map-only job's map tasks).
    package var mapOutput: MapOutputPlace?

    /// An empty report, filled in as the task runs.
    package init() {}
}

/// A map task's output: its spills, appended one after another to a worker's map output log in
/// the work folder. Reported by the task and journaled when it commits: the commit needs no file
/// of its own.
package struct MapOutputPlace: Sendable, Equatable {
    /// The log's file name in the work folder.
    package let log: String
    /// Where each spill ends in the log, in order (a spill's index gives its start).
    package let spillEnds: [Int64]

    package init(log: String, spillEnds: [Int64]) {
        self.log = log
        self.spillEnds = spillEnds
    }
}

/// The CRC-32 of the uncompressed bytes [start, start + length) of an input file.
package struct PieceChecksum: Sendable, Equatable {
    package let fileIndex: Int
    package let start: Int64
    package let length: Int64
    package let crc: UInt32

    package init(fileIndex: Int, start: Int64, length: Int64, crc: UInt32) {
        self.fileIndex = fileIndex
        self.start = start
        self.length = length
        self.crc = crc
    }
}

/// Why an attempt failed, as the worker saw it.
package struct TaskFailure: Error, Sendable {
    /// Worth another attempt (job code failed, worker died); bad input fails the same way again.
    package let retryable: Bool
    package let error: MRError

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
