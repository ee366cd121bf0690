import MapReduce
/// The byte encoding of messages between coordinator and worker processes: unsigned LEB128
/// varints, zigzag for signed numbers, length-prefixed byte strings. Each message travels as a
/// frame: a 4-byte little-endian length, then the message.
package struct WireWriter {
    private(set) var bytes: [UInt8] = [0, 0, 0, 0]  // room for the frame length

    package mutating func write(_ value: UInt64) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Varint.maxLength) { room in
            bytes.append(contentsOf: room.prefix(Varint.encode(value, into: room.baseAddress!)))
        }
    }

    package mutating func write(_ value: Int) { write(Int64(value)) }
    package mutating func write(_ value: Int64) { write(Varint.zigzag(value)) }
    package mutating func write(_ value: Bool) { write(UInt64(value ? 1 : 0)) }

    package mutating func write<Bytes: Collection<UInt8>>(bytes value: Bytes) {
        write(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    package mutating func write(_ value: String) { write(bytes: Array(value.utf8)) }

    /// The bytes written, without a frame's length prefix.
    package var message: ArraySlice<UInt8> { bytes[4...] }

    /// The finished frame: length prefix filled in.
    package var frame: [UInt8] {
        var result = bytes
        let length = UInt32(bytes.count - 4)
        for index in 0..<4 { result[index] = UInt8(truncatingIfNeeded: length >> (8 * UInt32(index))) }
        return result
    }

    package init() {}
}

/// Decodes what ``WireWriter`` wrote; malformed input is an internal error.
package struct WireReader {
    private let bytes: [UInt8]
    private var position = 0

    package init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    package mutating func readUInt() throws -> UInt64 {
        let value = bytes.withUnsafeBytes { Varint.decode($0.baseAddress!, cursor: &position, end: $0.count) }
        guard let value else { throw malformed }
        return value
    }

    package mutating func readInt64() throws -> Int64 { Varint.unzigzag(try readUInt()) }

    package mutating func readInt() throws -> Int { Int(try readInt64()) }
    package mutating func readBool() throws -> Bool { try readUInt() != 0 }

    package mutating func readBytes() throws -> [UInt8] {
        let count = Int(try readUInt())
        guard count <= bytes.count - position else { throw malformed }
        defer { position += count }
        return Array(bytes[position..<position + count])
    }

    package mutating func readString() throws -> String { String(decoding: try readBytes(), as: UTF8.self) }

    private var malformed: MRError { MRError(.internal, "malformed message between coordinator and worker") }
}
