import MRBase
import MRInput
import MRSystem
import MapReduce
/// One status line redrawn in place on a terminal while the job runs (at most 10 times a
/// second), cleared before the summary; silent when stderr is not a terminal. The map phase,
/// then the reduce phase, each with its own bar, percentage and ETA:
///
/// `wordcount  map [##########----------]  52%  3/8 tasks  143.2 MB/s  ETA 4 s`
/// `wordcount  reduce [#####---------------]  25%  1/4 tasks  ETA 2 s`
///
/// The map percentage is of the input's compressed bytes read: those of committed map tasks, and
/// of running ones up to the record their worker last reported; it never goes back (an attempt
/// that failed and starts again does not take it back). The line fits the terminal's width,
/// read at every redraw (so a resized window is followed): what does not fit is left out, the
/// bar first.
package final class ProgressDisplay {
    private let enabled: Bool
    private let jobName: String
    private let input: InputShares
    private var lastDraw = 0.0
    private var drawn = false
    /// The largest map fraction shown, and when the reduce phase began.
    private var shownMapFraction = 0.0
    private var reduceStarted: Double?

    package init(jobName: String, enabled: Bool, files: [InputEntry], splits: [Split]) {
        self.jobName = jobName
        self.enabled = enabled
        input = InputShares(files: files, splits: splits)
    }

    /// What the coordinator knows now: the task table, the running attempts with what their
    /// workers report, failed attempts per phase and the uncompressed bytes of committed tasks.
    package func update(_ table: some TaskCounts, running: [(TaskID, TaskProgress)], failed: [TaskKind: Int], committedBytes: Int64, started: Double) {
        guard enabled else { return }
        let now = monotonicSeconds()
        guard now - lastDraw >= 0.1 else { return }
        lastDraw = now
        let line: Line
        if table.mapsCommitted < table.mapTaskCount || table.reduceTaskCount == 0 {
            var read = 0.0
            var bytes = committedBytes
            for index in 0..<table.mapTaskCount where table.isCommitted(TaskID(kind: .map, index: index)) { read += input.weights[index] }
            for (task, progress) in running where task.kind == .map {
                let (share, uncompressed) = input.read(split: task.index, upTo: progress)
                read += share
                bytes += uncompressed
            }
            shownMapFraction = max(shownMapFraction, input.total > 0 ? min(read / input.total, 1) : 0)
            let elapsed = max(now - started, 0.001)
            line = Line(job: jobName, phase: "map", fraction: shownMapFraction, done: table.mapsCommitted, total: table.mapTaskCount,
                        failed: failed[.map, default: 0], rate: Double(bytes) / 1e6 / elapsed, elapsed: elapsed)
        } else {
            let reduceStarted = self.reduceStarted ?? now
            self.reduceStarted = reduceStarted
            let fraction = Double(table.reducesCommitted) / Double(max(table.reduceTaskCount, 1))
            line = Line(job: jobName, phase: "reduce", fraction: fraction, done: table.reducesCommitted, total: table.reduceTaskCount,
                        failed: failed[.reduce, default: 0], rate: nil, elapsed: max(now - reduceStarted, 0.001))
        }
        writeToStandardError("\r\u{1B}[K" + line.fitted(to: standardErrorColumns() - 1))
        drawn = true
    }

    /// What one redraw says, and how it is cut to a width.
    struct Line {
        let job: String
        let phase: String
        let fraction: Double
        let done: Int
        let total: Int
        let failed: Int
        /// Uncompressed MB/s read (map only).
        let rate: Double?
        /// Seconds into the phase (the run, for map), for the ETA.
        let elapsed: Double

        /// The longest form that fits `width` columns: the bar shrinks, then the job's name,
        /// the rate and the ETA go, before the line is cut.
        func fitted(to width: Int) -> String {
            var text = ""
            for (bar, name, details) in [(20, true, true), (10, true, true), (10, false, true), (0, false, true), (0, false, false)] {
                text = compose(bar: bar, name: name, details: details)
                if text.count <= width { return text }
            }
            return String(text.prefix(max(width, 0)))
        }

        func compose(bar: Int, name: Bool, details: Bool) -> String {
            var text = name ? job + "  " : ""
            text += phase + " "
            if bar > 0 {
                let filled = Int(fraction * Double(bar))
                text += "[" + String(repeating: "#", count: filled) + String(repeating: "-", count: bar - filled) + "] "
            }
            text += String(Int(fraction * 100)).leftPadded(to: 3) + "%  \(done)/\(total) tasks"
            if failed > 0 { text += ", \(failed) failed" }
            guard details else { return text }
            if let rate { text += "  " + rate.formatted(decimals: 1) + " MB/s" }
            if fraction >= 0.05 && fraction < 1 { text += "  ETA \(Int((elapsed * (1 - fraction) / fraction).rounded())) s" }
            return text
        }
    }

    /// Prints one line about an event (a failed attempt) above the status line; shown in pipes too.
    package func notice(_ text: String) {
        clear()
        writeToStandardError("mr \(jobName): \(text)\n")
    }

    package func clear() {
        if drawn { writeToStandardError("\r\u{1B}[K") }
        drawn = false
    }
}

/// What the progress line reads of the tasks (the scheduler's ``TaskTable`` answers it).
package protocol TaskCounts {
    var mapTaskCount: Int { get }
    var reduceTaskCount: Int { get }
    var mapsCommitted: Int { get }
    var reducesCommitted: Int { get }
    func isCommitted(_ task: TaskID) -> Bool
}

/// Each map task's share of the input's compressed bytes, and where in its pieces a running
/// attempt is.
struct InputShares {
    /// A piece: its file, where its text starts and how long it is (uncompressed, 0 if not
    /// known before it is read), and its compressed bytes.
    struct Piece {
        let fileIndex: Int
        let start: Int64
        let length: Int64
        let weight: Double
    }

    let pieces: [[Piece]]
    let weights: [Double]
    let total: Double

    init(files: [InputEntry], splits: [Split]) {
        pieces = splits.map { split in
            split.pieces.map { piece in
                let file = files[piece.fileIndex]
                let estimated = Double(SplitPlanner.estimatedSize(file))
                let compressedPerByte = estimated > 0 ? Double(file.size) / estimated : 0
                switch piece.kind {
                case .betweenUnits(let start, let end):  // compressed offsets; where its text lies is unknown
                    return Piece(fileIndex: piece.fileIndex, start: 0, length: 0, weight: Double(end - start))
                case .relayed(_, let count, _):  // a share of the file, where its text lies found as it is read
                    return Piece(fileIndex: piece.fileIndex, start: 0, length: 0, weight: Double(file.size) / Double(count))
                case .wholeCompressed:
                    return Piece(fileIndex: piece.fileIndex, start: 0, length: Int64(estimated), weight: Double(file.size))
                case .indexed(_, let start, let end):
                    let length = end - start
                    return Piece(fileIndex: piece.fileIndex, start: start, length: length, weight: Double(length) * compressedPerByte)
                case .plainRange(let start, let end):
                    return Piece(fileIndex: piece.fileIndex, start: start, length: end - start, weight: Double(end - start))
                }
            }
        }
        weights = pieces.map { $0.reduce(0) { $0 + $1.weight } }
        total = weights.reduce(0, +)
    }

    /// The compressed bytes of `split` read up to the record `progress` names, and the text read.
    func read(split: Int, upTo progress: TaskProgress) -> (share: Double, uncompressed: Int64) {
        guard progress.fileIndex >= 0, progress.offset >= 0,
              let current = pieces[split].lastIndex(where: { $0.fileIndex == progress.fileIndex && $0.start <= progress.offset }) else {
            return (0, 0)
        }
        let piece = pieces[split][current]
        let done = progress.offset - piece.start
        let partial = piece.length > 0 ? min(Double(done) / Double(piece.length), 1) * piece.weight : 0
        return (pieces[split][..<current].reduce(0) { $0 + $1.weight } + partial, done)
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        String(repeating: " ", count: max(width - count, 0)) + self
    }
}
