import MRBase
import MRInput
import MROutput
import MRShuffle
import MRSystem
import MapReduce
#if canImport(Glibc)
import Glibc
#endif

/// N OS threads in this process, each running attempts through the same ``TaskRunner`` as
/// worker processes. A job's trap here ends the whole run; processes mode survives it.
package final class ThreadPool: WorkerPool, @unchecked Sendable {
    private let monitor = Monitor()
    // Guarded by `monitor`.
    private var assigned: [TaskAssignment?]
    private var events: [WorkerEvent] = []
    private var stopping = false
    private var threads: [pthread_t] = []
    /// Each thread's tracker (its thread-local cells), read for the progress display.
    private var trackers: [RecordTracker?]

    package init(size: Int, runner: TaskRunner) {
        assigned = Array(repeating: nil, count: size)
        trackers = Array(repeating: nil, count: size)
        threads = (0..<size).map { worker in
            startThread { [self] in self.serve(worker, runner) }
        }
    }

    package var size: Int { assigned.count }

    private func serve(_ worker: Int, _ runner: TaskRunner) {
        let memory = MapMemory()
        let tracker = RecordTracker()
        monitor.locked { trackers[worker] = tracker }
        while true {
            let assignment: TaskAssignment? = monitor.locked {
                while assigned[worker] == nil && !stopping { monitor.wait() }
                return assigned[worker]
            }
            guard let assignment else { return }
            let result = runner.run(assignment, memory: memory) { [self] in
                monitor.locked {
                    events.append(.handedOn(mapTask: assignment.task.index))
                    monitor.wakeAll()
                }
            }
            monitor.locked {
                assigned[worker] = nil
                events.append(.finished(worker: worker, assignment, result))
                monitor.wakeAll()
            }
        }
    }

    package func start(_ assignment: TaskAssignment, on worker: Int) throws {
        monitor.locked {
            assigned[worker] = assignment
            monitor.wakeAll()
        }
    }

    package func nextEvent() throws -> WorkerEvent {
        monitor.locked {
            while events.isEmpty { monitor.wait() }
            return events.removeFirst()
        }
    }

    /// The thread's cells are read without a lock: a torn read only shows a stale position.
    package func progress(of worker: Int) -> TaskProgress {
        monitor.locked { trackers[worker] }?.progress ?? TaskProgress()
    }

    /// Threads cannot be stopped from outside: the attempt finishes and is discarded.
    package func cancel(worker: Int) {}
    package var canStopAttempts: Bool { false }

    package func shutdown() {
        monitor.locked {
            stopping = true
            monitor.wakeAll()
        }
        for thread in threads { pthread_join(thread, nil) }
        threads = []
    }
}
