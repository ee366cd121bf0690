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

    /// ISA-L cannot be asked to stop between deflate blocks, but it returns there when its input
    /// ends inside the next block's header: it keeps the header's bytes (`tmp_in_buffer`) and
    /// its bit buffer rewound to the header's first bit. Then, with no output pending, these are
    /// the bits of the input given that lie after the boundary; nil otherwise. (A gzip header cut
    /// short is taken in wrapper states of its own, past `ISAL_BLOCK_FINISH`: never these two.)
    var bitsPastBlockBoundary: Int? {
        let blockState = state.pointee.block_state
        guard state.pointee.avail_in == 0, blockState == ISAL_BLOCK_HDR || blockState == ISAL_BLOCK_NEW_HDR,
              state.pointee.tmp_out_valid == state.pointee.tmp_out_processed else { return nil }
        return (blockState == ISAL_BLOCK_HDR ? 8 * Int(state.pointee.tmp_in_size) : 0) + Int(state.pointee.read_in_length)
    }

    func setDictionary(_ window: [UInt8]) {
        var window = window
        window.withUnsafeMutableBufferPointer { _ = isal_inflate_set_dict(state, $0.baseAddress, UInt32($0.count)) }
    }
}
