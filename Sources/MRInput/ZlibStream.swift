import MRBase
import MRSystem
import MapReduce
import CZlib

/// zlib's inflate state, owned in one place: allocated where it never moves (zlib keeps a pointer
/// back to its `z_stream`), initialised once, ended once.
final class ZlibStream {
    enum Format {
        /// A gzip member: header, deflate data, CRC-32 and size checked.
        case gzip
        /// Raw deflate data, as inside a member from an access point on.
        case raw

        var windowBits: Int32 { self == .gzip ? 15 + 16 : -15 }
    }

    private let stream: UnsafeMutablePointer<z_stream>

    init(_ format: Format) throws {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        // inflateInit2 is a macro Swift cannot import.
        let status = inflateInit2_(stream, format.windowBits, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else {
            stream.deallocate()
            throw MRError(.internal, "zlib inflateInit2 failed (\(status))")
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deallocate()
    }

    func setInput(_ bytes: UnsafePointer<UInt8>, count: Int) {
        stream.pointee.next_in = UnsafeMutablePointer(mutating: bytes)
        stream.pointee.avail_in = uInt(count)
    }

    var inputLeft: Int { Int(stream.pointee.avail_in) }

    func skipInput(_ count: Int) {
        stream.pointee.next_in += count
        stream.pointee.avail_in -= uInt(count)
    }

    func setOutput(_ buffer: UnsafeMutablePointer<UInt8>, count: Int) {
        stream.pointee.next_out = buffer
        stream.pointee.avail_out = uInt(count)
    }

    var outputLeft: Int { Int(stream.pointee.avail_out) }

    /// zlib's message for the last error.
    private func message(_ status: Int32) -> String {
        stream.pointee.msg.map { String(cString: $0) } ?? "zlib error \(status)"
    }

    func reset(_ format: Format) {
        inflateReset2(stream, format.windowBits)
    }

    /// Feeds the high `bits` of `byte` first: the access point starts inside that byte.
    func prime(bits: Int, of byte: UInt8) {
        inflatePrime(stream, Int32(bits), Int32(byte >> (8 - UInt8(bits))))
    }

    /// The 32 KiB of text before an access point, which back-references may reach into.
    func setDictionary(_ window: [UInt8]) {
        window.withUnsafeBufferPointer { _ = inflateSetDictionary(stream, $0.baseAddress, uInt($0.count)) }
    }
}

extension ZlibStream: InflateStream {
    /// zlib stops at the last bit of the deflate data: it reads nothing ahead.
    func takeBackReadAhead() -> Int { 0 }

    /// zlib stops between blocks only under `Z_BLOCK`, which the index builder (ISA-L) needs not.
    var bitsPastBlockBoundary: Int? { nil }

    func inflate() -> InflateStatus {
        let status = CZlib.inflate(stream, Z_NO_FLUSH)
        switch status {
        case Z_OK, Z_BUF_ERROR: return .progress
        case Z_STREAM_END: return .streamEnd
        default: return .corrupt(message(status))
        }
    }
}
