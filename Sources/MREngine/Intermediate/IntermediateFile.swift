#if canImport(Glibc)
import Glibc
#endif
import MapReduce

/// The file a map task writes for one reduce partition, and its reader.
///
/// Layout (all integers little-endian):
/// ```
/// header   "MRI1"
/// records  varint(key length << 1 | is-text) key-bytes value      ... sorted by key bytes
///          value: zigzag-varint(n) for an integer n, or varint(length) text-bytes
/// footer   "MRIE" u64(record count) u32(CRC-32 of header and records)
/// ```
/// Varints keep a word count's pairs to a few bytes beyond the word; the footer lets the reader
/// detect a truncated or damaged file instead of merging garbage.
enum IntermediateFile {
    static let headerMagic: [UInt8] = Array("MRI1".utf8)
    static let footerMagic: [UInt8] = Array("MRIE".utf8)
    static let footerSize = 16

    /// Writes one sorted run of pairs.
    final class Writer {
        private let output: BufferedWriter
        private var records: UInt64 = 0

        init(path: String) throws {
            output = try BufferedWriter(creating: path)
            try headerMagic.withUnsafeBytes { try output.append($0) }
        }

        @inline(__always)
        func append(key: ByteSlice, value: Value) throws {
            switch value {
            case .int(let number):
                let zigzag = Varint.zigzag(number)
                guard key.count + 20 <= output.capacity else {
                    try appendVarint(UInt64(key.count) << 1)
                    try output.append(key)
                    try appendVarint(zigzag)
                    break
                }
                // Nearly every pair of a counting job: encoded in place, one copy (the key).
                try output.write(atMost: key.count + 20) { out in
                    let keyStart = out + Varint.encode(UInt64(key.count) << 1, into: out)
                    if key.count <= 16 {
                        // Two 8-byte stores (the room holds them; the value overwrites the
                        // padding): a call to memmove per pair cost 4 % of ngrams.
                        let (word0, word1) = KeyHash.inlineWords(key)
                        UnsafeMutableRawPointer(keyStart).storeBytes(of: word0.littleEndian, as: UInt64.self)
                        UnsafeMutableRawPointer(keyStart).storeBytes(of: word1.littleEndian, toByteOffset: 8, as: UInt64.self)
                    } else if let base = key.baseAddress {
                        keyStart.update(from: base.assumingMemoryBound(to: UInt8.self), count: key.count)
                    }
                    let valueStart = keyStart + key.count
                    return valueStart + Varint.encode(zigzag, into: valueStart) - out
                }
            case .bytes(let text):
                try appendVarint(UInt64(key.count) << 1 | 1)
                try output.append(key)
                try appendVarint(UInt64(text.count))
                try output.append(text)
            }
            records += 1
        }

        private func appendVarint(_ value: UInt64) throws {
            try output.write(atMost: 10) { Varint.encode(value, into: $0) }
        }

        /// Writes the footer and closes the file.
        func finish() throws {
            try output.flush()
            var footer = footerMagic
            withUnsafeBytes(of: records.littleEndian) { footer.append(contentsOf: $0) }
            withUnsafeBytes(of: output.crc32OfFlushed.littleEndian) { footer.append(contentsOf: $0) }
            try footer.withUnsafeBytes { try output.append($0) }
            try output.flush()
        }
    }

    /// Streams the pairs of one file in order; the current key is a slice of the read buffer,
    /// valid until the next ``advance()``.
    final class Reader {
        private let file: FileDescriptor
        private let recordsEnd: Int64  // file offset where the footer starts
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

        init(path: String, capacity: Int = 1 << 16) throws {
            file = try FileDescriptor.open(reading: path)
            var info = stat()
            guard fstat(file.raw, &info) == 0 else { throw MRError.system(.io, "read", path, errno: errno) }
            recordsEnd = Int64(info.st_size) - Int64(footerSize)
            self.capacity = capacity
            buffer = .allocate(byteCount: capacity, alignment: 8)
            guard recordsEnd >= Int64(headerMagic.count), try ensure(headerMagic.count),
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
            let isText = keyHeader & 1 == 1
            guard keyHeader >> 1 < UInt64(remaining) else { throw damaged("key longer than the file") }
            let keyLength = Int(keyHeader >> 1)
            let prefixLength = cursor - position
            guard try ensure(min(prefixLength + keyLength + 10, remaining)) else { throw damaged("truncated") }
            cursor = position + prefixLength + keyLength
            let header = try decodeVarint(&cursor)
            if !isText {
                value = .int(Varint.unzigzag(header))
            } else {
                // A text value: make key, value header and text contiguous, then slice both.
                let textLength = header
                let valueHeaderLength = cursor - (position + prefixLength + keyLength)
                let recordLength = prefixLength + keyLength + valueHeaderLength
                guard textLength <= UInt64(remaining - recordLength),
                      try ensure(recordLength + Int(textLength)) else { throw damaged("truncated text value") }
                cursor = position + recordLength + Int(textLength)
                value = .bytes(ByteSlice(start: buffer + position + recordLength, count: Int(textLength)))
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
            let count = footer[4..<12].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            let storedCRC = footer[12..<16].reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            guard count == recordCount else { throw damaged("footer counts \(count) records, file holds \(recordCount)") }
            guard storedCRC == crc else { throw damaged("checksum mismatch") }
        }

        private func damaged(_ what: String) -> MRError {
            MRError(.internal, "intermediate file '\(file.path)' is damaged (\(what))")
        }
    }
}
