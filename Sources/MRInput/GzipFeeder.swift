import MRBase
import MRSystem
import MapReduce
#if canImport(Glibc)
import Glibc
#endif

/// The first run over a large gzip file that has no index yet: one thread inflates the file once,
/// building its ``GzipIndex`` as it goes, and cuts the text into pieces at line ends. Each piece
/// is released as a map task the moment it is started: the task reads the text while it is
/// written (``FedPieceSource``), so the workers map while the file is still being inflated (wall
/// time about max(inflate, (inflate + map) / workers) instead of inflate + (inflate + map) /
/// workers). The index is saved at the end; later runs split the file at its access points.
///
/// Piece `k` of `n` ends at the first line end after the inflater has read `(k + 1) / n` of the
/// compressed bytes, so the cut depends only on the file. Pieces go to memory files, one per
/// worker (a slot): piece number `i` of the run in slot `i % slots`, written once the slot's
/// earlier piece is no longer needed (its task committed; a failed attempt reads it again). A slot
/// keeps its pages from piece to piece: no file system work per piece, and nothing left behind,
/// whatever ends the run.
package final class GzipFeeder: @unchecked Sendable {
    /// A file to feed and the consecutive map tasks its pieces are.
    package struct FedFile: Sendable {
        let path: String
        let firstTask: Int
        let pieces: Int
        /// The place of the file's first piece among all fed pieces of the run.
        let firstPiece: Int

        package init(path: String, firstTask: Int, pieces: Int, firstPiece: Int) {
            self.path = path
            self.firstTask = firstTask
            self.pieces = pieces
            self.firstPiece = firstPiece
        }
    }

    /// The slot of the fed piece at place `piece` among all fed pieces of a run.
    package static func slot(ofPiece piece: Int, slots: Int) -> Int { piece % slots }

    private let monitor = Monitor()
    // Guarded by `monitor`.
    private var released: [Int] = []
    private var failure: MRError?
    private var stopping = false
    private var skipped: [(path: String, warning: String)] = []
    private var unsaved: [String] = []
    /// Which slots hold a piece whose task has not committed, and the slot of each such task.
    private var slotInUse: [Bool]
    private var slotOfTask: [Int: Int] = [:]
    /// The map task whose piece is being written.
    private var writing: Int?
    private var thread: pthread_t?
    private var slotsClosed = false

    private let slots: [FileDescriptor]
    private let wake: @Sendable () -> Void
    /// Test hook (`MR_TEST_FEED_DELAY_MS`): the feeder pauses after each run of text it writes,
    /// as when its input arrives slowly.
    private let testDelayMicroseconds = environmentValue("MR_TEST_FEED_DELAY_MS").flatMap { UInt32($0) }.map { $0 * 1000 } ?? 0

    /// Starts inflating `files` one after another into `slots` (memory files, closed when the
    /// feeder stops). `wake` is called (from the feeder's thread) whenever pieces are released or
    /// the feeder fails.
    package init(files: [FedFile], slots: [FileDescriptor], span: Int64, skipBadInput: Bool, wake: @escaping @Sendable () -> Void) {
        precondition(!slots.isEmpty)
        self.slots = slots
        slotInUse = Array(repeating: false, count: slots.count)
        self.wake = wake
        thread = startThread { [self] in
            for file in files {
                do {
                    try feed(file, span: span, skipBadInput: skipBadInput)
                } catch is Stopped {
                    return
                } catch {
                    recordFailure(error, of: file)
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

    /// The map task whose piece is being written now, if any.
    package var pieceBeingWritten: Int? { monitor.locked { writing } }

    /// A fed map task committed: its slot may take a later piece.
    package func committed(mapTask: Int) {
        monitor.locked {
            if let slot = slotOfTask.removeValue(forKey: mapTask) { slotInUse[slot] = false }
            monitor.wakeAll()
        }
    }

    /// Warnings for files whose damaged rest was skipped (`--skip-bad-input`), and for indexes
    /// that could not be saved.
    package var warnings: (skippedFiles: [(path: String, warning: String)], unsavedIndexes: [String]) { monitor.locked { (skipped, unsaved) } }

    /// Stops inflating (if it still is), waits for the thread and closes the slots: call it
    /// (from the coordinator's thread) once no task reads a piece any more.
    package func stop() {
        monitor.locked {
            stopping = true
            monitor.wakeAll()
        }
        if let thread { pthread_join(thread, nil) }
        thread = nil
        if !slotsClosed { for slot in slots { slot.close() } }  // a second stop (after a failed commit) closes nothing
        slotsClosed = true
    }

    private struct Stopped: Error {}

    /// Keeps the first error that stopped the feeder, for ``takeReleased()`` to throw.
    private func recordFailure(_ error: Error, of file: FedFile) {
        let reason = error as? MRError ?? MRError(.internal, "\(file.path): \(error)")
        monitor.locked { failure = failure ?? reason }
    }

    private func feed(_ file: FedFile, span: Int64, skipBadInput: Bool) throws {
        let compressedSize = try FileSystem.status(file.path)?.size ?? 0
        var piece = 0
        var writer = try openPiece(file, piece, startingAt: 0, line: 1)
        var written: Int64 = 0, lines: Int64 = 0
        var index: GzipIndex?
        do {
            index = try GzipIndex.build(path: file.path, span: span) { [self] text, compressedRead, linesThrough in
                var rest = text
                // Cut after the first line end once this piece's share of the compressed file is read.
                while piece < file.pieces - 1, compressedRead * Int64(file.pieces) >= compressedSize * Int64(piece + 1),
                      let base = rest.baseAddress, let newline = memchr(base, 0x0A, rest.count) {
                    let head = UnsafeRawPointer(newline) - base + 1
                    try writer.append(base, count: head)
                    written += Int64(head)
                    try finish(writer)
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
                if testDelayMicroseconds > 0 { usleep(testDelayMicroseconds) }
            }
        } catch let error as MRError where error.kind == .badInput && skipBadInput {
            // The piece being written ends where the damage begins, the pieces after it are empty.
            monitor.locked { skipped.append((file.path, "skipped the rest of \(error.message)")) }
        } catch {
            // The run's error is set before the piece's readers stop: theirs must not come first.
            if !(error is Stopped) { recordFailure(error, of: file) }
            if writer.isOpen { writer.abandon() }
            throw error
        }
        try finish(writer)
        for empty in (piece + 1)..<max(file.pieces, piece + 1) {
            try finish(try openPiece(file, empty, startingAt: written, line: lines + 1))
        }
        guard let index else { return }
        do {
            _ = try index.save(besides: file.path, cacheDirectory: cacheDirectory())
        } catch let error as MRError {
            // The next run feeds the file again: slower, not wrong.
            monitor.locked { unsaved.append("\(error.message); the next run inflates it once more") }
        }
    }

    private func finish(_ writer: FedPieceWriter) throws {
        try writer.finish()
        monitor.locked { writing = nil }
    }

    /// Starts piece `number`, whose text begins at `offset` and `line` of the file's text, in its
    /// slot once free, and releases its map task.
    private func openPiece(_ file: FedFile, _ number: Int, startingAt offset: Int64, line: Int64) throws -> FedPieceWriter {
        let task = file.firstTask + number
        let slot = Self.slot(ofPiece: file.firstPiece + number, slots: slots.count)
        try monitor.locked {
            while slotInUse[slot] && !stopping { monitor.wait() }
            if stopping { throw Stopped() }
            slotInUse[slot] = true
            slotOfTask[task] = slot
        }
        let writer = try FedPieceWriter(slots[slot], offset: offset, line: line)
        monitor.locked {
            released.append(task)
            writing = task
        }
        wake()
        return writer
    }
}
