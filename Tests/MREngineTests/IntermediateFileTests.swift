import Foundation
import MapReduce
@testable import MRShuffle
import TestSupport
import XCTest

/// The intermediate file: pairs round-trip, partitions sit behind a checked index, damage is caught.
final class IntermediateFileTests: UnitTestCase {
    func testIntermediateFileRoundTripsAndDetectsDamage() throws {
        let path = directory.appendingPathComponent("part").path
        let writer = try IntermediateFile.Writer(path: path)
        let long = "long" + String(repeating: "x", count: 100_000)
        var tally = Tally()
        for number in [1e300, 0.1, -1e300, 2.5] { tally.add(number) }
        let tallyBytes = UnsafeMutableRawBufferPointer.allocate(byteCount: Tally.maxEncodedSize, alignment: 8)
        defer { tallyBytes.deallocate() }
        let encodedTally = Tally.Encoded(checked: ByteSlice(rebasing: tallyBytes[..<tally.encode(into: tallyBytes.baseAddress!)]))
        let pairs: [(String, Value?)] = [("", .int(0)), ("a", .int(-1)), ("a", nil), ("a", .double(-0.1)), ("b", .int(Int64.max)),
                                         ("b", .double(.infinity)), ("c", .tally(encodedTally)), (long, .int(Int64.min)), (long, nil)]
        func describe(_ value: Value) -> String {
            switch value {
            case .int(let number): "int \(number)"
            case .bytes(let text): "text " + String(decoding: text, as: UTF8.self)
            case .double(let number): "double \(number)"
            case .tally(let encoded): "tally \(encoded.tally.count) \(encoded.tally.sum) \(encoded.tally.minimum) \(encoded.tally.maximum)"
            }
        }
        // nil stands for a text value: the key itself reversed, long ones included.
        var expected: [String] = []
        for (key, value) in pairs {
            let text = Array(key.utf8.reversed())
            try Array(key.utf8).withUnsafeBytes { keyBytes in
                try text.withUnsafeBytes { textBytes in
                    let actual = value ?? .bytes(textBytes)
                    try writer.append(key: keyBytes, value: actual)
                    expected.append(key + " " + describe(actual))
                }
            }
        }
        try writer.finish()

        let reader = try IntermediateFile.Reader(path: path, capacity: 64)
        var read: [String] = []
        while !reader.isAtEnd {
            read.append(String(decoding: reader.key, as: UTF8.self) + " " + describe(reader.value))
            try reader.advance()
        }
        XCTAssertEqual(read, expected)

        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        bytes[6] ^= 0x01
        try bytes.write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try {
            let damaged = try IntermediateFile.Reader(path: path)
            while !damaged.isAtEnd { try damaged.advance() }
        }())
    }

    func testOneRunFileHoldsEveryPartitionBehindAnIndex() throws {
        let path = directory.appendingPathComponent("run").path
        let writer = try IntermediateFile.Writer(path: path, partitions: 5)
        // Partitions 0, 2 and 4 stay empty; 1 and 3 hold pairs.
        let pairs: [Int: [(String, Int64)]] = [1: [("apple", 1), ("pear", 2)], 3: [("fig", 3)]]
        for (partition, partitionPairs) in pairs.sorted(by: { $0.key < $1.key }) {
            try writer.startPartition(partition)
            for (key, value) in partitionPairs {
                try Array(key.utf8).withUnsafeBytes { try writer.append(key: $0, value: .int(value)) }
            }
        }
        try writer.finish()
        func read(_ partition: Int) throws -> [String] {
            let reader = try IntermediateFile.Reader(path: path, partition: partition, capacity: 16)
            var read: [String] = []
            while !reader.isAtEnd {
                read.append(String(decoding: reader.key, as: UTF8.self) + "=\(reader.value.int)")
                try reader.advance()
            }
            return read
        }
        XCTAssertEqual(try (0..<5).map(read), [[], ["apple=1", "pear=2"], [], ["fig=3"], []])
        XCTAssertThrowsError(try read(5), "no such partition")

        // A damaged index, or a damaged segment, is an error, not fewer pairs.
        let original = try Data(contentsOf: URL(fileURLWithPath: path))
        for offset in [original.count - 20, 6] {
            var bytes = original
            bytes[offset] ^= 0x01
            try bytes.write(to: URL(fileURLWithPath: path))
            XCTAssertThrowsError(try read(1), "byte \(offset) flipped")
        }
    }

    /// Spills appended one after another to a worker's map output log, with what a failed
    /// attempt left between them: each is found by where it ends, every partition its own.
    func testSpillsAppendedToOneLogAreEachFoundByWhereTheyEnd() throws {
        let log = try MapOutputLog(directory: directory.path)
        var ends: [Int64] = []
        for spill in 0..<3 {
            if spill == 1 { try Array("MRI4 a failed attempt's spill, cut short".utf8).withUnsafeBytes { try log.output.append($0) } }
            let writer = IntermediateFile.Writer(appendingTo: log.output, partitions: 3)
            for (partition, key) in [(0, "apple"), (2, "pear")] {
                try writer.startPartition(partition)
                try Array("\(key)\(spill)".utf8).withUnsafeBytes { try writer.append(key: $0, value: .int(Int64(spill))) }
            }
            try writer.finish()
            ends.append(writer.end)
        }
        func read(_ spill: Int, _ partition: Int) throws -> [String] {
            let reader = try IntermediateFile.Reader(IntermediateFile.Segment(path: directory.path + "/" + log.name, partition: partition, spillEnd: ends[spill]))
            var read: [String] = []
            while !reader.isAtEnd {
                read.append(String(decoding: reader.key, as: UTF8.self) + "=\(reader.value.int)")
                try reader.advance()
            }
            return read
        }
        for spill in 0..<3 {
            XCTAssertEqual(try (0..<3).map { try read(spill, $0) }, [["apple\(spill)=\(spill)"], [], ["pear\(spill)=\(spill)"]], "spill \(spill)")
        }
    }
}
