import MRBase
import MRSystem
import MapReduce
#if canImport(Glibc)
import Glibc
#endif

/// Cuts a byte stream into lines without copying them: each line is handed out as a slice of a
/// large buffer that is refilled in place, or of the source's own memory for a source read in
/// place (``InPlaceByteSource``).
///
/// A split of a plain file is a byte range [start, end), cut anywhere. Its records are the lines
/// that *start* inside the range (Hadoop's rule): the reader skips the partial line it starts in
/// and reads past `end` to finish its last line, so no line is lost or read twice at an edge.
package final class LineReader {
    private var buffer: UnsafeMutableRawPointer
    private var capacity: Int
    /// A line is held whole: past this length it is refused (``LineTooLong``), so that a file
    /// without line ends cannot take all memory.
    private let maxLineLength: Int

    /// A line longer than the reader holds, at stream offset `offset`.
    package struct LineTooLong: Error {
        let offset: Int64
        let limit: Int

        /// The bad-input error for a line of `path`'s `text` ("file", "uncompressed text").
        package func error(in path: String, text: String) -> MRError {
            MRError(.badInput, "\(path): the line at byte \(offset) of the \(text) is longer than --max-line (\(limit) bytes); pass a larger --max-line if such lines are real")
        }
    }

    /// Whole lines are handed out many at a time (see ``Job/mapsBlocksOfLines``).
    private let handsOutBlocks: Bool

    package init(capacity: Int = 1 << 20, maxLineLength: Int = .max, handsOutBlocks: Bool = false) {
        self.capacity = min(capacity, max(maxLineLength, 1 << 16))
        self.maxLineLength = maxLineLength
        self.handsOutBlocks = handsOutBlocks
        buffer = .allocate(byteCount: self.capacity, alignment: 64)
    }

    deinit { buffer.deallocate() }

    /// Bytes (lines and their terminators) of the lines handed out.
    package private(set) var bytesRead: Int64 = 0
    /// Lines handed out.
    package private(set) var linesRead: Int64 = 0

    /// Calls `body(line, offset, lineNumber)` for each line of `source` that starts before `end`
    /// (or before the source's ``ByteSource/recordsEnd``, once it knows it). A reader that hands
    /// out blocks calls it with all whole lines in its buffer at once, line ends included, when
    /// all of them start before `end` and none can be longer than the longest line allowed.
    ///
    /// `source` begins at stream offset `sourceOffset`, inside line number `firstLineNumber`.
    /// With `skippingFirstLine`, the text up to the first `\n` belongs to the previous split and is
    /// not handed out. (A plain-file split [start, end) begins its source one byte early, at
    /// `start - 1`, and skips through the first `\n`: a line starting exactly at `start` is kept.)
    package func forEachLine(
        of source: ByteSource, from sourceOffset: Int64, skippingFirstLine: Bool, end: Int64, firstLineNumber: Int64,
        _ body: (ByteSlice, Int64, Int64) throws -> Void
    ) throws {
        var end = end
        var lineNumber = firstLineNumber
        // The bytes looked at: the buffer, or a window onto a source read in place.
        let inPlace = source as? InPlaceByteSource
        var bytes = UnsafePointer(buffer.assumingMemoryBound(to: UInt8.self))
        var bufferOffset = sourceOffset  // stream offset of bytes[0]
        var filled = 0
        var lineStart = 0
        var skipping = skippingFirstLine  // inside the line that began in the previous split
        var sourceDone = false
        while true {
            if skipping, lineStart < filled, let newline = memchr(bytes + lineStart, 0x0A, filled - lineStart) {
                skipping = false
                lineNumber += 1
                lineStart = bytes.distance(to: newline.assumingMemoryBound(to: UInt8.self)) + 1
            }
            if handsOutBlocks && !skipping, let blockEnd = wholeLinesEnd(bytes, from: lineStart, to: filled),
               bufferOffset + Int64(blockEnd - 1) < end, blockEnd - lineStart <= maxLineLength {
                let lines = countNewlines(bytes + lineStart, blockEnd - lineStart)
                bytesRead += Int64(blockEnd - lineStart)
                linesRead += lines
                try body(ByteSlice(start: bytes + lineStart, count: blockEnd - lineStart), bufferOffset + Int64(lineStart), lineNumber)
                lineNumber += lines
                lineStart = blockEnd
            }
            // Hand out every complete line in the buffer.
            while !skipping, lineStart < filled,
                  let newline = memchr(bytes + lineStart, 0x0A, filled - lineStart) {
                let lineEnd = bytes.distance(to: newline.assumingMemoryBound(to: UInt8.self))
                let offset = bufferOffset + Int64(lineStart)
                if offset >= end { return }
                try emit(bytes, lineStart, lineEnd, offset, lineNumber, terminator: 1, body)
                lineNumber += 1
                lineStart = lineEnd + 1
            }
            if sourceDone {
                let offset = bufferOffset + Int64(lineStart)
                if !skipping && lineStart < filled && offset < end {
                    try emit(bytes, lineStart, filled, offset, lineNumber, terminator: 0, body)
                }
                return
            }
            // Keep the unfinished line, growing the buffer if it fills it all.
            let kept = filled - lineStart
            if kept > maxLineLength { throw LineTooLong(offset: bufferOffset + Int64(lineStart), limit: maxLineLength) }
            if let inPlace {
                // The window moves on to the unfinished line and takes in up to a buffer's worth
                // more of what has arrived.
                bufferOffset += Int64(lineStart)
                let consumed = Int(bufferOffset - sourceOffset)
                let text = try inPlace.text(beyond: consumed + kept)
                if let start = text.baseAddress { bytes = start.assumingMemoryBound(to: UInt8.self) + consumed }
                filled = min(text.count - consumed, kept + capacity)
                lineStart = 0
                if filled == kept { sourceDone = true }
            } else {
                if lineStart > 0 {
                    if kept > 0 { buffer.copyMemory(from: buffer + lineStart, byteCount: kept) }
                    bufferOffset += Int64(lineStart)
                    lineStart = 0
                } else if kept == capacity {
                    grow()
                    bytes = UnsafePointer(buffer.assumingMemoryBound(to: UInt8.self))
                }
                let count = try source.read(into: buffer + kept, capacity: capacity - kept)
                if count == 0 { sourceDone = true }
                filled = kept + count
            }
            if let limit = source.recordsEnd { end = min(end, sourceOffset + limit) }
        }
    }

    @inline(__always)
    private func emit(
        _ bytes: UnsafePointer<UInt8>, _ from: Int, _ to: Int, _ offset: Int64, _ lineNumber: Int64,
        terminator: Int, _ body: (ByteSlice, Int64, Int64) throws -> Void
    ) throws {
        var contentEnd = to
        if contentEnd > from && bytes[contentEnd - 1] == 0x0D { contentEnd -= 1 }  // CRLF
        if contentEnd - from > maxLineLength { throw LineTooLong(offset: offset, limit: maxLineLength) }
        bytesRead += Int64(to - from + terminator)
        linesRead += 1
        try body(ByteSlice(start: bytes + from, count: contentEnd - from), offset, lineNumber)
    }

    /// Just past the last `\n` in `from..<to`, if there is one; lines are short, so the search
    /// runs backwards.
    private func wholeLinesEnd(_ bytes: UnsafePointer<UInt8>, from: Int, to: Int) -> Int? {
        var index = to - 1
        while index >= from {
            if bytes[index] == 0x0A { return index + 1 }
            index -= 1
        }
        return nil
    }

    private func grow() {
        let larger = UnsafeMutableRawPointer.allocate(byteCount: capacity * 2, alignment: 64)
        larger.copyMemory(from: buffer, byteCount: capacity)
        buffer.deallocate()
        buffer = larger
        capacity *= 2
    }
}

/// The number of `\n` bytes in `count` bytes at `start`, 32 bytes a step: each step's compare
/// gives -1 per newline byte, subtracted into byte counters that are summed before they can wrap.
package func countNewlines(_ start: UnsafeRawPointer, _ count: Int) -> Int64 {
    typealias Bytes = SIMD32<UInt8>
    let newline = Bytes(repeating: 0x0A)
    var found: Int64 = 0
    var index = 0
    while index + Bytes.scalarCount <= count {
        // At most 255 steps per round, so no byte counter overflows.
        let roundEnd = min(count - Bytes.scalarCount, index + 254 * Bytes.scalarCount)
        var counters = Bytes()
        while index <= roundEnd {
            let bytes = start.loadUnaligned(fromByteOffset: index, as: Bytes.self)
            counters &-= unsafeBitCast(bytes .== newline, to: Bytes.self)
            index += Bytes.scalarCount
        }
        found += Int64(SIMD32<UInt16>(truncatingIfNeeded: counters).wrappedSum())
    }
    while index < count {
        if start.load(fromByteOffset: index, as: UInt8.self) == 0x0A { found += 1 }
        index += 1
    }
    return found
}
