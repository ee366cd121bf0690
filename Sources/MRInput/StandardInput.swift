import MRBase
import MRSystem
#if canImport(Glibc)
import Glibc
#endif

/// `mr JOB -`: standard input, copied into a private folder first so that every worker can read
/// it (and a large `.gz` be split) as any input file. Gzip is recognised by its magic bytes.
package enum StandardInput {
    /// The argument that names standard input.
    package static let argument = "-"

    /// Copies standard input into a new private folder under `${TMPDIR:-/tmp}`; returns the
    /// folder and the file (`stdin`, or `stdin.gz` when it starts as gzip does).
    package static func spool() throws -> (folder: String, file: String) {
        let temporary = getenv("TMPDIR").map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        let folder = try FileSystem.makeTemporaryDirectory(beside: temporary + "/mr-stdin")
        do {
            let input = FileDescriptor(raw: 0, path: "standard input")
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            var first = try chunk.withUnsafeMutableBytes { try input.read(into: $0.baseAddress!, count: $0.count) }
            let file = folder + (first >= 2 && chunk[0] == 0x1F && chunk[1] == 0x8B ? "/stdin.gz" : "/stdin")
            let output = try BufferedWriter(creating: file, capacity: 1 << 20, checksummed: false)
            while first > 0 {
                try chunk.withUnsafeBytes { try output.append($0.baseAddress!, count: first) }
                first = try chunk.withUnsafeMutableBytes { try input.read(into: $0.baseAddress!, count: $0.count) }
            }
            try output.flush()
            return (folder, file)
        } catch {
            FileSystem.removeTree(folder)
            throw error
        }
    }
}
