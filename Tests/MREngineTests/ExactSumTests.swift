import MapReduce
import XCTest

/// `ExactSum` and `Tally`: sums exact until rounded once, whatever the order of the values.
final class ExactSumTests: XCTestCase {
    private func sum(_ values: [Double]) -> Double {
        var sum = ExactSum()
        for value in values { sum.add(value) }
        return sum.value
    }

    /// Sums whose correctly rounded value is known (each also what Python's math.fsum returns),
    /// where adding in order rounds at each step and gets another answer.
    func testSumsAreCorrectlyRounded() {
        XCTAssertEqual(sum(Array(repeating: 0.1, count: 10)), 1.0)             // in order: 0.9999999999999999
        XCTAssertEqual(sum([1e100, 1.0, -1e100]), 1.0)                          // in order: 0
        XCTAssertEqual(sum([1e308, 1e308, -1e308]), 1e308)                      // in order: infinity
        XCTAssertEqual(sum([0.1, 0.2]), 0.30000000000000004)
        XCTAssertEqual(sum([1.5, 0.1, 0.2]), 1.8)                               // in order: 1.8000000000000003
        XCTAssertEqual(sum([-0.1, -0.2, -0.3]), -0.6)                           // in order: -0.6000000000000001
        XCTAssertEqual(sum([.leastNonzeroMagnitude, .leastNonzeroMagnitude]), 2 * .leastNonzeroMagnitude)
        XCTAssertEqual(sum([.greatestFiniteMagnitude, -.leastNonzeroMagnitude]), .greatestFiniteMagnitude)
        XCTAssertEqual(sum([.greatestFiniteMagnitude, .greatestFiniteMagnitude]), .infinity)
        XCTAssertEqual(sum([]), 0)
        XCTAssertEqual(sum([5, -5]), 0)
        // Ties round to even: 2^53 + 1 lies halfway between 2^53 and 2^53 + 2.
        XCTAssertEqual(sum([9007199254740992, 1]), 9007199254740992)
        XCTAssertEqual(sum([9007199254740992, 1, 1e-300]), 9007199254740994)    // just above halfway
        XCTAssertEqual(sum([9007199254740994, 1]), 9007199254740996)
        XCTAssertTrue(sum([1, .nan]).isNaN)
        XCTAssertTrue(sum([.infinity, -.infinity]).isNaN)
        XCTAssertEqual(sum([.infinity, 1e308, 1e308]), .infinity)
    }

    /// The same values in any order, and split into partial sums any way (as map tasks and
    /// workers split them), give one answer; a running sum does not.
    func testTheSumDoesNotDependOnOrderOrSplitting() {
        var generator = SystemRandomNumberGenerator()
        var values: [Double] = []
        for _ in 0..<10_000 {
            let magnitude = Double(sign: .plus, exponent: Int(generator.next() % 80) - 40, significand: 1 + Double(generator.next() % 1000) / 1000)
            values.append(generator.next() % 2 == 0 ? magnitude : -magnitude)
        }
        let reference = sum(values)
        var runningSums = Set<Double>()
        for _ in 0..<5 {
            values.shuffle()
            XCTAssertEqual(sum(values), reference)
            runningSums.insert(values.reduce(0, +))
            var parts = [ExactSum](repeating: ExactSum(), count: 7)
            for (index, value) in values.enumerated() { parts[index * 7 / values.count].add(value) }
            var merged = ExactSum()
            for part in parts.shuffled() { merged.add(part) }
            XCTAssertEqual(merged.value, reference)
        }
        XCTAssertGreaterThan(runningSums.count, 1, "a running sum should depend on the order, or this test shows nothing")
    }

    /// A tally is encoded as the engine carries it between map and reduce, and read back whole.
    func testATallyRoundTripsThroughItsEncoding() throws {
        for values in [[], [2.5], [1e300, -1e300, 0.1, -7], [-.leastNonzeroMagnitude], [.nan, 3], [-(.greatestFiniteMagnitude), -1]] {
            var tally = Tally()
            for value in values { tally.add(value) }
            let bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: Tally.maxEncodedSize, alignment: 1)
            defer { bytes.deallocate() }
            let length = tally.encode(into: bytes.baseAddress!)
            let read = try XCTUnwrap(Tally(encoded: ByteSlice(rebasing: bytes[..<length])), "\(values)")
            XCTAssertEqual(read.count, tally.count)
            XCTAssertEqual(read.sum.bitPattern, tally.sum.bitPattern, "\(values)")
            XCTAssertEqual(read.minimum, tally.minimum)
            XCTAssertEqual(read.maximum, tally.maximum)
            XCTAssertNil(Tally(encoded: ByteSlice(rebasing: bytes[..<(length - 1)])), "a cut encoding is refused")
        }
        var tally = Tally()
        for value in [3.0, -1.0, 4.0] { tally.add(value) }
        XCTAssertEqual(tally.mean, 2.0)
        XCTAssertEqual(tally.minimum, -1)
        XCTAssertEqual(tally.maximum, 4)
    }
}
