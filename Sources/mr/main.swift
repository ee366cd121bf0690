import MREngine
#if canImport(Glibc)
import Glibc
#endif

let arguments = CommandLine.arguments
if arguments.count > 1 && arguments[1] == WorkerLoop.commandName {
    exit(WorkerLoop.run(arguments: Array(arguments.dropFirst(2)), makeJob: JobCatalog.make))
}

do {
    var command = try MRCommand.parseAsRoot()
    try command.run()
} catch let error as MRError {
    writeToStandardError("mr: error: \(error.message)\n")
    exit(error.kind.exitStatus)
} catch {
    MRCommand.exit(withError: error)
}
