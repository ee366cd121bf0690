import ArgumentParser

/// The root of the command line: `mr JOB INPUT...` runs a job (the default subcommand).
struct MRCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mr",
        abstract: "A map-reduce engine for one machine: run a job over gzip or plain text inputs.",
        usage: "mr JOB INPUT... [--workers N] [--reducers R] [--mode processes|threads|sequential] [--output DIR]",
        discussion: guide,
        subcommands: [RunJobCommand.self, BenchCommand.self, InflateCommand.self],
        defaultSubcommand: RunJobCommand.self)

    /// The jobs, the output contract and the exit statuses, shown by `mr --help` and `mr JOB --help`.
    static var guide: String {
        let jobs = JobCatalog.all.map { job in
            "  " + job.name + String(repeating: " ", count: max(12 - job.name.count, 1)) + job.summary
        }
        return """
            JOBS:
            \(jobs.joined(separator: "\n"))

            OUTPUT: DIR/part-00000 ... (one file per reducer, lines KEY<TAB>VALUE sorted bytewise by key), then DIR/_SUCCESS. A failed or interrupted run leaves the earlier output as it was.

            EXIT STATUS: 0 success, 64 usage, 65 bad input data, 66 missing input, 73 output refused, 74 I/O error, 75 a task failed every attempt, 70 internal error, 130 or 143 interrupted.

            EXAMPLE: mr wordcount datasets/ --workers 2 --output out/words
            """
    }
}
