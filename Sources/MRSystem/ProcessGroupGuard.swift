import MRBase
#if canImport(Glibc)
import Glibc
#endif

/// Keeps a program mr starts (the Swift compiler, `tar`) from outliving mr, even when mr is
/// killed with SIGKILL and cleans nothing up.
///
/// The compiler driver starts `swift-frontend` processes of its own, which a parent-death signal
/// on the driver would not reach. So mr starts this guard (itself, re-executed) as the leader of
/// a new process group; the guard starts the program in that group and waits. When mr is gone
/// (the guard was handed to another parent) it kills the whole group, itself included.
package enum ProcessGroupGuard {
    /// The first argument that runs mr as a guard: `mr __guard PARENT-PID PROGRAM ARGS...`.
    package static let commandName = "__guard"

    /// The arguments that run `program` under a guard watching this process.
    static func wrapping(_ program: [String]) throws -> [String] {
        [try currentExecutablePath(), commandName, String(getpid())] + program
    }

    /// The guard's life: runs `arguments` (PARENT-PID PROGRAM ARGS...) and returns its exit status.
    package static func run(arguments: [String]) -> Int32 {
        guard arguments.count >= 2, let parent = pid_t(arguments[0]) else { return 70 }
        let child: ChildProcess
        do {
            // The guard leads the group already; the program joins it.
            child = try ChildProcess.spawn(Array(arguments.dropFirst()), descriptors: [1: 1, 2: 2],
                                           workingDirectory: nil, stdinFromNull: false)
        } catch {
            writeToStandardError("mr: \(error)\n")
            return 70
        }
        while true {
            if let ended = child.ended() { return ended.exitStatus ?? 128 + (ended.signal ?? 0) }
            if getppid() != parent {
                kill(0, SIGKILL)
            }
            usleep(50_000)
        }
    }
}
