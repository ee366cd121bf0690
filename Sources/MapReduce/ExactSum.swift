/// The exact sum of any number of `Double`s, rounded once, when read: so it is the same whatever
/// the order the values were added in, and on 1 or N workers (floating-point addition rounds at
/// each step, so an ordinary running sum depends on how the input was split).
///
/// A fixed-point integer wide enough for every finite double (a Kulisch accumulator): bit 0 is
/// 2^-1074, the smallest subnormal, and 2,176 bits leave room above the largest double for 2^63
/// additions; negative sums are in two's complement. Adding a double touches two words and a
/// carry; ``value`` is correctly rounded (to nearest, ties to even).
public struct ExactSum: Sendable {
    static let wordCount = 34
    @usableFromInline var words = InlineArray<34, UInt64>(repeating: 0)
    /// Infinities and NaNs are not numbers the accumulator holds: they are remembered apart.
    var specials: Specials = []

    struct Specials: OptionSet, Sendable {
        let rawValue: UInt8
        static let positiveInfinity = Specials(rawValue: 1)
        static let negativeInfinity = Specials(rawValue: 2)
        static let notANumber = Specials(rawValue: 4)
    }

    /// Zero.
    public init() {}

    /// Adds `x` exactly.
    @inlinable
    public mutating func add(_ x: Double) {
        let bits = x.bitPattern
        let biasedExponent = Int(truncatingIfNeeded: (bits >> 52) & 0x7FF)
        var significand = bits & (1 << 52 - 1)
        guard biasedExponent != 0x7FF else { return addSpecial(x) }
        if biasedExponent != 0 { significand |= 1 << 52 }
        if significand == 0 { return }
        // The significand's lowest bit is worth 2^(biasedExponent - 1075), bit `shift` here.
        let shift = max(biasedExponent - 1, 0)
        addShifted(significand, word: shift >> 6, bit: shift & 63, negative: bits >> 63 != 0)
    }

    @usableFromInline
    mutating func addSpecial(_ x: Double) {
        specials.insert(x.isNaN ? .notANumber : x > 0 ? .positiveInfinity : .negativeInfinity)
    }

    @usableFromInline
    mutating func addShifted(_ significand: UInt64, word: Int, bit: Int, negative: Bool) {
        /// One word's step: plus (or minus) the operand and the carry (or borrow) from below.
        func step(_ value: UInt64, _ operand: UInt64, _ carry: Bool) -> (UInt64, Bool) {
            let (first, overflow) = negative ? value.subtractingReportingOverflow(operand) : value.addingReportingOverflow(operand)
            let (second, overflowAgain) = negative ? first.subtractingReportingOverflow(carry ? 1 : 0) : first.addingReportingOverflow(carry ? 1 : 0)
            return (second, overflow || overflowAgain)
        }
        var carry = false
        (words[word], carry) = step(words[word], significand << UInt64(bit), false)
        (words[word + 1], carry) = step(words[word + 1], bit == 0 ? 0 : significand >> UInt64(64 - bit), carry)
        var index = word + 2
        while carry && index < Self.wordCount {
            (words[index], carry) = step(words[index], 0, true)
            index += 1
        }
    }

    /// Adds `value` times 2^(`unit` - 1074): a sum kept in 128 bits at the scale of its smallest
    /// value (the engine's compact tallies), `unit` at most 2045 (a double's lowest bit).
    package mutating func add(_ value: Int128, unit: Int) {
        let magnitude = value.magnitude
        let low = UInt64(truncatingIfNeeded: magnitude), high = UInt64(truncatingIfNeeded: magnitude >> 64)
        if low != 0 { addShifted(low, word: unit >> 6, bit: unit & 63, negative: value < 0) }
        if high != 0 { addShifted(high, word: (unit + 64) >> 6, bit: (unit + 64) & 63, negative: value < 0) }
    }

    /// Adds another exact sum.
    public mutating func add(_ other: ExactSum) {
        var carry = false
        for index in 0..<Self.wordCount {
            let (sum, carryOut) = words[index].addingReportingOverflow(other.words[index])
            let (sumWithCarry, carryAgain) = sum.addingReportingOverflow(carry ? 1 : 0)
            words[index] = sumWithCarry
            carry = carryOut || carryAgain
        }
        specials.formUnion(other.specials)
    }

    /// The sum, rounded once to the nearest double: infinite past the largest double, NaN when a
    /// NaN or both infinities were added.
    public var value: Double {
        if specials.contains(.notANumber) || specials.contains([.positiveInfinity, .negativeInfinity]) { return .nan }
        if specials.contains(.positiveInfinity) { return .infinity }
        if specials.contains(.negativeInfinity) { return -.infinity }
        var magnitude = words
        let negative = words[Self.wordCount - 1] >> 63 != 0
        if negative {
            var carry = true
            for index in 0..<Self.wordCount {
                (magnitude[index], carry) = (~magnitude[index]).addingReportingOverflow(carry ? 1 : 0)
            }
        }
        var top = Self.wordCount - 1
        while top >= 0 && magnitude[top] == 0 { top -= 1 }
        guard top >= 0 else { return 0 }
        let highestBit = top * 64 + 63 - magnitude[top].leadingZeroBitCount
        // The 64 bits from `highestBit` down, the lowest one set if any bit below them is (it
        // lies below the rounding position, so it breaks ties as the discarded bits would).
        let lowestKept = max(highestBit - 63, 0)
        let word = lowestKept >> 6, bit = lowestKept & 63
        var kept = magnitude[word] >> UInt64(bit)
        if bit != 0 && word + 1 < Self.wordCount { kept |= magnitude[word + 1] << UInt64(64 - bit) }
        var sticky = bit != 0 && magnitude[word] & (1 << UInt64(bit) - 1) != 0
        for index in 0..<word where magnitude[index] != 0 { sticky = true }
        if sticky { kept |= 1 }
        // Rounded once by the conversion; the scaling is exact (or overflows to infinity).
        return Double(sign: negative ? .minus : .plus, exponent: lowestKept - 1074, significand: Double(kept))
    }

    // MARK: Encoding

    /// The most bytes ``encode(into:)`` writes.
    public static let maxEncodedSize = 3 + wordCount * 8

    /// Writes the sum: its specials, then the words from the lowest non-zero one to the highest
    /// one that is not the sign's extension (a typical sum takes two or three words).
    public func encode(into out: UnsafeMutableRawPointer) -> Int {
        let extensionWord: UInt64 = words[Self.wordCount - 1] >> 63 != 0 ? .max : 0
        var low = 0
        while low < Self.wordCount && words[low] == 0 { low += 1 }
        var high = Self.wordCount - 1
        while high > low && words[high] == extensionWord { high -= 1 }
        // The highest word kept must carry the sign in its top bit.
        if low < Self.wordCount && high + 1 < Self.wordCount && (words[high] >> 63 != 0) != (extensionWord != 0) { high += 1 }
        let count = low < Self.wordCount ? high - low + 1 : 0
        out.storeBytes(of: specials.rawValue, as: UInt8.self)
        out.storeBytes(of: UInt8(truncatingIfNeeded: low), toByteOffset: 1, as: UInt8.self)
        out.storeBytes(of: UInt8(count), toByteOffset: 2, as: UInt8.self)
        for index in 0..<count {
            out.storeBytes(of: words[low + index].littleEndian, toByteOffset: 3 + index * 8, as: UInt64.self)
        }
        return 3 + count * 8
    }

    /// Reads what ``encode(into:)`` wrote; nil for bytes it cannot have written.
    public init?(encoded bytes: ByteSlice) {
        guard bytes.count >= 3, let base = bytes.baseAddress else { return nil }
        let low = Int(bytes[1]), count = Int(bytes[2])
        guard bytes[0] & ~7 == 0, low + count <= Self.wordCount, bytes.count == 3 + count * 8 else { return nil }
        specials = Specials(rawValue: bytes[0])
        for index in 0..<count {
            words[low + index] = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: 3 + index * 8, as: UInt64.self))
        }
        if count > 0 && words[low + count - 1] >> 63 != 0 {
            for index in (low + count)..<Self.wordCount { words[index] = .max }
        }
    }
}
