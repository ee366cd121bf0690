import MapReduce

/// The stable 64-bit hash of a key's bytes that picks its partition: `partition = hash % R`.
///
/// Stable means the same on every run, process and machine, so any worker routes a key to the
/// same reducer. Definition (also in the README): start with `len * K`; for each little-endian
/// 8-byte word `w` of the key (the last one zero-padded), `h = (h ^ w) * K; h ^= h >> 32`, with
/// K = 0x9E3779B97F4A7C15; finish with MurmurHash3's 64-bit finaliser.
enum KeyHash {
    static let multiplier: UInt64 = 0x9E37_79B9_7F4A_7C15

    @inline(__always)
    static func hash(_ key: ByteSlice) -> UInt64 {
        let count = key.count
        var h = UInt64(truncatingIfNeeded: count) &* multiplier
        guard let base = key.baseAddress else { return finalize(h) }
        var index = 0
        while index + 8 <= count {
            let word = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: index, as: UInt64.self))
            h = mix(h, word)
            index += 8
        }
        if index < count {
            h = mix(h, loadWord(base, index, count))
        }
        return finalize(h)
    }

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
    static func inlineWords(_ key: ByteSlice) -> (UInt64, UInt64) {
        // Both words in two loads, masked, when the 16 bytes lie in the key's page (nearly always).
        guard let base = key.baseAddress, UInt(bitPattern: base) & 4095 <= 4096 - 16 else { return inlineWordsNearPageEnd(key) }
        let count = key.count
        let first = UInt64(littleEndian: base.loadUnaligned(as: UInt64.self))
        let second = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        // A shift by 64 or more gives 0 in Swift, so these masks hold for every length 0-16.
        let firstMask: UInt64 = ~(~0 << UInt64(8 * count))
        let secondMask: UInt64 = count <= 8 ? 0 : ~(~0 << UInt64(8 * count - 64))
        return (first & firstMask, second & secondMask)
    }

    /// ``inlineWords(_:)`` for a key near the end of its page (or empty), read without crossing it.
    @inline(never)
    static func inlineWordsNearPageEnd(_ key: ByteSlice) -> (UInt64, UInt64) {
        guard let base = key.baseAddress else { return (0, 0) }
        return (loadWord(base, 0, key.count), key.count > 8 ? loadWord(base, 8, key.count) : 0)
    }

    @inline(__always)
    private static func mix(_ h: UInt64, _ word: UInt64) -> UInt64 {
        let m = (h ^ word) &* multiplier
        return m ^ (m >> 32)
    }

    @inline(__always)
    private static func finalize(_ value: UInt64) -> UInt64 {
        var h = value
        h ^= h >> 33
        h &*= 0xFF51_AFD7_ED55_8CCD
        h ^= h >> 33
        h &*= 0xC4CE_B9FE_1A85_EC53
        h ^= h >> 33
        return h
    }
}
