import MRBase
import MRSystem
import MapReduce
#if canImport(Glibc)
import Glibc
#endif

/// `--output -`: a finished output folder's part files written to standard output as one stream.
/// A reduce job's parts are each sorted by key, so two or more are merged by key (the keys
/// compared unescaped, as they were sorted); one part, or a map-only job's parts in order, are
/// copied as they are.
package enum OutputStream {
    /// Writes the parts of `folder` to standard output. A reader that stops early (`| head`) ends
    /// the writing quietly: `false` is returned and nothing is an error.
    package static func write(folder: String, partCount: Int, sorted: Bool) throws -> Bool {
        let stdout = BufferedWriter(file: FileDescriptor(raw: 1, path: "standard output"), capacity: 1 << 18)
        let paths = (0..<partCount).map { folder + "/" + OutputLayout.partFileName($0) }
        do {
            if sorted && partCount > 1 {
                try merge(try paths.map { try PartLines(path: $0) }, into: stdout)
            } else {
                for path in paths { try copy(path, to: stdout) }
            }
            try stdout.flush()
        } catch let error as MRError where error.errorNumber == EPIPE {
            return false
        }
        return true
    }

    /// Appends the whole file at `path`, a newline after its last line if it lacks one.
    private static func copy(_ path: String, to output: BufferedWriter) throws {
        let file = try FileDescriptor.open(reading: path)
        defer { file.close() }
        let chunk = UnsafeMutableRawPointer.allocate(byteCount: 1 << 18, alignment: 8)
        defer { chunk.deallocate() }
        var last: UInt8 = 0x0A
        while true {
            let count = try file.read(into: chunk, count: 1 << 18)
            guard count > 0 else { break }
            try output.append(chunk, count: count)
            last = chunk.load(fromByteOffset: count - 1, as: UInt8.self)
        }
        if last != 0x0A { try output.append(byte: 0x0A) }
    }

    /// Repeatedly writes the line with the smallest key among the parts' current lines (the
    /// earlier part's on a tie), the parts kept in a binary heap ordered by (key, part).
    private static func merge(_ parts: [PartLines], into output: BufferedWriter) throws {
        var heap = try parts.indices.filter { try parts[$0].advance() }
        func precedes(_ a: Int, _ b: Int) -> Bool {
            let order = parts[a].compareKey(with: parts[b])
            return order != 0 ? order < 0 : a < b
        }
        func siftDown(_ start: Int) {
            var parent = start
            while true {
                var child = 2 * parent + 1
                guard child < heap.count else { return }
                if child + 1 < heap.count && precedes(heap[child + 1], heap[child]) { child += 1 }
                guard precedes(heap[child], heap[parent]) else { return }
                heap.swapAt(parent, child)
                parent = child
            }
        }
        for start in stride(from: heap.count / 2 - 1, through: 0, by: -1) { siftDown(start) }
        while let smallest = heap.first {
            try output.append(parts[smallest].line)
            if try !parts[smallest].advance() {
                heap.swapAt(0, heap.count - 1)
                heap.removeLast()
            }
            siftDown(0)
        }
    }
}

/// The lines of a part file, one at a time, each with its newline and its key (the bytes before
/// the tab, unescaped): slices of a read buffer, valid until the next ``advance()``.
private final class PartLines {
    private let file: FileDescriptor
    private let read = GrowingBuffer(capacity: 1 << 16)
    /// Bytes read into `read`, and where the next line starts in it.
    private var filled = 0
    private var next = 0
    private var atEnd = false
    private(set) var line = ByteSlice(start: nil, count: 0)
    /// The key as written; `unescapedKey` holds it unescaped when it has a backslash.
    private var key = ByteSlice(start: nil, count: 0)
    private var keyIsEscaped = false
    private var unescapedKey: [UInt8] = []

    init(path: String) throws {
        file = try FileDescriptor.open(reading: path)
    }

    deinit { file.close() }

    private var buffer: UnsafeMutableRawPointer { read.base }

    /// Room for one more byte after the `filled` ones.
    private func makeRoom() {
        if filled == read.capacity { read.grow(to: filled + 1, keeping: filled)?.deallocate() }
    }

    /// Moves to the next line; false at the end of the file.
    func advance() throws -> Bool {
        while true {
            if let newline = memchr(buffer + next, 0x0A, filled - next) {
                let end = UnsafeMutableRawPointer(newline) - buffer + 1
                take(next..<end)
                return true
            }
            if atEnd {
                guard next < filled else { return false }
                // A last line without its newline gets one.
                makeRoom()
                buffer.storeBytes(of: 0x0A, toByteOffset: filled, as: UInt8.self)
                filled += 1
                continue
            }
            // Keep the partial line, move it to the front, and read more after it.
            let kept = filled - next
            if next > 0 && kept > 0 { buffer.copyMemory(from: buffer + next, byteCount: kept) }
            filled = kept
            next = 0
            makeRoom()
            let count = try file.read(into: buffer + filled, count: read.capacity - filled)
            if count == 0 { atEnd = true } else { filled += count }
        }
    }

    /// Compares this line's key with `other`'s, bytewise unescaped: negative, 0 or positive.
    func compareKey(with other: PartLines) -> Int {
        withKey { mine in other.withKey { theirs in bytewiseCompare(mine, theirs) } }
    }

    private func withKey<R>(_ body: (ByteSlice) -> R) -> R {
        keyIsEscaped ? unescapedKey.withUnsafeBytes(body) : body(key)
    }

    private func take(_ range: Range<Int>) {
        line = ByteSlice(start: buffer + range.lowerBound, count: range.count)
        next = range.upperBound
        let content = ByteSlice(start: line.baseAddress, count: line.count - 1)
        let keyLength = memchr(content.baseAddress!, 0x09, content.count).map { UnsafeRawPointer($0) - content.baseAddress! } ?? content.count
        key = ByteSlice(start: content.baseAddress, count: keyLength)
        keyIsEscaped = keyLength > 0 && memchr(content.baseAddress!, 0x5C, keyLength) != nil
        if keyIsEscaped {
            unescapedKey.removeAll(keepingCapacity: true)
            _ = FieldEscaping.unescape(key, into: &unescapedKey)
        }
    }
}
