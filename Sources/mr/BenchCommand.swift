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
        for mode in modeList {
            for count in mode == .sequential ? [1] : workerCounts {
                var options = RunOptions(outputDirectory: directory + "/run")
                options.mode = mode
                options.workers = count
                options.reducers = reducers
                var seconds: [Double] = []
                var peak: Int64 = 0
                for _ in 0..<`repeat` {
                    let result = try Coordinator.run(loaded, inputs: inputs, options: options, registry: registry)
                    seconds.append(result.wallSeconds)
                    peak = max(peak, result.peakWorkerMemory)
                }
                report.rows.append(.init(mode: mode, workers: count, seconds: median(seconds), peakMemory: peak))
            }
        }
        print(report.markdown)
        try report.write(to: directory)
        print("\nwrote \(directory)/bench.json, bench.csv, speedup.svg")
    }

    private func median(_ values: [Double]) -> Double {
        values.sorted()[values.count / 2]
    }
}
