import Foundation
import TestSupport
import XCTest

/// A job written with `String` keys and values, `Double` values and the `.tally` combiner, as a
/// newcomer writes one, against figures computed here from the lines.
final class TypedValuesTests: TemporaryDirectoryTestCase {
    func testStringKeysDoubleValuesAndTalliesReachReduce() throws {
        let job = directory.appendingPathComponent("linestats.swift")
        try """
            import MapReduce
            public struct LineStats: Job {
                public static let name = "linestats"
                public static let summary = "Line lengths: count, mean, shortest and longest, by first letter"
                public static let combiner: Combiner? = .tally
                public init(options: JobOptions) {}
                public func map(_ record: Record, _ output: MapOutput) {
                    let letter = record.bytes.first.map { String(UnicodeScalar($0)) } ?? "empty"
                    output.emit("letter " + letter, double: Double(record.bytes.count))
                    output.emit("all", double: Double(record.bytes.count) / 4)
                }
                public func reduce(_ key: ByteSlice, _ values: inout ReduceValues, _ output: ReduceOutput) {
                    let tally = values.tally()
                    output.emit(key, text: "\\(tally.count) \\(tally.mean) \\(tally.minimum) \\(tally.maximum)")
                }
            }
            """.write(to: job, atomically: true, encoding: .utf8)
        var generator = SystemRandomNumberGenerator()
        var lines: [String] = []
        for _ in 0..<20_000 {
            let length = Int(generator.next() % 60)
            lines.append(String((0..<length).map { _ in Character(UnicodeScalar(UInt8(97 + generator.next() % 5))) }))
        }
        let input = directory.appendingPathComponent("lines.txt")
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: input)

        // Lengths are whole numbers (quarters for "all"): plain sums here are exact.
        var groups: [String: [Double]] = [:]
        for line in lines {
            groups["letter " + (line.first.map(String.init) ?? "empty"), default: []].append(Double(line.utf8.count))
            groups["all", default: []].append(Double(line.utf8.count) / 4)
        }
        let expected = groups.map { key, values in
            "\(key)\t\(values.count) \(values.reduce(0, +) / Double(values.count)) \(values.min()!) \(values.max()!)"
        }.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        for settings in [["--workers", "3", "--split-size", "16K"], ["--mode", "threads"]] {
            let output = directory.appendingPathComponent("out-\(settings[0])")
            try MR.succeed([job.path, input.path, "--output", output.path] + settings)
            XCTAssertEqual(try MR.sortedLines(output), expected, settings.joined(separator: " "))
        }
    }
}
