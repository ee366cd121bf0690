import MRBase
import MRSystem
import MapReduce
/// A stream of uncompressed input bytes.
package protocol ByteSource: AnyObject {
    /// Fills up to `capacity` bytes at `buffer`; returns 0 only at the end of the input.
    func read(into buffer: UnsafeMutableRawPointer, capacity: Int) throws -> Int
    /// Where the split's records end, in bytes from the source's start (lines starting before it
    /// are the split's), once reading has found it; nil while unknown.
    var recordsEnd: Int64? { get }
}

extension ByteSource {
    package var recordsEnd: Int64? { nil }
}

/// A source whose bytes stay where they are, one run from the first byte: a reader takes them
/// there instead of copying them into a buffer of its own.
package protocol InPlaceByteSource: ByteSource {
    /// Every byte so far, once there are more than `count` (or all, at the end: then exactly
    /// `count`). The run may move between calls.
    func text(beyond count: Int) throws -> UnsafeRawBufferPointer
}

/// A plain file read sequentially from an offset. Given the size the run was planned with, a
/// file of another size, or one that ends before it (truncated while read), is bad input: its
/// lines would otherwise be lost without a word.
package final class PlainFileSource: ByteSource {
    private let file: FileDescriptor
    private var offset: Int64
    private let plannedSize: Int64?

    package init(path: String, from offset: Int64, plannedSize: Int64? = nil) throws {
        file = try FileDescriptor.open(reading: path)
        self.offset = offset
        self.plannedSize = plannedSize
        // Thrown with every property set: deinit closes the file.
        if let plannedSize, case let size = try file.size(), size != plannedSize {
            throw Self.changed(path, "is \(size) bytes long, not the \(plannedSize) the run was planned with")
        }
    }

    deinit { file.close() }

    package func read(into buffer: UnsafeMutableRawPointer, capacity: Int) throws -> Int {
        let count = try file.read(into: buffer, count: capacity, at: offset)
        offset += Int64(count)
        if count == 0, let plannedSize, offset < plannedSize {
            throw Self.changed(file.path, "ended at byte \(offset) of the \(plannedSize) the run was planned with")
        }
        return count
    }

    private static func changed(_ path: String, _ what: String) -> MRError {
        MRError(.badInput, "\(path): \(what): it changed while mr read it; run again once it no longer changes")
    }
}

/// A stream read to its end with read(2): standard input, for `mr stream`; `firstBytes`, already
/// read from it, come first.
package final class SequentialSource: ByteSource {
    private let file: FileDescriptor
    private var firstBytes: [UInt8]

    package init(_ file: FileDescriptor, firstBytes: [UInt8] = []) {
        self.file = file
        self.firstBytes = firstBytes
    }

    package func read(into buffer: UnsafeMutableRawPointer, capacity: Int) throws -> Int {
        guard firstBytes.isEmpty else {
            let count = min(capacity, firstBytes.count)
            firstBytes.withUnsafeBytes { buffer.copyMemory(from: $0.baseAddress!, byteCount: count) }
            firstBytes.removeFirst(count)
            return count
        }
        return try file.read(into: buffer, count: capacity)
    }
}
