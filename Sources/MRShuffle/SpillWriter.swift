import MRBase
import MRSystem
import MapReduce

/// Writes a map task's sorted spills, `spill-00000`, `spill-00001`, ...: each one intermediate file
/// holding every partition's pairs (see ``IntermediateFile``).
package struct SpillWriter {
    /// The name of a map task's spill file `number`.
    package static func fileName(_ number: Int) -> String {
        "spill-" + zeroPadded(number)
    }

    let directory: String
    let partitions: Int
    private(set) var spillsWritten = 0
    private(set) var pairsWritten: Int64 = 0

    init(directory: String, partitions: Int) {
        self.directory = directory
        self.partitions = partitions
    }

    /// Writes the next spill: `pairs` hands each pair to the body it is given, partition after
    /// partition, sorted within each.
    mutating func write(_ pairs: ((Int, ByteSlice, Value) throws -> Void) throws -> Void) throws {
        let writer = try IntermediateFile.Writer(path: directory + "/" + Self.fileName(spillsWritten),
                                                 partitions: partitions)
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
        spillsWritten += 1
        pairsWritten += written
    }
}
