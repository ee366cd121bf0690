import ArgumentParser
import MapReduce
import MREngine
#if canImport(Glibc)
import Glibc
#endif

/// `mr JOB INPUT... [options]`: runs a job.
struct RunJobCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a job: `mr JOB INPUT...` (the word `run` may be left out).",
        discussion: "Job options follow the inputs, e.g. `mr ngrams datasets/ --n 3`; `mr JOB --help` lists them.")

    @Argument(help: "The job: a name found in ./jobs/ or the jobs/ shipped with mr (`mr jobs` lists them), or the path of a .swift file.")
    var job: String

    @Argument(help: "Input files or directories, searched recursively; in a directory, names starting with '.' or '_' are skipped (Hadoop's rule: an earlier run's _SUCCESS is not data); .gz or plain text; '-' reads standard input.")
    var inputs: [String]

    @Option(help: "Parallel workers; defaults to the number of cores.")
    var workers: Int = onlineCoreCount()

    @Option(help: "Reduce partitions, i.e. output part files; defaults to the number of cores.")
    var reducers: Int = onlineCoreCount()

    @Option(help: "processes (worker processes), threads (one process), or sequential.")
    var mode: ExecutionMode = .processes

    @Option(name: [.short, .long], help: "Output directory (default: out/JOB); '-' writes the result to standard output, sorted by key as one stream.")
    var output: String?

    @Option(help: "Target input bytes per map task, e.g. 64M (default: from the input size). Small files are packed up to it; a plain file is cut into pieces of at least 64K.")
    var splitSize: ByteCount?

    @Option(help: "Map tasks of N lines of each plain-text input (Hadoop's NLineInputFormat), for maps that spend long on each line.")
    var linesPerTask: Int64?

    @Option(help: "Map output a worker holds in memory before it spills a sorted run to disk, e.g. 128M (as Hadoop's io.sort.mb, 100 MB).")
    var memory: ByteCount = ByteCount(argument: "128M")!

    @Option(help: "The longest line read, e.g. 64M: a line is held whole in memory, so a longer one is bad input.")
    var maxLine: ByteCount = ByteCount(argument: "64M")!

    @Option(help: "Attempts per task before the job fails.")
    var maxAttempts: Int = 4

    @Option(help: "Seconds a worker process may go without progress before it is killed and its task re-run.")
    var taskTimeout: Double = 60

    @Flag(inversion: .prefixedNo, help: "Run backup copies of straggling tasks when a phase is nearly done (processes mode).")
    var speculate = true

    @Option(help: "The library that inflates .gz input: isal (ISA-L's igzip, 2-3x faster) or zlib (the index of a large .gz is built with ISA-L either way).")
    var inflater: Inflater = .isal

    @Option(help: "Compress the part files: none, gzip (part-NNNNN.gz) or zstd (part-NNNNN.zst), readable by zcat, zstdcat and mr.")
    var compressOutput: OutputCompressionChoice = .none

    @Flag(help: "Cut a corrupt input file short with a warning and a counter instead of failing (exit 65).")
    var skipBadInput = false

    @Flag(help: "After a killed run: reuse the tasks it committed (same job, options, inputs and reducers).")
    var resume = false

    @Option(help: "Draw every worker's attempts over time into this SVG file (as Spark's event timeline).")
    var timeline: String?

    @Flag(help: "Print no summary at the end (warnings about input left out are still printed).")
    var quiet = false

    @Flag(help: "Print the run report (JSON, as written into DIR/_SUCCESS) on stdout.")
    var json = false

    /// The job's own options, rewritten by main.swift from `--name value`.
    @Option(name: .customLong("job-option"), help: .hidden)
    var jobOptions: [String] = []

    func validate() throws {
        guard workers >= 1 else { throw ValidationError("--workers must be at least 1") }
        guard reducers >= 1 else { throw ValidationError("--reducers must be at least 1") }
        guard maxAttempts >= 1 else { throw ValidationError("--max-attempts must be at least 1") }
        guard taskTimeout > 0 else { throw ValidationError("--task-timeout must be positive") }
        try splitSize?.check("--split-size", within: 1...(1 << 40))
        if let linesPerTask, linesPerTask < 1 { throw ValidationError("--lines-per-task must be at least 1") }
        if inputs.filter({ $0 == StandardInput.argument }).count > 1 { throw ValidationError("standard input ('-') can be read once only") }
        if json && output == "-" { throw ValidationError("--json and --output - would both write standard output; pick one") }
        if compressOutput != .none && output == "-" {
            throw ValidationError("--compress-output names part files, and --output - writes none; pipe the output through gzip or zstd instead")
        }
        try memory.check("--memory", within: (1 << 20)...(1 << 40))
        try maxLine.check("--max-line", within: (1 << 10)...(1 << 40))
    }

    func run() throws {
        let loaded = try JobResolver.load(job, optionAssignments: jobOptions)
        let jobType = type(of: loaded.job)
        let registry = ChildRegistry.shared
        // Standard input, and an output for standard output, live in private folders until the
        // run ends (removed on Ctrl-C too).
        var temporaryFolders: [String] = []
        func removeTemporaryFolders() {
            for folder in temporaryFolders {
                FileSystem.removeTree(folder)
                registry.remove(temporaryPath: folder)
            }
        }
        defer { removeTemporaryFolders() }
        func temporaryFolder(_ made: String) -> String {
            registry.add(temporaryPath: made)
            temporaryFolders.append(made)
            return made
        }
        var inputs = inputs
        if let place = inputs.firstIndex(of: StandardInput.argument) {
            let (folder, file) = try StandardInput.spool()
            _ = temporaryFolder(folder)
            inputs[place] = file
        }
        let toStandardOutput = output == "-"
        let outputDirectory = toStandardOutput
            ? temporaryFolder(try FileSystem.makeTemporaryDirectory(beside: temporaryDirectory() + "/mr-output")) + "/out"
            : output ?? "out/\(jobType.name)"
        var options = RunOptions(outputDirectory: outputDirectory)
        options.mode = mode
        options.workers = workers
        options.reducers = reducers
        options.splitSize = splitSize?.bytes
        options.linesPerTask = linesPerTask
        options.maxAttempts = maxAttempts
        options.memoryPerWorker = Int(memory.bytes)
        options.maxLineLength = Int(maxLine.bytes)
        options.inflater = inflater
        options.compressOutput = compressOutput.compression
        options.taskTimeout = taskTimeout
        options.speculate = speculate
        options.skipBadInput = skipBadInput
        options.resume = resume
        options.showProgress = standardErrorIsTerminal && !quiet
        // A multi-step job: each step over the output of the one before, each step's output but
        // the last in a private folder.
        let steps = 1 + jobType.nextSteps.count
        var stepInputs = inputs
        for number in 0..<steps {
            let step = try loaded.step(number)
            var stepOptions = options
            if number < steps - 1 {
                stepOptions.compressOutput = .none  // read once, by the next step, and removed
                stepOptions.outputDirectory = temporaryFolder(try FileSystem.makeTemporaryDirectory(beside: temporaryDirectory() + "/mr-step")) + "/out"
            }
            let result = try Coordinator.run(step, inputs: stepInputs, options: stepOptions, registry: registry)
            stepInputs = [stepOptions.outputDirectory]
            if steps > 1 && !quiet { writeToStandardError("step \(number + 1) of \(steps):\n") }
            if !quiet {
                let shownOutput = number < steps - 1 ? "read by the next step" : toStandardOutput ? "standard output" : nil
                writeToStandardError(RunSummary.text(result, job: step, options: stepOptions, output: shownOutput))
            } else {
                // A warning says input was left out: never quiet.
                for warning in result.warnings.sorted() { writeToStandardError("mr: warning: \(warning)\n") }
            }
            guard number == steps - 1 else { continue }
            if json { print(result.report, terminator: "") }
            if let timeline {
                let title = "mr \(type(of: step.job).name): \(result.workers) workers, mode \(stepOptions.mode.rawValue), \(result.wallSeconds.formatted(decimals: 3)) s"
                try writeText(TimelineChart.svg(result.timeline, workers: result.workers, title: title), to: timeline)
            }
            if toStandardOutput,
               try !OutputStream.write(folder: outputDirectory, partCount: result.partFiles, sorted: !type(of: step.job).isMapOnly) {
                // The reader stopped early (`| head`): quietly, as a writer killed by SIGPIPE would.
                removeTemporaryFolders()
                Glibc.exit(128 + SIGPIPE)
            }
        }
    }
}

extension ExecutionMode: ExpressibleByArgument {}

/// The compressions `--compress-output` writes.
enum OutputCompressionChoice: String, ExpressibleByArgument, CaseIterable {
    case none, gzip, zstd

    var compression: Compression {
        switch self {
        case .none: .none
        case .gzip: .gzip
        case .zstd: .zstd
        }
    }
}
extension Inflater: ExpressibleByArgument {}

/// A byte count with an optional K, M, G or T suffix (powers of 1024).
struct ByteCount: ExpressibleByArgument {
    let bytes: Int64
    private let text: String

    var defaultValueDescription: String { text }

    init?(argument: String) {
        text = argument
        let units: [Character: Int64] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40]
        var text = argument.uppercased()
        var scale: Int64 = 1
        if let last = text.last, let unit = units[last] {
            scale = unit
            text.removeLast()
        }
        // Beyond Int64 (9999999999G) is refused like any text that is not a count.
        guard let value = Int64(text), case let (product, overflow) = value.multipliedReportingOverflow(by: scale), !overflow else {
            return nil
        }
        bytes = product
    }

    /// Throws, naming `option` and the range, unless the count is within `range`.
    func check(_ option: String, within range: ClosedRange<Int64>) throws {
        guard range.contains(bytes) else {
            throw ValidationError("\(option) must be between \(ByteCount.text(range.lowerBound)) and \(ByteCount.text(range.upperBound)), not \(text)")
        }
    }

    /// 1K, 64M, 1T: a count of bytes as typed.
    static func text(_ bytes: Int64) -> String {
        for (suffix, shift) in [("T", 40), ("G", 30), ("M", 20), ("K", 10)] where bytes >= 1 << shift && bytes % (1 << shift) == 0 {
            return "\(bytes >> shift)\(suffix)"
        }
        return "\(bytes)"
    }
}
