import Foundation
import MapReduce
@testable import MRBase
@testable import MROutput
import TestSupport
import XCTest

/// The journal of committed tasks.
final class JournalTests: UnitTestCase {
    func testJournalKeepsCommittedTasksAndIgnoresATornLastLine() throws {
        let journal = Journal(path: directory.appendingPathComponent("journal").path)
        var report = TaskReport()
        report.counters.inputRecords = 42
        report.jobCounters = ["skipped": 3]
        report.topRecords = [TopRecord(key: Array("the".utf8), value: 7)]
        try journal.record(TaskID(kind: .map, index: 3), report)
        try journal.record(TaskID(kind: .reduce, index: 1), TaskReport())
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: journal.path))
        try handle.seekToEnd()
        handle.write(Data("map-00004 0a0b".utf8))  // killed while appending
        try handle.close()
        let entries = journal.entries()
        XCTAssertEqual(entries.map(\.task.description), ["map-00003", "reduce-00001"])
        XCTAssertEqual(entries.first?.report, report)
    }
}
