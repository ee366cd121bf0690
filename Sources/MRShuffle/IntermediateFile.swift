import MRBase
import MRSystem
import MapReduce
#if canImport(Glibc)
import Glibc
#endif

/// A sorted spill: every reduce partition's pairs, one segment after another, and an index saying
/// where each segment ends (Hadoop's spill file and its index). A spill is a file of its own, or
/// one of many appended to a worker's ``MapOutputLog``: the index gives its start too, so a spill
/// is found by where it ends. A reduce task reads its own segment of each.
///
/// Layout (all integers little-endian; offsets from the start of the file the spill is in):
/// ```
/// segments  for each partition in order, nothing when it has no pairs, else:
///   header  "MRI4"
///   records varint(key length << 2 | kind) key-bytes value      ... sorted by key bytes
///           kind 0, an integer n: zigzag-varint(n)
///           kind 1, text:         varint(length) text-bytes
///           kind 2, a Double:     u64(its bits)
///           kind 3, a Tally:      varint(length) the bytes of Tally.encode
///   footer  "MRIE" u64(record count) u32(CRC-32 of header and records)
/// index     u64(end offset of each partition's segment) ... u64(the spill's start offset)
///           u32(partitions) u32(CRC-32 of the offsets and partitions) "MRIX"
/// ```
/// Varints keep a word count's pairs to a few bytes beyond the word; the footers and the index's
/// checksum let the reader detect a truncated or damaged file instead of merging garbage.
package enum IntermediateFile {
    package static let headerMagic: [UInt8] = Array("MRI4".utf8)
    static let footerMagic: [UInt8] = Array("MRIE".utf8)
    static let indexMagic: [UInt8] = Array("MRIX".utf8)
    static let footerSize = 16
    /// The index's fixed end: the spill's start, partitions, checksum, magic.
    static let indexTrailerSize = 20

    /// A record's kind of value, in the low two bits of its key header.
    enum Kind: UInt64 { case integer, text, double, tally }

    /// One partition's pairs in one spill: what a reduce task reads.
    package struct Segment: Equatable {
        package let path: String
        let partition: Int
        /// Where the spill ends in the file; nil: at the file's end (a spill that is a file).
        let spillEnd: Int64?

        package init(path: String, partition: Int, spillEnd: Int64? = nil) {
            self.path = path
            self.partition = partition
            self.spillEnd = spillEnd
        }
    }

    /// Writes one sorted spill of pairs, partition after partition.
    package final class Writer {
        private let output: BufferedWriter
        private let partitions: Int
        private var partition = 0
        /// Pairs in the current partition's segment.
        private var records: UInt64 = 0
        private var segmentEnds: [UInt64] = []
        /// Where the spill starts in its file.
        private let start: Int64

        /// A new file for `partitions` partitions; pairs go to partition 0 until
        /// ``startPartition(_:)``.
        package convenience init(path: String, partitions: Int = 1) throws {
            self.init(appendingTo: try BufferedWriter(creating: path, checksummed: true), partitions: partitions)
        }

        /// A spill appended to what `output` (which keeps checksums) has written before.
        package init(appendingTo output: BufferedWriter, partitions: Int) {
            self.output = output
            self.partitions = partitions
            start = output.position
            segmentEnds.reserveCapacity(partitions)
        }

        /// Where the spill ends in its file, once finished.
        package var end: Int64 { output.position }

        /// Ends the current partition: the pairs appended next belong to `next`, a later one.
        package func startPartition(_ next: Int) throws {
            precondition(next >= partition && next < partitions, "partitions are written in order")
            while partition < next {
                try endSegment()
                partition += 1
            }
        }

        @inline(__always)
        package func append(key: ByteSlice, value: Value) throws {
            if records == 0 { try beginSegment() }
            switch value {
            case .int(let number):
                let zigzag = Varint.zigzag(number)
                guard key.count + 20 <= output.capacity else {
                    try appendVarint(UInt64(key.count) << 2 | Kind.integer.rawValue)
                    try output.append(key)
                    try appendVarint(zigzag)
                    break
                }
                // Nearly every pair of a counting job: encoded in place, one copy (the key).
                try output.write(atMost: key.count + 20) { out in
                    let keyStart = out + Varint.encode(UInt64(key.count) << 2 | Kind.integer.rawValue, into: out)
                    if key.count <= 16 {
                        // Two 8-byte stores (the room holds them; the value overwrites the
                        // padding): a call to memmove per pair cost 4 % of ngrams.
                        let (word0, word1) = KeyBytes.words(key)
                        UnsafeMutableRawPointer(keyStart).storeBytes(of: word0.littleEndian, as: UInt64.self)
                        UnsafeMutableRawPointer(keyStart).storeBytes(of: word1.littleEndian, toByteOffset: 8, as: UInt64.self)
                    } else if let base = key.baseAddress {
                        keyStart.update(from: base.assumingMemoryBound(to: UInt8.self), count: key.count)
                    }
                    let valueStart = keyStart + key.count
                    return valueStart + Varint.encode(zigzag, into: valueStart) - out
                }
            case .bytes(let text):
                try append(key, kind: .text, lengthPrefixed: text)
            case .double(let number):
                try appendVarint(UInt64(key.count) << 2 | Kind.double.rawValue)
                try output.append(key)
                try withUnsafeBytes(of: number.bitPattern.littleEndian) { try output.append($0) }
            case .tally(let encoded):
                try append(key, kind: .tally, lengthPrefixed: encoded.bytes)
            }
            records += 1
        }

        private func append(_ key: ByteSlice, kind: Kind, lengthPrefixed bytes: ByteSlice) throws {
            try appendVarint(UInt64(key.count) << 2 | kind.rawValue)
            try output.append(key)
            try appendVarint(UInt64(bytes.count))
            try output.append(bytes)
        }

        private func appendVarint(_ value: UInt64) throws {
            try output.write(atMost: 10) { Varint.encode(value, into: $0) }
        }

        private func beginSegment() throws {
            _ = output.takeChecksum()  // the bytes before this segment are checked elsewhere
            try headerMagic.withUnsafeBytes { try output.append($0) }
        }

        private func endSegment() throws {
            if records > 0 {
                var footer = footerMagic
                withUnsafeBytes(of: records.littleEndian) { footer.append(contentsOf: $0) }
                withUnsafeBytes(of: output.takeChecksum().littleEndian) { footer.append(contentsOf: $0) }
                try footer.withUnsafeBytes { try output.append($0) }
            }
            segmentEnds.append(UInt64(output.position))
            records = 0
        }

        /// Ends the last segments, writes the index and closes the file.
        package func finish() throws {
            try startPartition(partitions - 1)
            try endSegment()
            var index: [UInt8] = []
            index.reserveCapacity(segmentEnds.count * 8 + indexTrailerSize)
            for end in segmentEnds { withUnsafeBytes(of: end.littleEndian) { index.append(contentsOf: $0) } }
            withUnsafeBytes(of: UInt64(start).littleEndian) { index.append(contentsOf: $0) }
            withUnsafeBytes(of: UInt32(partitions).littleEndian) { index.append(contentsOf: $0) }
            let crc = index.withUnsafeBytes { checksum(0, $0.baseAddress!, $0.count) }
            withUnsafeBytes(of: crc.littleEndian) { index.append(contentsOf: $0) }
            index += indexMagic
            try index.withUnsafeBytes { try output.append($0) }
            try output.flush()
        }
    }

    /// Streams the pairs of one segment in order; the current key is a slice of the read buffer,
    /// valid until the next ``advance()``.
    package final class Reader {
        private let file: FileDescriptor
        private var recordsEnd: Int64 = 0  // file offset where the segment's footer starts
        private var buffer: UnsafeMutableRawPointer
        private var capacity: Int
        private var bufferFileOffset: Int64 = 0
        private var filled = 0
        private var position = 0
        private var crc: UInt32 = 0
        private var recordCount: UInt64 = 0

        private(set) var key = ByteSlice(start: nil, count: 0)
        private(set) var value = Value.int(0)
        private(set) var isAtEnd = false

        package convenience init(_ segment: Segment, capacity: Int = 1 << 16) throws {
            try self.init(path: segment.path, partition: segment.partition, spillEnd: segment.spillEnd, capacity: capacity)
        }

        init(path: String, partition: Int = 0, spillEnd: Int64? = nil, capacity: Int = 1 << 16) throws {
            file = try FileDescriptor.open(reading: path)
            self.capacity = capacity
            buffer = .allocate(byteCount: capacity, alignment: 8)
            let (start, end) = try segmentBounds(partition, spillEnd: spillEnd ?? file.size())
            if start == end {
                isAtEnd = true
                return
            }
            recordsEnd = end - Int64(footerSize)
            bufferFileOffset = start
            guard recordsEnd >= start + Int64(headerMagic.count), try ensure(headerMagic.count),
                  memcmp(buffer, headerMagic, headerMagic.count) == 0 else {
                throw damaged("bad header")
            }
            position = headerMagic.count
            try advance()
        }

        deinit {
            buffer.deallocate()
            file.close()
        }

        /// Where the partition's segment starts and ends, from the checked index of the spill
        /// that ends at `spillEnd`.
        private func segmentBounds(_ partition: Int, spillEnd: Int64) throws -> (Int64, Int64) {
            var trailer = [UInt8](repeating: 0, count: indexTrailerSize)
            guard spillEnd >= Int64(indexTrailerSize),
                  try trailer.withUnsafeMutableBytes({ try file.read(into: $0.baseAddress!, count: indexTrailerSize, at: spillEnd - Int64(indexTrailerSize)) }) == indexTrailerSize,
                  Array(trailer[16..<20]) == indexMagic else { throw damaged("no index") }
            let partitions = Int(littleEndianValue(trailer[8..<12]))
            let indexStart = spillEnd - Int64(indexTrailerSize) - Int64(partitions) * 8
            guard partition < partitions, indexStart >= 0 else { throw damaged("the index has no partition \(partition)") }
            var index = [UInt8](repeating: 0, count: partitions * 8 + 12)
            guard try index.withUnsafeMutableBytes({ try file.read(into: $0.baseAddress!, count: $0.count, at: indexStart) }) == index.count,
                  index.withUnsafeBytes({ checksum(0, $0.baseAddress!, $0.count) }) == UInt32(littleEndianValue(trailer[12..<16])) else {
                throw damaged("index checksum mismatch")
            }
            let spillStart = Int64(littleEndianValue(index[partitions * 8..<partitions * 8 + 8]))
            let start = partition == 0 ? spillStart : Int64(littleEndianValue(index[(partition - 1) * 8..<partition * 8]))
            let end = Int64(littleEndianValue(index[partition * 8..<(partition + 1) * 8]))
            guard 0 <= spillStart, spillStart <= start, start <= end, end <= indexStart else { throw damaged("bad segment bounds") }
            return (start, end)
        }

        /// Moves to the next pair, or sets ``isAtEnd`` after checking the footer.
        func advance() throws {
            let offset = bufferFileOffset + Int64(position)
            if offset >= recordsEnd {
                guard offset == recordsEnd else { throw damaged("record runs into the footer") }
                try checkFooter()
                isAtEnd = true
                return
            }
            // Make the whole record contiguous: its length prefix first, then the rest.
            let remaining = Int(recordsEnd - offset)
            _ = try ensure(min(10, remaining))
            var cursor = position
            let keyHeader = try decodeVarint(&cursor)
            let kind = Kind(rawValue: keyHeader & 3)!
            guard keyHeader >> 2 < UInt64(remaining) else { throw damaged("key longer than the file") }
            let keyLength = Int(keyHeader >> 2)
            let prefixLength = cursor - position
            guard try ensure(min(prefixLength + keyLength + 10, remaining)) else { throw damaged("truncated") }
            cursor = position + prefixLength + keyLength
            switch kind {
            case .integer:
                value = .int(Varint.unzigzag(try decodeVarint(&cursor)))
            case .double:
                guard cursor + 8 <= filled else { throw damaged("truncated double value") }
                value = .double(Double(bitPattern: UInt64(littleEndian: (buffer + cursor).loadUnaligned(as: UInt64.self))))
                cursor += 8
            case .text, .tally:
                // Make key, value header and bytes contiguous, then slice both.
                let valueLength = try decodeVarint(&cursor)
                let valueHeaderLength = cursor - (position + prefixLength + keyLength)
                let recordLength = prefixLength + keyLength + valueHeaderLength
                guard valueLength <= UInt64(remaining - recordLength),
                      try ensure(recordLength + Int(valueLength)) else { throw damaged("truncated value") }
                cursor = position + recordLength + Int(valueLength)
                let bytes = ByteSlice(start: buffer + position + recordLength, count: Int(valueLength))
                if kind == .text {
                    value = .bytes(bytes)
                } else {
                    guard Tally(encoded: bytes) != nil else { throw damaged("bad tally value") }
                    value = .tally(Tally.Encoded(checked: bytes))
                }
            }
            key = ByteSlice(start: buffer + position + prefixLength, count: keyLength)
            guard bufferFileOffset + Int64(cursor) <= recordsEnd else { throw damaged("record runs into the footer") }
            position = cursor
            recordCount += 1
        }

        @inline(__always)
        private func decodeVarint(_ cursor: inout Int) throws -> UInt64 {
            guard let value = Varint.decode(buffer, cursor: &cursor, end: filled) else { throw damaged("bad varint") }
            return value
        }

        /// Makes at least `count` bytes available from `position`, checksumming consumed bytes.
        private func ensure(_ count: Int) throws -> Bool {
            if filled - position >= count { return true }
            crc = checksum(crc, buffer, position)
            let kept = filled - position
            if kept > 0 { buffer.copyMemory(from: buffer + position, byteCount: kept) }
            bufferFileOffset += Int64(position)
            filled = kept
            position = 0
            if count > capacity {
                let larger = UnsafeMutableRawPointer.allocate(byteCount: count * 2, alignment: 8)
                larger.copyMemory(from: buffer, byteCount: filled)
                buffer.deallocate()
                buffer = larger
                capacity = count * 2
            }
            while filled < count {
                let n = try file.read(into: buffer + filled, count: capacity - filled, at: bufferFileOffset + Int64(filled))
                if n == 0 { return false }
                filled += n
            }
            return true
        }

        private func checkFooter() throws {
            crc = checksum(crc, buffer, position)
            var footer = [UInt8](repeating: 0, count: footerSize)
            let n = try footer.withUnsafeMutableBytes {
                try file.read(into: $0.baseAddress!, count: footerSize, at: recordsEnd)
            }
            guard n == footerSize, Array(footer[0..<4]) == footerMagic else { throw damaged("bad footer") }
            let count = littleEndianValue(footer[4..<12])
            let storedCRC = UInt32(littleEndianValue(footer[12..<16]))
            guard count == recordCount else { throw damaged("footer counts \(count) records, file holds \(recordCount)") }
            guard storedCRC == crc else { throw damaged("checksum mismatch") }
        }

        private func damaged(_ what: String) -> MRError {
            MRError(.internal, "intermediate file '\(file.path)' is damaged (\(what))")
        }
    }
}
