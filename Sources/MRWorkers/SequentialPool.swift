import MRBase
import MRInput
import MROutput
import MRShuffle
import MRSystem
import MapReduce
/// One worker: the caller's own thread, nothing spawned. The baseline for speedups.
package final class SequentialPool: WorkerPool {
    private let runner: TaskRunner
    private var finished: [WorkerEvent] = []
    private let memory = MapMemory()

    package init(runner: TaskRunner) {
        self.runner = runner
    }

    package var size: Int { 1 }

    package func start(_ assignment: TaskAssignment, on worker: Int) throws {
        let result = runner.run(assignment, memory: memory) { [self] in finished.append(.handedOn(mapTask: assignment.task.index)) }
        finished.append(.finished(worker: worker, assignment, result))
    }

    package func nextEvent() throws -> WorkerEvent {
        guard !finished.isEmpty else { throw MRError(.internal, "sequential pool waited with no task running") }
        return finished.removeFirst()
    }

    /// Threads cannot be stopped from outside: the attempt finishes and is discarded.
    package func cancel(worker: Int) {}
    package var canStopAttempts: Bool { false }

    /// The attempt runs inside ``start``; nothing is ever seen half done.
    package func progress(of worker: Int) -> TaskProgress { TaskProgress() }

    package func shutdown() {}
}
