import CZlib
import CZstd
import MRBase
import MRSystem

/// The compressors of `--compress-output`: part files as gzip (zlib, level 6, as `gzip` writes
/// by default) or zstd (level 3, `zstd`'s default), readable by `zcat` and `zstdcat` and by `mr`
/// itself as the input of the next run.
package enum OutputCompression {
    /// The compressor for `compression`; nil for none.
    package static func compressor(for compression: Compression) throws -> OutputCompressor? {
        switch compression {
        case .none: nil
        case .gzip: try GzipCompressor()
        case .zstd: try ZstdCompressor()
        case .bzip2, .xz: throw MRError(.usage, "--compress-output writes gzip or zstd, not \(compression.name)")
        }
    }

    /// The output buffer every compressor drains into the file.
    static let chunk = 1 << 17
}

/// zlib's deflate with a gzip header and trailer.
final class GzipCompressor: OutputCompressor {
    private var stream = z_stream()
    private let out = UnsafeMutablePointer<UInt8>.allocate(capacity: OutputCompression.chunk)

    init() throws {
        // 15 + 16: a 32 KiB window, wrapped as gzip.
        guard deflateInit2_(&stream, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            out.deallocate()
            throw MRError(.internal, "zlib could not start compressing (out of memory)")
        }
    }

    deinit {
        deflateEnd(&stream)
        out.deallocate()
    }

    func compress(_ bytes: UnsafeRawPointer, count: Int, into file: FileDescriptor) throws {
        stream.next_in = UnsafeMutablePointer(mutating: bytes.assumingMemoryBound(to: UInt8.self))
        stream.avail_in = UInt32(count)
        try drain(Z_NO_FLUSH, into: file)
    }

    func finish(into file: FileDescriptor) throws {
        stream.avail_in = 0
        try drain(Z_FINISH, into: file)
    }

    /// Deflates until the input is taken (or, finishing, the stream has ended), writing each full buffer.
    private func drain(_ flush: Int32, into file: FileDescriptor) throws {
        while true {
            stream.next_out = out
            stream.avail_out = UInt32(OutputCompression.chunk)
            let status = deflate(&stream, flush)
            guard status == Z_OK || status == Z_STREAM_END || status == Z_BUF_ERROR else {
                throw MRError(.internal, "zlib failed compressing \(file.path) (\(status))")
            }
            let produced = OutputCompression.chunk - Int(stream.avail_out)
            if produced > 0 { try file.writeAll(out, count: produced) }
            if flush == Z_FINISH ? status == Z_STREAM_END : (stream.avail_in == 0 && stream.avail_out > 0) { return }
        }
    }
}

/// libzstd's streaming compressor, one frame with its checksum.
final class ZstdCompressor: OutputCompressor {
    private let context: OpaquePointer
    private let out = UnsafeMutableRawPointer.allocate(byteCount: OutputCompression.chunk, alignment: 16)

    init() throws {
        guard let context = ZSTD_createCCtx() else {
            out.deallocate()
            throw MRError(.internal, "libzstd could not start compressing (out of memory)")
        }
        self.context = context
        ZSTD_CCtx_setParameter(context, ZSTD_c_compressionLevel, 3)
        ZSTD_CCtx_setParameter(context, ZSTD_c_checksumFlag, 1)
    }

    deinit {
        ZSTD_freeCCtx(context)
        out.deallocate()
    }

    func compress(_ bytes: UnsafeRawPointer, count: Int, into file: FileDescriptor) throws {
        var input = ZSTD_inBuffer(src: bytes, size: count, pos: 0)
        while input.pos < input.size {
            _ = try step(&input, ZSTD_e_continue, into: file)
        }
    }

    func finish(into file: FileDescriptor) throws {
        var input = ZSTD_inBuffer(src: nil, size: 0, pos: 0)
        while try step(&input, ZSTD_e_end, into: file) != 0 {}
    }

    /// One call of ZSTD_compressStream2, its output written; returns what is left to flush.
    private func step(_ input: inout ZSTD_inBuffer, _ directive: ZSTD_EndDirective, into file: FileDescriptor) throws -> Int {
        var output = ZSTD_outBuffer(dst: out, size: OutputCompression.chunk, pos: 0)
        let remaining = ZSTD_compressStream2(context, &output, &input, directive)
        guard ZSTD_isError(remaining) == 0 else {
            throw MRError(.internal, "libzstd failed compressing \(file.path): \(String(cString: ZSTD_getErrorName(remaining)))")
        }
        if output.pos > 0 { try file.writeAll(out, count: output.pos) }
        return remaining
    }
}
