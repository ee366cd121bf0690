import MRBase
import MRInput
import MROutput
import MRShuffle
import MRSystem
import MapReduce
#if canImport(Glibc)
import Glibc
#endif
import CLinuxShims

/// Publishes which task and input record the calling thread is working on, so that if job code
/// traps or crashes on it, a signal handler on that thread can still say where (task, file and
/// line) before the process dies. Two stores per record; the handler only reads them.
package final class RecordTracker: @unchecked Sendable {
    /// The calling thread's cells: [mapping (0/1), file index, line number, records done,
    /// task kind (0 map, 1 reduce), task index, working (0/1), offset of the record in its file]. Plain memory a signal handler on
    /// this thread, or the heartbeat thread, may read (a torn read only delays a report).
    private let cells: UnsafeMutablePointer<Int>

    /// The tracker of the calling thread (every tracker made on one thread shares its cells).
    package init() {
        cells = UnsafeMutableRawPointer(mr_thread_cells()).assumingMemoryBound(to: Int.self)
    }

    func started(_ task: TaskID) {
        cells[4] = task.kind == .map ? 0 : 1
        cells[5] = task.index
        cells[6] = 1
    }

    func finished() { cells[6] = 0 }

    @inline(__always) func enter(fileIndex: Int) {
        cells[1] = fileIndex
        cells[2] = 0
        cells[7] = -1
        cells[0] = 1
    }

    @inline(__always) func reached(line: Int64, offset: Int64) {
        cells[2] = Int(line)
        cells[7] = Int(offset)
        cells[3] &+= 1
    }

    /// Counts a record (or a reduce group) done outside the map loop.
    @inline(__always) func progressed() { cells[3] &+= 1 }

    @inline(__always) func leave() { cells[0] = 0 }

    /// Records done so far, and the record being mapped (file index, line and byte offset in
    /// the file; file -1 outside map).
    var progress: TaskProgress {
        TaskProgress(records: Int64(cells[3]), fileIndex: cells[0] == 1 ? cells[1] : -1, line: Int64(cells[2]), offset: Int64(cells[7]))
    }

    /// Worker processes: on SIGILL, SIGTRAP (Swift traps), SIGSEGV, SIGBUS, SIGFPE and SIGABRT,
    /// sends a `crashed` message with the record on `answerPipe`, then dies of the same signal.
    func installCrashReporter() {
        Self.installHandler { signal in
            reportCrash()
            Glibc.signal(signal, SIG_DFL)
            raise(signal)
        }
    }

    /// Threads and sequential modes, where job code runs inside the coordinator: a crash cannot
    /// be survived, but it is reported as a worker process reports it (job, task, file, line)
    /// before the run exits with status 75. The work folder it leaves is removed by the next run.
    package static func installInProcessCrashReporter(jobName: String, files: [InputEntry]) {
        CrashText.jobName = strdup(jobName)
        let paths = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: max(files.count, 1))
        for (index, file) in files.enumerated() { paths[index] = strdup(file.path) }
        CrashText.paths = paths
        CrashText.fileCount = files.count
        installHandler { signal in
            writeCrashText(signal)
            _exit(75)
        }
    }

    private static func installHandler(_ handler: @convention(c) (Int32) -> Void) {
        for signal in [SIGILL, SIGTRAP, SIGSEGV, SIGBUS, SIGFPE, SIGABRT] {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = handler
            sigaction(signal, &action, nil)
        }
    }
}

/// The calling thread's cells, read inside a signal handler.
private var threadCells: UnsafeMutablePointer<Int> {
    UnsafeMutableRawPointer(mr_thread_cells()).assumingMemoryBound(to: Int.self)
}

/// Writes the `crashed` frame (see Messages.swift) with no allocation: async-signal-safe.
private func reportCrash() {
    let cells = threadCells
    guard cells[0] == 1 else { return }
    var storage: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0)
    withUnsafeMutableBytes(of: &storage) { raw in
        let bytes = raw.baseAddress!.assumingMemoryBound(to: UInt8.self)
        var count = 4  // frame length goes first
        bytes[count] = WorkerMessage.crashedTag
        count += 1
        for value in [Int64(cells[1]), Int64(cells[2])] {
            count += Varint.encode(Varint.zigzag(value), into: bytes + count)
        }
        let length = UInt32(count - 4)
        for index in 0..<4 { bytes[index] = UInt8(truncatingIfNeeded: length >> (8 * UInt32(index))) }
        _ = write(WorkerLoop.answerOutput, bytes, count)
    }
}

/// What the in-process crash report names, prepared before any task runs (a signal handler may
/// not allocate).
private enum CrashText {
    nonisolated(unsafe) static var jobName: UnsafeMutablePointer<CChar>?
    nonisolated(unsafe) static var paths: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
    nonisolated(unsafe) static var fileCount = 0
}

/// "mr: job wordcount, task map-00003: job code crashed (signal 5) on FILE line 12; ..." on
/// stderr, with write(2) only: async-signal-safe.
private func writeCrashText(_ signal: Int32) {
    func text(_ string: UnsafePointer<CChar>?) {
        guard let string else { return }
        _ = write(2, string, strlen(string))
    }
    func number(_ value: Int, width: Int = 1) {
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: room for any Int
        withUnsafeMutableBytes(of: &digits) { raw in
            let bytes = raw.baseAddress!.assumingMemoryBound(to: UInt8.self)
            var rest = value < 0 ? 0 : value
            var count = 0
            repeat {
                bytes[23 - count] = UInt8(48 + rest % 10)
                rest /= 10
                count += 1
            } while rest > 0 || count < width
            _ = write(2, bytes + 24 - count, count)
        }
    }
    let cells = threadCells
    text("\nmr: job ")
    text(CrashText.jobName)
    if cells[6] == 1 {
        text(cells[4] == 0 ? ", task map-" : ", task reduce-")
        number(cells[5], width: 5)
    }
    text(": job code crashed (signal ")
    number(Int(signal))
    text(")")
    if cells[6] == 1 && cells[0] == 1 && cells[1] < CrashText.fileCount {
        text(" on ")
        text(CrashText.paths?[cells[1]])
        if cells[2] >= 0 {
            text(" line ")
            number(cells[2])
        }
    }
    text("; in this mode a crash ends the run (--mode processes retries the task in a fresh worker)\n")
}
