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
        XCTAssertTrue(refused.stderr.contains("--agg must be sum, min, max or count, not 'median'"), refused.stderr)
    }
}
