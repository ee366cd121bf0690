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
    }
}
