import MRBase
import MRSystem
import MapReduce

/// Writes a map task's sorted spills, each an intermediate spill holding every partition's pairs
/// (see ``IntermediateFile``), one after another at the end of the worker's ``MapOutputLog``.
/// Where they end is the task's output (``place``).
package struct SpillWriter {
    /// How map outputs are laid out, named in a run's fingerprint: a killed run whose outputs
    /// are laid out otherwise (a file or a folder per task, before) is not resumed.
    package static let layout = "spills appended to a map output log per worker"

    let log: MapOutputLog
    let partitions: Int
    private(set) var spillEnds: [Int64] = []
    private(set) var pairsWritten: Int64 = 0

    init(log: MapOutputLog, partitions: Int) {
        self.log = log
        self.partitions = partitions
    }

    var spillsWritten: Int { spillEnds.count }

    /// Where the spills written so far are.
    package var place: MapOutputPlace { MapOutputPlace(log: log.name, spillEnds: spillEnds) }

    /// Writes the next spill: `pairs` hands each pair to the body it is given, partition after
    /// partition, sorted within each.
    mutating func write(_ pairs: ((Int, ByteSlice, Value) throws -> Void) throws -> Void) throws {
        let writer = IntermediateFile.Writer(appendingTo: log.output, partitions: partitions)
        var writerPartition = 0
        var written: Int64 = 0
        // The writer is reached unretained (a retain and a release per pair otherwise).
        try withExtendedLifetime(writer) {
            let current = Unmanaged.passUnretained(writer)
            try pairs { partition, key, value in
                if partition != writerPartition {
                    try writer.startPartition(partition)
                    writerPartition = partition
                }
                try current._withUnsafeGuaranteedRef { try $0.append(key: key, value: value) }
                written += 1
            }
        }
        try writer.finish()
        spillEnds.append(writer.end)
        pairsWritten += written
    }
}
