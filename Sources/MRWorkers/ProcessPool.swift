import MRBase
import MRInput
import MROutput
import MRShuffle
import MRSystem
import MapReduce
#if canImport(Glibc)
import Glibc
#endif

/// Worker processes: the `mr` binary re-executed in worker mode, one per slot, each reading
/// attempts from a pipe (its fd 3) and answering on another (its fd 4). A worker that dies shows
/// up at once as end-of-file on its answer pipe; it is reaped and replaced in its slot. A worker
/// whose attempt makes no progress (records done, as its heartbeat reports) for `taskTimeout`
/// seconds is hung or stopped: it is killed, and dies like any other.
package final class ProcessPool: WorkerPool {
    private struct Worker {
        let process: ChildProcess
        let taskPipe: Int32    // coordinator writes assignments here
        let answerPipe: Int32  // and reads the worker's answers here
        var frames = FrameAssembler()
        var running: TaskAssignment?
        /// Records the worker has reported done, and when that number last changed.
        var records: Int64 = -1
        var lastProgress = 0.0
        /// What its last heartbeat said.
        var progress = TaskProgress()
        /// The record being mapped at the last report, or where job code crashed.
        var lastRecord: String?
        var crashed = false
        /// Why the coordinator killed it, if it did.
        var killedBecause: String?
    }

    private let executable: String
    private let planFrame: [UInt8]
    private let files: [InputEntry]
    private let registry: ChildRegistry
    private let taskTimeout: Double
    /// When ``killHungWorkers()`` last ran, and the gap past which time is not counted.
    private var lastHangCheck = monotonicSeconds()
    private static let stoppedGap = 1.0
    private var workers: [Worker] = []
    /// Workers that exited on their own in a row without having been given a task: a broken
    /// binary or environment, not a bad task, so respawning forever would not help. (Workers
    /// killed by a signal are someone else's doing and are simply replaced.)
    private var idleExitsInARow = 0
    private let readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 8)

    package init(size: Int, plan: RunPlan, registry: ChildRegistry, taskTimeout: Double) throws {
        executable = try currentExecutablePath()
        planFrame = CoordinatorMessage.plan(plan).encoded()
        files = plan.files
        self.registry = registry
        self.taskTimeout = taskTimeout
        for _ in 0..<size { workers.append(try spawnWorker()) }
    }

    deinit { readBuffer.deallocate() }

    package var size: Int { workers.count }

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

    package func start(_ assignment: TaskAssignment, on worker: Int) throws {
        workers[worker].running = assignment
        workers[worker].lastProgress = monotonicSeconds()
        workers[worker].progress = TaskProgress()
        workers[worker].lastRecord = nil
        // If the worker is gone the write fails; its end-of-file arrives at the next poll.
        _ = FrameChannel.send(CoordinatorMessage.assign(assignment).encoded(), to: workers[worker].taskPipe)
    }

    package func progress(of worker: Int) -> TaskProgress { workers[worker].progress }

    package var canStopAttempts: Bool { true }

    package func cancel(worker: Int) {
        kill(worker, because: "stopped: another attempt of its task finished first")
    }

    private func kill(_ index: Int, because reason: String) {
        guard workers[index].killedBecause == nil else { return }
        workers[index].killedBecause = reason
        workers[index].process.kill(SIGKILL)  // its end-of-file then reports the death
    }

    package func nextEvent() throws -> WorkerEvent {
        while true {
            for index in workers.indices {
                if let event = try handleFrames(of: index) { return event }
            }
            var polls = workers.map { pollfd(fd: $0.answerPipe, events: Int16(POLLIN), revents: 0) }
            let ready = poll(&polls, nfds_t(polls.count), 250)
            if ready < 0 && errno != EINTR {
                throw MRError(.internal, "poll failed: \(systemMessage(errno))")
            }
            for index in polls.indices where polls[index].revents != 0 {
                let count = read(polls[index].fd, readBuffer.baseAddress, readBuffer.count)
                if count > 0 {
                    workers[index].frames.append(UnsafeRawBufferPointer(rebasing: readBuffer[0..<count]))
                } else if count == 0 || (errno != EINTR && errno != EAGAIN) {
                    _ = try handleFrames(of: index)  // a crash report just before the end
                    return try replaceDeadWorker(index)
                }
            }
            killHungWorkers()
            if ready == 0 { return .tick }
        }
    }

    /// Applies the complete frames a worker sent; returns an event if one finished an attempt.
    private func handleFrames(of index: Int) throws -> WorkerEvent? {
        while let frame = workers[index].frames.nextFrame() {
            guard let message = try? WorkerMessage.decode(frame) else {
                kill(index, because: "sent a malformed message")
                return nil
            }
            switch message {
            case .finished(let assignment, let result):
                guard workers[index].killedBecause == nil else { continue }  // it is being replaced
                workers[index].running = nil
                return .finished(worker: index, assignment, result)
            case .crashed(let fileIndex, let line):
                workers[index].lastRecord = describe(fileIndex, line)
                workers[index].crashed = true
            case .progress(let progress):
                if progress.records != workers[index].records {
                    workers[index].records = progress.records
                    workers[index].lastProgress = monotonicSeconds()
                }
                workers[index].progress = progress
                if progress.fileIndex >= 0 { workers[index].lastRecord = describe(progress.fileIndex, progress.line) }
            case .handedOn(let mapTask):
                return .handedOn(mapTask: mapTask)
            }
        }
        return nil
    }

    private func describe(_ fileIndex: Int, _ line: Int64) -> String {
        recordLocation(files.indices.contains(fileIndex) ? files[fileIndex].path : "input \(fileIndex)", line: line)
    }

    private func killHungWorkers() {
        let now = monotonicSeconds()
        // The check runs at least every poll (250 ms). A far longer gap means this process was
        // stopped (Ctrl-Z, SIGSTOP) with its workers: time no worker could make progress in.
        let gap = now - lastHangCheck
        lastHangCheck = now
        if gap > Self.stoppedGap {
            for index in workers.indices { workers[index].lastProgress += gap }
        }
        for index in workers.indices where workers[index].running != nil {
            if now - workers[index].lastProgress > taskTimeout {
                kill(index, because: "killed after \(taskTimeout.formatted(decimals: 1)) s without progress (hung or stopped)")
            }
        }
    }

    private func replaceDeadWorker(_ index: Int) throws -> WorkerEvent {
        let dead = workers[index]
        close(dead.taskPipe)
        close(dead.answerPipe)
        let ending = dead.process.wait()
        registry.remove(dead.process.pid)
        var reason = "worker \(dead.process.pid) " + (dead.killedBecause ?? ending.description)
        if let place = dead.lastRecord {
            reason += dead.crashed ? " while mapping \(place)" : "; last record reached: \(place)"
        }
        idleExitsInARow = dead.running == nil && ending.exitStatus != nil ? idleExitsInARow + 1 : 0
        guard idleExitsInARow <= 3 else {
            throw MRError(.internal, "worker processes keep exiting before taking a task (last: \(reason)); see their messages above, or run with --mode threads")
        }
        workers[index] = try spawnWorker()
        return .died(worker: index, dead.running, reason: reason)
    }

    package func shutdown() {
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
