/// What the ``Combiner/tally`` combiner keeps of a key's `Double` values: how many, their exact
/// sum, the smallest and the largest. Enough for a sum, a mean, a minimum or a maximum, and the
/// same on 1 or N workers, since the sum is exact until it is read (see ``ExactSum``).
///
/// ```swift
/// public func reduce(_ key: ByteSlice, _ values: inout ReduceValues, _ output: ReduceOutput) {
///     output.emit(key, values.tally().mean)
/// }
/// ```
public struct Tally: Sendable {
    /// How many values were added.
    public private(set) var count: Int64 = 0
    /// The smallest value (`+infinity` for none; NaNs are not compared).
    public private(set) var minimum = Double.infinity
    /// The largest value (`-infinity` for none; NaNs are not compared).
    public private(set) var maximum = -Double.infinity
    /// The values' exact sum.
    public private(set) var exactSum = ExactSum()

    /// No values.
    public init() {}

    /// A tally of `count` values with these extremes and exact sum (the engine's compact tallies).
    package init(count: Int64, minimum: Double, maximum: Double, exactSum: ExactSum) {
        (self.count, self.minimum, self.maximum, self.exactSum) = (count, minimum, maximum, exactSum)
    }

    /// Adds one value.
    public mutating func add(_ x: Double) {
        count &+= 1
        if x < minimum { minimum = x }
        if x > maximum { maximum = x }
        exactSum.add(x)
    }

    /// Adds every value of another tally.
    public mutating func add(_ other: Tally) {
        count &+= other.count
        minimum = Swift.min(minimum, other.minimum)
        maximum = Swift.max(maximum, other.maximum)
        exactSum.add(other.exactSum)
    }

    /// The sum, rounded once.
    public var sum: Double { exactSum.value }

    /// The mean: the exact sum, rounded, divided by the count (NaN for no values).
    public var mean: Double { count == 0 ? .nan : sum / Double(count) }

    // MARK: Encoding, as the engine carries a tally between map and reduce

    /// The most bytes ``encode(into:)`` writes.
    public static let maxEncodedSize = 24 + ExactSum.maxEncodedSize

    /// Writes the tally; returns the bytes written.
    public func encode(into out: UnsafeMutableRawPointer) -> Int {
        out.storeBytes(of: UInt64(bitPattern: count).littleEndian, as: UInt64.self)
        out.storeBytes(of: minimum.bitPattern.littleEndian, toByteOffset: 8, as: UInt64.self)
        out.storeBytes(of: maximum.bitPattern.littleEndian, toByteOffset: 16, as: UInt64.self)
        return 24 + exactSum.encode(into: out + 24)
    }

    /// Reads what ``encode(into:)`` wrote; nil for bytes it cannot have written.
    public init?(encoded bytes: ByteSlice) {
        guard bytes.count >= 24, let base = bytes.baseAddress,
              let sum = ExactSum(encoded: ByteSlice(rebasing: bytes[24...])) else { return nil }
        count = Int64(bitPattern: UInt64(littleEndian: base.loadUnaligned(as: UInt64.self)))
        minimum = Double(bitPattern: UInt64(littleEndian: base.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
        maximum = Double(bitPattern: UInt64(littleEndian: base.loadUnaligned(fromByteOffset: 16, as: UInt64.self)))
        exactSum = sum
    }

    /// A tally as the engine hands it to reduce: encoded bytes, valid until the next value is read.
    public struct Encoded {
        /// The bytes, as ``Tally/encode(into:)`` wrote them.
        public let bytes: ByteSlice

        /// Wraps bytes the engine checked with ``Tally/init(encoded:)``.
        package init(checked bytes: ByteSlice) { self.bytes = bytes }

        /// The tally.
        public var tally: Tally { Tally(encoded: bytes)! }
    }
}
