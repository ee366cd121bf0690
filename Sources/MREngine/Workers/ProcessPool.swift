#if canImport(Glibc)
import Glibc
#endif

/// Worker processes: the `mr` binary re-executed in worker mode, one per slot, each reading
/// attempts from a pipe (its fd 3) and answering on another (its fd 4). A worker that dies shows
/// up at once as end-of-file on its answer pipe; it is reaped and replaced in its slot.
final class ProcessPool: WorkerPool {
    private struct Worker {
        let process: ChildProcess
        let taskPipe: Int32    // coordinator writes assignments here
        let answerPipe: Int32  // and reads the worker's answers here
        var frames = FrameAssembler()
        var running: TaskAssignment?
        /// Where job code brought the worker down, if it said so before dying.
        var crashedAt: String?
    }

    private let executable: String
    private let planFrame: [UInt8]
    private let files: [InputEntry]
    private let registry: ChildRegistry
    private var workers: [Worker] = []
    /// Workers that died in a row without having been given a task: a broken binary or
    /// environment, not a bad task, so respawning forever would not help.
    private var idleDeathsInARow = 0
    private let readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 8)

    init(size: Int, plan: RunPlan, registry: ChildRegistry) throws {
        executable = try currentExecutablePath()
        planFrame = CoordinatorMessage.plan(plan).encoded()
        files = plan.files
        self.registry = registry
        for _ in 0..<size { workers.append(try spawnWorker()) }
    }

    deinit { readBuffer.deallocate() }

    var size: Int { workers.count }

    private func spawnWorker() throws -> Worker {
        let tasks = try Pipe.make()
        let answers = try Pipe.make()
        let process = try ChildProcess.spawn(
            [executable, WorkerLoop.commandName, String(getpid())],
            descriptors: [1: 2, 3: tasks.readEnd, 4: answers.writeEnd])
        registry.add(process.pid)
        close(tasks.readEnd)
        close(answers.writeEnd)
        // A worker that dies before reading its plan is noticed by the next poll, like any death.
        _ = FrameChannel.send(planFrame, to: tasks.writeEnd)
        return Worker(process: process, taskPipe: tasks.writeEnd, answerPipe: answers.readEnd)
    }

    func start(_ assignment: TaskAssignment, on worker: Int) throws {
        workers[worker].running = assignment
        // If the worker is gone the write fails; its end-of-file arrives at the next poll.
        _ = FrameChannel.send(CoordinatorMessage.assign(assignment).encoded(), to: workers[worker].taskPipe)
    }

    func nextEvent() throws -> WorkerEvent {
        while true {
            for index in workers.indices {
                while let frame = workers[index].frames.nextFrame() {
                    switch try WorkerMessage.decode(frame) {
                    case .finished(let assignment, let result):
                        workers[index].running = nil
                        return .finished(worker: index, assignment, result)
                    case .crashed(let fileIndex, let line):
                        // Arrives just before the worker's end of file, which reaps it.
                        let path = files.indices.contains(fileIndex) ? files[fileIndex].path : "input \(fileIndex)"
                        workers[index].crashedAt = "\(path) line \(line)"
                    }
                }
            }
            var polls = workers.map { pollfd(fd: $0.answerPipe, events: Int16(POLLIN), revents: 0) }
            let ready = poll(&polls, nfds_t(polls.count), -1)
            if ready < 0 {
                if errno == EINTR { continue }
                throw MRError(.internal, "poll failed: \(systemMessage(errno))")
            }
            for index in polls.indices where polls[index].revents != 0 {
                let count = read(polls[index].fd, readBuffer.baseAddress, readBuffer.count)
                if count > 0 {
                    workers[index].frames.append(UnsafeRawBufferPointer(rebasing: readBuffer[0..<count]))
                    continue
                }
                if count == 0 || (errno != EINTR && errno != EAGAIN) {
                    return try replaceDeadWorker(index)
                }
            }
        }
    }

    private func replaceDeadWorker(_ index: Int) throws -> WorkerEvent {
        let dead = workers[index]
        close(dead.taskPipe)
        close(dead.answerPipe)
        var reason = "worker \(dead.process.pid) " + dead.process.wait()
        if let place = dead.crashedAt { reason += " while mapping \(place)" }
        registry.remove(dead.process.pid)
        idleDeathsInARow = dead.running == nil ? idleDeathsInARow + 1 : 0
        guard idleDeathsInARow <= 3 else {
            throw MRError(.internal, "worker processes keep exiting before taking a task (last: \(reason)); see their messages above, or run with --mode threads")
        }
        workers[index] = try spawnWorker()
        return .died(worker: index, dead.running, reason: reason)
    }

    func shutdown() {
        for worker in workers {
            // Idle workers exit when their task pipe closes; busy ones are stopped.
            if worker.running != nil { worker.process.kill(SIGKILL) }
            close(worker.taskPipe)
        }
        for worker in workers {
            _ = worker.process.wait()
            registry.remove(worker.process.pid)
            close(worker.answerPipe)
        }
        workers = []
    }
}
