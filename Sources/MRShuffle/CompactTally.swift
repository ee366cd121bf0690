import MapReduce

/// A key's tally as the map buffer keeps it: 56 bytes instead of a `Tally`'s 304, so that the
/// tallies of many keys stay in cache (with 100,000 keys, 304-byte tallies were 30 MB and every
/// value a cache miss). The sum is a 128-bit integer in units of its smallest value's lowest
/// bit, exact like ``ExactSum``; a value it cannot hold so (a range of magnitudes past 128 bits,
/// an infinity, a NaN) moves the sum into a full ``ExactSum`` in the arena, for that key only.
struct CompactTally {
    var count: Int64 = 0
    var minimum = Double.infinity
    var maximum = -Double.infinity
    /// The sum's 128 bits, and its unit: bit `unit` of ``ExactSum``'s accumulator (-1: no sum yet).
    private var sumLow: UInt64 = 0
    private var sumHigh: Int64 = 0
    private var unit = -1
    /// The arena offset of the key's full ``ExactSum`` once the compact sum could not hold a
    /// value, else -1; the compact sum is then zero and everything goes there.
    var full: Int64 = -1

    private var sum: Int128 {
        get { Int128(sumHigh) << 64 | Int128(sumLow) }
        set {
            sumLow = UInt64(truncatingIfNeeded: newValue)
            sumHigh = Int64(truncatingIfNeeded: newValue >> 64)
        }
    }

    /// Counts `x` and adds it to the compact sum; false when the sum cannot hold it, for the
    /// caller to move the sum into a full accumulator (``moveSum(into:)``) and add it there.
    mutating func add(_ x: Double) -> Bool {
        count &+= 1
        if x < minimum { minimum = x }
        if x > maximum { maximum = x }
        guard full < 0 else { return false }
        let bits = x.bitPattern
        let biasedExponent = Int(truncatingIfNeeded: (bits >> 52) & 0x7FF)
        guard biasedExponent != 0x7FF else { return false }  // an infinity or a NaN
        var significand = bits & (1 << 52 - 1)
        if biasedExponent != 0 { significand |= 1 << 52 }
        if significand == 0 { return true }
        let shift = max(biasedExponent - 1, 0)
        let negative = bits >> 63 != 0
        if unit < 0 { unit = shift }
        if shift < unit {
            // A smaller value: rescale the sum to its unit, if the sum has room.
            let gap = unit - shift
            guard gap < 64, sum.magnitude.leadingZeroBitCount > gap + 1 else { return false }
            sum <<= gap
            unit = shift
        }
        let gap = shift - unit
        guard gap <= 64 else { return false }
        let value = Int128(significand) << gap
        let (result, overflow) = negative ? sum.subtractingReportingOverflow(value) : sum.addingReportingOverflow(value)
        guard !overflow else { return false }
        sum = result
        return true
    }

    /// Adds the compact sum to `exact` and empties it.
    mutating func moveSum(into exact: inout ExactSum) {
        if unit >= 0 && sum != 0 { exact.add(sum, unit: unit) }
        sum = 0
        unit = -1
    }

    /// The tally, its sum in `full` (at the arena's `fullSum`, if any) plus the compact one.
    func tally(fullSum: ExactSum?) -> Tally {
        var exact = fullSum ?? ExactSum()
        if unit >= 0 && sum != 0 { exact.add(sum, unit: unit) }
        return Tally(count: count, minimum: minimum, maximum: maximum, exactSum: exact)
    }
}
