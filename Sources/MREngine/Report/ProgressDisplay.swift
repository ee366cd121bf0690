/// One status line redrawn in place on a terminal while the job runs; silent when stderr is not
/// a terminal.
final class ProgressDisplay {
    private let enabled: Bool
    private let jobName: String
    private var lastDraw = 0.0
    private var drawn = false

    init(jobName: String, enabled: Bool) {
        self.jobName = jobName
        self.enabled = enabled
    }

    func update(_ table: TaskTable, started: Double) {
        guard enabled else { return }
        let now = monotonicSeconds()
        guard now - lastDraw >= 0.1 else { return }
        lastDraw = now
        let elapsed = (now - started).formatted(decimals: 1)
        writeToStandardError("\r\u{1B}[K\(jobName): map \(table.mapsCommitted)/\(table.mapTaskCount)  reduce \(table.reducesCommitted)/\(table.reduceTaskCount)  \(elapsed) s")
        drawn = true
    }

    /// Prints one line about an event (a failed attempt) above the status line; shown in pipes too.
    func notice(_ text: String) {
        clear()
        writeToStandardError("mr \(jobName): \(text)\n")
    }

    func clear() {
        if drawn { writeToStandardError("\r\u{1B}[K") }
        drawn = false
    }
}

extension Double {
    // public: the CLI formats its tables with it too.
    /// Fixed-point text without Foundation.
    public func formatted(decimals: Int) -> String {
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let scaled = (self * scale).rounded()
        let whole = Int64(scaled / scale)
        guard decimals > 0 else { return String(whole) }
        let fraction = Int64(abs(scaled)) % Int64(scale)
        let digits = String(fraction)
        let sign = scaled < 0 && whole == 0 ? "-" : ""
        return sign + String(whole) + "." + String(repeating: "0", count: decimals - digits.count) + digits
    }
}
