import Foundation
import TestSupport
import XCTest

/// The progress bar: drawn on a terminal, never in a pipe.
final class ProgressTests: XCTestCase {
    func testABarWithPercentageOnATerminalAndNothingInAPipe() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let books = try directory.appendingPathComponent("books").creatingDirectory()
        _ = try gutenbergBooks(gzippedInto: books)
        let arguments = ["wordcount", books.path, "--split-size", "256K", "--workers", "2"]
        // Under a pseudo-terminal (script(1)), each task waiting 200 ms so the bar is redrawn.
        let command = ([MR.executable.path] + arguments + ["--output", directory.appendingPathComponent("tty").path])
            .map { "'\($0)'" }.joined(separator: " ")
        let cache = MR.cache
        let terminal = String(decoding: try runProgram(["env", "MR_TEST_TASK_DELAY_MS=200", "MR_CACHE_DIR=\(cache)",
                                                        "script", "-qec", "stty cols 200; " + command, "/dev/null"]), as: UTF8.self)
        let redraws = terminal.components(separatedBy: "\r\u{1B}[K").dropFirst().map { $0.prefix { $0 != "\r" && $0 != "\n" } }
        let bars = redraws.filter { $0.hasPrefix("wordcount [") }
        XCTAssertGreaterThan(bars.count, 2, terminal)
        let percents = bars.compactMap { bar in bar.split(separator: "]").dropFirst().first?.split(separator: "%").first.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) } }
        XCTAssertEqual(percents.count, bars.count, "every bar shows a percentage: \(bars)")
        XCTAssertEqual(percents, percents.sorted(), "the percentage never goes back: \(percents)")
        XCTAssertTrue(bars.contains { $0.contains(" MB/s  map ") && $0.contains(" running ") && $0.contains(" failed") }, "\(bars)")
        XCTAssertTrue(bars.contains { $0.contains("ETA ") }, "\(bars)")
        XCTAssertTrue(terminal.contains("\r\u{1B}[Kmr wordcount ("), "the bar is cleared before the summary")

        let piped = try MR.run(arguments + ["--output", directory.appendingPathComponent("pipe").path], environment: ["MR_TEST_TASK_DELAY_MS": "200"])
        XCTAssertEqual(piped.status, 0)
        XCTAssertFalse(piped.stderr.contains("\u{1B}["), piped.stderr)
        XCTAssertFalse(piped.stderr.contains("\r"), piped.stderr)
        XCTAssertTrue(piped.stderr.hasPrefix("mr wordcount ("), piped.stderr)
    }
}
