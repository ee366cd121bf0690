import MRBase
import MRInput
import MROutput
import MRShuffle
import MRSystem
import MapReduce
/// A set of worker slots that run task attempts: OS processes, threads, or the caller's own
/// thread. The coordinator hands an attempt to an idle slot and waits for events.
package protocol WorkerPool: AnyObject {
    var size: Int { get }
    /// Starts `assignment` on idle worker `worker`.
    func start(_ assignment: TaskAssignment, on worker: Int) throws
    /// Blocks until a worker finishes an attempt or dies, or (processes) a quarter second passes
    /// without either, so the coordinator can look for stragglers.
    func nextEvent() throws -> WorkerEvent
    /// Stops the attempt running on `worker` if the pool can (processes: the worker is killed and
    /// replaced); otherwise the attempt runs to its end and its result is discarded.
    func cancel(worker: Int)
    /// Whether ``cancel(worker:)`` stops an attempt (processes), so a backup race costs no
    /// more than one attempt's work.
    var canStopAttempts: Bool { get }
    /// Stops every worker and waits for them.
    func shutdown()
    /// How far the attempt on `worker` is, as far as the pool knows (for the progress display).
    func progress(of worker: Int) -> TaskProgress
}

package enum WorkerEvent {
    /// The attempt ran to its end, successfully or not; the worker is idle again.
    case finished(worker: Int, TaskAssignment, Result<TaskReport, TaskFailure>)
    /// The worker died (killed, crashed, or stopped for making no progress) while running
    /// `assignment`; a replacement is already running in its slot and idle.
    case died(worker: Int, TaskAssignment?, reason: String)
    /// The attempt of relayed map task `mapTask` has left the next piece's start: the next
    /// piece's task may run (its attempt goes on, mapping its own piece).
    case handedOn(mapTask: Int)
    /// Nothing happened for a while.
    case tick
}
