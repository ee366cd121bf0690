import MRBase
import MRSystem
import MapReduce
/// An ``InputPiece`` opened for reading: the bytes to read, and which of their lines are the
/// piece's records. The one place that knows how each kind of piece is read.
package struct PieceSource {
    package let source: ByteSource
    /// Where `source` starts, in bytes of the file's text.
    package let sourceOffset: Int64
    /// The first line read belongs to the split before (it started before the piece).
    package let skipFirstLine: Bool
    /// Lines starting before this offset are the piece's (`.max`: all, or as the source says).
    package let end: Int64
    /// The number of the first line read.
    package let firstLine: Int64
    /// Offsets and line numbers are the file's (not so from a member start found by scanning).
    package let positionsKnown: Bool
    /// The source of a piece read from an access point: its CRC-32 is checked against the
    /// file's trailer once every piece is read.
    private let indexed: (source: GzipSource, start: Int64, length: Int64)?
    private let relayed: RelayedPieceSource?

    /// What the task of a relayed piece needs besides: the work folder its batons are left in,
    /// how far apart to note access points, the worker's buffer for the piece's text, whether to
    /// inflate on a thread of its own, and what to call once the next piece may start.
    package struct Relay {
        let workDirectory: String
        let span: Int64
        let buffer: GrowingBuffer
        let aside: Bool
        let handOn: () -> Void

        package init(workDirectory: String, span: Int64, buffer: GrowingBuffer, aside: Bool, handOn: @escaping () -> Void) {
            self.workDirectory = workDirectory
            self.span = span
            self.buffer = buffer
            self.aside = aside
            self.handOn = handOn
        }
    }

    /// Opens `piece` of `entry`, inflating with `inflater` (a relayed piece with ISA-L, as `relay` says).
    package init(_ piece: InputPiece, of entry: InputEntry, inflater: Inflater, relay: Relay?) throws {
        var firstLine: Int64 = 1
        var indexed: (GzipSource, Int64, Int64)?
        var relayed: RelayedPieceSource?
        positionsKnown = {
            if case .betweenUnits = piece.kind { return false }
            return true
        }()
        switch piece.kind {
        case .indexed(let number, let start, let end):
            guard let indexPath = entry.indexPath else {
                throw MRError(.internal, "\(entry.path): a piece planned at an access point has no index")
            }
            let point = try GzipIndex.point(number, at: start, savedAt: indexPath, for: entry.path)
            let gzip = try GzipSource(path: entry.path, inflater: inflater, from: point, checksumLimit: end - start)
            indexed = (gzip, start, end - start)
            source = gzip
            (sourceOffset, self.end) = (point.uncompressedOffset, end)
            skipFirstLine = sourceOffset > 0 && point.byteBefore != 0x0A
            firstLine = point.linesBefore + 1
        case .relayed(let number, let pieces, let textSize):
            guard let relay else { throw MRError(.internal, "\(entry.path): a relayed piece has no work folder") }
            let piece = try RelayedPieceSource(path: entry.path, size: entry.size, textSize: textSize, fileIndex: piece.fileIndex,
                                               piece: number, of: pieces, workDirectory: relay.workDirectory, span: relay.span,
                                               buffer: relay.buffer, aside: relay.aside, handOn: relay.handOn)
            relayed = piece
            source = piece
            // Its records end where the inflater finds the piece's end (``ByteSource/recordsEnd``).
            (sourceOffset, end) = (piece.start.uncompressedOffset, .max)
            skipFirstLine = sourceOffset > 0 && piece.start.byteBefore != 0x0A
            firstLine = piece.start.linesBefore + 1
        case .betweenUnits(let start, let end):
            // Records skip the first line unless at the file's start, and end with the line that
            // starts exactly at the next split's member (Hadoop's rule for splits whose edges
            // cannot be looked behind).
            let boundary = end < entry.size ? end : nil
            source = switch entry.compression {
            case .gzip: try GzipSource(path: entry.path, inflater: inflater, member: start, boundary: boundary)
            case .bzip2: try Bzip2BlockSource(path: entry.path, from: start, boundary: boundary)
            default: try CompressedSource(path: entry.path, compression: entry.compression, from: start, boundary: boundary)
            }
            (sourceOffset, skipFirstLine, self.end) = (0, start > 0, .max)
        case .wholeCompressed:
            source = try Self.whole(entry, inflater: inflater)
            (sourceOffset, skipFirstLine, end) = (0, false, .max)
        case .plainRange(let start, let end):
            // From the byte before the range: a line starting exactly at `start` is this piece's.
            source = try PlainFileSource(path: entry.path, from: max(start - 1, 0), plannedSize: entry.size)
            (sourceOffset, skipFirstLine, self.end) = (max(start - 1, 0), start > 0, end)
            if start > 0 { firstLine = try countNewlines(in: entry.path, before: start - 1) + 1 }
        }
        self.firstLine = firstLine
        self.indexed = indexed
        self.relayed = relayed
    }

    /// The text of a whole compressed file, from its start.
    package static func whole(_ entry: InputEntry, inflater: Inflater) throws -> ByteSource {
        switch entry.compression {
        case .gzip: try GzipSource(path: entry.path, inflater: inflater)
        case .none: try PlainFileSource(path: entry.path, from: 0)
        case .bzip2, .zstd, .xz: try CompressedSource(path: entry.path, compression: entry.compression)
        }
    }

    /// For a piece read from an access point, its CRC-32 and length, after reading the rest of
    /// its text (the line reader stops early in its last line); the same for a relayed piece;
    /// nil for other pieces.
    package func checksum(fileIndex: Int) throws -> PieceChecksum? {
        if let relayed {
            let (crc, length) = try relayed.pieceChecksum()
            return PieceChecksum(fileIndex: fileIndex, start: sourceOffset, length: length, crc: crc)
        }
        guard let indexed else { return nil }
        let scratch = UnsafeMutableRawPointer.allocate(byteCount: 1 << 16, alignment: 8)
        defer { scratch.deallocate() }
        while indexed.source.checksummedBytes < indexed.length,
              try indexed.source.read(into: scratch, capacity: 1 << 16) > 0 {}
        return PieceChecksum(fileIndex: fileIndex, start: indexed.start, length: indexed.source.checksummedBytes,
                             crc: indexed.source.crc)
    }
}

/// The number of `\n` bytes in the first `count` bytes of a file (the line number where a split
/// of a plain file starts). Reads the prefix at memchr speed.
package func countNewlines(in path: String, before count: Int64) throws -> Int64 {
    let file = try FileDescriptor.open(reading: path)
    defer { file.close() }
    let capacity = 1 << 20
    let buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 64)
    defer { buffer.deallocate() }
    var offset: Int64 = 0
    var newlines: Int64 = 0
    while offset < count {
        let got = try file.read(into: buffer, count: Int(min(Int64(capacity), count - offset)), at: offset)
        if got == 0 { break }
        newlines += countNewlines(buffer, got)
        offset += Int64(got)
    }
    return newlines
}
