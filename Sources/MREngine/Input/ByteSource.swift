/// A stream of uncompressed input bytes.
protocol ByteSource: AnyObject {
    /// Fills up to `capacity` bytes at `buffer`; returns 0 only at the end of the input.
    func read(into buffer: UnsafeMutableRawPointer, capacity: Int) throws -> Int
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
