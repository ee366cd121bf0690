import CZstd
import MRBase

/// libzstd's streaming decompressor: it goes from frame to frame (and over skippable frames) by
/// itself, and checks each frame's checksum when it has one.
final class ZstdDecoder: StreamDecoder {
    let unitName = "frame"
    private let context: OpaquePointer

    init() throws {
        guard let context = ZSTD_createDCtx() else { throw MRError(.internal, "libzstd could not start (out of memory)") }
        self.context = context
        // Frames written with --long=31 need the largest window; memory follows the frame's need.
        ZSTD_DCtx_setParameter(context, ZSTD_d_windowLogMax, 31)
    }

    deinit { ZSTD_freeDCtx(context) }

    func decode(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer,
                inputEnds: Bool) -> (consumed: Int, produced: Int, status: DecodeStatus) {
        var inBuffer = ZSTD_inBuffer(src: input.baseAddress, size: input.count, pos: 0)
        var outBuffer = ZSTD_outBuffer(dst: output.baseAddress, size: output.count, pos: 0)
        let result = ZSTD_decompressStream(context, &outBuffer, &inBuffer)
        let status: DecodeStatus
        if ZSTD_isError(result) != 0 {
            status = .corrupt(String(cString: ZSTD_getErrorName(result)))
        } else {
            // 0: a frame was decoded and flushed whole.
            status = result == 0 ? .unitEnd : .progress
        }
        return (inBuffer.pos, outBuffer.pos, status)
    }

    func startNextUnit() throws {}
}
