import MRBase
import MRSystem
import MapReduce

/// The stable 64-bit hash of a key's bytes that picks its partition: `partition = hash % R`.
///
/// Stable means the same on every run, process and machine, so any worker routes a key to the
/// same reducer. Definition (also in the README): start with `len * K`; for each little-endian
/// 8-byte word `w` of the key (the last one zero-padded), `h = (h ^ w) * K; h ^= h >> 32`, with
/// K = 0x9E3779B97F4A7C15; finish with MurmurHash3's 64-bit finaliser.
package enum KeyHash {
    static let multiplier: UInt64 = 0x9E37_79B9_7F4A_7C15

    @inline(__always)
    package static func hash(_ key: ByteSlice) -> UInt64 {
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
            h = mix(h, KeyBytes.loadWord(base, index, count))
        }
        return finalize(h)
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
