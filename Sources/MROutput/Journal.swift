import MRBase
import MRSystem
import MapReduce

/// The work directory's record of committed tasks, one line each: the task, then its report in
/// hexadecimal (`map-00003 0a1f...`, the report in the wire encoding workers send it in). A line
/// is written once the task's output is in place (a map task's report says where its spills
/// are), so `--resume` after a killed coordinator knows which outputs are complete and what their
/// tasks counted. A line reaches the page cache, which outlives a killed process, with one
/// write(2) on a file kept open; it is not synced, as the outputs it names are not (syncing it
/// alone cost 80 us a commit on ext4, most of the coordinator's time with tiny tasks).
package final class Journal {
    let path: String
    private var file: FileDescriptor?

    package init(path: String) {
        self.path = path
    }

    deinit { file?.close() }

    /// Appends a committed task with its report.
    package func record(_ task: TaskID, _ report: TaskReport) throws {
        var encoded = WireWriter()
        encoded.write(report)
        var line = Array("\(task) ".utf8)
        for byte in encoded.message { line += Array((byte < 16 ? "0" : "") + String(byte, radix: 16)).map { UInt8($0.asciiValue!) } }
        line.append(0x0A)
        let file = try self.file ?? FileDescriptor.open(appendingTo: path)
        self.file = file
        try line.withUnsafeBytes { try file.writeAll($0.baseAddress!, count: $0.count) }
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
