import MapReduce
#if canImport(Glibc)
import Glibc
#endif

/// The one order of keys in `mr`: bytewise, as memcmp compares, a shorter key before its
/// extensions. Negative, 0 or positive.
@inlinable @inline(__always)
package func bytewiseCompare(_ a: ByteSlice, _ b: ByteSlice) -> Int {
    let common = min(a.count, b.count)
    if common > 0 {
        let order = memcmp(a.baseAddress!, b.baseAddress!, common)
        if order != 0 { return Int(order) }
    }
    return a.count - b.count
}
