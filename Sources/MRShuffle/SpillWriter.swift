import MRBase
import MRSystem
import MapReduce

/// Writes a map task's sorted spills, each one intermediate file holding every partition's pairs
/// (see ``IntermediateFile``), at the task's output path: a lone spill is the file at that path,
/// several are `spill-00000`, `spill-00001`, ... in a folder there. Most tasks spill once, and on
/// ext4 a folder as well as a file for each of thousands of tiny tasks made creating inodes
/// most of a task's cost (its allocator passes over inodes freed in the last minutes).
package struct SpillWriter {
    /// How a map output is laid out, named in a run's fingerprint: a killed run whose outputs
    /// are laid out otherwise (a folder even for one spill, before) is not resumed.
    package static let layout = "lone spill as the output file"

    /// The files of the map output at `output` that holds `count` spills, in order.
    package static func spillPaths(_ output: String, count: Int) -> [String] {
        count == 1 ? [output] : (0..<count).map { spillInFolder(output, $0) }
    }

    /// Spill `number` of an output that is a folder.
    private static func spillInFolder(_ output: String, _ number: Int) -> String {
        output + "/spill-" + zeroPadded(number)
    }

    /// Removes what an earlier attempt with the same output path left there.
    package static func removeLeftovers(at output: String) {
        FileSystem.removeTree(output)
        FileSystem.remove(firstSpill(of: output))
    }

    /// Where the first spill is written, until it is known to be the only one.
    private static func firstSpill(of output: String) -> String { output + ".spill" }

    let output: String
    let partitions: Int
    private(set) var spillsWritten = 0
    private(set) var pairsWritten: Int64 = 0

    /// The first spill's file, made when the task starts (as a reduce attempt's part file is),
    /// so a running map attempt can be seen in the attempts folder.
    private var firstSpillWriter: IntermediateFile.Writer?

    init(output: String, partitions: Int) throws {
        self.output = output
        self.partitions = partitions
        firstSpillWriter = try IntermediateFile.Writer(path: Self.firstSpill(of: output), partitions: partitions)
    }

    /// Writes the next spill: `pairs` hands each pair to the body it is given, partition after
    /// partition, sorted within each.
    mutating func write(_ pairs: ((Int, ByteSlice, Value) throws -> Void) throws -> Void) throws {
        if spillsWritten == 1 {  // a second spill: the output becomes a folder
            try FileSystem.makeDirectory(output)
            try FileSystem.rename(Self.firstSpill(of: output), to: Self.spillInFolder(output, 0))
        }
        let writer = try firstSpillWriter.take()
            ?? IntermediateFile.Writer(path: Self.spillInFolder(output, spillsWritten), partitions: partitions)
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

    /// After the last spill: a lone spill takes the output's path.
    func finish() throws {
        if spillsWritten == 1 { try FileSystem.rename(Self.firstSpill(of: output), to: output) }
    }
}
