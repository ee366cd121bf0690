/// The coordinator's table of tasks and their states: which task runs next, what happens when an
/// attempt finishes or fails. Plain logic, no I/O, so it is tested without spawning anything.
///
/// Reduce tasks are handed out only once every map task is committed (each reduce reads every
/// map task's output). A task failing `maxAttempts` times fails the job.
public struct TaskTable {
    enum State: Equatable {
        case pending
        case running(attempt: Int)
        case committed
    }

    private var mapStates: [State]
    private var reduceStates: [State]
    private var attemptsMade: [TaskID: Int] = [:]
    public let maxAttempts: Int

    public init(mapTasks: Int, reduceTasks: Int, maxAttempts: Int) {
        mapStates = Array(repeating: .pending, count: mapTasks)
        reduceStates = Array(repeating: .pending, count: reduceTasks)
        self.maxAttempts = maxAttempts
    }

    public var mapsCommitted: Int { mapStates.filter { $0 == .committed }.count }
    public var reducesCommitted: Int { reduceStates.filter { $0 == .committed }.count }
    public var mapTaskCount: Int { mapStates.count }
    public var reduceTaskCount: Int { reduceStates.count }
    public var isFinished: Bool { mapsCommitted == mapStates.count && reducesCommitted == reduceStates.count }

    /// The next attempt to run, or nil if nothing can start now.
    public mutating func nextAssignment() -> TaskAssignment? {
        if let index = mapStates.firstIndex(of: .pending) {
            return start(TaskID(kind: .map, index: index))
        }
        guard mapsCommitted == mapStates.count, let index = reduceStates.firstIndex(of: .pending) else { return nil }
        return start(TaskID(kind: .reduce, index: index))
    }

    private mutating func start(_ task: TaskID) -> TaskAssignment {
        let attempt = attemptsMade[task, default: 0] + 1
        attemptsMade[task] = attempt
        setState(.running(attempt: attempt), of: task)
        return TaskAssignment(task: task, attempt: attempt)
    }

    /// Records a successful attempt; returns false if the task was already committed (the
    /// caller then discards this attempt's output).
    public mutating func succeeded(_ assignment: TaskAssignment) -> Bool {
        guard state(of: assignment.task) != .committed else { return false }
        setState(.committed, of: assignment.task)
        return true
    }

    /// Records a failed attempt: the task goes back to pending, or, after `maxAttempts`
    /// attempts or a failure no retry can mend, returns false: the job fails.
    public mutating func failed(_ assignment: TaskAssignment, retryable: Bool) -> Bool {
        guard state(of: assignment.task) == .running(attempt: assignment.attempt) else { return true }
        let attempts = attemptsMade[assignment.task, default: 0]
        guard retryable && attempts < maxAttempts else { return false }
        setState(.pending, of: assignment.task)
        return true
    }

    public func attempts(of task: TaskID) -> Int { attemptsMade[task, default: 0] }

    func state(of task: TaskID) -> State {
        task.kind == .map ? mapStates[task.index] : reduceStates[task.index]
    }

    private mutating func setState(_ state: State, of task: TaskID) {
        if task.kind == .map { mapStates[task.index] = state } else { reduceStates[task.index] = state }
    }
}
