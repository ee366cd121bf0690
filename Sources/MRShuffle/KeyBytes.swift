import MRBase
import MRSystem
import MapReduce
#if canImport(Glibc)
import Glibc
#endif
import CLinuxShims

/// The byte helpers map, the intermediate files and reduce share for keys: loading a key as
/// words, comparing two keys for equality and for order.
package enum KeyBytes {
    /// The little-endian 8-byte word at `index`, zero-padded past `count`.
    ///
    /// A short tail is read as one 8-byte load that stays inside the memory page of the key's
    /// own bytes (so it cannot fault) and masked: a byte loop costs a mispredicted branch per key.
    @inline(__always)
    static func loadWord(_ base: UnsafeRawPointer, _ index: Int, _ count: Int) -> UInt64 {
        if index + 8 <= count {
            return UInt64(littleEndian: base.loadUnaligned(fromByteOffset: index, as: UInt64.self))
        }
        let remaining = count - index
        guard remaining > 0 else { return 0 }
        let start = base + index
        let pageOffset = UInt(bitPattern: start) & 4095
        if pageOffset <= 4096 - 8 {
            let word = UInt64(littleEndian: start.loadUnaligned(as: UInt64.self))
            return word & (~0 >> UInt64(64 - 8 * remaining))
        }
        // Near the page's end: the 8 bytes that end with the key's last byte, shifted down.
        let word = UInt64(littleEndian: (start + remaining - 8).loadUnaligned(as: UInt64.self))
        return word >> UInt64(64 - 8 * remaining)
    }

    /// The zero-padded bytes of a key of at most 16 bytes, as the map table's slots hold them.
    @inline(__always)
    package static func words(_ key: ByteSlice) -> (UInt64, UInt64) {
        // Both words in two loads, masked, when the 16 bytes lie in the key's page (nearly always).
        guard let base = key.baseAddress, UInt(bitPattern: base) & 4095 <= 4096 - 16 else { return wordsNearPageEnd(key) }
        let first = UInt64(littleEndian: base.loadUnaligned(as: UInt64.self))
        let second = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        return (first & UInt64(mr_key_word_mask(key.count, 0)), second & UInt64(mr_key_word_mask(key.count, 1)))
    }

    /// ``words(_:)`` for a key near the end of its page (or empty), read without crossing it.
    @inline(never)
    static func wordsNearPageEnd(_ key: ByteSlice) -> (UInt64, UInt64) {
        guard let base = key.baseAddress else { return (0, 0) }
        return (loadWord(base, 0, key.count), key.count > 8 ? loadWord(base, 8, key.count) : 0)
    }

    /// Byte equality of two ranges of `count` bytes, 8 bytes at a time: keys are short, and a call
    /// to memcmp costs more than the comparison.
    @inline(__always)
    static func equal(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer?, _ count: Int) -> Bool {
        guard let b else { return count == 0 }
        var index = 0
        while index + 8 <= count {
            if a.loadUnaligned(fromByteOffset: index, as: UInt64.self) != b.loadUnaligned(fromByteOffset: index, as: UInt64.self) {
                return false
            }
            index += 8
        }
        while index < count {
            if a.load(fromByteOffset: index, as: UInt8.self) != b.load(fromByteOffset: index, as: UInt8.self) { return false }
            index += 1
        }
        return true
    }

    /// A key's first 16 bytes, zero-padded, as two big-endian numbers, which order as the bytes do:
    /// most comparisons of sorting and merging are settled by them without reading the keys (equal
    /// numbers need ``compare(_:_:)``: a key and its extension by NUL bytes have the same ones).
    @inline(__always)
    static func orderPrefixes(_ key: ByteSlice) -> (UInt64, UInt64) {
        guard key.count > 16, let base = key.baseAddress else {
            let (word0, word1) = words(key)
            return (word0.byteSwapped, word1.byteSwapped)
        }
        return (UInt64(littleEndian: base.loadUnaligned(as: UInt64.self)).byteSwapped,
                UInt64(littleEndian: base.loadUnaligned(fromByteOffset: 8, as: UInt64.self)).byteSwapped)
    }
}
