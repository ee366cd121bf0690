import CBzip2
import MRBase

/// libbz2's decompressor: one bzip2 stream at a time (a file of several, as `pbzip2` writes or
/// `cat` makes, is read stream after stream). libbz2 checks every block's CRC and the stream's.
final class Bzip2Decoder: StreamDecoder {
    let unitName = "stream"
    private var stream = bz_stream()

    init() throws {
        try begin()
    }

    private func begin() throws {
        guard BZ2_bzDecompressInit(&stream, 0, 0) == BZ_OK else { throw MRError(.internal, "libbz2 could not start (out of memory)") }
    }

    deinit { BZ2_bzDecompressEnd(&stream) }

    func decode(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer,
                inputEnds: Bool) -> (consumed: Int, produced: Int, status: DecodeStatus) {
        stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: CChar.self))
        stream.avail_in = UInt32(input.count)
        stream.next_out = output.baseAddress?.assumingMemoryBound(to: CChar.self)
        stream.avail_out = UInt32(output.count)
        let result = BZ2_bzDecompress(&stream)
        let consumed = input.count - Int(stream.avail_in), produced = output.count - Int(stream.avail_out)
        let status: DecodeStatus = switch result {
        case BZ_OK: .progress
        case BZ_STREAM_END: .unitEnd
        case BZ_DATA_ERROR: .corrupt("a block's data or checksum is wrong")
        case BZ_DATA_ERROR_MAGIC: .corrupt("not a bzip2 stream")
        case BZ_MEM_ERROR: .corrupt("libbz2 ran out of memory")
        default: .corrupt("libbz2 error \(result)")
        }
        return (consumed, produced, status)
    }

    func startNextUnit() throws {
        BZ2_bzDecompressEnd(&stream)
        stream = bz_stream()
        try begin()
    }
}
