import MRBase
import MRSystem
import MapReduce
#if canImport(Glibc)
import Glibc
#endif

/// The work directory's record of committed tasks, one line each: the task, then its report in
/// hexadecimal (`map-00003 0a1f...`, the report in the wire encoding workers send it in). A line
/// is written after the commit's rename and synced, so `--resume` after a killed coordinator
/// knows which outputs are complete and what their tasks counted.
package struct Journal {
    let path: String

    /// Appends a committed task with its report.
    package func record(_ task: TaskID, _ report: TaskReport) throws {
        let fd = retryingInterrupts { path.withPathCString { open($0, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644) } }
        guard fd >= 0 else { throw MRError.system(.io, "write", path, errno: errno) }
        let file = FileDescriptor(raw: fd, path: path)
        defer { file.close() }
        var encoded = WireWriter()
        encoded.write(report)
        var line = Array("\(task) ".utf8)
        for byte in encoded.message { line += Array((byte < 16 ? "0" : "") + String(byte, radix: 16)).map { UInt8($0.asciiValue!) } }
        line.append(0x0A)
        try line.withUnsafeBytes { try file.writeAll($0.baseAddress!, count: $0.count) }
        fsync(fd)
    }

    /// The tasks recorded, with their reports; a torn last line is ignored.
    package func entries() -> [(task: TaskID, report: TaskReport)] {
        guard let bytes = try? FileSystem.readFile(path) else { return [] }
        var result: [(TaskID, TaskReport)] = []
        for line in bytes.split(separator: 0x0A) {
            let parts = String(decoding: line, as: UTF8.self).split(separator: " ")
            guard parts.count == 2, parts[1].count % 2 == 0, let task = TaskID(String(parts[0])) else { continue }
            let hex = Array(parts[1].utf8)
            let encoded = stride(from: 0, to: hex.count, by: 2).compactMap { UInt8(String(decoding: hex[$0...$0 + 1], as: UTF8.self), radix: 16) }
            var reader = WireReader(encoded)
            guard encoded.count == hex.count / 2, let report = try? reader.readReport() else { continue }
            result.append((task, report))
        }
        return result
    }
}
