import CLzma
import MRBase
import MRSystem
#if canImport(Glibc)
import Glibc
#endif

/// The blocks of an xz file, from the indexes at the end of its streams: each block's compressed
/// offset, its sizes and its stream's check. A block decodes alone, so a file of many blocks
/// (`xz -T0`, `pixz`; `xz` without -T writes one) is split at block starts.
package enum XzBlocks {
    struct Block {
        let offset: Int64
        let totalSize: Int64
        let unpaddedSize: Int64
        let check: lzma_check
    }

    /// Block starts about `spacing` compressed bytes apart (the first block's left out), or nil
    /// for a file of one block, or an index that does not read (the file is then read whole, and
    /// the decoder names the damage).
    package static func splitPoints(path: String, size: Int64, spacing: Int64) throws -> [Int64]? {
        let file = try FileDescriptor.open(reading: path)
        defer { file.close() }
        guard let blocks = try blocks(of: file, size: size) else { return nil }
        var starts: [Int64] = []
        for block in blocks.dropFirst() where block.offset - (starts.last ?? blocks[0].offset) >= spacing { starts.append(block.offset) }
        return starts.isEmpty ? nil : starts
    }

    /// Every block of the file, in order; nil when its indexes cannot be read.
    static func blocks(of file: FileDescriptor, size: Int64) throws -> [Block]? {
        var index: OpaquePointer?
        var stream = lzma_stream()
        defer { lzma_end(&stream) }
        guard lzma_file_info_decoder(&stream, &index, CLZMA_MEMLIMIT_NONE, UInt64(size)) == LZMA_OK else { return nil }
        let capacity = 1 << 16
        let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        defer { buffer.deallocate() }
        var offset: Int64 = 0
        func read(at position: Int64) throws {
            offset = position
            let count = try file.read(into: buffer, count: capacity, at: position)
            stream.next_in = UnsafePointer(buffer)
            stream.avail_in = count
            offset += Int64(count)
        }
        try read(at: 0)
        // The decoder reads the header, then seeks to the footer and walks back index by index.
        loop: while true {
            switch lzma_code(&stream, stream.avail_in == 0 && offset >= size ? LZMA_FINISH : LZMA_RUN) {
            case LZMA_STREAM_END: break loop
            case LZMA_SEEK_NEEDED: try read(at: Int64(stream.seek_pos))
            case LZMA_OK: if stream.avail_in == 0 { try read(at: offset) }
            default: return nil
            }
        }
        guard let index else { return nil }
        defer { lzma_index_end(index, nil) }
        var iterator = lzma_index_iter()
        lzma_index_iter_init(&iterator, index)
        var blocks: [Block] = []
        while lzma_index_iter_next(&iterator, LZMA_INDEX_ITER_BLOCK) == 0 {
            blocks.append(Block(offset: Int64(iterator.block.compressed_file_offset), totalSize: Int64(iterator.block.total_size),
                                unpaddedSize: Int64(iterator.block.unpadded_size), check: iterator.stream.flags.pointee.check))
        }
        return blocks
    }
}

/// Decodes an xz file block by block from a block start, as ``CompressedSource`` drives it: each
/// block through `lzma_block_decoder` (which checks the block's check), the bytes between the
/// last block of a stream and the next stream's first (index, footer, padding, header) skipped by
/// the offsets the index gives. A unit ends where the next block starts (or at the file's end).
final class XzBlockDecoder: StreamDecoder {
    let unitName = "block"
    private let blocks: [XzBlocks.Block]
    private let fileSize: Int64
    /// The block being read, and the file offset of the next input byte.
    private var current: Int
    private var offset: Int64
    private enum State { case header, data(left: Int64), skipping(to: Int64) }
    private var state = State.header
    private var header: [UInt8] = []
    private var stream = lzma_stream()
    private let filters = UnsafeMutablePointer<lzma_filter>.allocate(capacity: 5)  // LZMA_FILTERS_MAX + 1
    /// The block's options: liblzma's decoder keeps a pointer to them while it decodes.
    private let block = UnsafeMutablePointer<lzma_block>.allocate(capacity: 1)
    private var filtersHeld = false

    init(file: FileDescriptor, size: Int64, from start: Int64) throws {
        // From the file's start: past the stream header, to the first block.
        guard let blocks = try XzBlocks.blocks(of: file, size: size), !blocks.isEmpty,
              let first = start == 0 ? 0 : blocks.firstIndex(where: { $0.offset == start }) else {
            filters.deallocate()
            block.deallocate()
            throw MRError(.wrongSplit, "\(file.path): compressed byte \(start) is not the start of an xz block in its index")
        }
        self.blocks = blocks
        fileSize = size
        current = first
        offset = start
        if start < blocks[first].offset { state = .skipping(to: blocks[first].offset) }
    }

    deinit {
        lzma_end(&stream)
        releaseFilters()
        filters.deallocate()
        block.deallocate()
    }

    func decode(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer,
                inputEnds: Bool) -> (consumed: Int, produced: Int, status: DecodeStatus) {
        var consumed = 0, produced = 0
        while consumed < input.count || (produced < output.count && isDecoding) {
            switch state {
            case .header:
                guard consumed < input.count else { return (consumed, produced, .progress) }
                // The first byte gives the header's size in 4-byte units, less one.
                let size = (Int(header.first ?? input[consumed]) + 1) * 4
                let take = min(size - header.count, input.count - consumed)
                header.append(contentsOf: input[consumed..<(consumed + take)])
                consumed += take
                offset += Int64(take)
                guard header.count == size else { return (consumed, produced, .progress) }
                if let problem = startBlock() { return (consumed, produced, .corrupt(problem)) }
            case .data(let left):
                let feed = Int(min(left, Int64(input.count - consumed)))
                stream.next_in = input.baseAddress.map { $0.assumingMemoryBound(to: UInt8.self) + consumed }
                stream.avail_in = feed
                stream.next_out = output.baseAddress.map { $0.assumingMemoryBound(to: UInt8.self) + produced }
                stream.avail_out = output.count - produced
                // Given the block's last byte, the decoder must be told to finish, or it waits.
                let result = lzma_code(&stream, Int64(feed) == left ? LZMA_FINISH : LZMA_RUN)
                let used = feed - stream.avail_in
                consumed += used
                offset += Int64(used)
                produced = output.count - stream.avail_out
                switch result {
                case LZMA_OK:
                    state = .data(left: left - Int64(used))
                    if used == 0 && (produced == output.count || consumed == input.count) { return (consumed, produced, .progress) }
                case LZMA_STREAM_END:
                    releaseFilters()
                    current += 1
                    state = .skipping(to: current < blocks.count ? blocks[current].offset : fileSize)
                case LZMA_DATA_ERROR, LZMA_BUF_ERROR: return (consumed, produced, .corrupt("block \(current) is corrupt"))
                default: return (consumed, produced, .corrupt("liblzma error \(result.rawValue) in block \(current)"))
                }
            case .skipping(let target):
                let skip = Int(min(target - offset, Int64(input.count - consumed)))
                consumed += skip
                offset += Int64(skip)
                guard offset == target else { return (consumed, produced, .progress) }
                state = .header
                return (consumed, produced, .unitEnd)
            }
        }
        return (consumed, produced, .progress)
    }

    /// Whether a block's decoder may still hold output.
    private var isDecoding: Bool {
        if case .data = state { return true }
        return false
    }

    /// Decodes the block header read into `header` and starts the block's decoder; nil, or what
    /// is wrong.
    private func startBlock() -> String? {
        defer { header.removeAll(keepingCapacity: true) }
        guard current < blocks.count, offset - Int64(header.count) == blocks[current].offset else {
            return "data where the index has no block"
        }
        block.initialize(to: lzma_block())
        block.pointee.version = 1
        block.pointee.check = blocks[current].check
        block.pointee.header_size = UInt32(header.count)
        block.pointee.filters = filters
        let decoded = header.withUnsafeBufferPointer { lzma_block_header_decode(block, nil, $0.baseAddress) }
        guard decoded == LZMA_OK else { return "block \(current)'s header is corrupt" }
        filtersHeld = true
        guard lzma_block_compressed_size(block, UInt64(blocks[current].unpaddedSize)) == LZMA_OK,
              lzma_block_decoder(&stream, block) == LZMA_OK else { return "block \(current)'s sizes disagree with the index" }
        state = .data(left: blocks[current].totalSize - Int64(header.count))
        return nil
    }

    /// Frees the filter options the header decoder allocated.
    private func releaseFilters() {
        guard filtersHeld else { return }
        var index = 0
        while filters[index].id != UInt64.max {
            free(filters[index].options)
            filters[index].options = nil
            index += 1
        }
        filtersHeld = false
    }

    func startNextUnit() throws {}
}
