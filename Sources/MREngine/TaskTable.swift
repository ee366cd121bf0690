import MRBase
import MRInput
import MROutput
import MRPlugins
import MRReport
import MRShuffle
import MRStreaming
import MRSystem
import MRWorkers
import MapReduce
/// The coordinator's table of tasks and their states: which attempt runs next, what happens when
/// an attempt finishes or fails, when a straggler gets a backup. Plain logic, no I/O, no clock
/// (callers pass the time), so it is tested without spawning anything.
///
/// Reduce tasks are handed out only once every map task is committed (each reduce reads every
/// map task's output). Map tasks are handed out largest first, as Hadoop orders its splits: the
/// last to start are the short ones, so the workers finish together. A task is committed once,
/// by its first successful attempt; a task whose attempts fail `maxAttempts` times fails the job.
package struct TaskTable {
    struct TaskState {
        var attemptsStarted = 0
        var failures = 0
        /// Attempts in flight: when each started, and whether as a backup of a straggler.
        var running: [Int: (started: Double, isBackup: Bool)] = [:]
        var queued = true
        var committed = false
        /// Its input cannot be read yet (a relayed piece whose start the task before has not left).
        var withheld = false
    }

    private var maps: [TaskState]
    private var reduces: [TaskState]
    /// Kept as tasks change, so that no event scans the table (with 10,000 tasks, a scan per
    /// event made the coordinator's work grow with the square of the task count): committed
    /// tasks per phase, withheld map tasks, and per phase a place in hand-out order at or before
    /// its first queued task.
    private var committedCount: [TaskKind: Int] = [.map: 0, .reduce: 0]
    private var withheldCount = 0
    private var firstQueued: [TaskKind: Int] = [.map: 0, .reduce: 0]
    /// The map tasks in the order they are handed out, and each one's place in it (the places
    /// `firstQueued` counts for maps).
    private let mapOrder: [Int]
    private let mapPlace: [Int]
    /// How long committed attempts took, per phase: what "slow" means for backups.
    private var durations: [TaskKind: [Double]] = [:]
    package let maxAttempts: Int
    /// A running attempt gets a backup only after this many seconds, and after 1.5x the median
    /// duration of its phase's finished attempts.
    package let backupAfter: Double
    package private(set) var backupsStarted = 0

    /// `withheld` map tasks wait for ``release(mapTask:)``; map tasks are handed out by
    /// decreasing `mapSizes` (in task order among equals), in task order without them.
    package init(mapTasks: Int, reduceTasks: Int, maxAttempts: Int, backupAfter: Double = 2, withheld: Set<Int> = [],
                 mapSizes: [Int64]? = nil) {
        maps = (0..<mapTasks).map { withheld.contains($0) ? TaskState(queued: false, withheld: true) : TaskState() }
        mapOrder = mapSizes.map { sizes in (0..<mapTasks).sorted { (sizes[$0], $1) > (sizes[$1], $0) } } ?? Array(0..<mapTasks)
        var place = Array(repeating: 0, count: mapTasks)
        for (position, task) in mapOrder.enumerated() { place[task] = position }
        mapPlace = place
        reduces = Array(repeating: TaskState(), count: reduceTasks)
        withheldCount = maps.filter(\.withheld).count
        self.maxAttempts = maxAttempts
        self.backupAfter = backupAfter
    }

    package var mapsCommitted: Int { committedCount[.map]! }
    package var reducesCommitted: Int { committedCount[.reduce]! }
    package var mapTaskCount: Int { maps.count }
    package var reduceTaskCount: Int { reduces.count }
    package var isFinished: Bool { mapsCommitted == maps.count && reducesCommitted == reduces.count }
    /// Every map task is committed.
    package var mapPhaseIsDone: Bool { mapsCommitted == maps.count }

    /// The phase whose tasks run now.
    private var phase: TaskKind { mapsCommitted == maps.count ? .reduce : .map }

    /// Marks a task committed by an earlier run (`--resume`); false if it is not in this table.
    package mutating func markCommitted(_ task: TaskID) -> Bool {
        guard task.index < (task.kind == .map ? maps.count : reduces.count) else { return false }
        if !self[task].committed { committedCount[task.kind]! += 1 }
        self[task].committed = true
        self[task].queued = false
        return true
    }

    package func isCommitted(_ task: TaskID) -> Bool { self[task].committed }

    /// A withheld map task's input is ready: it may run.
    package mutating func release(mapTask index: Int) {
        guard maps[index].withheld else { return }
        maps[index].withheld = false
        withheldCount -= 1
        maps[index].queued = !maps[index].committed
        if maps[index].queued { firstQueued[.map] = min(firstQueued[.map]!, mapPlace[index]) }
    }

    /// The next attempt to run, or nil if nothing should start now. With `backups`, once no task
    /// of the phase is waiting, the slowest running attempt may get a second copy.
    package mutating func nextAssignment(now: Double, backups: Bool = false) -> TaskAssignment? {
        let kind = phase
        let count = kind == .map ? maps.count : reduces.count
        func task(at place: Int) -> TaskID { TaskID(kind: kind, index: kind == .map ? mapOrder[place] : place) }
        var place = firstQueued[kind]!
        while place < count && !self[task(at: place)].queued { place += 1 }
        firstQueued[kind] = place
        if place < count {
            return start(task(at: place), now: now)
        }
        // A withheld task will want the worker a backup would take.
        guard backups, kind == .reduce || withheldCount == 0 else { return nil }
        let states = kind == .map ? maps : reduces
        let finished = (durations[kind] ?? []).sorted()
        let typical = finished.isEmpty ? 0 : finished[finished.count / 2]
        let threshold = max(backupAfter, typical * 1.5)
        let stragglers = states.indices.filter { !states[$0].committed && states[$0].running.count == 1 }
            .map { (index: $0, started: states[$0].running.values.first!.started) }
            .filter { now - $0.started >= threshold }
        guard let slowest = stragglers.min(by: { $0.started < $1.started }) else { return nil }
        backupsStarted += 1
        return start(TaskID(kind: kind, index: slowest.index), now: now, isBackup: true)
    }

    private mutating func start(_ task: TaskID, now: Double, isBackup: Bool = false) -> TaskAssignment {
        var state = self[task]
        state.attemptsStarted += 1
        state.queued = false
        state.running[state.attemptsStarted] = (now, isBackup)
        self[task] = state
        return TaskAssignment(task: task, attempt: state.attemptsStarted)
    }

    /// Records a successful attempt. Returns whether to commit its output (false if another
    /// attempt already did) and the other attempts of the task still running, to be stopped.
    package mutating func succeeded(_ assignment: TaskAssignment, now: Double) -> (commit: Bool, cancel: [TaskAssignment]) {
        var state = self[assignment.task]
        let started = state.running.removeValue(forKey: assignment.attempt)
        guard !state.committed else {
            self[assignment.task] = state
            return (false, [])
        }
        state.committed = true
        committedCount[assignment.task.kind]! += 1
        let others = state.running.keys.sorted().map { TaskAssignment(task: assignment.task, attempt: $0) }
        self[assignment.task] = state
        if let started { durations[assignment.task.kind, default: []].append(now - started.started) }
        return (true, others)
    }

    /// Records a failed attempt: the task is queued again unless another attempt is still
    /// running; returns false when the job must fail (`maxAttempts` failures, or a failure no
    /// retry can mend).
    package mutating func failed(_ assignment: TaskAssignment, retryable: Bool) -> Bool {
        var state = self[assignment.task]
        defer { self[assignment.task] = state }
        guard state.running.removeValue(forKey: assignment.attempt) != nil, !state.committed else { return true }
        state.failures += 1
        guard retryable && state.failures < maxAttempts else { return false }
        if state.running.isEmpty {
            state.queued = true
            let place = assignment.task.kind == .map ? mapPlace[assignment.task.index] : assignment.task.index
            firstQueued[assignment.task.kind] = min(firstQueued[assignment.task.kind]!, place)
        }
        return true
    }

    /// A running attempt's start and whether it is a backup; nil once it is no longer running.
    package func runningAttempt(_ assignment: TaskAssignment) -> (started: Double, isBackup: Bool)? {
        self[assignment.task].running[assignment.attempt]
    }

    /// Forgets an attempt stopped on purpose (a backup that lost): not a failure.
    package mutating func cancelled(_ assignment: TaskAssignment) {
        self[assignment.task].running.removeValue(forKey: assignment.attempt)
    }

    package func failures(of task: TaskID) -> Int { self[task].failures }

    private subscript(task: TaskID) -> TaskState {
        get { task.kind == .map ? maps[task.index] : reduces[task.index] }
        set { if task.kind == .map { maps[task.index] = newValue } else { reduces[task.index] = newValue } }
    }
}

extension TaskTable: TaskCounts {}
