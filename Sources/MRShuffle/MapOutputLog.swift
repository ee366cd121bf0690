import MRBase
import MRSystem
#if canImport(Glibc)
import Glibc
#endif

/// A worker's map outputs, appended one after another to a file of its own in the work folder:
/// each map task writes its spills at the log's end and reports where they end
/// (``MapOutputPlace``), and the commit journals that. One new file per worker instead of one per
/// task: on ext4 an inode for each of thousands of tiny tasks was most of their cost (its
/// allocator passes over inodes freed in the last minutes). What an attempt that failed wrote
/// stays in the log, never read; the log goes with the work folder.
package final class MapOutputLog {
    /// The log's file name in the work folder.
    package let name: String
    let output: BufferedWriter

    /// A new log in `directory`, named after the process and a number of its own (worker threads
    /// share a process), passing over names a killed run of a resumed work folder left.
    package init(directory: String) throws {
        var name: String
        repeat {
            name = "maps-\(getpid())-\(Self.numbers.locked { () -> Int in Self.made += 1; return Self.made })"
        } while FileSystem.exists(directory + "/" + name)
        output = try BufferedWriter(creating: directory + "/" + name, checksummed: true)
        self.name = name
    }

    private static let numbers = Monitor()
    nonisolated(unsafe) private static var made = 0  // guarded by `numbers`
}
