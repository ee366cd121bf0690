import ArgumentParser
import MapReduce
import MREngine
#if canImport(Glibc)
import Glibc
#endif

/// `mr stream map|combine|reduce JOB`: one part of a job's step as a Hadoop Streaming executable,
/// so the same job file runs on Hadoop, EMR, Dataproc (through mrjob too) and Spark's `RDD.pipe`.
/// `mr stream steps JOB` says what each step has, for the wrappers that build the pipeline.
struct StreamCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stream",
        abstract: "Run one step of a job on stdin/stdout, as Hadoop Streaming runs a mapper, combiner or reducer.",
        discussion: """
            map reads input lines and writes KEY<TAB>VALUE lines (values: a decimal integer, ' and the text, \
            ~ and a double, or = and a tally in hex); \
            combine and reduce read those lines sorted by key (LC_ALL=C sort) and group equal keys. \
            reduce, and map of a map-only job, write mr's own output lines. Keys and text escape \\\\, tab, \
            newline and carriage return as \\\\\\\\, \\\\t, \\\\n, \\\\r. record.file is $mapreduce_map_input_file \
            (or $map_input_file); counters go to stderr as reporter:counter:mr,NAME,AMOUNT. \
            A job of several steps runs as several such pipelines, each over the output of the one \
            before: --step N picks one; `mr stream steps JOB` prints a line per step naming its parts \
            (map; map reduce; map combine reduce). \
            Example: zcat books.gz | mr stream map wordcount | LC_ALL=C sort | mr stream reduce wordcount
            """)

    enum Part: String, ExpressibleByArgument, CaseIterable { case map, combine, reduce, steps }

    @Argument(help: "map, combine or reduce; or steps, to list the job's steps.")
    var part: Part

    @Argument(help: "The job: a name found in ./jobs/ or the jobs/ shipped with mr, or the path of a .swift file.")
    var job: String

    @Option(help: "Which step of a job of several steps, from 1.")
    var step = 1

    @Option(help: "The longest line read, e.g. 64M.")
    var maxLine: ByteCount = ByteCount(argument: "64M")!

    @Option(name: .customLong("job-option"), help: .hidden)
    var jobOptions: [String] = []

    func validate() throws {
        try maxLine.check("--max-line", within: (1 << 10)...(1 << 40))
    }

    func run() throws {
        let first = try JobResolver.load(job, optionAssignments: jobOptions)
        let steps = type(of: first.job).nextSteps.count + 1
        if part == .steps {
            for number in 0..<steps {
                let stepJob = try first.step(number).job
                let parts = type(of: stepJob).isMapOnly ? ["map"] : stepJob.combining == nil ? ["map", "reduce"] : ["map", "combine", "reduce"]
                print(parts.joined(separator: " "))
            }
            return
        }
        guard (1...steps).contains(step) else {
            throw MRError(.usage, "job \(type(of: first.job).name) has \(steps) step\(steps == 1 ? "" : "s"), not a step \(step)")
        }
        let loaded = try first.step(step - 1)
        let jobType = type(of: loaded.job)
        let report = { (message: String) in writeToStandardError("reporter:status:mr \(jobType.name) \(message)\n") }
        let counters: [String: Int64]
        switch part {
        case .steps: return
        case .map:
            let environment = { (name: String) in getenv(name).map { String(cString: $0) } }
            let input = environment("mapreduce_map_input_file") ?? environment("map_input_file") ?? "-"
            counters = try StreamMapper.run(job: loaded.job, inputPath: input, maxLineLength: Int(maxLine.bytes), status: report)
        case .combine, .reduce:
            guard !jobType.isMapOnly else {
                throw MRError(.usage, "job \(jobType.name) is map-only: run it with -numReduceTasks 0 and no \(part.rawValue) step")
            }
            counters = try StreamReducer.run(job: loaded.job, step: part == .reduce ? .reduce : .combine,
                                             maxLineLength: Int(maxLine.bytes), status: report)
        }
        for (name, amount) in counters.sorted(by: { $0.key < $1.key }) where amount != 0 {
            // Hadoop splits the line at commas: one in a counter's name would shift the amount.
            writeToStandardError("reporter:counter:mr,\(String(name.map { $0 == "," ? ";" : $0 })),\(amount)\n")
        }
    }
}
