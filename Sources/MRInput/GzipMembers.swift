import MRBase
import MRSystem
import MapReduce
#if canImport(Glibc)
import Glibc
#endif
import CLinuxShims
import CZlib

/// Finds where gzip members start in a file of several (BGZF, concatenated `.gz` files) without
/// inflating it, so that it can be split at member starts on its first run.
///
/// BGZF blocks state their own size (the `BC` extra subfield): the chain of blocks is walked from
/// the file's start to its end, which proves every start. Other members are found by scanning
/// near each wanted split point for `1f 8b 08`, checking the header fields, and inflating a little
/// from there; that is a guess until the member before it is seen to end exactly there, which the
/// map task reading that member checks (``GzipSource``, `boundary`).
package enum GzipMembers {
    /// How member starts were found.
    package enum Evidence: Sendable {
        /// BGZF's block sizes: certain.
        case blockSizes
        /// Header checks and a trial inflate: to be confirmed while reading.
        case scanned
    }

    /// Bytes read at a time while scanning: the first read is small (members are often near),
    /// later ones grow to this.
    static let scanChunk = 4 << 20
    /// How far past the first wanted split point a run's planner looks for a member start
    /// before it takes the file for one member: reading on to its end cost a first run over one
    /// 85 MB member 16 ms, over a 190 MB one 35 ms, before any task could start. A file of
    /// larger members is relayed instead, its index saved.
    package static let plannersReach: Int64 = 16 << 20
    /// Uncompressed bytes a trial inflate must produce (or the member must end) to accept a start.
    static let trialOutput = 1 << 16

    /// The member starts (after the first, at 0) to split `path` at, at least `spacing` compressed
    /// bytes apart (1: every one); nil if none were found. Without `scanning`, only BGZF's certain
    /// starts are looked for (the file is not read past its block headers); the first start is
    /// looked for only up to `reach` bytes past `spacing`.
    package static func splitPoints(path: String, size: Int64, spacing: Int64, scanning: Bool = true, reach: Int64 = .max) throws
        -> (starts: [Int64], evidence: Evidence)? {
        let file = try FileDescriptor.open(reading: path)
        defer { file.close() }
        if let blocks = try bgzfBlockStarts(file, size: size) {
            var starts: [Int64] = []
            for start in blocks where start - (starts.last ?? 0) >= spacing { starts.append(start) }
            return starts.isEmpty ? nil : (starts, .blockSizes)
        }
        guard scanning else { return nil }
        var starts: [Int64] = []
        var wanted = spacing
        while wanted < size, let start = try memberStart(file, limit: starts.isEmpty && reach < size - wanted ? wanted + reach : size,
                                                         from: wanted) {
            starts.append(start)
            wanted = start + spacing
        }
        return starts.isEmpty ? nil : (starts, .scanned)
    }

    // MARK: - BGZF

    /// The start of every BGZF block, if the whole file is a chain of them.
    private static func bgzfBlockStarts(_ file: FileDescriptor, size: Int64) throws -> [Int64]? {
        var starts: [Int64] = []
        var offset: Int64 = 0
        var header = [UInt8](repeating: 0, count: 18)
        while offset < size {
            let count = try header.withUnsafeMutableBytes { try file.read(into: $0.baseAddress!, count: 18, at: offset) }
            guard count == 18, let blockSize = bgzfBlockSize(header) else { return nil }
            starts.append(offset)
            offset += blockSize
        }
        return offset == size && starts.count > 1 ? starts : nil
    }

    /// The size of the BGZF block whose header begins `header` (18 bytes), or nil if it is not
    /// one: a gzip header with an extra field whose first subfield is `BC`, 2 bytes long.
    private static func bgzfBlockSize(_ header: [UInt8]) -> Int64? {
        guard header[0] == 0x1F, header[1] == 0x8B, header[2] == 8, header[3] & 4 != 0,
              Int(header[10]) | Int(header[11]) << 8 >= 6, header[12] == 66, header[13] == 67,
              header[14] == 2, header[15] == 0 else { return nil }
        return (Int64(header[16]) | Int64(header[17]) << 8) + 1
    }

    // MARK: - Scanning

    /// The first offset at or after `from`, and about before `limit`, where a gzip member
    /// plausibly starts: magic, sane header fields, and data that inflates.
    private static func memberStart(_ file: FileDescriptor, limit: Int64, from: Int64) throws -> Int64? {
        let headerSize = 10
        let chunk = UnsafeMutableRawPointer.allocate(byteCount: scanChunk, alignment: 16)
        defer { chunk.deallocate() }
        let magic: [UInt8] = [0x1F, 0x8B, 8]
        var chunkStart = from
        var chunkSize = scanChunk / 16
        while chunkStart < limit {
            let count = try file.read(into: chunk, count: chunkSize, at: chunkStart)
            chunkSize = min(chunkSize * 2, scanChunk)
            guard count > 0 else { return nil }
            var position = 0
            while position + headerSize <= count,
                  let hit = magic.withUnsafeBufferPointer({ mr_find_three_bytes(chunk + position, UInt(count - position), $0.baseAddress) }) {
                position = chunk.distance(to: hit)
                guard position + headerSize <= count else { break }
                let header = UnsafeRawBufferPointer(start: hit, count: headerSize)
                if header[3] & 0xE0 == 0  // reserved flag bits
                    && [0, 2, 4].contains(header[8])  // XFL
                    && (header[9] <= 13 || header[9] == 255),  // OS
                    try inflates(file, from: chunkStart + Int64(position)) {
                    return chunkStart + Int64(position)
                }
                position += 1
            }
            // The next chunk starts where a header could still begin unseen.
            chunkStart += Int64(max(count - headerSize + 1, 1))
        }
        return nil
    }

    /// Whether a gzip member read from `offset` inflates without error for ``trialOutput`` bytes
    /// (or to its end, its CRC-32 checked).
    private static func inflates(_ file: FileDescriptor, from offset: Int64) throws -> Bool {
        let stream = try ZlibStream(.gzip)
        let input = UnsafeMutablePointer<UInt8>.allocate(capacity: 1 << 16)
        let output = UnsafeMutablePointer<UInt8>.allocate(capacity: trialOutput)
        defer {
            input.deallocate()
            output.deallocate()
        }
        var next = offset
        stream.setOutput(output, count: trialOutput)
        while stream.outputLeft > 0 {
            if stream.inputLeft == 0 {
                let count = try file.read(into: input, count: 1 << 16, at: next)
                if count == 0 { return false }
                next += Int64(count)
                stream.setInput(input, count: count)
            }
            switch stream.inflate() {
            case .progress: continue
            case .streamEnd: return true
            case .corrupt: return false
            }
        }
        return true
    }
}
