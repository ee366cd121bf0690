import MRBase
import MRSystem
import MapReduce
#if canImport(Glibc)
import Glibc
#endif

/// `--output -`: a finished output folder's part files written to standard output as one stream.
/// A reduce job's parts are each sorted by key, so they are merged by key (the keys compared
/// unescaped, as they were sorted); a map-only job's parts are written in order, as they are.
package enum OutputStream {
    /// Writes the parts of `folder` to standard output. A reader that stops early (`| head`) ends
    /// the writing quietly: `false` is returned and nothing is an error.
    package static func write(folder: String, partCount: Int, sorted: Bool) throws -> Bool {
        let stdout = BufferedWriter(file: FileDescriptor(raw: 1, path: "standard output"), capacity: 1 << 18)
        let parts = try (0..<partCount).map { try PartLines(path: folder + "/" + OutputLayout.partFileName($0)) }
        do {
            if sorted {
                try merge(parts, into: stdout)
            } else {
                for part in parts { while let line = try part.next() { try append(line, to: stdout) } }
            }
            try stdout.flush()
        } catch let error as MRError where error.errorNumber == EPIPE {
            return false
        }
        return true
    }

    private static func append(_ line: [UInt8], to output: BufferedWriter) throws {
        try line.withUnsafeBytes { try output.append($0) }
        try output.append(byte: 0x0A)
    }

    /// Repeatedly writes the line with the smallest key among the parts' current lines (the
    /// first part's on a tie: each key is in one part only).
    private static func merge(_ parts: [PartLines], into output: BufferedWriter) throws {
        var heads: [(line: [UInt8], key: [UInt8])?] = try parts.map { part in try part.next().map { ($0, sortKey($0)) } }
        while let smallest = heads.indices.filter({ heads[$0] != nil })
            .min(by: { heads[$0]!.key.lexicographicallyPrecedes(heads[$1]!.key) }) {
            try append(heads[smallest]!.line, to: output)
            heads[smallest] = try parts[smallest].next().map { ($0, sortKey($0)) }
        }
    }

    /// The line's key as it was sorted: the bytes before the tab, unescaped.
    private static func sortKey(_ line: [UInt8]) -> [UInt8] {
        let key = line.prefix { $0 != 0x09 }
        var bytes: [UInt8] = []
        _ = key.withUnsafeBytes { FieldEscaping.unescape($0, into: &bytes) }
        return bytes
    }
}

/// The lines of a part file, read 64 KiB at a time.
private final class PartLines {
    private let file: FileDescriptor
    private var buffer: [UInt8] = []
    private var start = 0
    private var atEnd = false

    init(path: String) throws {
        file = try FileDescriptor.open(reading: path)
    }

    deinit { file.close() }

    /// The next line without its newline; nil at the end.
    func next() throws -> [UInt8]? {
        while true {
            if let newline = buffer[start...].firstIndex(of: 0x0A) {
                defer { start = newline + 1 }
                return Array(buffer[start..<newline])
            }
            if atEnd {
                guard start < buffer.count else { return nil }
                defer { start = buffer.count }
                return Array(buffer[start...])
            }
            buffer.removeFirst(start)
            start = 0
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            let count = try chunk.withUnsafeMutableBytes { try file.read(into: $0.baseAddress!, count: $0.count) }
            if count == 0 { atEnd = true } else { buffer += chunk[0..<count] }
        }
    }
}
