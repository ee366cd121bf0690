import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import TestSupport
import XCTest

/// `mr bench`'s chart is well-formed SVG and carries the numbers of its table.
final class BenchChartTests: BooksTestCase {
    /// The texts of an SVG document's `<text>` elements; fails the test if it does not parse.
    private func texts(ofSVG data: Data) -> [String] {
        final class Collector: NSObject, XMLParserDelegate {
            var texts: [String] = []
            private var current: String?
            func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
                if name == "text" { current = "" }
            }
            func parser(_ parser: XMLParser, foundCharacters string: String) { current? += string }
            func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
                if name == "text", let current { texts.append(current) }
                current = nil
            }
        }
        let parser = XMLParser(data: data)
        let collector = Collector()
        parser.delegate = collector
        XCTAssertTrue(parser.parse(), "speedup.svg does not parse: \(String(describing: parser.parserError))")
        return collector.texts
    }

    func testTheChartParsesAndShowsEverySpeedupAndRateOfTheTable() throws {
        let output = directory.appendingPathComponent("bench")
        try MR.succeed(["bench", "wordcount", books.path, "--workers", "1,2", "--modes", "sequential,processes", "--repeat", "1",
                        "--output", output.path])
        let labels = texts(ofSVG: try Data(contentsOf: output.appendingPathComponent("speedup.svg")))
        XCTAssertTrue(labels.contains { $0.hasPrefix("mr bench wordcount: \(books.path),") }, "\(labels)")
        XCTAssertTrue(labels.contains { $0.contains(" core") && $0.contains("medians of 1 rounds") }, "\(labels)")
        for tick in ["1", "2", "0.0", "workers", "speedup over sequential", "MB/s of uncompressed input"] {
            XCTAssertTrue(labels.contains(tick), "no label '\(tick)' in \(labels)")
        }
        XCTAssertTrue(labels.contains { $0.contains("ideal") }, "\(labels)")
        XCTAssertTrue(labels.contains { $0.contains("inflate only") }, "\(labels)")
        // bench.csv: mode,workers,wall_seconds,mb_per_second,speedup_vs_sequential,...
        let rows = try String(contentsOf: output.appendingPathComponent("bench.csv"), encoding: .utf8).split(separator: "\n").dropFirst()
        XCTAssertEqual(rows.count, 7, "2 inflate-only with ISA-L, 2 with zlib, sequential, 2 processes rows")
        for row in rows {
            let cells = row.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            let rate = try XCTUnwrap(Double(cells[3]))
            XCTAssertTrue(labels.contains(String(Int(rate.rounded()))), "MB/s \(rate) of \(row) not shown: \(labels)")
            if let speedup = Double(cells[4]) {
                let shown = (speedup * 100).rounded() / 100
                XCTAssertTrue(labels.contains { $0.hasSuffix("x") && Double($0.dropLast()) == shown }, "speedup \(speedup) of \(row) not shown: \(labels)")
            }
        }
    }
}
