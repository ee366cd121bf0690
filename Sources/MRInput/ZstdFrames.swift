import CZstd
import MRBase
import MRSystem

/// Where the frames of a zstd file start, found by walking their headers without decoding
/// (each block's 3-byte header gives its size): a frame start is a point a reader can start at,
/// so a file of many frames (`pzstd`, concatenated `.zst` files) is split there. What `zstd`
/// writes, even with `-T0`, is one frame: read by one mapper.
package enum ZstdFrames {
    private static let frameMagic: UInt64 = 0xFD2F_B528

    /// Whether `magic` (a frame's first 4 bytes, little-endian) is a skippable frame's.
    private static func isSkippable(_ magic: UInt64) -> Bool { magic & 0xFFFF_FFF0 == 0x184D_2A50 }

    /// Whether `bytes` begin a zstd frame or a skippable frame (`pzstd` starts its files with one).
    static func startsFrame(_ bytes: ArraySlice<UInt8>) -> Bool {
        guard bytes.count >= 4 else { return false }
        let magic = littleEndianValue(bytes.prefix(4))
        return magic == frameMagic || isSkippable(magic)
    }

    /// Frame starts about `spacing` compressed bytes apart (the first frame's, 0, left out), or
    /// nil for a file of one frame. A header that does not parse is left to the decoder, which
    /// names the damage: the file is then read whole.
    package static func splitPoints(path: String, size: Int64, spacing: Int64) throws -> [Int64]? {
        let file = try FileDescriptor.open(reading: path)
        defer { file.close() }
        var starts: [Int64] = []
        var offset: Int64 = 0
        var header = [UInt8](repeating: 0, count: Int(ZSTD_FRAMEHEADERSIZE_MAX))
        while offset < size {
            let count = try header.withUnsafeMutableBytes { try file.read(into: $0.baseAddress!, count: $0.count, at: offset) }
            guard count >= 8, let length = try frameLength(file, at: offset, header: header[..<count]) else { return nil }
            if offset > 0 && offset - (starts.last ?? 0) >= spacing { starts.append(offset) }
            offset += length
            // Zeros after the last frame are padding, as the reader takes them.
            if offset < size, try file.holdsOnlyZeros(from: offset) { break }
        }
        return starts.isEmpty ? nil : starts
    }

    /// The compressed length of the frame (or skippable frame) at `offset`, or nil if its
    /// header is not one.
    private static func frameLength(_ file: FileDescriptor, at offset: Int64, header: ArraySlice<UInt8>) throws -> Int64? {
        let bytes = Array(header)
        let magic = littleEndianValue(bytes[0..<4])
        if isSkippable(magic) {  // a skippable frame: magic, 4-byte length, data
            return 8 + Int64(littleEndianValue(bytes[4..<8]))
        }
        guard magic == frameMagic else { return nil }
        let headerSize = bytes.withUnsafeBytes { ZSTD_frameHeaderSize($0.baseAddress, $0.count) }
        guard ZSTD_isError(headerSize) == 0 else { return nil }
        let hasChecksum = bytes[4] & 0x04 != 0
        var position = offset + Int64(headerSize)
        var block = [UInt8](repeating: 0, count: 3)
        while true {
            guard try block.withUnsafeMutableBytes({ try file.read(into: $0.baseAddress!, count: 3, at: position) }) == 3 else { return nil }
            let blockHeader = littleEndianValue(block)
            let isLast = blockHeader & 1 != 0
            let type = (blockHeader >> 1) & 3
            let size = Int64(blockHeader >> 3)
            guard type != 3 else { return nil }  // reserved: not a block
            position += 3 + (type == 1 ? 1 : size)  // an RLE block holds one byte
            if isLast { break }
        }
        return position + (hasChecksum ? 4 : 0) - offset
    }
}
