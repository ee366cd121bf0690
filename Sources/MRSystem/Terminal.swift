import MRBase
#if canImport(Glibc)
import Glibc
#endif

/// Writes text to stderr with write(2) (Glibc's `stderr` global is not concurrency-safe); a path
/// byte that is not UTF-8 is shown as `\xNN` (see ``PathBytes``).
package func writeToStandardError(_ text: String) {
    var text = text.displayPath
    text.withUTF8 { bytes in
        guard let base = bytes.baseAddress else { return }
        var sent = 0
        while sent < bytes.count {
            let n = write(2, base + sent, bytes.count - sent)
            if n <= 0 { return }
            sent += n
        }
    }
}

/// True when stderr is a terminal: progress is drawn only there, never into a pipe or a log.
package var standardErrorIsTerminal: Bool { isatty(2) == 1 }

/// The width of the terminal on stderr, in columns (80 if it does not say).
package func standardErrorColumns() -> Int {
    var size = winsize()
    guard ioctl(2, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return 80 }
    return Int(size.ws_col)
}

/// Seconds since 1970 (UTC) on the wall clock, for reports; durations use ``monotonicSeconds()``.
package func wallClockSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_REALTIME, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

/// CPU seconds (user and system) this process has used, its threads included, its children not:
/// in processes mode, the coordinator's own cost.
package func processCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

/// Seconds on a monotonic clock.
package func monotonicSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

/// Restarts the count behind ``processPeakMemory()`` (Linux: "5" to /proc/self/clear_refs), so
/// that a run inside a process that ran others (`mr bench`) reports its own peak.
package func resetProcessPeakMemory() {
    let file = open("/proc/self/clear_refs", O_WRONLY)
    guard file >= 0 else { return }
    _ = write(file, "5", 1)
    close(file)
}

/// This process's peak resident memory so far, in bytes: `VmHWM` of /proc/self/status, which,
/// unlike getrusage's figure, does not start from the parent's size at spawn time.
package func processPeakMemory() -> Int64 {
    guard let status = try? FileSystem.readFile("/proc/self/status") else { return 0 }
    return peakMemory(inStatus: String(decoding: status, as: UTF8.self))
}

/// The `VmHWM` figure of a /proc status text, in bytes. The kernel pads the number with spaces
/// after a tab to 8 digits (`VmHWM:\t   37632 kB`), so at 8 digits or more no space precedes it:
/// fields are split at any blank.
package func peakMemory(inStatus status: String) -> Int64 {
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
        return fields.count >= 2 ? (Int64(fields[1]) ?? 0) * 1024 : 0
    }
    return 0
}
