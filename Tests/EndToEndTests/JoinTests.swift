import Foundation
import TestSupport
import XCTest

/// `mr join` (a reduce-side join of two tables) against the join computed here with nested loops.
final class JoinTests: TemporaryDirectoryTestCase {
    func testInnerAndLeftJoinsEqualTheJoinComputedFromTheRows() throws {
        var generator = SystemRandomNumberGenerator()
        // Customers c0..c299 (some without orders); orders reference c0..c349 (some unknown).
        var customers: [(id: String, line: String)] = []
        for number in 0..<300 { customers.append(("c\(number)", "c\(number)\tname \(number)\tcity \(number % 7)")) }
        var orders: [(customer: String, line: String)] = []
        for number in 0..<5_000 {
            let customer = "c\(generator.next() % 350)"
            orders.append((customer, "o\(number)\t\(customer)\t\(generator.next() % 1000)"))
        }
        let ordersFolder = try directory.appendingPathComponent("orders").creatingDirectory()
        for part in 0..<3 {
            let lines = orders.enumerated().filter { $0.offset % 3 == part }.map { $0.element.line + "\n" }.joined()
            try Data(lines.utf8).write(to: ordersFolder.appendingPathComponent("part-\(part).tsv"))
        }
        let customersFile = directory.appendingPathComponent("customers.tsv")
        try Data(customers.map { $0.line + "\n" }.joined().utf8).write(to: customersFile)

        func reference(keepingUnmatched: Bool) -> [String] {
            var lines: [String] = []
            for order in orders {
                let matches = customers.filter { $0.id == order.customer }
                for customer in matches { lines.append("\(order.customer)\t\(order.line)\t\(customer.line)") }
                if matches.isEmpty && keepingUnmatched { lines.append("\(order.customer)\t\(order.line)") }
            }
            // As mr writes a value: a tab in it as \t.
            return lines.map { line -> String in
                let tab = line.firstIndex(of: "\t")!
                return String(line[...tab]) + line[line.index(after: tab)...].replacingOccurrences(of: "\t", with: "\\t")
            }.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        }
        for how in ["inner", "left"] {
            for workers in ["1", "3"] {
                let output = directory.appendingPathComponent("\(how)-\(workers)")
                try MR.succeed(["join", ordersFolder.path + "/", customersFile.path, "--left", ordersFolder.path, "--left-key", "2",
                                "--how", how, "--workers", workers, "--reducers", "4", "--output", output.path])
                XCTAssertEqual(try MR.sortedLines(output, keysUnique: false), reference(keepingUnmatched: how == "left"), "\(how), \(workers) workers")
            }
        }
        let refused = try MR.run(["join", customersFile.path, "--output", directory.appendingPathComponent("no-left").path])
        XCTAssertEqual(refused.status, 64, refused.stderr)
        XCTAssertTrue(refused.stderr.contains("--left"), refused.stderr)
    }
}
