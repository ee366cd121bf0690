import MRBase
import MRSystem
import MapReduce
extension Inflater {
    /// A new stream of this library, reading `format`.
    func stream(_ format: ZlibStream.Format) throws -> InflateStream {
        switch self {
        case .isal: IsalStream(format)
        case .zlib: try ZlibStream(format)
        }
    }
}

/// What one call to inflate came to.
enum InflateStatus {
    /// Input or output ran out: give more, or take what was written.
    case progress
    /// The member (gzip) or the deflate data (raw) ended; its check, if any, passed.
    case streamEnd
    /// The data is not valid: the library's reason, in zlib's words where there are some.
    case corrupt(String)
}

/// An inflate engine as ``GzipSource`` drives it: input and output buffers, one step, and what
/// starting at an access point needs.
protocol InflateStream: AnyObject {
    func setInput(_ bytes: UnsafePointer<UInt8>, count: Int)
    var inputLeft: Int { get }
    func skipInput(_ count: Int)
    func setOutput(_ buffer: UnsafeMutablePointer<UInt8>, count: Int)
    var outputLeft: Int { get }
    /// Inflates until the input or the output runs out or the stream ends.
    func inflate() -> InflateStatus
    /// Starts again, reading `format` (a gzip member after another).
    func reset(_ format: ZlibStream.Format)
    /// Feeds the high `bits` of `byte` first: the access point starts inside that byte.
    func prime(bits: Int, of byte: UInt8)
    /// The 32 KiB of text before an access point, which back-references may reach into.
    func setDictionary(_ window: [UInt8])
    /// After raw deflate data ended: how many whole bytes past its end the inflater had
    /// already taken from the input (they belong to what follows, the member's trailer).
    func takeBackReadAhead() -> Int
    /// After a call that stopped exactly between two deflate blocks, the bits of the input given
    /// that lie after that boundary; nil elsewhere, or where the library cannot tell.
    var bitsPastBlockBoundary: Int? { get }
}
