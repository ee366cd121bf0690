#if canImport(Glibc)
import Glibc
#endif
import CLinuxShims
import MapReduce

/// The main loop of a worker process (`mr __worker PARENT_PID`): receive the plan, then run each
/// assigned attempt and answer, until the coordinator closes the pipe.
public enum WorkerLoop {
    /// The hidden command line word that starts worker mode.
    public static let commandName = "__worker"
    static let taskInput: Int32 = 3
    static let answerOutput: Int32 = 4

    /// Runs the worker; returns the process exit status. `makeJob` loads the plan's job.
    public static func run(arguments: [String], makeJob: (RunPlan) throws -> any Job) -> Int32 {
        // Die with the coordinator: the kernel sends SIGKILL when the parent exits, and a parent
        // that died before this line is caught by comparing the parent pid.
        mr_die_with_parent()
        guard let parent = arguments.first.flatMap({ pid_t($0) }), getppid() == parent else { return 1 }

        guard let planFrame = FrameChannel.receive(from: taskInput),
              case .plan(let plan)? = try? CoordinatorMessage.decode(planFrame) else { return 0 }
        let runner: TaskRunner
        do {
            let tracker = RecordTracker()
            tracker.installCrashReporter()
            runner = TaskRunner(job: try makeJob(plan), plan: plan, tracker: tracker)
        } catch {
            writeToStandardError("mr worker: \(error)\n")
            return 1
        }
        while let frame = FrameChannel.receive(from: taskInput) {
            guard case .assign(let assignment)? = try? CoordinatorMessage.decode(frame) else { return 1 }
            let answer = WorkerMessage.finished(assignment, runner.run(assignment))
            guard FrameChannel.send(answer.encoded(), to: answerOutput) else { return 0 }
        }
        return 0
    }
}
