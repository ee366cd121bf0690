import MRBase
import MRSystem

/// Where the blocks of a bzip2 file start, and reading from one: a block begins with the 48-bit
/// magic `0x314159265359` at any bit offset, and decodes alone (Hadoop's `BZip2Codec` splits
/// there). Found by a scan (a table look-up per byte, then a 64-bit compare), so a start is a
/// guess until read: data can hold the magic by chance (about once in 2^44 bytes), and then the
/// block fails its CRC and the run is done again without split bzip2 files.
package enum Bzip2Blocks {
    static let blockMagic: UInt64 = 0x3141_5926_5359
    static let endMagic: UInt64 = 0x1772_4538_5090

    /// A magic found: its first bit's offset in the file, and whether it ends a stream.
    struct Mark {
        let bit: Int64
        let endsStream: Bool
    }

    /// For each byte value, the shifts (bits 0-7: block magic, 8-15: end magic) at which a magic
    /// starting `shift` bits into the byte before has this byte as its second.
    private static let table: [UInt16] = {
        var table = [UInt16](repeating: 0, count: 256)
        for shift in 0..<8 {
            table[Int((blockMagic >> UInt64(32 + shift)) & 0xFF)] |= 1 << shift
            table[Int((endMagic >> UInt64(32 + shift)) & 0xFF)] |= 1 << (8 + shift)
        }
        return table
    }()

    /// The first magic starting at or after bit `fromBit`, or nil before the file's end.
    static func nextMark(in file: FileDescriptor, size: Int64, fromBit: Int64) throws -> Mark? {
        let chunk = 1 << 18
        var buffer = [UInt8](repeating: 0, count: chunk + 8)
        var base = max(fromBit / 8 - 1, 0)
        while base < size {
            let count = try buffer.withUnsafeMutableBytes { try file.read(into: $0.baseAddress!, count: chunk + 8, at: base) }
            if count < 8 { return nil }
            var found: Mark?
            for index in 1..<(count - 6) {
                let candidates = table[Int(buffer[index])]
                guard candidates != 0 else { continue }
                var word: UInt64 = 0
                for offset in 0..<8 { word = word << 8 | UInt64(index - 1 + offset < count ? buffer[index - 1 + offset] : 0) }
                for shift in 0..<8 where candidates & (0x101 << shift) != 0 {
                    let bit = (base + Int64(index - 1)) * 8 + Int64(shift)
                    guard bit >= fromBit else { continue }
                    let value = (word >> UInt64(16 - shift)) & 0xFFFF_FFFF_FFFF
                    if value == blockMagic || value == endMagic {
                        found = Mark(bit: bit, endsStream: value == endMagic)
                        break
                    }
                }
                if found != nil { break }
            }
            if let found { return found }
            base += Int64(chunk)
        }
        return nil
    }

    /// Byte offsets about `spacing` apart, each holding the first bit of a block magic (the
    /// first block's left out); nil when there is at most one block.
    package static func splitPoints(path: String, size: Int64, spacing: Int64) throws -> [Int64]? {
        let file = try FileDescriptor.open(reading: path)
        defer { file.close() }
        var starts: [Int64] = []
        var wanted = spacing
        while wanted < size {
            var found = try nextMark(in: file, size: size, fromBit: wanted * 8)
            while let mark = found, mark.endsStream { found = try nextMark(in: file, size: size, fromBit: mark.bit + 48) }
            guard let block = found else { break }
            if block.bit / 8 > (starts.last ?? 0) { starts.append(block.bit / 8) }
            wanted = block.bit / 8 + spacing
        }
        return starts.isEmpty ? nil : starts
    }
}

/// A bzip2 file read block by block from the first block magic at or after a byte offset, as
/// one split of it: each block (its bits from its magic to the next magic) is made a stream of
/// its own (`BZh9`, the block shifted to a byte boundary, the end magic and the block's CRC as
/// the stream's), which libbz2 decodes and checks. Records end with the line that starts where
/// the first block at or after `boundary` starts.
package final class Bzip2BlockSource: ByteSource {
    private let file: FileDescriptor
    private let size: Int64
    private let boundary: Int64?
    /// The magic of the next block to decode, or nil at the end.
    private var next: Bzip2Blocks.Mark?
    private var decoded: [UInt8] = []
    private var handedOut = 0
    private var produced: Int64 = 0
    private var isFirstBlock = true
    package private(set) var recordsEnd: Int64?

    package init(path: String, from start: Int64, boundary: Int64?) throws {
        file = try FileDescriptor.open(reading: path)
        size = try file.size()
        self.boundary = boundary
        next = try Bzip2Blocks.nextMark(in: file, size: size, fromBit: start * 8)
        if let first = next, first.endsStream || first.bit / 8 != start, start > 0 {
            throw MRError(.wrongSplit, "a bzip2 block start planned at byte \(start) of \(path) is not one")
        }
    }

    deinit { file.close() }

    package func read(into buffer: UnsafeMutableRawPointer, capacity: Int) throws -> Int {
        while handedOut == decoded.count {
            guard let block = try nextBlockMark() else { return 0 }
            if let boundary, recordsEnd == nil, block.bit >= boundary * 8 { recordsEnd = produced + 1 }
            try decode(block)
        }
        let count = min(capacity, decoded.count - handedOut)
        decoded.withUnsafeBytes { buffer.copyMemory(from: $0.baseAddress! + handedOut, byteCount: count) }
        handedOut += count
        produced += Int64(count)
        return count
    }

    /// The next block's magic, past stream ends.
    private func nextBlockMark() throws -> Bzip2Blocks.Mark? {
        while let mark = next, mark.endsStream {
            next = try Bzip2Blocks.nextMark(in: file, size: size, fromBit: mark.bit + 48)
        }
        return next
    }

    /// Decodes the block whose magic is `block`, up to the next magic.
    private func decode(_ block: Bzip2Blocks.Mark) throws {
        let following = try Bzip2Blocks.nextMark(in: file, size: size, fromBit: block.bit + 48)
        guard let end = following else { throw damaged(block, "the file ends inside a block (truncated)") }
        let firstByte = block.bit / 8, lastByte = (end.bit + 7) / 8
        var bytes = [UInt8](repeating: 0, count: Int(lastByte - firstByte) + 8)
        let count = try bytes.withUnsafeMutableBytes { try file.read(into: $0.baseAddress!, count: Int(lastByte - firstByte), at: firstByte) }
        guard count == Int(lastByte - firstByte) else { throw damaged(block, "the file ends inside a block (truncated)") }
        // The block as a stream of its own: header, its bits from the magic on, end magic, CRC.
        var stream = BitWriter()
        for byte in Array("BZh9".utf8) { stream.append(UInt64(byte), bits: 8) }
        var bit = Int(block.bit - firstByte * 8)
        let bitCount = Int(end.bit - block.bit)
        let crc = bits(of: bytes, at: bit + 48, count: 32)
        var left = bitCount
        while left > 0 {
            let take = min(left, 32)
            stream.append(bits(of: bytes, at: bit, count: take), bits: take)
            bit += take
            left -= take
        }
        stream.append(Bzip2Blocks.endMagic, bits: 48)
        stream.append(crc, bits: 32)
        let synthesized = stream.finish()
        decoded.removeAll(keepingCapacity: true)
        handedOut = 0
        guard let text = Self.decompress(synthesized) else {
            // The first block of a split stands on a guessed start; another one's data is damaged.
            if isFirstBlock && firstByte > 0 {
                throw MRError(.wrongSplit, "a bzip2 block start guessed at byte \(firstByte) of \(file.path) did not hold")
            }
            throw damaged(block, "a block's data or checksum is wrong")
        }
        isFirstBlock = false
        decoded = text
        next = following
    }

    /// `count` (1 to 64) bits of `bytes` from bit `offset`, most significant first.
    private func bits(of bytes: [UInt8], at offset: Int, count: Int) -> UInt64 {
        let first = offset / 8, shift = offset % 8
        var high: UInt64 = 0
        for index in 0..<8 { high = high << 8 | UInt64(first + index < bytes.count ? bytes[first + index] : 0) }
        let low = UInt64(first + 8 < bytes.count ? bytes[first + 8] : 0)
        let aligned = shift == 0 ? high : high << UInt64(shift) | low >> UInt64(8 - shift)
        return aligned >> UInt64(64 - count)
    }

    /// The text of a whole bzip2 stream, through the decoder files are read with; nil if
    /// libbz2 finds it damaged or it does not end.
    private static func decompress(_ input: [UInt8]) -> [UInt8]? {
        guard let decoder = try? Bzip2Decoder() else { return nil }
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        var consumed = 0
        return input.withUnsafeBytes { source -> [UInt8]? in
            while true {
                let (used, produced, status) = chunk.withUnsafeMutableBytes { target in
                    decoder.decode(UnsafeRawBufferPointer(rebasing: source[consumed...]), into: target, inputEnds: true)
                }
                consumed += used
                output += chunk[..<produced]
                switch status {
                case .unitEnd: return output
                case .corrupt: return nil
                case .progress where used == 0 && produced == 0: return nil  // the stream did not end
                case .progress: continue
                }
            }
        }
    }

    private func damaged(_ block: Bzip2Blocks.Mark, _ what: String) -> MRError {
        MRError(.badInput, "\(file.path): corrupt bzip2 data (\(what)) in the block at compressed byte offset \(block.bit / 8); re-download or recompress the file, or remove it from the input")
    }
}

/// Bits appended most significant first, into bytes.
private struct BitWriter {
    private(set) var bytes: [UInt8] = []
    private var accumulator: UInt64 = 0
    private var pending = 0

    mutating func append(_ value: UInt64, bits count: Int) {
        var left = count
        while left > 0 {
            let take = min(left, 8)
            let chunk = (value >> UInt64(left - take)) & ((1 << UInt64(take)) - 1)
            accumulator = accumulator << UInt64(take) | chunk
            pending += take
            left -= take
            while pending >= 8 {
                bytes.append(UInt8(truncatingIfNeeded: accumulator >> UInt64(pending - 8)))
                pending -= 8
            }
        }
    }

    mutating func finish() -> [UInt8] {
        if pending > 0 { append(0, bits: 8 - pending) }
        return bytes
    }
}
