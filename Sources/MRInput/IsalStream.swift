import MRBase
import MRSystem
import MapReduce
import CIsal

/// ISA-L's inflate state (igzip), owned: about 200 KiB, allocated once per stream. Reads a gzip
/// member with its CRC-32 and size checked (`ISAL_GZIP`), or raw deflate from an access point
/// (`ISAL_DEFLATE`).
final class IsalStream: InflateStream {
    private let state: UnsafeMutablePointer<inflate_state>

    init(_ format: ZlibStream.Format) {
        state = .allocate(capacity: 1)
        isal_inflate_init(state)
        state.pointee.crc_flag = Self.flag(format)
    }

    deinit {
        state.deallocate()
    }

    private static func flag(_ format: ZlibStream.Format) -> UInt32 {
        UInt32(format == .gzip ? ISAL_GZIP : ISAL_DEFLATE)
    }

    func setInput(_ bytes: UnsafePointer<UInt8>, count: Int) {
        state.pointee.next_in = UnsafeMutablePointer(mutating: bytes)
        state.pointee.avail_in = UInt32(count)
    }

    var inputLeft: Int { Int(state.pointee.avail_in) }

    func skipInput(_ count: Int) {
        state.pointee.next_in += count
        state.pointee.avail_in -= UInt32(count)
    }

    func setOutput(_ buffer: UnsafeMutablePointer<UInt8>, count: Int) {
        state.pointee.next_out = buffer
        state.pointee.avail_out = UInt32(count)
    }

    var outputLeft: Int { Int(state.pointee.avail_out) }

    func inflate() -> InflateStatus {
        let status = isal_inflate(state)
        if status < 0 { return .corrupt(Self.reason(status)) }
        return state.pointee.block_state == ISAL_BLOCK_FINISH ? .streamEnd : .progress
    }

    /// ISA-L's error, said as zlib says it, so messages do not depend on the inflater.
    private static func reason(_ status: Int32) -> String {
        switch status {
        case ISAL_INVALID_BLOCK: "invalid block type"
        case ISAL_INVALID_SYMBOL: "invalid code"
        case ISAL_INVALID_LOOKBACK: "invalid distance too far back"
        case ISAL_INVALID_WRAPPER: "incorrect header check"
        case ISAL_UNSUPPORTED_METHOD: "unknown compression method"
        case ISAL_INCORRECT_CHECKSUM: "incorrect data check"
        default: "ISA-L error \(status)"
        }
    }

    func reset(_ format: ZlibStream.Format) {
        isal_inflate_reset(state)
        state.pointee.crc_flag = Self.flag(format)
    }

    /// zlib's `inflatePrime` by hand: the bits go into the state's bit buffer (which a reset
    /// clears, so prime after any reset).
    func prime(bits: Int, of byte: UInt8) {
        state.pointee.read_in = UInt64(byte >> (8 - UInt8(bits)))
        state.pointee.read_in_length = Int32(bits)
    }

    /// ISA-L reads input 8 bytes at a time into its bit buffer; at the end of raw deflate data
    /// the whole bytes left there are not its own.
    func takeBackReadAhead() -> Int {
        let bytes = Int(state.pointee.read_in_length / 8)
        state.pointee.read_in = 0
        state.pointee.read_in_length = 0
        return bytes
    }

    func setDictionary(_ window: [UInt8]) {
        var window = window
        window.withUnsafeMutableBufferPointer { _ = isal_inflate_set_dict(state, $0.baseAddress, UInt32($0.count)) }
    }
}
