import Foundation
import TestSupport
import XCTest

/// The progress bar: drawn on a terminal, never in a pipe.
final class ProgressTests: XCTestCase {
    /// Under a pseudo-terminal (script(1)) of 200, 80 and 40 columns, each task waiting 200 ms so
    /// the line is redrawn: every redraw fits the width, the map phase and then the reduce phase
    /// are shown, each percentage only goes forward, and the line is cleared before the summary.
    func testTheLineFitsTheTerminalGoesForwardAndIsAbsentInAPipe() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let books = try directory.appendingPathComponent("books").creatingDirectory()
        _ = try gutenbergBooks(gzippedInto: books)
        let arguments = ["wordcount", books.path, "--split-size", "256K", "--workers", "2", "--reducers", "4"]
        for columns in [200, 80, 40] {
            let command = ([MR.executable.path] + arguments + ["--output", directory.appendingPathComponent("tty-\(columns)").path])
                .map { "'\($0)'" }.joined(separator: " ")
            let terminal = String(decoding: try runProgram(["env", "MR_TEST_TASK_DELAY_MS=200", "MR_CACHE_DIR=\(MR.cache)",
                                                            "script", "-qec", "stty cols \(columns); " + command, "/dev/null"]), as: UTF8.self)
            let redraws = terminal.components(separatedBy: "\r\u{1B}[K").dropFirst().map { String($0.prefix { $0 != "\r" && $0 != "\n" }) }
                .filter { !$0.isEmpty && !$0.hasPrefix("mr wordcount (") }
            XCTAssertGreaterThan(redraws.count, 2, terminal)
            for redraw in redraws { XCTAssertLessThan(redraw.count, columns, "wider than \(columns) columns: \(redraw)") }
            func percents(_ phase: String) -> [Int] {
                redraws.compactMap { line -> Int? in
                    guard let range = line.range(of: phase + " ") else { return nil }
                    let rest = line[range.upperBound...].drop { $0 == "[" || $0 == "#" || $0 == "-" || $0 == "]" || $0 == " " }
                    return Int(rest.prefix { $0.isNumber })
                }
            }
            let map = percents("map"), reduce = percents("reduce")
            XCTAssertGreaterThan(map.count, 1, "\(columns) columns: \(redraws)")
            XCTAssertGreaterThan(reduce.count, 0, "\(columns) columns: \(redraws)")
            XCTAssertEqual(map, map.sorted(), "the map percentage never goes back: \(map)")
            XCTAssertEqual(reduce, reduce.sorted(), "the reduce percentage never goes back: \(reduce)")
            XCTAssertTrue(redraws.lastIndex { $0.contains("map ") }! < redraws.firstIndex { $0.contains("reduce ") }!, "map, then reduce")
            if columns >= 80 {
                XCTAssertTrue(redraws.contains { $0.hasPrefix("wordcount  map [") && $0.contains(" MB/s") && $0.contains(" tasks") }, "\(redraws)")
                XCTAssertTrue(redraws.contains { $0.contains("ETA ") }, "\(redraws)")
            }
            XCTAssertTrue(terminal.contains("\r\u{1B}[Kmr wordcount ("), "the line is cleared before the summary")
        }
        let piped = try MR.run(arguments + ["--output", directory.appendingPathComponent("pipe").path], environment: ["MR_TEST_TASK_DELAY_MS": "200"])
        XCTAssertEqual(piped.status, 0)
        XCTAssertFalse(piped.stderr.contains("\u{1B}["), piped.stderr)
        XCTAssertFalse(piped.stderr.contains("\r"), piped.stderr)
        XCTAssertTrue(piped.stderr.hasPrefix("mr wordcount ("), piped.stderr)
    }
}
