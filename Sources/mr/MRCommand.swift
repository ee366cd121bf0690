import ArgumentParser
import MREngine

/// The root of the command line: `mr JOB INPUT...` runs a job (the default subcommand).
struct MRCommand: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "mr",
            abstract: "A map-reduce engine for one machine: run a job over plain, gzip, bzip2, zstd or xz text.",
            usage: "mr JOB INPUT... [--workers N] [--reducers R] [--mode processes|threads|sequential] [--output DIR] [job options]",
            discussion: guide,
            version: Version.mr,
            subcommands: subcommands,
            defaultSubcommand: RunJobCommand.self)
    }

    static let subcommands: [any ParsableCommand.Type] = [
        RunJobCommand.self, JobsCommand.self, NewJobCommand.self, BenchCommand.self, StreamCommand.self, PackageCommand.self,
        InflateCommand.self, IndexCommand.self, InspectCommand.self,
    ]

    /// The names of mr's own commands, which no job may take: `mr NAME` would run the command.
    static var commandNames: [String] { subcommands.compactMap { $0.configuration.commandName } + ["help"] }

    /// The jobs, the output contract and the exit statuses, shown by `mr --help`.
    static var guide: String {
        let sources = (try? JobDirectory.locate().sources()) ?? []
        let jobs = sources.map(\.source).map { "  " + $0.name + String(repeating: " ", count: max(12 - $0.name.count, 1)) + $0.summary }
        return """
            JOBS (from ./jobs/, then ${XDG_CONFIG_HOME:-~/.config}/mr/jobs/, then the jobs shipped with mr; $MR_JOBS_DIR replaces them all; `mr jobs` shows each file and where it came from; `mr JOB --help` shows a job's own options):
            \(jobs.joined(separator: "\n"))

            INPUT: files or folders (names starting with . or _ skipped), or - for standard input; each file read by its first bytes: gzip, bzip2, zstd, xz or plain text.

            OUTPUT: DIR/part-00000 ... (one file per reducer, lines KEY<TAB>VALUE sorted bytewise by key; for map-only jobs one file per map task, in input order; .gz or .zst with --compress-output), then DIR/_SUCCESS, the run report in JSON. A failed or interrupted run leaves the earlier output as it was.

            EXIT STATUS: 0 success, 64 usage, 65 bad input data, 66 missing input, 73 output refused, 74 I/O error, 75 a task failed every attempt, 77 job cache writable by others (refused), 78 job does not compile, 70 internal error, 129, 130 or 143 interrupted.

            EXAMPLE: mr wordcount datasets/ --workers 2 --output out/words
            """
    }
}

/// Commands whose help text main.swift prints with a job's options appended.
protocol ParsableCommandHelp {
    static var help: String { get }
}

extension RunJobCommand: ParsableCommandHelp {
    static var help: String { MRCommand.helpMessage(for: RunJobCommand.self) }
}

extension StreamCommand: ParsableCommandHelp {
    static var help: String { MRCommand.helpMessage(for: StreamCommand.self) }
}

extension BenchCommand: ParsableCommandHelp {
    static var help: String { MRCommand.helpMessage(for: BenchCommand.self) }
}
