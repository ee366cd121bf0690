#if canImport(Glibc)
import Glibc
#endif

/// Publishes which input record a worker process is mapping, so that if job code traps or
/// crashes on it, a signal handler can still tell the coordinator where (file and line) before
/// the process dies. Two stores per record; the handler only reads them.
public final class RecordTracker: @unchecked Sendable {
    /// [mapping (0/1), file index, line number, records done in this attempt]: plain memory a
    /// signal handler or the heartbeat thread may read (a torn read only delays a report).
    fileprivate static let cells: UnsafeMutablePointer<Int64> = {
        let cells = UnsafeMutablePointer<Int64>.allocate(capacity: 4)
        cells.initialize(repeating: 0, count: 4)
        return cells
    }()

    init() {
        _ = Self.cells
    }

    @inline(__always) func enter(fileIndex: Int) {
        Self.cells[1] = Int64(fileIndex)
        Self.cells[2] = 0
        Self.cells[0] = 1
    }

    @inline(__always) func reached(line: Int64) {
        Self.cells[2] = line
        Self.cells[3] &+= 1
    }

    /// Counts a record (or a reduce group) done outside the map loop.
    @inline(__always) func progressed() { Self.cells[3] &+= 1 }

    @inline(__always) func leave() { Self.cells[0] = 0 }

    /// Records done so far, and the record being mapped (file index, line; -1 outside map).
    var progress: (records: Int64, fileIndex: Int, line: Int64) {
        let cells = Self.cells
        return (cells[3], cells[0] == 1 ? Int(cells[1]) : -1, cells[2])
    }

    /// On SIGILL, SIGTRAP (Swift traps), SIGSEGV, SIGBUS, SIGFPE and SIGABRT: sends a `crashed`
    /// message with the record on `answerPipe`, then dies of the same signal.
    func installCrashReporter() {
        for signal in [SIGILL, SIGTRAP, SIGSEGV, SIGBUS, SIGFPE, SIGABRT] {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { signal in
                reportCrash()
                Glibc.signal(signal, SIG_DFL)
                raise(signal)
            }
            sigaction(signal, &action, nil)
        }
    }
}

/// "data.txt line 12", or for a line whose number is unknown (-1: the file was split at gzip
/// member starts) just the file.
func recordLocation(_ path: String, line: Int64) -> String {
    line < 0 ? "\(path) (line number unknown: split at gzip members)" : "\(path) line \(line)"
}

/// Writes the `crashed` frame (see Messages.swift) with no allocation: async-signal-safe.
private func reportCrash() {
    let cells = RecordTracker.cells
    guard cells[0] == 1 else { return }
    var storage: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0)
    withUnsafeMutableBytes(of: &storage) { raw in
        let bytes = raw.baseAddress!.assumingMemoryBound(to: UInt8.self)
        var count = 4  // frame length goes first
        bytes[count] = WorkerMessage.crashedTag
        count += 1
        for value in [cells[1], cells[2]] {
            count += encodeVarint(UInt64(bitPattern: (value << 1) ^ (value >> 63)), into: bytes + count)
        }
        let length = UInt32(count - 4)
        for index in 0..<4 { bytes[index] = UInt8(truncatingIfNeeded: length >> (8 * UInt32(index))) }
        _ = write(WorkerLoop.answerOutput, bytes, count)
    }
}
