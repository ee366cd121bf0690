import ArgumentParser
import MREngine

/// `mr bench JOB INPUT...`: times the job in each mode and worker count against the inflate-only
/// floor, all in one run; prints a Markdown table of medians and writes it as JSON, CSV and an
/// SVG speedup chart.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Time a job in each mode and worker count against only inflating the same inputs.",
        discussion: "Writes bench.json, bench.csv and speedup.svg to the output directory.")

    @Argument(help: "The job to run.")
    var job: String

    @Argument(help: "Input files or directories.")
    var inputs: [String]

    @Option(help: "Comma-separated worker counts.")
    var workers: String = "1,2"

    @Option(help: "Comma-separated modes.")
    var modes: String = "sequential,threads,processes"

    @Option(help: "Runs per configuration; the median is reported.")
    var `repeat`: Int = 3

    @Option(help: "Reduce partitions.")
    var reducers: Int = systemCoreCount()

    @Option(help: "Where the results (and the job's scratch output) go; default out/bench/JOB.")
    var output: String?

    @Option(name: .customLong("job-option"), help: .hidden)
    var jobOptions: [String] = []

    func run() throws {
        let loaded = try JobResolver.load(job, optionAssignments: jobOptions)
        let jobType = type(of: loaded.job)
        let workerCounts = try workers.split(separator: ",").map { text -> Int in
            guard let count = Int(text), count > 0 else { throw ValidationError("bad --workers list '\(workers)'") }
            return count
        }
        let modeList = try modes.split(separator: ",").map { text -> ExecutionMode in
            guard let mode = ExecutionMode(rawValue: String(text)) else { throw ValidationError("bad --modes list '\(modes)'") }
            return mode
        }
        let directory = output ?? "out/bench/\(jobType.name)"
        let registry = ChildRegistry()
        InterruptHandling.install(registry: registry)

        var report = BenchReport(job: jobType.name, repeats: `repeat`, reducers: reducers)
        for count in workerCounts {
            var seconds: [Double] = []
            for _ in 0..<`repeat` {
                let started = monotonicSeconds()
                report.bytes = try InflateFloor.run(inputs: inputs, workers: count)
                seconds.append(monotonicSeconds() - started)
            }
            report.floor[count] = median(seconds)
        }
        /// Times `repeat` runs; `beforeEach` runs untimed before each.
        @discardableResult
        func measure(_ mode: ExecutionMode, _ count: Int, variant: String? = nil, splitSize: Int64? = nil,
                     beforeEach: () throws -> Void = {}) throws -> RunResult {
            var options = RunOptions(outputDirectory: directory + "/run")
            options.mode = mode
            options.workers = count
            options.reducers = reducers
            options.splitSize = splitSize
            var seconds: [Double] = []
            var peak: Int64 = 0
            var last: RunResult?
            for _ in 0..<`repeat` {
                try beforeEach()
                let result = try Coordinator.run(loaded, inputs: inputs, options: options, registry: registry)
                seconds.append(result.wallSeconds)
                peak = max(peak, result.peakWorkerMemory)
                last = result
            }
            report.rows.append(.init(mode: mode, workers: count, seconds: median(seconds), peakMemory: peak, variant: variant))
            return last!
        }
        var splitsLargeGzip = false
        for mode in modeList {
            for count in mode == .sequential ? [1] : workerCounts {
                let result = try measure(mode, count)
                splitsLargeGzip = splitsLargeGzip || result.indexedFiles > 0
            }
        }
        if splitsLargeGzip {
            // The rows above split large .gz files at their saved index. Against them: the first
            // run, which has no index (one inflater feeds the workers while it builds it), and
            // one mapper per file, as engines that do not split gzip run it.
            let files = try InputCatalog.files(for: inputs).filter(\.isGzip)
            try measure(.processes, workerCounts.max()!, variant: "first run, no index") {
                for file in files { GzipIndex.remove(for: file.path, cacheDirectory: cacheDirectory()) }
            }
            try measure(.processes, 1, variant: "one mapper per file", splitSize: 1 << 50)
        }
        print(report.markdown)
        try report.write(to: directory)
        print("\nwrote \(directory)/bench.json, bench.csv, speedup.svg")
    }

    private func median(_ values: [Double]) -> Double {
        values.sorted()[values.count / 2]
    }
}
