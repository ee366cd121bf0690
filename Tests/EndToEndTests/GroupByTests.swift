import Foundation
import TestSupport
import XCTest

/// `mr groupby` on a generated CSV table (quoted keys holding commas and quotes, negative values,
/// lines with no integer) against sums, minima, maxima and counts computed here from the rows.
final class GroupByTests: TemporaryDirectoryTestCase {
    func testEachAggregateEqualsTheOneComputedFromTheRows() throws {
        var generator = SystemRandomNumberGenerator()
        let keys = ["Paris", "New York, NY", "Say \"hi\"", "Zürich", "a\tb"]
        var rows: [(key: String, value: Int64)] = []
        var csv = "id,city,amount\n"
        for id in 0..<20_000 {
            let key = keys[Int(generator.next() % UInt64(keys.count))]
            let value = Int64(generator.next() % 2001) - 1000
            rows.append((key, value))
            let quoted = "\"" + key.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            csv += "\(id),\(key.contains(",") || key.contains("\"") || id % 2 == 0 ? quoted : key),\(value)\n"
        }
        csv += "20000,Paris,not-a-number\n"
        let table = directory.appendingPathComponent("sales.csv")
        try Data(csv.utf8).write(to: table)

        let grouped = Dictionary(grouping: rows, by: \.key)
        func reference(_ aggregate: String) -> [String] {
            var result: [String: Int64] = [:]
            for (key, group) in grouped {
                let values = group.map(\.value)
                switch aggregate {
                case "sum": result[key] = values.reduce(0, +)
                case "min": result[key] = values.min()!
                case "max": result[key] = values.max()!
                default: result[key] = Int64(values.count)
                }
            }
            if aggregate == "count" {
                result["city"] = 1  // the header is a row like any other for count
                result["Paris", default: 0] += 1  // and so is the row without a number
            }
            // As mr writes them: a tab in a key escaped.
            return result.map { "\($0.key.replacingOccurrences(of: "\t", with: "\\t"))\t\($0.value)" }
                .sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        }
        for aggregate in ["sum", "min", "max", "count"] {
            let output = directory.appendingPathComponent("by-\(aggregate)")
            let run = try MR.succeed(["groupby", table.path, "--format", "csv", "--key", "2", "--value", "3", "--agg", aggregate,
                                      "--workers", "2", "--reducers", "3", "--split-size", "64K", "--output", output.path])
            XCTAssertEqual(try MR.sortedLines(output), reference(aggregate), aggregate)
            if aggregate != "count" {
                XCTAssertTrue(run.stderr.contains("lines skipped (no integer value) 2"), run.stderr)
            }
        }
        let refused = try MR.run(["groupby", table.path, "--agg", "median"])
        XCTAssertEqual(refused.status, 64, refused.stderr)
        XCTAssertTrue(refused.stderr.contains("--agg must be sum, min, max, count or mean, not 'median'"), refused.stderr)
    }

    /// Floating-point values: sum, mean, min and max against Python's `math.fsum` (the correctly
    /// rounded sum, an implementation not ours), on values of mixed magnitudes where the order of
    /// additions changes a running sum; and the same output on 1 worker, 3 workers with many map
    /// tasks, threads and sequential.
    func testFloatAggregatesAreExactAndTheSameOnAnyNumberOfWorkers() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") else {
            throw XCTSkip("needs /usr/bin/python3 for math.fsum, the reference")
        }
        var generator = SystemRandomNumberGenerator()
        var tsv = ""
        for _ in 0..<30_000 {
            let key = ["north", "south", "east", "west", "x"][Int(generator.next() % 5)]
            let exponent = Int(generator.next() % 24) - 8
            let digits = Int64(generator.next() % 1_000_000) - 500_000
            tsv += "\(key)\t\(digits)e\(exponent)\n"
        }
        tsv += "north\tnot-a-number\n"
        let table = directory.appendingPathComponent("readings.tsv")
        try Data(tsv.utf8).write(to: table)
        let script = """
            import math, sys, collections
            values = collections.defaultdict(list)
            for line in open(sys.argv[1]):
                key, text = line.rstrip("\\n").split("\\t")
                try: values[key].append(float(text))
                except ValueError: pass
            for key in sorted(values):
                v = values[key]
                total = math.fsum(v)
                print(key, repr(total), repr(total / len(v)), repr(min(v)), repr(max(v)))
            """
        let reference = String(decoding: try runProgram(["python3", "-c", script, table.path]), as: UTF8.self)
        var expected: [String: [String: Double]] = ["sum": [:], "mean": [:], "min": [:], "max": [:]]
        for line in reference.split(separator: "\n") {
            let fields = line.split(separator: " ").map(String.init)
            for (index, aggregate) in ["sum", "mean", "min", "max"].enumerated() { expected[aggregate]![fields[0]] = Double(fields[index + 1])! }
        }
        for aggregate in ["sum", "mean", "min", "max"] {
            var outputs: [[String]] = []
            for settings in [["--workers", "1"], ["--workers", "3", "--split-size", "64K", "--reducers", "4"],
                             ["--mode", "threads", "--split-size", "32K"], ["--mode", "sequential"]] {
                let output = directory.appendingPathComponent("\(aggregate)-\(outputs.count)")
                let run = try MR.succeed(["groupby", table.path, "--type", "float", "--agg", aggregate, "--output", output.path] + settings)
                XCTAssertTrue(run.stderr.contains("lines skipped (no number value) 1"), run.stderr)
                outputs.append(try MR.sortedLines(output))
            }
            XCTAssertEqual(Set(outputs).count, 1, "\(aggregate): the output differs between worker counts and modes")
            var found: [String: Double] = [:]
            for line in outputs[0] {
                let fields = line.split(separator: "\t").map(String.init)
                found[fields[0]] = Double(fields[1])
            }
            XCTAssertEqual(found, expected[aggregate], aggregate)
        }
        // A running sum of the same values in file order misses the exact one on some key, or the
        // exactness above is not shown.
        var running: [String: Double] = [:]
        for line in tsv.split(separator: "\n") {
            let fields = line.split(separator: "\t")
            if let value = Double(fields[1]) { running[String(fields[0]), default: 0] += value }
        }
        XCTAssertNotEqual(running, expected["sum"], "the generated values do not show rounding at each step")
    }
}
