import Foundation
import MapReduce
@testable import MRBase
@testable import MREngine
import TestSupport
import XCTest

/// The task table: phases, retries, backups, withheld tasks.
final class TaskTableTests: UnitTestCase {
    func testTaskTableRunsReducesAfterMapsAndGivesUpAfterMaxAttempts() {
        var table = TaskTable(mapTasks: 2, reduceTasks: 1, maxAttempts: 2)
        let map0 = table.nextAssignment(now: 0)!
        let map1 = table.nextAssignment(now: 0)!
        XCTAssertEqual([map0.task.description, map1.task.description], ["map-00000", "map-00001"])
        XCTAssertNil(table.nextAssignment(now: 0), "reduce must wait for every map")
        XCTAssertTrue(table.succeeded(map0, now: 1).commit)
        XCTAssertTrue(table.failed(map1, retryable: true))
        let retry = table.nextAssignment(now: 1)!
        XCTAssertEqual(retry, TaskAssignment(task: map1.task, attempt: 2))
        XCTAssertFalse(table.failed(retry, retryable: true), "two attempts were allowed")

        var second = TaskTable(mapTasks: 1, reduceTasks: 1, maxAttempts: 4)
        let only = second.nextAssignment(now: 0)!
        XCTAssertFalse(second.failed(only, retryable: false), "bad input is not retried")
        var third = TaskTable(mapTasks: 1, reduceTasks: 1, maxAttempts: 4)
        XCTAssertTrue(third.succeeded(third.nextAssignment(now: 0)!, now: 1).commit)
        let reduce = third.nextAssignment(now: 1)!
        XCTAssertEqual(reduce.task.kind, .reduce)
        XCTAssertTrue(third.succeeded(reduce, now: 2).commit)
        XCTAssertFalse(third.succeeded(reduce, now: 2).commit, "a task commits once")
        XCTAssertTrue(third.isFinished)
    }

    /// Map tasks go out largest first (equals in task order), so the short ones come last and the
    /// workers end together; a failed task goes out again before any smaller one still waiting,
    /// and a withheld one as soon as it is released.
    func testMapTasksAreHandedOutLargestFirst() {
        var table = TaskTable(mapTasks: 6, reduceTasks: 1, maxAttempts: 4, withheld: [5], mapSizes: [10, 30, 20, 30, 5, 40])
        func next() -> String? { table.nextAssignment(now: 0).map { "\($0.task.index).\($0.attempt)" } }
        XCTAssertEqual([next(), next()], ["1.1", "3.1"])
        XCTAssertTrue(table.failed(TaskAssignment(task: TaskID(kind: .map, index: 3), attempt: 1), retryable: true))
        XCTAssertEqual([next(), next()], ["3.2", "2.1"])
        table.release(mapTask: 5)
        XCTAssertEqual([next(), next(), next(), next()], ["5.1", "0.1", "4.1", nil])
    }

    func testTaskTableBacksUpAStragglerAndCommitsTheFirstCopyOnly() {
        var table = TaskTable(mapTasks: 3, reduceTasks: 0, maxAttempts: 4, backupAfter: 2)
        let a = table.nextAssignment(now: 0, backups: true)!
        let b = table.nextAssignment(now: 0, backups: true)!
        XCTAssertTrue(table.succeeded(a, now: 1).commit)
        let c = table.nextAssignment(now: 1, backups: true)!
        XCTAssertTrue(table.succeeded(c, now: 2).commit)
        // b has run 2.5 s: past 2 s and 1.5x the median of 1 s.
        XCTAssertNil(table.nextAssignment(now: 1.4, backups: true), "not slow yet")
        let backup = table.nextAssignment(now: 2.5, backups: true)!
        XCTAssertEqual(backup, TaskAssignment(task: b.task, attempt: 2))
        XCTAssertNil(table.nextAssignment(now: 9, backups: true), "one backup per task")
        let decision = table.succeeded(backup, now: 3)
        XCTAssertTrue(decision.commit)
        XCTAssertEqual(decision.cancel, [b], "the original is to be stopped")
        table.cancelled(b)
        XCTAssertFalse(table.succeeded(b, now: 4).commit)
        XCTAssertTrue(table.isFinished)
        XCTAssertEqual(table.backupsStarted, 1)
        XCTAssertEqual(table.failures(of: b.task), 0)
    }

    func testTaskTableHoldsWithheldMapTasksUntilReleasedAndBacksNothingUpMeanwhile() {
        var table = TaskTable(mapTasks: 3, reduceTasks: 1, maxAttempts: 4, backupAfter: 1, withheld: [1, 2])
        let first = table.nextAssignment(now: 0, backups: true)!
        XCTAssertEqual(first.task.index, 0)
        XCTAssertNil(table.nextAssignment(now: 50, backups: true), "withheld tasks wait, and no backup takes their worker")
        table.release(mapTask: 2)
        XCTAssertEqual(table.nextAssignment(now: 50, backups: true)?.task.index, 2)
        XCTAssertTrue(table.markCommitted(TaskID(kind: .map, index: 1)))  // committed by a killed run
        table.release(mapTask: 1)
        XCTAssertNil(table.nextAssignment(now: 50), "a committed task is not queued by its release")
        XCTAssertTrue(table.isCommitted(TaskID(kind: .map, index: 1)))
    }

    /// Tasks requeued by failures, and withheld ones released, run lowest index first, before
    /// later never-run tasks; the committed counts follow every commit (the table keeps a cursor
    /// and counts instead of scanning every task on every event).
    func testRequeuedAndReleasedTasksRunLowestFirstAndCountsFollowCommits() {
        var table = TaskTable(mapTasks: 10, reduceTasks: 2, maxAttempts: 3, withheld: [1])
        var started = (0..<6).map { _ in table.nextAssignment(now: 0)! }
        XCTAssertEqual(started.map(\.task.index), [0, 2, 3, 4, 5, 6], "the withheld task waits")
        XCTAssertTrue(table.failed(started[4], retryable: true))  // map 5
        XCTAssertTrue(table.failed(started[2], retryable: true))  // map 3
        table.release(mapTask: 1)
        started = (0..<4).map { _ in table.nextAssignment(now: 1)! }
        XCTAssertEqual(started.map(\.task.index), [1, 3, 5, 7])
        XCTAssertEqual(started.map(\.attempt), [1, 2, 2, 1])
        for assignment in started { XCTAssertTrue(table.succeeded(assignment, now: 2).commit) }
        XCTAssertEqual(table.mapsCommitted, 4)
        XCTAssertTrue(table.markCommitted(TaskID(kind: .map, index: 8)))
        XCTAssertTrue(table.markCommitted(TaskID(kind: .map, index: 8)), "marking twice counts once")
        XCTAssertEqual(table.mapsCommitted, 5)
        XCTAssertEqual(table.nextAssignment(now: 3)?.task.index, 9, "committed tasks are not run again")
        XCTAssertEqual(table.reducesCommitted, 0)
    }
}
