#if canImport(Glibc)
import Glibc
#endif

/// The worker processes alive now and the work directory to remove, for cleanup on Ctrl-C or
/// SIGTERM, which may arrive at any moment.
public final class ChildRegistry: @unchecked Sendable {
    private let monitor = Monitor()
    private var pids: Set<pid_t> = []
    private var workDirectory: String?

    public init() {}

    func add(_ pid: pid_t) { monitor.locked { _ = pids.insert(pid) } }
    func remove(_ pid: pid_t) { monitor.locked { _ = pids.remove(pid) } }
    func setWorkDirectory(_ path: String?) { monitor.locked { workDirectory = path } }

    /// Stops every worker and removes the work directory (earlier output is never touched).
    fileprivate func cleanUp() {
        monitor.locked {
            for pid in pids { kill(pid, SIGKILL) }
            for pid in pids { waitpid(pid, nil, 0) }
            if let workDirectory { FileSystem.removeTree(workDirectory) }
        }
    }
}

/// Turns SIGINT and SIGTERM into an orderly stop: workers killed, temporary files removed, one
/// line on stderr, exit status 128 + signal. A dedicated thread waits for the signals, so the
/// cleanup runs as ordinary code rather than inside a signal handler.
public enum InterruptHandling {
    /// Call before starting any thread: the signal mask set here is inherited by them.
    public static func install(registry: ChildRegistry) {
        signal(SIGPIPE, SIG_IGN)  // a dead worker's pipe must fail a write, not kill us
        signal(SIGXFSZ, SIG_IGN)  // a file-size limit must fail a write with a message, not kill us
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGINT)
        sigaddset(&signals, SIGTERM)
        pthread_sigmask(SIG_BLOCK, &signals, nil)
        _ = startThread { [signals] in
            var received: Int32 = 0
            var waitSet = signals
            sigwait(&waitSet, &received)
            registry.cleanUp()
            writeToStandardError("\nmr: interrupted by \(received == SIGINT ? "Ctrl-C" : "SIGTERM"); workers stopped, temporary files removed, earlier output untouched\n")
            _exit(128 + received)
        }
    }
}
