import MRBase
import MRInput
import MROutput
import MRShuffle
import MRSystem
import MapReduce
#if canImport(Glibc)
import Glibc
#endif
import CLinuxShims

/// The main loop of a worker process (`mr __worker PARENT_PID`): receive the plan, then run each
/// assigned attempt and answer, until the coordinator closes the pipe. A heartbeat thread reports
/// progress meanwhile, so the coordinator can tell a slow task from a hung one.
package enum WorkerLoop {
    /// The hidden command line word that starts worker mode.
    package static let commandName = "__worker"
    static let taskInput: Int32 = 3
    static let answerOutput: Int32 = 4
    static let heartbeatMicroseconds: UInt32 = 500_000

    /// Runs the worker; returns the process exit status. `makeJob` loads the plan's job.
    package static func run(arguments: [String], makeJob: (RunPlan) throws -> any Job) -> Int32 {
        // Die with the coordinator: the kernel sends SIGKILL when the parent exits, and a parent
        // that died before this line is caught by comparing the parent pid.
        mr_die_with_parent()
        guard let parent = arguments.first.flatMap({ pid_t($0) }), getppid() == parent else { return 1 }

        guard let planFrame = FrameChannel.receive(from: taskInput),
              case .plan(let plan)? = try? CoordinatorMessage.decode(planFrame) else { return 0 }
        let tracker = RecordTracker()
        let runner: TaskRunner
        do {
            tracker.installCrashReporter()
            runner = TaskRunner(job: try makeJob(plan), plan: plan, inWorkerProcess: true)
        } catch {
            writeToStandardError("mr worker: \(error)\n")
            return 1
        }
        let answers = AnswerChannel()
        _ = startThread {
            while true {
                usleep(heartbeatMicroseconds)
                answers.send(.progress(tracker.progress))
            }
        }
        let memory = MapMemory()
        while let frame = FrameChannel.receive(from: taskInput) {
            guard case .assign(let assignment)? = try? CoordinatorMessage.decode(frame) else { return 1 }
            let result = runner.run(assignment, memory: memory) { answers.send(.handedOn(mapTask: assignment.task.index)) }.map { report in
                var report = report
                report.peakMemory = processPeakMemory()
                return report
            }
            let answer = WorkerMessage.finished(assignment, result)
            guard answers.send(answer) else { return 0 }
        }
        return 0
    }
}

/// The answer pipe, shared by the task loop and the heartbeat thread: one frame at a time.
private final class AnswerChannel: @unchecked Sendable {
    private let monitor = Monitor()

    @discardableResult
    func send(_ message: WorkerMessage) -> Bool {
        let frame = message.encoded()
        return monitor.locked { FrameChannel.send(frame, to: WorkerLoop.answerOutput) }
    }
}
