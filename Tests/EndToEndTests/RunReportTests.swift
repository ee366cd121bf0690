import Foundation
import TestSupport
import XCTest

/// The run report: `_SUCCESS` holds it as JSON, `--json` prints the same, and its figures agree
/// with the books and the output on disk.
final class RunReportTests: XCTestCase {
    func testSuccessHoldsTheReportAndJsonPrintsIt() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let books = try directory.appendingPathComponent("books").creatingDirectory()
        let texts = try gutenbergBooks(gzippedInto: books)
        let output = directory.appendingPathComponent("out")
        let printed = try MR.standardOutput(["ngrams", books.path, "--n", "3", "--reducers", "3", "--output", output.path, "--json"])
        XCTAssertEqual(printed.status, 0)
        let written = try String(contentsOf: output.appendingPathComponent("_SUCCESS"), encoding: .utf8)
        XCTAssertEqual(printed.text, written, "--json prints what _SUCCESS holds")

        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(written.utf8)) as? [String: Any])
        XCTAssertEqual(report["job"] as? String, "ngrams")
        XCTAssertTrue((report["jobFile"] as? String)?.hasSuffix("/jobs/ngrams.swift") == true)
        XCTAssertEqual(report["options"] as? [String: String], ["n": "3"])
        XCTAssertEqual(report["mode"] as? String, "processes")
        XCTAssertEqual(report["reducers"] as? Int, 3)
        XCTAssertEqual(report["inflater"] as? String, "isal")
        let inputs = try XCTUnwrap(report["inputs"] as? [String: Int])
        XCTAssertEqual(inputs["files"], 8)
        let sizes = try FileManager.default.contentsOfDirectory(atPath: books.path).map {
            try FileManager.default.attributesOfItem(atPath: books.appendingPathComponent($0).path)[.size] as! Int
        }
        XCTAssertEqual(inputs["bytes"], sizes.reduce(0, +))
        XCTAssertEqual(inputs["uncompressedBytes"], texts.map(\.count).reduce(0, +))
        XCTAssertEqual((report["tasks"] as? [String: Int])?["reduce"], 3)
        let attempts = try XCTUnwrap(report["attempts"] as? [String: Int])
        XCTAssertEqual(attempts["failed"], 0)
        let wall = try XCTUnwrap(report["wallSeconds"] as? [String: Double])
        XCTAssertEqual(wall["total"]!, wall["planning"]! + wall["map"]! + wall["reduce"]!, accuracy: 0.002)
        XCTAssertGreaterThan(report["peakResidentBytes"] as? Int ?? 0, 1 << 20)
        let counters = try XCTUnwrap(report["counters"] as? [String: Int])
        XCTAssertEqual(counters["input records"], texts.map { referenceLines($0).count }.reduce(0, +))
        let lines = try MR.sortedLines(output)
        XCTAssertEqual(counters["output records"], lines.count)
        XCTAssertEqual(counters["reduce groups"], lines.count)
        XCTAssertEqual(report["outputs"] as? [String], try MR.parts(output).keys.sorted())
        XCTAssertEqual(report["outputDirectory"] as? String, output.path)
        XCTAssertEqual(report["schemaVersion"] as? Int, 2)
        XCTAssertEqual((report["mrVersion"] as? String)?.split(separator: ".").count, 3)
        XCTAssertEqual(report["commandLine"] as? [String], [MR.executable.path, "ngrams", books.path, "--n", "3", "--reducers", "3",
                                                            "--output", output.path, "--json"])
        // ISO 8601 in UTC, to the second, the end not before the start and close to now.
        let parser = ISO8601DateFormatter()
        let started = try XCTUnwrap(parser.date(from: report["startedAt"] as? String ?? ""), "\(report["startedAt"] ?? "")")
        let ended = try XCTUnwrap(parser.date(from: report["endedAt"] as? String ?? ""))
        XCTAssertTrue((report["endedAt"] as? String)?.hasSuffix("Z") == true)
        XCTAssertLessThanOrEqual(started, ended)
        XCTAssertLessThan(abs(ended.timeIntervalSinceNow), 120)
        XCTAssertNotNil(counters["combine output records"], "ngrams combines")
        XCTAssertEqual(report["topRecords"] as? [[String: Any]] != nil, true)
    }

    /// The counter of combined records is left out for a job without a combiner, and the top
    /// records a job shows are in the report, key and value.
    func testTheReportCarriesWhatTheJobShows() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let books = try directory.appendingPathComponent("books").creatingDirectory()
        let texts = try gutenbergBooks(gzippedInto: books)
        let grep = directory.appendingPathComponent("grep")
        try MR.succeed(["grep", books.path, "--pattern", "Holmes", "--output", grep.path])
        let grepCounters = try XCTUnwrap(try MR.report(grep)["counters"] as? [String: Int])
        XCTAssertNil(grepCounters["combine output records"], "\(grepCounters)")
        XCTAssertNotNil(grepCounters["map output records"])

        let counts = directory.appendingPathComponent("counts")
        try MR.succeed(["wordcount", books.path, "--output", counts.path])
        let top = try XCTUnwrap(try MR.report(counts)["topRecords"] as? [[String: Any]])
        var frequencies: [String: Int] = [:]
        for text in texts { for word in referenceWords(text) { frequencies[word, default: 0] += 1 } }
        let expected = frequencies.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(top.count)
        XCTAssertGreaterThan(top.count, 0)
        XCTAssertEqual(top.map { $0["key"] as? String }, expected.map(\.key))
        XCTAssertEqual(top.map { $0["value"] as? Int }, expected.map(\.value))
    }
}
