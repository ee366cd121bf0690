import MRBase
import MRSystem
import MapReduce
#if canImport(Glibc)
import Glibc
#endif

/// Bounds how many sorted spills a reduce task reads at once, as Hadoop's `io.sort.factor` does:
/// with more spills than the fan-in, groups of them are first merged into larger spills (in order, so
/// values keep their map-task order), pass after pass, until the rest can be merged at once. A
/// spill is an open file; thousands of map tasks, or many spills, would otherwise pass the limit
/// of open files.
package enum SpillMerger {
    /// Spills merged at once: 64, or fewer under a low limit of open files.
    static var fanIn: Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < 1 << 20 else { return 64 }
        // Room for the worker's pipes, the part file and the files of a merge being written.
        return min(64, max(2, (Int(limit.rlim_cur) - 32) / 2))
    }

    /// Merges `spills` down to at most `fanIn` spills, writing the merged ones into `scratch` (made
    /// here). Returns the spills to merge last, in order.
    package static func reduce(_ spills: [IntermediateFile.Segment], fanIn: Int = fanIn,
                       scratch: String) throws -> [IntermediateFile.Segment] {
        var spills = spills
        var pass = 0
        while spills.count > fanIn {
            let folder = "\(scratch)/pass-\(pass)"
            try FileSystem.makeDirectories(folder)
            var merged: [IntermediateFile.Segment] = []
            for start in stride(from: 0, to: spills.count, by: fanIn) {
                let path = "\(folder)/spill-\(merged.count)"
                try merge(Array(spills[start..<min(start + fanIn, spills.count)]), into: path)
                merged.append(IntermediateFile.Segment(path: path, partition: 0))
            }
            if pass > 0 { FileSystem.removeTree("\(scratch)/pass-\(pass - 1)") }  // never the map outputs
            spills = merged
            pass += 1
        }
        return spills
    }

    /// Merges sorted spills into one, each key's values in the spills' order.
    private static func merge(_ spills: [IntermediateFile.Segment], into path: String) throws {
        let merge = GroupedMerge(readers: try spills.map { try IntermediateFile.Reader($0) })
        let writer = try IntermediateFile.Writer(path: path)
        while try merge.nextGroup() {
            while let value = merge.nextValue() { try writer.append(key: merge.key, value: value) }
        }
        if let error = merge.pendingError { throw error }
        try writer.finish()
    }
}
