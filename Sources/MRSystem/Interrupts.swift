import MRBase
#if canImport(Glibc)
import Glibc
#endif

/// The child processes alive now and the temporary files to remove, for cleanup on Ctrl-C or
/// SIGTERM, which may arrive at any moment: worker processes, a compiler's process group and
/// its build folder, the run's work directory.
package final class ChildRegistry: @unchecked Sendable {
    /// The one registry of this process, which ``InterruptHandling`` cleans up.
    package static let shared = ChildRegistry()

    private let monitor = Monitor()
    private var pids: Set<pid_t> = []
    private var processGroups: Set<pid_t> = []
    private var temporaryPaths: Set<String> = []
    private var workDirectory: String?

    private init() {}

    package func add(_ pid: pid_t) { monitor.locked { _ = pids.insert(pid) } }
    package func remove(_ pid: pid_t) { monitor.locked { _ = pids.remove(pid) } }
    package func add(processGroup leader: pid_t) { monitor.locked { _ = processGroups.insert(leader) } }
    package func remove(processGroup leader: pid_t) { monitor.locked { _ = processGroups.remove(leader) } }
    package func add(temporaryPath path: String) { monitor.locked { _ = temporaryPaths.insert(path) } }
    package func remove(temporaryPath path: String) { monitor.locked { _ = temporaryPaths.remove(path) } }
    package func setWorkDirectory(_ path: String?) { monitor.locked { workDirectory = path } }

    /// Stops every child and removes the temporary files (earlier output is never touched).
    fileprivate func cleanUp() {
        monitor.locked {
            for pid in pids { kill(pid, SIGKILL) }
            for leader in processGroups { kill(-leader, SIGKILL) }
            for pid in pids.union(processGroups) { waitpid(pid, nil, 0) }
            for path in temporaryPaths { FileSystem.removeTree(path) }
            if let workDirectory { FileSystem.removeTree(workDirectory) }
        }
    }
}

/// Turns SIGINT, SIGTERM and SIGHUP into an orderly stop: workers killed, temporary files removed, one
/// line on stderr, exit status 128 + signal. A dedicated thread waits for the signals, so the
/// cleanup runs as ordinary code rather than inside a signal handler.
package enum InterruptHandling {
    /// Call once, before starting any thread: the signal mask set here is inherited by them.
    package static func install() {
        let registry = ChildRegistry.shared
        signal(SIGPIPE, SIG_IGN)  // a dead worker's pipe must fail a write, not kill us
        signal(SIGXFSZ, SIG_IGN)  // a file-size limit must fail a write with a message, not kill us
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGINT)
        sigaddset(&signals, SIGTERM)
        sigaddset(&signals, SIGHUP)  // the terminal closed
        pthread_sigmask(SIG_BLOCK, &signals, nil)
        _ = startThread { [signals] in
            var received: Int32 = 0
            var waitSet = signals
            sigwait(&waitSet, &received)
            registry.cleanUp()
            let name = received == SIGINT ? "Ctrl-C" : received == SIGHUP ? "SIGHUP (the terminal closed)" : "SIGTERM"
            writeToStandardError("\nmr: interrupted by \(name); workers stopped, temporary files removed, earlier output untouched\n")
            _exit(128 + received)
        }
    }
}
