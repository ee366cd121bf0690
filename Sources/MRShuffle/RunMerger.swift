import MRBase
import MRSystem
import MapReduce
#if canImport(Glibc)
import Glibc
#endif

/// Bounds how many sorted runs a reduce task reads at once, as Hadoop's `io.sort.factor` does:
/// with more runs than the fan-in, groups of them are first merged into larger runs (in order, so
/// values keep their map-task order), pass after pass, until the rest can be merged at once. A
/// run is an open file; thousands of map tasks, or many spills, would otherwise pass the limit
/// of open files.
package enum RunMerger {
    /// Runs merged at once: 64, or fewer under a low limit of open files.
    static var fanIn: Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < 1 << 20 else { return 64 }
        // Room for the worker's pipes, the part file and the files of a merge being written.
        return min(64, max(2, (Int(limit.rlim_cur) - 32) / 2))
    }

    /// Merges `runs` down to at most `fanIn` runs, writing the merged ones into `scratch` (made
    /// here). Returns the runs to merge last, in order.
    package static func reduce(_ runs: [IntermediateFile.Segment], fanIn: Int = fanIn,
                       scratch: String) throws -> [IntermediateFile.Segment] {
        var runs = runs
        var pass = 0
        while runs.count > fanIn {
            let folder = "\(scratch)/pass-\(pass)"
            try FileSystem.makeDirectories(folder)
            var merged: [IntermediateFile.Segment] = []
            for start in stride(from: 0, to: runs.count, by: fanIn) {
                let path = "\(folder)/run-\(merged.count)"
                try merge(Array(runs[start..<min(start + fanIn, runs.count)]), into: path)
                merged.append(IntermediateFile.Segment(path: path, partition: 0))
            }
            if pass > 0 { FileSystem.removeTree("\(scratch)/pass-\(pass - 1)") }  // never the map outputs
            runs = merged
            pass += 1
        }
        return runs
    }

    /// Merges sorted runs into one, each key's values in the runs' order.
    private static func merge(_ runs: [IntermediateFile.Segment], into path: String) throws {
        let merge = GroupedMerge(readers: try runs.map { try IntermediateFile.Reader($0) })
        let writer = try IntermediateFile.Writer(path: path)
        while try merge.nextGroup() {
            while let value = merge.nextValue() { try writer.append(key: merge.key, value: value) }
        }
        if let error = merge.pendingError { throw error }
        try writer.finish()
    }
}
