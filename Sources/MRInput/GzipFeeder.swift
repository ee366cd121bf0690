import MRBase
import MRSystem
import MapReduce
#if canImport(Glibc)
import Glibc
#endif

/// The first run over a large gzip file that has no index yet: one thread inflates the file once,
/// building its ``GzipIndex`` as it goes, and cuts the text into pieces at line ends. Each piece
/// is released as a map task the moment its file is started: the task reads the text while it is
/// written (``FedPieceSource``), so the workers map while the file is still being inflated (wall
/// time about max(inflate, (inflate + map) / workers) instead of inflate + (inflate + map) /
/// workers). The index is saved at the end; later runs split the file at its access points.
///
/// Piece `k` of `n` ends at the first line end after the inflater has read `(k + 1) / n` of the
/// compressed bytes, so the cut depends only on the file. At most `limit` pieces are kept until
/// their tasks commit (a failed attempt reads its piece again): the inflater pauses for a commit.
/// A committed piece's file is kept and written again with a later piece: its pages stay in the
/// page cache, and overwriting them costs a fraction of filling new ones (0.03 s against 0.23 s
/// of system time for 513 MB here).
package final class GzipFeeder: @unchecked Sendable {
    /// A file to feed, the consecutive map tasks its pieces are, and where each piece goes.
    package struct FedFile: Sendable {
        let path: String
        let firstTask: Int
        let piecePaths: [String]

        var pieces: Int { piecePaths.count }

        package init(path: String, firstTask: Int, piecePaths: [String]) {
            self.path = path
            self.firstTask = firstTask
            self.piecePaths = piecePaths
        }
    }

    private let monitor = Monitor()
    // Guarded by `monitor`.
    private var released: [Int] = []
    private var waiting = 0
    private var failure: MRError?
    private var stopping = false
    private var skipped: [(path: String, warning: String)] = []
    private var unsaved: [String] = []
    /// Files of committed pieces, to be written again; removed once feeding ends.
    private var spareFiles: [String] = []
    private var feeding = true
    private var thread: pthread_t?

    /// Each fed map task's piece.
    private let piecePaths: [Int: String]
    private let limit: Int
    private let wake: @Sendable () -> Void

    /// Starts inflating `files` one after another, at most `limit` pieces kept at a time. `wake`
    /// is called (from the feeder's thread) whenever pieces are released or the feeder fails.
    package init(files: [FedFile], span: Int64, limit: Int, skipBadInput: Bool, wake: @escaping @Sendable () -> Void) {
        piecePaths = Dictionary(uniqueKeysWithValues: files.flatMap { file in
            file.piecePaths.enumerated().map { (file.firstTask + $0.offset, $0.element) }
        })
        self.limit = max(limit, 1)
        self.wake = wake
        thread = startThread { [self] in
            defer { removeSpareFiles() }
            for file in files {
                do {
                    try feed(file, span: span, skipBadInput: skipBadInput)
                } catch is Stopped {
                    return
                } catch {
                    let reason = error as? MRError ?? MRError(.internal, "\(file.path): \(error)")
                    monitor.locked { failure = failure ?? reason }
                    wake()
                    return
                }
            }
        }
    }

    /// Map tasks whose pieces have been started, once each; throws what stopped the feeder.
    package func takeReleased() throws -> [Int] {
        try monitor.locked {
            if let failure { throw failure }
            defer { released = [] }
            return released
        }
    }

    /// A fed map task committed: its piece is no longer needed (its file is kept for a later
    /// piece while the feeder runs).
    package func committed(mapTask: Int) {
        monitor.locked {
            if let path = piecePaths[mapTask] {
                let spare = path + ".spare"
                if feeding, (try? FileSystem.rename(path, to: spare)) != nil { spareFiles.append(spare) } else { FileSystem.remove(path) }
            }
            waiting -= 1
            monitor.wakeAll()
        }
    }

    private func removeSpareFiles() {
        let spares = monitor.locked {
            feeding = false
            defer { spareFiles = [] }
            return spareFiles
        }
        for spare in spares { FileSystem.remove(spare) }
    }

    /// Warnings for files whose damaged rest was skipped (`--skip-bad-input`), and for indexes
    /// that could not be saved.
    package var warnings: (skippedFiles: [(path: String, warning: String)], unsavedIndexes: [String]) { monitor.locked { (skipped, unsaved) } }

    /// Stops inflating (if it still is) and waits for the thread.
    package func stop() {
        monitor.locked {
            stopping = true
            monitor.wakeAll()
        }
        if let thread { pthread_join(thread, nil) }
        thread = nil
    }

    private struct Stopped: Error {}

    private func feed(_ file: FedFile, span: Int64, skipBadInput: Bool) throws {
        let compressedSize = try FileSystem.status(file.path)?.size ?? 0
        var piece = 0
        var writer = try openPiece(file, piece, startingAt: 0, line: 1)
        var written: Int64 = 0, lines: Int64 = 0
        let index: GzipIndex
        do {
            index = try GzipIndex.build(path: file.path, span: span) { [self] text, compressedRead, linesThrough in
                var rest = text
                // Cut after the first line end once this piece's share of the compressed file is read.
                while piece < file.pieces - 1, compressedRead * Int64(file.pieces) >= compressedSize * Int64(piece + 1),
                      let base = rest.baseAddress, let newline = memchr(base, 0x0A, rest.count) {
                    let head = UnsafeRawPointer(newline) - base + 1
                    try writer.append(base, count: head)
                    written += Int64(head)
                    try writer.finish()
                    piece += 1
                    rest = UnsafeRawBufferPointer(rebasing: rest[head...])
                    // The builder counted the lines through the run's end; those after the cut are not yet done.
                    let linesDone = linesThrough - countNewlines(rest.baseAddress ?? base, rest.count)
                    writer = try openPiece(file, piece, startingAt: written, line: linesDone + 1)
                }
                lines = linesThrough
                guard let base = rest.baseAddress, !rest.isEmpty else { return }
                try writer.append(base, count: rest.count)
                written += Int64(rest.count)
            }
        } catch let error as MRError where error.kind == .badInput && skipBadInput {
            // The piece being written ends where the damage begins, the pieces after it are empty.
            try writer.finish()
            for empty in (piece + 1)..<file.pieces { try openPiece(file, empty, startingAt: written, line: lines + 1).finish() }
            monitor.locked { skipped.append((file.path, "skipped the rest of \(error.message)")) }
            return
        } catch {
            if writer.isOpen { writer.abandon() }
            throw error
        }
        try writer.finish()
        for empty in (piece + 1)..<max(file.pieces, piece + 1) {
            try openPiece(file, empty, startingAt: written, line: lines + 1).finish()
        }
        do {
            _ = try index.save(besides: file.path, cacheDirectory: cacheDirectory())
        } catch let error as MRError {
            // The next run feeds the file again: slower, not wrong.
            monitor.locked { unsaved.append("\(error.message); the next run inflates it once more") }
        }
    }

    /// Starts piece `number`, whose text begins at `offset` and `line` of the file's text, and
    /// releases its map task.
    private func openPiece(_ file: FedFile, _ number: Int, startingAt offset: Int64, line: Int64) throws -> FedPieceWriter {
        let spare: String? = try monitor.locked {
            while waiting >= limit && !stopping { monitor.wait() }
            if stopping { throw Stopped() }
            waiting += 1
            return spareFiles.popLast()
        }
        let path = file.piecePaths[number]
        // Over a killed run's piece when resumed (the work folder is this run's own).
        if let spare { try FileSystem.rename(spare, to: path) } else { FileSystem.remove(path) }
        let writer = try FedPieceWriter(path: path, rewriting: spare != nil, offset: offset, line: line)
        monitor.locked { released.append(file.firstTask + number) }
        wake()
        return writer
    }
}
