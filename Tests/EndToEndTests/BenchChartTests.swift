import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import TestSupport
import XCTest

/// `mr bench`'s chart is well-formed SVG, carries the numbers of its table, renders, and no text
/// of it lies over another; its tables fit 100 columns.
final class BenchChartTests: BooksTestCase {
    /// The texts of an SVG document's `<text>` elements; fails the test if it does not parse.
    private func texts(ofSVG data: Data) -> [String] {
        texts(andBoxesOfSVG: data).map(\.text)
    }

    /// The texts of an SVG document with the box each one's `data-box` says it covers.
    private func texts(andBoxesOfSVG data: Data) -> [(text: String, box: CGRect?)] {
        final class Collector: NSObject, XMLParserDelegate {
            var texts: [(text: String, box: CGRect?)] = []
            private var current: String?
            private var box: CGRect?
            func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
                guard name == "text" else { return }
                current = ""
                let numbers = (attributes["data-box"] ?? "").split(separator: " ").compactMap { Double($0) }
                box = numbers.count == 4 ? CGRect(x: numbers[0], y: numbers[1], width: numbers[2], height: numbers[3]) : nil
            }
            func parser(_ parser: XMLParser, foundCharacters string: String) { current? += string }
            func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
                if name == "text", let current { texts.append((current, box)) }
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
        let printed = try MR.standardOutput(["bench", "wordcount", books.path, "--workers", "1,2", "--modes", "sequential,processes",
                                              "--repeat", "1", "--output", output.path])
        XCTAssertEqual(printed.status, 0)
        // The tables and their notes (not the line naming the files written, which holds a path).
        for line in printed.text.split(separator: "\n") where !line.hasPrefix("wrote ") {
            XCTAssertLessThanOrEqual(line.count, 100, "wider than 100 columns: \(line)")
        }
        XCTAssertTrue(printed.text.contains("| run | workers | vs sequential |"), printed.text)
        let labels = texts(ofSVG: try Data(contentsOf: output.appendingPathComponent("speedup.svg")))
        // The title names the data (its middle elided when too long to fit) and its size.
        XCTAssertTrue(labels.contains { $0.hasPrefix("mr bench wordcount: /") && $0.hasSuffix("/books, 3.3 MB of text") }, "\(labels)")
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

    /// Every text of the chart, in every mode and with threads, lies apart from every other (its
    /// box as the chart computes it), inside the picture; rsvg-convert renders it.
    func testNoTextOfTheChartLiesOverAnother() throws {
        let output = directory.appendingPathComponent("bench-all")
        try MR.succeed(["bench", "wordcount", books.path, "--workers", "1,2", "--repeat", "1", "--output", output.path])
        let svg = try Data(contentsOf: output.appendingPathComponent("speedup.svg"))
        let texts = texts(andBoxesOfSVG: svg)
        XCTAssertGreaterThan(texts.count, 20)
        let header = String(decoding: svg.prefix(300), as: UTF8.self)
        let height = Double(header.split(separator: "height=\"")[1].prefix { $0 != "\"" })!
        for (index, text) in texts.enumerated() {
            let box = try XCTUnwrap(text.box, "no data-box on '\(text.text)'")
            XCTAssertTrue(CGRect(x: 0, y: 0, width: 760, height: height).contains(box), "'\(text.text)' \(box) lies outside the picture")
            for other in texts[(index + 1)...] where other.box.map({ $0.intersects(box) }) == true {
                XCTFail("'\(text.text)' \(box) lies over '\(other.text)' \(other.box!)")
            }
        }
        guard (try? runProgram(["sh", "-c", "command -v rsvg-convert"])) != nil else {
            throw XCTSkip("needs rsvg-convert (librsvg2-bin) to render the chart")
        }
        let png = directory.appendingPathComponent("speedup.png")
        try runProgram(["rsvg-convert", output.appendingPathComponent("speedup.svg").path, "-o", png.path])
        let rendered = try Data(contentsOf: png)
        XCTAssertEqual(Array(rendered.prefix(4)), [0x89, 0x50, 0x4E, 0x47], "rsvg-convert wrote no PNG")
    }
}
