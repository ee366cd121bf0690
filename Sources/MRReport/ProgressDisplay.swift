import MRBase
import MRInput
import MRSystem
import MapReduce
/// One status line redrawn in place on a terminal while the job runs (at most 10 times a
/// second), cleared before the summary; silent when stderr is not a terminal:
///
/// `wordcount [##########----------]  52%  143.2 MB/s  map 3/8 done 2 running 0 failed  reduce 0/2 done 0 running 0 failed  ETA 4 s`
///
/// (cut to the terminal's width).
///
/// The percentage is of the input's compressed bytes read: those of committed map tasks, and of
/// running ones up to the record their worker last reported.
package final class ProgressDisplay {
    private let enabled: Bool
    private let jobName: String
    private let input: InputShares
    private var lastDraw = 0.0
    private var drawn = false

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
        let elapsed = max(now - started, 0.001)
        var read = 0.0
        var bytes = committedBytes
        for index in 0..<table.mapTaskCount where table.isCommitted(TaskID(kind: .map, index: index)) { read += input.weights[index] }
        for (task, progress) in running where task.kind == .map {
            let (share, uncompressed) = input.read(split: task.index, upTo: progress)
            read += share
            bytes += uncompressed
        }
        let fraction = input.total > 0 ? min(read / input.total, 1) : 0
        let filled = Int(fraction * 20)
        var line = "\(jobName) [" + String(repeating: "#", count: filled) + String(repeating: "-", count: 20 - filled) + "] "
        line += String(Int(fraction * 100)).leftPadded(to: 3) + "%  "
        line += (Double(bytes) / 1e6 / elapsed).formatted(decimals: 1) + " MB/s  "
        let runningMaps = running.filter { $0.0.kind == .map }.count
        let runningReduces = running.count - runningMaps
        line += "map \(table.mapsCommitted)/\(table.mapTaskCount) done \(runningMaps) running \(failed[.map, default: 0]) failed  "
        line += "reduce \(table.reducesCommitted)/\(table.reduceTaskCount) done \(runningReduces) running \(failed[.reduce, default: 0]) failed"
        if fraction >= 0.05 && fraction < 1 { line += "  ETA \(Int((elapsed * (1 - fraction) / fraction).rounded())) s" }
        // One line, or the next redraw would start below it.
        writeToStandardError("\r\u{1B}[K" + String(line.prefix(standardErrorColumns() - 1)))
        drawn = true
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
        var fedPieces: [Int: Int] = [:]  // per fed file, its pieces
        for split in splits { if let piece = split.pieces.first, piece.isFed { fedPieces[piece.fileIndex, default: 0] += 1 } }
        pieces = splits.map { split in
            split.pieces.map { piece in
                let file = files[piece.fileIndex]
                let estimated = Double(SplitPlanner.estimatedSize(file))
                let compressedPerByte = estimated > 0 ? Double(file.size) / estimated : 0
                switch piece.kind {
                case .betweenUnits(let start, let end):  // compressed offsets; where its text lies is unknown
                    return Piece(fileIndex: piece.fileIndex, start: 0, length: 0, weight: Double(end - start))
                case .fed:  // a share of the file, its text written as it is read
                    let share = Double(file.size) / Double(fedPieces[piece.fileIndex] ?? 1)
                    return Piece(fileIndex: piece.fileIndex, start: 0, length: 0, weight: share)
                case .wholeCompressed:
                    return Piece(fileIndex: piece.fileIndex, start: 0, length: Int64(estimated), weight: Double(file.size))
                case .indexed(_, let start, let end):
                    let length = max(min(end, Int64(estimated)) - start, 0)  // the last ends at .max
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
