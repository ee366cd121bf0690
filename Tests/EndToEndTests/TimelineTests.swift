import Foundation
import TestSupport
import XCTest

/// `--timeline FILE.svg`: a bar per attempt on its worker's row, where and as long as the run
/// report's timeline says, failed attempts marked; rsvg-convert renders it.
final class TimelineTests: BooksTestCase {
    func testEveryAttemptIsABarAtTheTimesTheReportGives() throws {
        let output = directory.appendingPathComponent("out")
        let picture = directory.appendingPathComponent("timeline.svg")
        // One map task crashes on its first attempt: a failed bar, then the task again.
        try MR.succeed(["wordcount", books.path, "--split-size", "256K", "--workers", "2", "--reducers", "3",
                        "--output", output.path, "--timeline", picture.path],
                       environment: ["MR_FAULTS": "crash=1,task=map-00002,first-attempt-only,seed=3"])
        let report = try MR.report(output)
        let timeline = try XCTUnwrap(report["timeline"] as? [[String: Any]])
        let tasks = try XCTUnwrap(report["tasks"] as? [String: Int])
        XCTAssertEqual(timeline.filter { $0["outcome"] as? String == "committed" }.count, tasks["map"]! + tasks["reduce"]!,
                       "one committed attempt per task")
        let failed = timeline.filter { $0["outcome"] as? String == "failed" }
        XCTAssertEqual(failed.map { $0["task"] as? String }, ["map-00002"])
        for span in timeline {
            let start = try XCTUnwrap(span["start"] as? Double), end = try XCTUnwrap(span["end"] as? Double)
            XCTAssertLessThanOrEqual(start, end)
            XCTAssertTrue([0, 1].contains(span["worker"] as? Int), "\(span)")
        }
        // No two attempts overlap on one worker.
        for worker in [0, 1] {
            let spans = timeline.filter { $0["worker"] as? Int == worker }.map { ($0["start"] as! Double, $0["end"] as! Double) }.sorted { $0.0 < $1.0 }
            for (earlier, later) in zip(spans, spans.dropFirst()) { XCTAssertLessThanOrEqual(earlier.1, later.0 + 0.001, "worker \(worker)") }
        }

        let svg = try String(contentsOf: picture, encoding: .utf8)
        var bars: [String: (start: Double, end: Double, x: Double, width: Double)] = [:]
        for rect in svg.components(separatedBy: "<rect ").dropFirst() where rect.contains("data-task=") {
            func attribute(_ name: String) -> String { String(rect.components(separatedBy: "\(name)=\"")[1].prefix { $0 != "\"" }) }
            bars[attribute("data-task") + " " + attribute("data-attempt")] =
                (Double(attribute("data-start"))!, Double(attribute("data-end"))!, Double(attribute("x"))!, Double(attribute("width"))!)
        }
        XCTAssertEqual(bars.count, timeline.count, "a bar per attempt")
        for span in timeline {
            let bar = try XCTUnwrap(bars["\(span["task"]!) \(span["attempt"]!)"], "no bar for \(span)")
            XCTAssertEqual(bar.start, span["start"] as? Double)
            XCTAssertEqual(bar.end, span["end"] as? Double)
        }
        // Bars are placed by their times: a later start lies further right.
        let ordered = bars.values.sorted { $0.start < $1.start }
        for (earlier, later) in zip(ordered, ordered.dropFirst()) where later.start > earlier.start + 0.01 {
            XCTAssertLessThan(earlier.x, later.x)
        }
        XCTAssertTrue(svg.contains("fill=\"#d62728\" stroke=\"white\" data-task=\"map-00002\" data-attempt=\"1\""), "the failed attempt is red")
        XCTAssertTrue(svg.contains("map phase ends"))
        // A map attempt's spill (sorting and writing its output) is drawn at its bar's end.
        let spills = timeline.compactMap { $0["spill"] as? Double }
        XCTAssertEqual(spills.count, timeline.count, "every attempt says its spill time")
        XCTAssertEqual(svg.components(separatedBy: "data-spill=").count - 1,
                       timeline.filter { $0["outcome"] as? String == "committed" && ($0["spill"] as? Double ?? 0) > 0 }.count)
        XCTAssertGreaterThan(timeline.filter { ($0["task"] as? String)?.hasPrefix("map") == true && ($0["spill"] as? Double ?? 0) > 0 }.count, 0)
        guard (try? runProgram(["sh", "-c", "command -v rsvg-convert"])) != nil else {
            throw XCTSkip("needs rsvg-convert (librsvg2-bin) to render the timeline")
        }
        let png = directory.appendingPathComponent("timeline.png")
        try runProgram(["rsvg-convert", picture.path, "-o", png.path])
        XCTAssertEqual(Array(try Data(contentsOf: png).prefix(4)), [0x89, 0x50, 0x4E, 0x47])
    }
}
