import CLzma
import MRBase

/// liblzma's .xz decoder, reading concatenated streams and their padding as one (as `xz -d`
/// does); it checks each block's check (CRC-32, CRC-64 or SHA-256) and the stream indexes.
final class XzDecoder: StreamDecoder {
    let unitName = "stream"
    private var stream = lzma_stream()

    init() throws {
        guard lzma_stream_decoder(&stream, CLZMA_MEMLIMIT_NONE, CLZMA_CONCATENATED) == LZMA_OK else {
            throw MRError(.internal, "liblzma could not start (out of memory)")
        }
    }

    deinit { lzma_end(&stream) }

    func decode(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer,
                inputEnds: Bool) -> (consumed: Int, produced: Int, status: DecodeStatus) {
        stream.next_in = input.baseAddress?.assumingMemoryBound(to: UInt8.self)
        stream.avail_in = input.count
        stream.next_out = output.baseAddress?.assumingMemoryBound(to: UInt8.self)
        stream.avail_out = output.count
        // With concatenated streams, the end is known only when told the input ends.
        let result = lzma_code(&stream, inputEnds ? LZMA_FINISH : LZMA_RUN)
        let consumed = input.count - stream.avail_in, produced = output.count - stream.avail_out
        let status: DecodeStatus = switch result {
        case LZMA_OK: .progress
        case LZMA_STREAM_END: .unitEnd
        case LZMA_BUF_ERROR: inputEnds ? .corrupt("the data ends early (truncated)") : .progress
        case LZMA_DATA_ERROR: .corrupt("the compressed data is corrupt")
        case LZMA_FORMAT_ERROR: .corrupt("not xz data")
        case LZMA_OPTIONS_ERROR: .corrupt("options this liblzma does not support")
        case LZMA_MEM_ERROR: .corrupt("liblzma ran out of memory")
        default: .corrupt("liblzma error \(result.rawValue)")
        }
        return (consumed, produced, status)
    }

    func startNextUnit() throws {}
}
