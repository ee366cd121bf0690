#if canImport(Glibc)
import Glibc
#endif

/// The work directory's record of committed tasks, one line each (`map-00003 <report>`), written
/// after the commit's rename and synced, so `--resume` after a killed coordinator knows which
/// outputs are complete and what their tasks counted.
struct Journal {
    let path: String

    /// Appends a committed task with its report.
    func record(_ task: TaskID, _ report: TaskReport) throws {
        let fd = retryingInterrupts { path.withPathCString { open($0, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644) } }
        guard fd >= 0 else { throw MRError.system(.io, "write", path, errno: errno) }
        let file = FileDescriptor(raw: fd, path: path)
        defer { file.close() }
        let encoded = WorkerMessage.finished(TaskAssignment(task: task, attempt: 0), .success(report)).encoded()
        var line = Array("\(task) ".utf8)
        for byte in encoded { line += Array((byte < 16 ? "0" : "") + String(byte, radix: 16)).map { UInt8($0.asciiValue!) } }
        line.append(0x0A)
        try line.withUnsafeBytes { try file.writeAll($0.baseAddress!, count: $0.count) }
        fsync(fd)
    }

    /// The tasks recorded, with their reports; a torn last line is ignored.
    func entries() -> [(task: TaskID, report: TaskReport)] {
        guard let bytes = try? FileSystem.readFile(path) else { return [] }
        var result: [(TaskID, TaskReport)] = []
        for line in bytes.split(separator: 0x0A) {
            let text = String(decoding: line, as: UTF8.self)
            let parts = text.split(separator: " ")
            guard parts.count == 2, parts[1].count % 2 == 0 else { continue }
            let hex = Array(parts[1])
            let frame = stride(from: 0, to: hex.count, by: 2).compactMap { UInt8(String(hex[$0...$0 + 1]), radix: 16) }
            guard frame.count > 4, case .finished(let assignment, .success(let report))? = try? WorkerMessage.decode(Array(frame[4...])),
                  assignment.task.description == parts[0] else { continue }
            result.append((assignment.task, report))
        }
        return result
    }
}
