import MapReduce
/// How tasks are executed.
package enum ExecutionMode: String, CaseIterable, Sendable {
    /// Long-lived worker processes (the `mr` binary in worker mode): survives crashing jobs.
    case processes
    /// Worker threads in this process.
    case threads
    /// One task after another on the calling thread, nothing spawned.
    case sequential
}
