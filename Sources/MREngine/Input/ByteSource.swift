/// A stream of uncompressed input bytes.
protocol ByteSource: AnyObject {
    /// Fills up to `capacity` bytes at `buffer`; returns 0 only at the end of the input.
    func read(into buffer: UnsafeMutableRawPointer, capacity: Int) throws -> Int
    /// Where the split's records end, in bytes from the source's start (lines starting before it
    /// are the split's), once reading has found it; nil while unknown.
    var recordsEnd: Int64? { get }
}

extension ByteSource {
    var recordsEnd: Int64? { nil }
}

/// A plain file read sequentially from an offset.
final class PlainFileSource: ByteSource {
    private let file: FileDescriptor
    private var offset: Int64

    init(path: String, from offset: Int64) throws {
        file = try FileDescriptor.open(reading: path)
        self.offset = offset
    }

    deinit { file.close() }

    func read(into buffer: UnsafeMutableRawPointer, capacity: Int) throws -> Int {
        let count = try file.read(into: buffer, count: capacity, at: offset)
        offset += Int64(count)
        return count
    }
}
