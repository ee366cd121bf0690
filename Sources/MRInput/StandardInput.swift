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

    /// Copies standard input into `stdin` in a new private folder under `${TMPDIR:-/tmp}`;
    /// returns the folder and the file. (Whether it is gzip is told by its first bytes, as for any
    /// input: ``InputFormat``.)
    package static func spool() throws -> (folder: String, file: String) {
        let folder = try FileSystem.makeTemporaryDirectory(beside: temporaryDirectory() + "/mr-stdin")
        do {
            let input = FileDescriptor(raw: 0, path: "standard input")
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            var first = try chunk.withUnsafeMutableBytes { try input.read(into: $0.baseAddress!, count: $0.count) }
            let file = folder + "/stdin"
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

    /// Standard input as text, read as it comes (for `mr stream map`): decompressed when its
    /// first bytes are gzip, bzip2, zstd or xz; bad input when it is not text.
    package static func text(inflater: Inflater) throws -> ByteSource {
        let input = FileDescriptor(raw: 0, path: "standard input")
        var sample = [UInt8](repeating: 0, count: InputFormat.sampleSize)
        var count = 0
        while count < sample.count {
            let got = try sample.withUnsafeMutableBytes { try input.read(into: $0.baseAddress! + count, count: $0.count - count) }
            if got == 0 { break }
            count += got
        }
        sample.removeLast(sample.count - count)
        switch InputFormat.of(sample: sample[...], whole: count < InputFormat.sampleSize) {
        case .text: return SequentialSource(input, firstBytes: sample)
        case .compressed(let compression): return try CompressedSource(sequential: input, compression: compression, inflater: inflater, firstBytes: sample)
        case .notText(let what, let fix): throw MRError(.badInput, "standard input \(what); \(fix)")
        }
    }
}
