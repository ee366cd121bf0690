import ArgumentParser
import MapReduce
import MREngine
#if canImport(Glibc)
import Glibc
#endif

/// `mr stream map|combine|reduce JOB`: one step of a job as a Hadoop Streaming executable, so the
/// same job file runs on Hadoop, EMR, Dataproc (through mrjob too) and Spark's `RDD.pipe`.
struct StreamCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stream",
        abstract: "Run one step of a job on stdin/stdout, as Hadoop Streaming runs a mapper, combiner or reducer.",
        discussion: """
            map reads input lines and writes KEY<TAB>VALUE lines (values: a decimal integer, or ' and the text); \
            combine and reduce read those lines sorted by key (LC_ALL=C sort) and group equal keys. \
            reduce, and map of a map-only job, write mr's own output lines. Keys and text escape \\\\, tab, \
            newline and carriage return as \\\\\\\\, \\\\t, \\\\n, \\\\r. record.file is $mapreduce_map_input_file \
            (or $map_input_file); counters go to stderr as reporter:counter:mr,NAME,AMOUNT. \
            Example: zcat books.gz | mr stream map wordcount | LC_ALL=C sort | mr stream reduce wordcount
            """)

    enum Step: String, ExpressibleByArgument, CaseIterable { case map, combine, reduce }

    @Argument(help: "map, combine or reduce.")
    var step: Step

    @Argument(help: "The job: a name found in ./jobs/ or the jobs/ shipped with mr, or the path of a .swift file.")
    var job: String

    @Option(help: "The longest line read, e.g. 64M.")
    var maxLine: ByteCount = ByteCount(argument: "64M")!

    @Option(name: .customLong("job-option"), help: .hidden)
    var jobOptions: [String] = []

    func validate() throws {
        try maxLine.check("--max-line", within: (1 << 10)...(1 << 40))
    }

    func run() throws {
        let loaded = try JobResolver.load(job, optionAssignments: jobOptions)
        let jobType = type(of: loaded.job)
        guard jobType.nextSteps.isEmpty else {
            throw MRError(.usage, "job \(jobType.name) has \(jobType.nextSteps.count + 1) steps, and mr stream runs a job of one step; run it as mr \(jobType.name)")
        }
        let report = { (message: String) in writeToStandardError("reporter:status:mr \(jobType.name) \(message)\n") }
        let counters: [String: Int64]
        switch step {
        case .map:
            let environment = { (name: String) in getenv(name).map { String(cString: $0) } }
            let input = environment("mapreduce_map_input_file") ?? environment("map_input_file") ?? "-"
            counters = try StreamMapper.run(job: loaded.job, inputPath: input, maxLineLength: Int(maxLine.bytes), status: report)
        case .combine, .reduce:
            guard !jobType.isMapOnly else {
                throw MRError(.usage, "job \(jobType.name) is map-only: run it with -numReduceTasks 0 and no \(step.rawValue) step")
            }
            counters = try StreamReducer.run(job: loaded.job, step: step == .reduce ? .reduce : .combine,
                                             maxLineLength: Int(maxLine.bytes), status: report)
        }
        for (name, amount) in counters.sorted(by: { $0.key < $1.key }) where amount != 0 {
            // Hadoop splits the line at commas: one in a counter's name would shift the amount.
            writeToStandardError("reporter:counter:mr,\(String(name.map { $0 == "," ? ";" : $0 })),\(amount)\n")
        }
    }
}
