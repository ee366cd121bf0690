import MRBase
import MRSystem
import MapReduce
#if canImport(Glibc)
import Glibc
#endif

// The first run over a large gzip file that has no index yet. Its map tasks relay one another:
// the task of piece `k` starts where piece `k - 1` ended, at an access point that task left in the
// work folder (piece 0 at the file's start), inflates its share of the file into memory, leaves
// the point where it ended for piece `k + 1` (whose task may then start on another worker), and
// maps its text while the next piece is inflated. Each byte is inflated once, by the worker that
// maps it, and no text passes between processes. The points the tasks leave, and those they note
// on the way, become the file's index, saved for later runs (``GzipIndex/relayed(_:pieces:workDirectory:)``).
//
// Each piece ends at the first access point past its share of the text, or of the compressed
// bytes (the last at the file's end; see ``RelayedPieceSource/shareEnd(ofPiece:of:total:)``),
// so the pieces depend only on the file and the plan: a retried attempt, or a resumed run, cuts
// the same ones.

/// What a relayed piece's task leaves for the next piece: where that piece starts, the access
/// points noted inside this one, and what the file's index needs besides.
package struct RelayBaton {
    /// Where the next piece starts; nil when the text ended in this piece (at the file's end, or
    /// at damage skipped under `--skip-bad-input`).
    let next: GzipIndex.AccessPoint?
    /// Access points at least a span apart inside the piece.
    let pointsInside: [GzipIndex.AccessPoint]
    /// Gzip members that ended inside the piece.
    let memberEnds: Int
    /// Where the piece ends in the file's text.
    let textEnd: Int64
    /// The text ended at damage: the file gets no index.
    let damaged: Bool

    private static let magic = Array("MRRELAY1".utf8)

    /// Where the baton for piece `piece` of file `fileIndex` is left (the one after the last
    /// piece holds what the last piece found).
    package static func path(workDirectory: String, fileIndex: Int, piece: Int) -> String {
        "\(workDirectory)/relay-\(fileIndex)-\(piece)"
    }

    func save(to path: String) throws {
        var bytes = Self.magic
        for value in [textEnd, Int64(memberEnds), damaged ? 1 : 0, next == nil ? 0 : 1, Int64(pointsInside.count)] {
            withUnsafeBytes(of: value.littleEndian) { bytes += $0 }
        }
        for point in (next.map { [$0] } ?? []) + pointsInside { GzipIndex.append(point, to: &bytes) }
        try bytes.withUnsafeBytes { try FileSystem.replaceFile(path, bytes: $0, mode: 0o600) }
    }

    static func load(from path: String) throws -> RelayBaton {
        let bytes = try FileSystem.readFile(path)
        let headerSize = magic.count + 5 * 8
        let damaged = MRError(.internal, "\(path), the start of a relayed piece, is damaged; run again without --resume")
        guard bytes.count >= headerSize, Array(bytes.prefix(magic.count)) == magic else { throw damaged }
        let fields = (0..<5).map { GzipIndex.field(bytes[...], magic.count + 8 * $0) }
        let hasNext = fields[3] == 1
        let pointCount = Int(fields[4]) + (hasNext ? 1 : 0)
        guard fields[4] >= 0, bytes.count == headerSize + pointCount * GzipIndex.pointSize else { throw damaged }
        let points = try (0..<pointCount).map { number in
            let start = headerSize + number * GzipIndex.pointSize
            guard let point = GzipIndex.accessPoint(bytes[start..<start + GzipIndex.pointSize]) else { throw damaged }
            return point
        }
        return RelayBaton(next: hasNext ? points[0] : nil, pointsInside: Array(points.dropFirst(hasNext ? 1 : 0)),
                          memberEnds: Int(fields[1]), textEnd: fields[0], damaged: fields[2] == 1)
    }
}

/// A relayed piece's text as its map task reads it. The piece is inflated into the worker's
/// kept buffer, which leaves the next piece's baton once the piece's end is found and finishes
/// the piece's last line; the task maps the text where it lies. With a core to spare the
/// inflating runs on a thread of its own while the task maps what is inflated so far (a
/// one-worker first run over 515 MB: 0.86-0.88 s, against 1.24-1.27 s inflating first); with
/// every core busy, before the task maps (two workers on two cores: 0.67-0.70 s, against
/// 0.73-0.75 s with the extra threads).
package final class RelayedPieceSource: InPlaceByteSource, @unchecked Sendable {
    /// Where the piece starts.
    package let start: GzipIndex.AccessPoint
    private let text: GrowingBuffer
    private let handOn: () -> Void
    private let monitor = Monitor()
    // Guarded by `monitor`.
    /// Bytes of text inflated so far: the piece's, then the rest of its last line.
    private var filled = 0
    /// Where the piece ends in the file's text, once found.
    private var end: Int64?
    /// The inflater has finished: the text, the baton and the checksum are all there.
    private var done = false
    /// Damage met while inflating, thrown once the text before it is read.
    private var damage: MRError?
    /// What else stopped the inflater: thrown at once.
    private var failure: Error?
    private var checksum: (crc: UInt32, length: Int64) = (0, 0)
    /// Blocks the buffer grew out of, kept while the task may still read them.
    private var outgrown: [UnsafeMutableRawPointer] = []
    private var stopping = false
    private var thread: pthread_t?
    /// Bytes handed out by ``read(into:capacity:)``.
    private var position = 0

    /// Inflates piece `piece` of the `pieces` of the gzip file at `path` (`size` bytes, holding
    /// `textSize` bytes of text if that is known) into `buffer`, noting access points about
    /// `span` apart, on a thread of its own if `aside`; once the piece's end is found it leaves
    /// the baton for the next piece in `workDirectory` (after the last piece, the last baton)
    /// and calls `handOn` (from the inflating thread).
    package init(path: String, size: Int64, textSize: Int64?, fileIndex: Int, piece: Int, of pieces: Int, workDirectory: String,
                 span: Int64, buffer: GrowingBuffer, aside: Bool, handOn: @escaping () -> Void) throws {
        text = buffer
        self.handOn = handOn
        let batonPath = { RelayBaton.path(workDirectory: workDirectory, fileIndex: fileIndex, piece: $0) }
        let previous = piece == 0 ? nil : try RelayBaton.load(from: batonPath(piece))
        guard let start = piece == 0 ? GzipIndex.AccessPoint.fileStart : previous?.next else {
            // The text ended in an earlier piece: this one is empty there, and so is the next.
            let ended = previous!
            self.start = GzipIndex.AccessPoint(compressedOffset: size, bits: 0, uncompressedOffset: ended.textEnd, linesBefore: 0,
                                               window: GzipIndex.AccessPoint.fileStart.window)
            (end, done) = (ended.textEnd, true)
            try RelayBaton(next: nil, pointsInside: [], memberEnds: 0, textEnd: ended.textEnd, damaged: ended.damaged)
                .save(to: batonPath(piece + 1))
            handOn()
            return
        }
        self.start = start
        let source = try GzipSource(path: path, inflater: .isal, from: start, blockStartSpan: span)
        // The piece ends at the first access point noted past its share of the text (of the
        // compressed bytes if the text's size is not known: the man-page corpus's pieces then
        // hold 19-46 MB of text where shares of the text give 29-35 MB): the points of all
        // pieces are about a span apart, as a whole inflate's are (a point taken at the share
        // itself left short splits beside it, and runs over the index 4 % slower).
        let shareEnd = Self.shareEnd(ofPiece: piece, of: pieces, total: textSize ?? size)
        let inflatePiece = { @Sendable [self] in
            do {
                try inflate(source) { blockStart in
                    guard let shareEnd else { return false }
                    return (textSize == nil ? blockStart.bit / 8 : blockStart.uncompressedOffset) >= shareEnd
                } leaving: { try $0.save(to: batonPath(piece + 1)) }
            } catch {
                monitor.locked {
                    failure = failure ?? error
                    done = true
                    monitor.wakeAll()
                }
            }
        }
        if aside { thread = startThread(inflatePiece) } else { inflatePiece() }
    }

    deinit {
        monitor.locked { stopping = true }
        if let thread { pthread_join(thread, nil) }
        for block in outgrown { block.deallocate() }
    }

    private struct Stopped: Error {}

    /// The inflating thread: the piece's text into the buffer, published a run at a time; its
    /// end at the first block start `isPastShare`; then the baton, `leave`-ing it, and the
    /// checksum.
    private func inflate(_ source: GzipSource, isPastShare: (GzipSource.BlockStart) -> Bool,
                         leaving leave: (RelayBaton) throws -> Void) throws {
        var endStart: GzipSource.BlockStart?
        var inside: [GzipSource.BlockStart] = []
        var written = 0, damaged: MRError?
        let chunk = 1 << 20
        while true {
            if written + chunk > text.capacity {
                try monitor.locked {
                    if stopping { throw Stopped() }
                    if let block = text.grow(to: written + chunk, keeping: written) { outgrown.append(block) }
                }
            }
            let count: Int
            do {
                count = try source.read(into: text.base + written, capacity: chunk)
            } catch let error as MRError where error.kind == .badInput {
                damaged = error
                break
            }
            for blockStart in source.takeBlockStarts() where endStart == nil {
                if isPastShare(blockStart) {
                    endStart = blockStart
                } else {
                    inside.append(blockStart)
                }
            }
            written += count
            try monitor.locked {
                if stopping { throw Stopped() }
                filled = written
                self.end = endStart?.uncompressedOffset
                monitor.wakeAll()
            }
            guard count > 0 else { break }
            // Past the end, the piece's last line is read to its end.
            if let endStart, case let at = Int(endStart.uncompressedOffset - start.uncompressedOffset),
               memchr(text.base + at, 0x0A, written - at) != nil { break }
        }
        let end = endStart?.uncompressedOffset ?? start.uncompressedOffset + Int64(written)
        let length = Int(end - start.uncompressedOffset)
        // Each point's lines and window, from the text before it (and the start's window).
        var lines = start.linesBefore, counted = 0
        func point(at blockStart: GzipSource.BlockStart) -> GzipIndex.AccessPoint {
            let at = Int(blockStart.uncompressedOffset - start.uncompressedOffset)
            lines += countNewlines(text.base + counted, at - counted)
            counted = at
            let fromText = min(at, GzipIndex.windowSize)
            let window = Array(start.window.suffix(GzipIndex.windowSize - fromText))
                + UnsafeRawBufferPointer(start: text.base + at - fromText, count: fromText)
            return GzipIndex.AccessPoint(at: blockStart, linesBefore: lines, window: window)
        }
        let pointsInside = inside.map(point)
        try leave(RelayBaton(next: endStart.map(point), pointsInside: pointsInside,
                             memberEnds: source.memberEnds.filter { $0 <= end }.count, textEnd: end,
                             damaged: endStart == nil && damaged != nil))
        handOn()
        let crc = MRSystem.checksum(0, text.base, length)
        monitor.locked {
            self.end = end
            damage = damaged
            checksum = (crc, Int64(length))
            done = true
            monitor.wakeAll()
        }
    }

    /// Where piece `piece` of `pieces` ends in a `total` to share (of text, or of compressed
    /// bytes); nil for the last piece, which ends with the file. The first and the last piece
    /// are half the middle ones: the second worker starts once the first piece is inflated, and
    /// the first worker has mapped it by the time the second has inflated its own (mapping takes
    /// about twice as long as inflating: with a quarter, it waited), and one worker maps alone
    /// only briefly at the end.
    static func shareEnd(ofPiece piece: Int, of pieces: Int, total: Int64) -> Int64? {
        guard piece + 1 < pieces else { return nil }
        return total * Int64(1 + 2 * piece) / Int64(2 * pieces - 2)  // halves: 1 + 2 (pieces - 2) + 1
    }

    /// How many pieces of at most `pieceSize` bytes of text (the middle ones) to relay `textSize`
    /// bytes in, given the smaller first and last pieces.
    package static func pieceCount(textSize: Int64, pieceSize: Int64) -> Int {
        Int((textSize + 2 * pieceSize - 1) / pieceSize)  // one more than middle pieces
    }

    /// Where the piece's records end, from its start, once the inflater has found it.
    package var recordsEnd: Int64? {
        monitor.locked { end.map { $0 - start.uncompressedOffset } }
    }

    package func text(beyond count: Int) throws -> UnsafeRawBufferPointer {
        try monitor.locked {
            while filled <= count && !done { monitor.wait() }
            if let failure { throw failure }
            if filled <= count, let damage { throw damage }
            return UnsafeRawBufferPointer(start: text.base, count: filled)
        }
    }

    package func read(into buffer: UnsafeMutableRawPointer, capacity: Int) throws -> Int {
        let available = try text(beyond: position)
        let count = min(capacity, available.count - position)
        if count > 0 { memcpy(buffer, available.baseAddress! + position, count) }
        position += count
        return count
    }

    /// The CRC-32 and length of the piece's own text, once it is all inflated: for the check
    /// against the file's trailer.
    package func pieceChecksum() throws -> (crc: UInt32, length: Int64) {
        try monitor.locked {
            while !done { monitor.wait() }
            if let failure { throw failure }
            return checksum
        }
    }
}

extension GzipIndex {
    /// The index of the relayed gzip file at `path`, from the batons its `pieces` tasks left in
    /// `workDirectory`; nil if its text ended at damage.
    package static func relayed(_ path: String, fileIndex: Int, pieces: Int, workDirectory: String) throws -> GzipIndex? {
        var points = [AccessPoint.fileStart]
        var members = 0
        var textEnd: Int64 = 0
        for piece in 1...pieces {
            let baton = try RelayBaton.load(from: RelayBaton.path(workDirectory: workDirectory, fileIndex: fileIndex, piece: piece))
            if baton.damaged { return nil }
            points += baton.pointsInside + (baton.next.map { [$0] } ?? [])
            members += baton.memberEnds
            textEnd = baton.textEnd
        }
        return GzipIndex(stamp: try stamp(of: path), points: points, uncompressedSize: textEnd, members: members)
    }
}
