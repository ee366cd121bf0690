import MapReduce
import MREngine
#if canImport(Glibc)
import Glibc
#endif

let arguments = Array(PathBytes.commandLineArguments.dropFirst())
if arguments.first == WorkerLoop.commandName {
    exit(WorkerLoop.run(arguments: Array(arguments.dropFirst())) { plan in
        try JobLibrary.load(plan.jobLibrary).step(plan.jobStep).init(options: JobOptions(plan.jobOptions))
    })
}

if arguments.first == ProcessGroupGuard.commandName {
    exit(ProcessGroupGuard.run(arguments: Array(arguments.dropFirst())))
}

// From here on Ctrl-C and SIGTERM stop every child (a compiler too) and remove temporary files.
InterruptHandling.install()
do {
    var parsed = arguments
    // A job's own options are known only once the job is loaded: load it first, then let the
    // parser see them as `--job-option name=value`.
    let jobPosition = ["run", "bench"].contains(arguments.first ?? "") ? 1 : arguments.first == "stream" ? 2 : 0
    if jobPosition < arguments.count, !arguments[jobPosition].hasPrefix("-"),
       jobPosition > 0 || !MRCommand.commandNames.contains(arguments[0]) {
        let (jobType, _, _) = try JobResolver.loadType(arguments[jobPosition])
        if arguments.contains("--help") || arguments.contains("-h") {
            let command: any ParsableCommandHelp.Type = switch arguments[0] {
            case "bench" where jobPosition == 1: BenchCommand.self
            case "stream" where jobPosition == 2: StreamCommand.self
            default: RunJobCommand.self
            }
            print("mr \(jobType.name): \(jobType.summary)\n")
            print(command.help + JobResolver.optionsHelp(jobType))
            exit(0)
        }
        parsed = JobResolver.separateJobOptions(arguments, declared: jobType.options)
    }
    var command = try MRCommand.parseAsRoot(parsed)
    try command.run()
} catch let error as MRError {
    writeToStandardError("mr: error: \(error.message)\n")
    exit(error.kind.exitStatus)
} catch {
    MRCommand.exit(withError: error)
}
