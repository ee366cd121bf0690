import Foundation
import MapReduce
@testable import MRShuffle
import TestSupport
import XCTest

/// The map output buffer: runs sorted bytewise, every combiner mode folded right, with and without spills.
final class MapOutputBufferTests: UnitTestCase {
    func testMapOutputRunsAreSortedBytewiseAndSumEveryKeyWithAndWithoutSpills() throws {
        // Keys around the 16 bytes a slot holds and the 48 the queue holds (equal first 16 bytes,
        // trailing NUL bytes, the empty key) among thousands of others, so that the bucketed sort
        // of a large spill runs.
        var keys: [[UInt8]] = [[], [0], Array("ab".utf8), Array("ab".utf8) + [0], Array("ab".utf8) + [0, 0]]
        let base = Array("abcdefghijklmnop".utf8)  // 16 bytes
        // 16, 17, 18, 17, 36, 48 and 49 bytes: the longest queued key (48) and one past it.
        for extra in ["", "q", "qr", "\u{0}", "qrstuvwxyz0123456789", String(repeating: "x", count: 32), String(repeating: "y", count: 33)] {
            keys.append(base + Array(extra.utf8))
        }
        keys.append(Array(base.prefix(15)))
        var state: UInt64 = 3
        for _ in 0..<6_000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1
            let length = Int(state >> 59)  // 0-31 bytes over a 4-letter alphabet: many shared prefixes
            keys.append((0..<length).map { UInt8(97 + (state >> UInt64(2 * $0)) & 3) })
        }
        var expected: [[UInt8]: Int64] = [:]
        // One log for both buffers, as a worker keeps one for its tasks: the second's spills follow the first's.
        let log = try MapOutputLog(directory: directory.path)
        for budget in [64 << 20, 200 << 10] {
            let buffer = MapOutputBuffer.make(combiner: .sum, partitions: 1, log: log, memoryBudget: budget)
            expected = [:]
            for round in 1...3 {
                for key in keys {
                    key.withUnsafeBytes { buffer.emit(key: $0, value: Int64(round)) }
                    expected[key, default: 0] += Int64(round)
                }
            }
            try buffer.finish()
            XCTAssertEqual(try integerSums(of: spills(of: buffer)), expected, "budget \(budget)")
            if budget < 1 << 20 { XCTAssertGreaterThan(buffer.spillsWritten, 1) } else { XCTAssertEqual(buffer.spillsWritten, 1) }

            // Reduce's merge of the runs: one group per key, in strict bytewise order (its tree
            // compares 16-byte key prefixes first; the keys share long prefixes and end in NULs).
            let merge = GroupedMerge(readers: try spills(of: buffer).map { try IntermediateFile.Reader($0) })
            var merged: [[UInt8]: Int64] = [:]
            var previous: [UInt8]?
            while try merge.nextGroup() {
                let key = Array(merge.key)
                if let previous { XCTAssertTrue(previous.lexicographicallyPrecedes(key), "\(previous) before \(key) merged") }
                previous = key
                while let value = merge.nextValue() {
                    guard case .int(let number) = value else { return XCTFail("text value") }
                    merged[key, default: 0] += number
                }
            }
            XCTAssertEqual(merged, expected, "merged, budget \(budget)")
        }
    }

    func testSpillSortOrdersItemsAsTheStandardSortDoes() {
        // Few distinct prefixes, so that ties go to the tie-break (here: by location); inputs
        // sorted, reversed, constant and random; quicksort, insertion sort and (with a split
        // limit of 0 or 1) heapsort.
        var state: UInt64 = 11
        func random(_ bound: UInt64) -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1442695040888963407
            return (state >> 33) % bound
        }
        func before(_ a: SortItem, _ b: SortItem) -> Bool {
            (a.prefix0, a.prefix1, a.location) < (b.prefix0, b.prefix1, b.location)
        }
        for count in [0, 1, 2, 3, 16, 17, 18, 100, 1000, 5000] {
            for pattern in 0..<4 {
                let items = (0..<count).map { index -> SortItem in
                    let rank: UInt64 = pattern == 0 ? UInt64(index) : pattern == 1 ? UInt64(count - index) : pattern == 2 ? 7 : random(9)
                    return SortItem(prefix0: rank / 3, prefix1: rank % 3 == 0 ? random(2) : rank % 3, value: 0,
                                    location: Int(random(1_000_000)) * 8192 + index, length: 0)
                }
                let expected = items.sorted(by: before)
                for splitLimit in [nil, 0, 1] {
                    var sorted = items
                    sorted.withUnsafeMutableBufferPointer {
                        introsort($0.baseAddress ?? UnsafeMutablePointer(bitPattern: 8)!, count: count, splitLimit: splitLimit) {
                            $0.location < $1.location
                        }
                    }
                    XCTAssertEqual(sorted.map(\.location), expected.map(\.location), "count \(count), pattern \(pattern), limit \(String(describing: splitLimit))")
                }
            }
        }
    }

    /// A buffer for `combiner` spilling into a new log in the test's folder.
    private func makeBuffer(_ combiner: Combiner?, partitions: Int = 1, budget: Int) throws -> MapOutputBuffer {
        MapOutputBuffer.make(combiner: combiner, partitions: partitions, log: try MapOutputLog(directory: directory.path), memoryBudget: budget)
    }

    /// The segments of `partition` in the spills `buffer` wrote, found as a reduce task finds them.
    private func spills(of buffer: MapOutputBuffer, partition: Int = 0) -> [IntermediateFile.Segment] {
        buffer.place.spillEnds.map { IntermediateFile.Segment(path: directory.path + "/" + buffer.place.log, partition: partition, spillEnd: $0) }
    }

    /// Every key's integer values summed over the spills `runs`, each run checked to hold its
    /// keys in strictly increasing bytewise order (so each key once).
    private func integerSums(of runs: [IntermediateFile.Segment]) throws -> [[UInt8]: Int64] {
        var sums: [[UInt8]: Int64] = [:]
        for run in runs {
            let reader = try IntermediateFile.Reader(run)
            var previous: [UInt8]?
            while !reader.isAtEnd {
                let key = Array(reader.key)
                if let previous { XCTAssertTrue(previous.lexicographicallyPrecedes(key), "\(previous) before \(key) in \(run)") }
                previous = key
                guard case .int(let value) = reader.value else {
                    XCTFail("text value in \(run)")
                    return sums
                }
                sums[key, default: 0] += value
                try reader.advance()
            }
        }
        return sums
    }

    /// What a buffer wrote, read back as reduce reads it: per partition, each key's values in
    /// the order the merge hands them over.
    private func readBack(_ buffer: MapOutputBuffer, partitions: Int) throws -> [[String: [String]]] {
        return try (0..<partitions).map { partition in
            let merge = GroupedMerge(readers: try spills(of: buffer, partition: partition).map { try IntermediateFile.Reader($0) })
            var groups: [String: [String]] = [:]
            while try merge.nextGroup() {
                let key = String(decoding: merge.key, as: UTF8.self)
                XCTAssertEqual(Int(KeyHash.hash(merge.key) % UInt64(partitions)), partition, "\(key) in the wrong partition")
                while let value = merge.nextValue() {
                    switch value {
                    case .int(let number): groups[key, default: []].append(String(number))
                    case .bytes(let text): groups[key, default: []].append("'" + String(decoding: text, as: UTF8.self))
                    case .double(let number): groups[key, default: []].append("~\(number)")
                    case .tally(let encoded):
                        let tally = encoded.tally
                        groups[key, default: []].append("=\(tally.count) \(tally.sum) \(tally.minimum) \(tally.maximum)")
                    }
                }
            }
            return groups
        }
    }

    /// Counts as skewed as words in text: a key counted more often than the key in its home slot
    /// takes that slot, and every key must still be found, once, with its whole sum.
    func testSkewedCountsKeepEverySumWhileHotKeysMoveHome() throws {
        var state: UInt64 = 7
        var expected: [[UInt8]: Int64] = [:]
        let buffer = try makeBuffer(.sum, budget: 64 << 20)
        for _ in 0..<300_000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            // Rank 20,000^u for u uniform in [0, 1): rank r comes about 1/r as often as rank 1.
            let rank = Int(pow(20_000.0, Double(state >> 11) / Double(1 << 53)))
            let key = Array("w\(rank)".utf8) + (rank % 97 == 0 ? Array(repeating: UInt8(ascii: "z"), count: 20) : [])
            key.withUnsafeBytes { buffer.emit(key: $0, value: 1) }
            expected[key, default: 0] += 1
        }
        try buffer.finish()
        XCTAssertEqual(buffer.spillsWritten, 1)
        XCTAssertEqual(try integerSums(of: spills(of: buffer)), expected)
        XCTAssertGreaterThan(expected.count, 5_000)
    }

    /// Every combiner mode, not only `.sum`: integers folded by `.minimum`, `.maximum` and a
    /// custom fold, text values kept once per key by `.distinct`, and every pair in emission
    /// order without a combiner; with a roomy budget (one run) and a tight one (many spills).
    func testEveryCombinerModeFoldsAsItsReferenceDoes() throws {
        var state: UInt64 = 11
        let pairs: [(key: String, value: Int64, text: String)] = (0..<40_000).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let key = "k\(state >> 40 % 30_000)" + (state & 7 == 0 ? String(repeating: "x", count: 20) : "")  // some keys past 16 bytes
            return (key, Int64(truncatingIfNeeded: state >> 20) % 1000 - 500, "t\(state >> 61)")
        }
        let partitions = 3
        let modes: [(name: String, combiner: Combiner?, emitsText: Bool)] = [
            ("list", nil, false), ("list of text", nil, true), ("minimum", .minimum, false),
            ("maximum", .maximum, false), ("custom", .custom { $0 | $1 }, false), ("distinct", .distinct, true),
        ]
        for mode in modes {
            // The reference: per key, what reduce must see.
            var expected: [String: [String]] = [:]
            for pair in pairs {
                let shown = mode.emitsText ? "'" + pair.text : String(pair.value)
                expected[pair.key, default: []].append(shown)
            }
            for key in expected.keys {
                let values = expected[key]!, numbers = values.compactMap { Int64($0) }
                switch mode.name {
                case "minimum": expected[key] = [String(numbers.min()!)]
                case "maximum": expected[key] = [String(numbers.max()!)]
                case "custom": expected[key] = [String(numbers.reduce(0) { $0 | $1 })]
                case "distinct": expected[key] = Array(Set(values)).sorted()
                default: break  // list: every value, in emission order
                }
            }
            for budget in [64 << 20, 300 << 10] {
                let buffer = try makeBuffer(mode.combiner, partitions: partitions, budget: budget)
                for pair in pairs {
                    Array(pair.key.utf8).withUnsafeBytes { key in
                        if mode.emitsText {
                            Array(pair.text.utf8).withUnsafeBytes { buffer.emit(key: key, text: $0) }
                        } else {
                            buffer.emit(key: key, value: pair.value)
                        }
                    }
                }
                try buffer.finish()
                XCTAssertNil(buffer.misuse)
                if budget < 1 << 20 { XCTAssertGreaterThan(buffer.spillsWritten, 1, mode.name) }
                var merged: [String: [String]] = [:]
                for groups in try readBack(buffer, partitions: partitions) { merged.merge(groups) { $0 + $1 } }
                if mode.combiner == nil {
                    XCTAssertEqual(merged, expected, "\(mode.name), budget \(budget)")
                } else {
                    // Each run folds its own pairs; reduce folds the runs' results the same way.
                    let refolded = merged.mapValues { values -> [String] in
                        let numbers = values.compactMap { Int64($0) }
                        switch mode.name {
                        case "distinct": return Array(Set(values)).sorted()
                        case "minimum": return [String(numbers.min()!)]
                        case "maximum": return [String(numbers.max()!)]
                        default: return [String(numbers.reduce(0) { $0 | $1 })]
                        }
                    }
                    XCTAssertEqual(refolded, expected, "\(mode.name), budget \(budget)")
                    if budget >= 1 << 20 { XCTAssertEqual(merged, expected, "one run: folded once, \(mode.name)") }
                }
            }
        }
    }

    /// `.tally` folds the Double values of each key into count, sum, minimum and maximum, with
    /// one run and with many spills; the values are whole numbers, so a plain sum is the exact
    /// reference. Integer or text values are a misuse it reports.
    func testTheTallyCombinerFoldsDoublesPerKey() throws {
        var state: UInt64 = 5
        let pairs: [(key: String, value: Double)] = (0..<40_000).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let key = "k\(state >> 40 % 20_000)" + (state & 7 == 0 ? String(repeating: "x", count: 20) : "")
            return (key, Double(Int64(truncatingIfNeeded: state >> 20) % 1000 - 500))
        }
        var expected: [String: (count: Int, sum: Double, min: Double, max: Double)] = [:]
        for pair in pairs {
            let old = expected[pair.key] ?? (0, 0, .infinity, -.infinity)
            expected[pair.key] = (old.count + 1, old.sum + pair.value, min(old.min, pair.value), max(old.max, pair.value))
        }
        for budget in [64 << 20, 300 << 10] {
            let buffer = try makeBuffer(.tally, partitions: 3, budget: budget)
            for pair in pairs { Array(pair.key.utf8).withUnsafeBytes { buffer.emit(key: $0, double: pair.value) } }
            try buffer.finish()
            XCTAssertNil(buffer.misuse)
            if budget < 1 << 20 { XCTAssertGreaterThan(buffer.spillsWritten, 1) }
            var merged: [String: [String]] = [:]
            for groups in try readBack(buffer, partitions: 3) { merged.merge(groups) { $0 + $1 } }
            XCTAssertEqual(merged.count, expected.count)
            for (key, tallies) in merged {
                let parts = tallies.map { $0.dropFirst().split(separator: " ").map { Double($0)! } }
                let reference = try XCTUnwrap(expected[key])
                XCTAssertEqual(parts.map { Int($0[0]) }.reduce(0, +), reference.count, key)
                XCTAssertEqual(parts.map { $0[1] }.reduce(0, +), reference.sum, key)
                XCTAssertEqual(parts.map { $0[2] }.min(), reference.min, key)
                XCTAssertEqual(parts.map { $0[3] }.max(), reference.max, key)
                if budget >= 1 << 20 { XCTAssertEqual(tallies.count, 1, "one run: one tally for \(key)") }
            }
        }
        let misused = try makeBuffer(.tally, budget: 1 << 20)
        Array("k".utf8).withUnsafeBytes { misused.emit(key: $0, value: 1) }
        XCTAssertEqual(misused.misuse, "it emits integer values but its combiner, .tally, folds Double values (emit(key, double:))")
        let summed = try makeBuffer(.sum, budget: 1 << 20)
        Array("k".utf8).withUnsafeBytes { summed.emit(key: $0, double: 1) }
        XCTAssertEqual(summed.misuse, "it emits Double values but its combiner folds integers (use .tally or no combiner)")
    }

    /// The table keeps each key's tally in 56 bytes while the sum fits 128 bits at the scale of
    /// the key's smallest value, and moves it into a full accumulator when it does not (a
    /// range of magnitudes past 128 bits, an infinity, a NaN): every key's tally equals the one
    /// `Tally` adds up directly, whichever way each key went.
    func testCompactTalliesEqualFullTalliesForEveryRangeOfMagnitudes() throws {
        var generator = SystemRandomNumberGenerator()
        var expected: [String: Tally] = [:]
        let buffer = try makeBuffer(.tally, budget: 64 << 20)
        for index in 0..<60_000 {
            let key = "k\(index % 40)"
            // Keys 0-9: one magnitude; 10-19: 2^-30..2^30; 20-29: 2^-600..2^600; 30-39: also zeros,
            // subnormals, infinities and a NaN now and then.
            let group = index % 40 / 10
            let span = [1, 30, 600, 1000][group]
            var value = Double(sign: generator.next() % 2 == 0 ? .plus : .minus,
                               exponent: Int(generator.next() % UInt64(2 * span + 1)) - span,
                               significand: 1 + Double(generator.next() % 1_000_000) / 1_000_000)
            if group == 3 {
                switch generator.next() % 50 {
                case 0: value = 0
                case 1: value = .leastNonzeroMagnitude * Double(generator.next() % 100)
                case 2 where index % 7 == 0: value = .infinity
                case 3 where index % 11 == 0: value = .nan
                default: break
                }
            }
            expected[key, default: Tally()].add(value)
            Array(key.utf8).withUnsafeBytes { buffer.emit(key: $0, double: value) }
        }
        try buffer.finish()
        var found = 0
        for run in spills(of: buffer) {
            let reader = try IntermediateFile.Reader(run)
            while !reader.isAtEnd {
                let key = String(decoding: reader.key, as: UTF8.self)
                guard case .tally(let encoded) = reader.value else { return XCTFail("not a tally for \(key)") }
                let tally = encoded.tally, reference = try XCTUnwrap(expected[key])
                XCTAssertEqual(tally.count, reference.count, key)
                XCTAssertEqual(tally.sum.bitPattern, reference.sum.bitPattern, "\(key): \(tally.sum) against \(reference.sum)")
                XCTAssertEqual(tally.minimum, reference.minimum, key)
                XCTAssertEqual(tally.maximum, reference.maximum, key)
                found += 1
                try reader.advance()
            }
        }
        XCTAssertEqual(found, 40)
    }
}
