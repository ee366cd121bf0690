import MapReduce
/// The one integer codec of mr's binary formats (intermediate files, the map arena, worker
/// messages, the journal): unsigned LEB128 varints, 7 bits a byte, low bits first, and zigzag
/// for signed numbers (0, -1, 1, -2 ... as 0, 1, 2, 3 ...) so small negatives stay short.
/// Public and `@inlinable` only so that the spill writer and the merge (MRShuffle) inline it
/// across targets, as they did within one.
public enum Varint {
    /// The most bytes a 64-bit varint takes.
    public static let maxLength = 10

    /// A signed number as the unsigned one zigzag gives it.
    @inlinable
    public static func zigzag(_ value: Int64) -> UInt64 {
        UInt64(bitPattern: (value << 1) ^ (value >> 63))
    }

    /// The signed number back from ``zigzag(_:)``'s.
    @inlinable
    public static func unzigzag(_ value: UInt64) -> Int64 {
        Int64(bitPattern: value >> 1) ^ -Int64(bitPattern: value & 1)
    }

    /// Writes `value` at `buffer` (room for ``maxLength`` bytes); returns the byte count.
    @inlinable
    public static func encode(_ value: UInt64, into buffer: UnsafeMutablePointer<UInt8>) -> Int {
        var remaining = value
        var count = 0
        while remaining >= 0x80 {
            buffer[count] = UInt8(truncatingIfNeeded: remaining) | 0x80
            remaining >>= 7
            count += 1
        }
        buffer[count] = UInt8(remaining)
        return count + 1
    }

    /// Reads a varint from `bytes[cursor..<end]`, moving `cursor` past it; nil if it runs past
    /// `end` or past 64 bits.
    @inlinable
    public static func decode(_ bytes: UnsafeRawPointer, cursor: inout Int, end: Int) -> UInt64? {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while cursor < end && shift < 64 {
            let byte = bytes.load(fromByteOffset: cursor, as: UInt8.self)
            cursor += 1
            result |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return result }
            shift += 7
        }
        return nil
    }
}
