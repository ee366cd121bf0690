/// One worker: the caller's own thread, nothing spawned. The baseline for speedups.
final class SequentialPool: WorkerPool {
    private let runner: TaskRunner
    private var finished: [WorkerEvent] = []
    private let memory = MapMemory()

    init(runner: TaskRunner) {
        self.runner = runner
    }

    var size: Int { 1 }

    func start(_ assignment: TaskAssignment, on worker: Int) throws {
        finished.append(.finished(worker: worker, assignment, runner.run(assignment, memory: memory)))
    }

    func nextEvent() throws -> WorkerEvent {
        guard !finished.isEmpty else { throw MRError(.internal, "sequential pool waited with no task running") }
        return finished.removeFirst()
    }

    /// Nothing runs beside the one task, so nothing needs waking.
    var waker: @Sendable () -> Void { {} }

    /// Threads cannot be stopped from outside: the attempt finishes and is discarded.
    func cancel(worker: Int) {}
    var canStopAttempts: Bool { false }

    /// The attempt runs inside ``start``; nothing is ever seen half done.
    func progress(of worker: Int) -> TaskProgress { TaskProgress() }

    func shutdown() {}
}
