import MRBase
#if canImport(Glibc)
import Glibc
#endif
import CLinuxShims

/// A child process started with posix_spawn, with chosen descriptors mapped into it.
package struct ChildProcess {
    package let pid: pid_t

    /// Starts `arguments[0]` (a path) with `descriptors` (child fd -> parent fd) and stdin from
    /// /dev/null, in `workingDirectory` if given, and as the leader of a process group of its own
    /// if `ownProcessGroup` (so that it can be stopped with everything it started). Signal
    /// dispositions and mask are reset so the child does not inherit the coordinator's blocked or
    /// ignored signals.
    package static func spawn(_ arguments: [String], descriptors: [Int32: Int32], workingDirectory: String? = nil,
                      ownProcessGroup: Bool = false, stdinFromNull: Bool = true) throws -> ChildProcess {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if stdinFromNull { posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0) }
        if let workingDirectory { workingDirectory.withPathCString { _ = mr_spawn_add_chdir(&actions, $0) } }
        for (child, parent) in descriptors.sorted(by: { $0.key < $1.key }) {
            posix_spawn_file_actions_adddup2(&actions, parent, child)
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGINT, SIGTERM, SIGHUP] { sigaddset(&defaults, signal) }  // SIGXFSZ stays ignored
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | (ownProcessGroup ? POSIX_SPAWN_SETPGROUP : 0)))

        var pid = pid_t()
        // Arguments may be paths: each is passed as its own bytes.
        let argv = arguments.map { strdup(PathBytes.cString($0)) } + [nil]
        defer { for argument in argv { free(argument) } }
        let status = posix_spawn(&pid, argv[0]!, &actions, &attributes, argv, environ)
        guard status == 0 else {
            throw MRError(.internal, "cannot start worker '\(arguments[0])': \(systemMessage(status))")
        }
        return ChildProcess(pid: pid)
    }

    /// How a child ended.
    package struct Termination: CustomStringConvertible {
        /// The exit status, or nil if a signal ended it.
        package let exitStatus: Int32?
        let signal: Int32?

        init(exitStatus: Int32?, signal: Int32?) {
            self.exitStatus = exitStatus
            self.signal = signal
        }

        /// Decodes a status from waitpid.
        init(waitStatus status: Int32) {
            let signal = status & 0x7F
            self.init(exitStatus: signal == 0 ? (status >> 8) & 0xFF : nil, signal: signal == 0 ? nil : signal)
        }

        package var description: String {
            if let exitStatus { return "exited with status \(exitStatus)" }
            return "killed by signal \(signal ?? 0)" + (signal == SIGKILL ? " (SIGKILL)" : "")
        }
    }

    /// Waits for the child to end.
    package func wait() -> Termination {
        var status: Int32 = 0
        _ = retryingInterrupts { waitpid(pid, &status, 0) }
        return Termination(waitStatus: status)
    }

    /// How the child ended, or nil while it runs.
    package func ended() -> Termination? {
        var status: Int32 = 0
        guard retryingInterrupts({ waitpid(pid, &status, WNOHANG) }) == pid else { return nil }
        return Termination(waitStatus: status)
    }

    package func kill(_ signal: Int32) {
        _ = Glibc.kill(pid, signal)
    }
}

/// A one-way pipe whose ends are closed on exec (only dup2'd copies reach a child).
package struct Pipe {
    package let readEnd: Int32
    package let writeEnd: Int32

    package static func make() throws -> Pipe {
        var fds: [Int32] = [0, 0]
        guard mr_pipe_cloexec(&fds) == 0 else { throw MRError(.internal, "cannot create pipe: \(systemMessage(errno))") }
        return Pipe(readEnd: fds[0], writeEnd: fds[1])
    }
}

/// The path of the running executable, to start workers from the same binary.
package func currentExecutablePath() throws -> String {
    var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
    let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
    guard count > 0 else { throw MRError(.internal, "cannot find the mr executable: \(systemMessage(errno))") }
    return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

extension ChildProcess {
    /// Runs a program to completion in `workingDirectory`, with its stdout and stderr captured
    /// together. It runs in a process group of its own, which Ctrl-C or SIGTERM to mr stops, and
    /// which a ``ProcessGroupGuard`` kills if mr dies any other way.
    package static func runCapturingOutput(_ arguments: [String], workingDirectory: String) throws -> (succeeded: Bool, output: String) {
        let output = try Pipe.make()
        let child = try spawn(try ProcessGroupGuard.wrapping(arguments), descriptors: [1: output.writeEnd, 2: output.writeEnd],
                              workingDirectory: workingDirectory, ownProcessGroup: true)
        ChildRegistry.shared.add(processGroup: child.pid)
        defer { ChildRegistry.shared.remove(processGroup: child.pid) }
        close(output.writeEnd)
        let reader = FileDescriptor(raw: output.readEnd, path: "output of \(arguments[0])")
        defer { reader.close() }
        let bytes = try reader.readToEnd()
        return (child.wait().exitStatus == 0, String(decoding: bytes, as: UTF8.self))
    }
}
