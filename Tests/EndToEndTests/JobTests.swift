import Foundation
import TestSupport
import XCTest

/// The jobs shipped in jobs/ against references computed here, on the real books.
final class ShippedJobTests: XCTestCase {
    private static var directory: URL!
    private static var books: [(name: String, text: Data)] = []

    override class func setUp() {
        directory = try! makeTemporaryDirectory()
        let input = directory.appendingPathComponent("books")
        try! FileManager.default.createDirectory(at: input, withIntermediateDirectories: true)
        books = try! gutenbergBooksByName(gzippedInto: input)
    }

    override class func tearDown() {
        try? FileManager.default.removeItem(at: directory)
    }

    private var input: URL { Self.directory.appendingPathComponent("books") }

    /// Runs a shipped job in processes mode with 2 workers and R = 3; returns its sorted lines.
    private func run(_ job: String, _ options: [String] = []) throws -> (lines: [String], stderr: String) {
        let output = Self.directory.appendingPathComponent("out-\(job)-\(UUID().uuidString)")
        let outcome = try MR.succeed([job, input.path, "--mode", "processes", "--workers", "2", "--reducers", "3",
                                      "--split-size", "512K", "--output", output.path] + options)
        return (try MR.sortedLines(output, keysUnique: job != "grep"), outcome.stderr)
    }

    func testWordCount() throws {
        XCTAssertEqual(try run("wordcount").lines, referenceWordCount(Self.books.map(\.text)))
    }

    func testIndexer() throws {
        var documents: [String: Set<String>] = [:]
        for book in Self.books {
            for word in referenceWords(book.text) { documents[word, default: []].insert(book.name) }
        }
        let expected = documents.map { word, names in
            "\(word)\t\(names.count) " + names.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }.joined(separator: ",")
        }.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        let lines = try run("indexer").lines
        XCTAssertEqual(lines, expected)
        XCTAssertTrue(lines.contains("zeal\t2 pg-frankenstein.txt.gz,pg-tom_sawyer.txt.gz"))
    }

    func testNGramsWithTheDefaultAndAGivenN() throws {
        for n in [1, 2, 3, 5] {
            var counts: [String: Int] = [:]
            for book in Self.books {
                for line in referenceLines(book.text) {
                    let words = referenceWords(line)
                    guard words.count >= n else { continue }
                    for start in 0...(words.count - n) { counts[words[start..<start + n].joined(separator: " "), default: 0] += 1 }
                }
            }
            let options = n == 2 ? [] : ["--n", "\(n)"]
            XCTAssertEqual(try run("ngrams", options).lines, sortedCountLines(counts), "n = \(n)")
        }
    }

    func testTightMemoryBudgetSpillsSortedRunsAndChangesNothing() throws {
        let roomy = try run("ngrams", ["--n", "3"])
        let tight = try run("ngrams", ["--n", "3", "--memory", "1M"])
        XCTAssertEqual(tight.lines, roomy.lines)
        func number(_ label: String, _ text: String) -> Int {
            let line = text.split(separator: "\n").first { $0.contains(label) } ?? ""
            return line.split(separator: " ").compactMap { Int($0.trimmingCharacters(in: .punctuationCharacters)) }.first ?? -1
        }
        let mapTasks = number("  tasks ", tight.stderr)
        XCTAssertEqual(number("spills", roomy.stderr), mapTasks, "one run per map task when memory suffices")
        XCTAssertGreaterThan(number("spills", tight.stderr), 2 * mapTasks, tight.stderr)
    }

    func testGrepIsMapOnlyAndCountsMatches() throws {
        let pattern = "Baker Street"
        var expected: [String] = []
        for book in Self.books {
            for (index, line) in referenceLines(book.text).enumerated() where line.range(of: Data(pattern.utf8)) != nil {
                expected.append("\(book.name):\(index + 1)\t" + String(decoding: line, as: UTF8.self))
            }
        }
        XCTAssertGreaterThan(expected.count, 10)
        let result = try run("grep", ["--pattern", pattern])
        XCTAssertEqual(result.lines, expected.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) })
        XCTAssertTrue(result.stderr.contains("matching lines          \(expected.count)\n"), result.stderr)
        XCTAssertTrue(result.stderr.contains(" 0 reduce;"), result.stderr)
    }
}
