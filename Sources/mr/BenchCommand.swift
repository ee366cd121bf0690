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
    var reducers: Int = onlineCoreCount()

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
        let registry = ChildRegistry.shared

        var report = BenchReport(job: jobType.name, repeats: `repeat`, reducers: reducers)
        report.data = inputs.joined(separator: " ")
        report.machine = machineDescription()
        func options(_ mode: ExecutionMode, _ count: Int, splitSize: Int64? = nil) -> RunOptions {
            var options = RunOptions(outputDirectory: directory + "/run")
            options.mode = mode
            options.workers = count
            options.reducers = reducers
            options.splitSize = splitSize
            return options
        }
        // One untimed run first: it compiles the job, warms the page cache, builds the index of
        // any large .gz file, and tells whether there is one.
        let warmUp = try Coordinator.run(loaded, inputs: inputs, options: options(.processes, workerCounts.max()!), registry: registry)
        var configurations: [BenchReport.Row.Key] = []
        for mode in modeList {
            configurations += (mode == .sequential ? [1] : workerCounts).map { BenchReport.Row.Key(mode: mode, workers: $0) }
        }
        if warmUp.indexedFiles + warmUp.relayedFiles > 0 {
            // The rows above split large .gz files at their saved index. Against them: the first
            // run, which has no index (one inflater feeds the workers while it builds it).
            configurations.append(.init(mode: .processes, workers: workerCounts.max()!, variant: BenchReport.Row.Key.firstRun))
        }
        if warmUp.indexedFiles + warmUp.relayedFiles + warmUp.memberSplitFiles > 0 {
            // And one mapper per file, as engines that do not split gzip run it.
            configurations.append(.init(mode: .processes, workers: 1, variant: BenchReport.Row.Key.oneMapperPerFile))
        }
        let gzipFiles = try InputCatalog.files(for: inputs).filter(\.isGzip)
        // Round after round of every configuration, each run right after an inflate-only run
        // with its number of workers: this shared 2-core machine drifts by ±20 % from minute to
        // minute, so ratios are taken within a round (a run against its own floor, against the
        // same round's sequential run) and their median reported.
        var runs: [BenchReport.Row.Key: (seconds: [Double], floor: [Double], zlibFloor: [Double], peak: Int64)] = [:]
        func inflateOnly(_ workers: Int, _ inflater: Inflater) throws -> Double {
            let started = monotonicSeconds()
            report.bytes = try InflateFloor.run(inputs: inputs, workers: workers, inflater: inflater)
            return monotonicSeconds() - started
        }
        for _ in 0..<`repeat` {
            for key in configurations {
                // Both floors: ISA-L's, which the runs use, and zlib's, the usual one elsewhere.
                let zlibFloor = try inflateOnly(key.workers, .zlib)
                let floor = try inflateOnly(key.workers, .isal)
                if key.variant == BenchReport.Row.Key.firstRun {
                    for file in gzipFiles { GzipIndex.remove(for: file.path, cacheDirectory: cacheDirectory()) }
                }
                let splitSize: Int64? = key.variant == BenchReport.Row.Key.oneMapperPerFile ? 1 << 50 : nil
                let result = try Coordinator.run(loaded, inputs: inputs, options: options(key.mode, key.workers, splitSize: splitSize),
                                                 registry: registry)
                runs[key, default: ([], [], [], 0)].seconds.append(result.wallSeconds)
                // Each configuration's last round, drawn as a timeline against its inflate-only floor.
                let timeline = TimelineChart.svg(result.timeline, workers: result.workers,
                                                 title: "mr bench \(report.job): \(key.mode.rawValue), \(key.workers) workers\(key.variant.map { ", \($0)" } ?? "")",
                                                 reference: (floor, "inflate only, ISA-L, same workers"))
                try writeText(timeline, to: directory + "/timeline-\(key.mode.rawValue)-\(key.workers)\(key.variant == nil ? "" : "-\(configurations.firstIndex(of: key)!)").svg")
                runs[key]!.floor.append(floor)
                runs[key]!.zlibFloor.append(zlibFloor)
                runs[key]!.peak = max(runs[key]!.peak, result.peakWorkerMemory)
            }
        }
        report.rows = configurations.map {
            BenchReport.Row(key: $0, rounds: runs[$0]!.seconds, floorRounds: runs[$0]!.floor,
                            zlibFloorRounds: runs[$0]!.zlibFloor, peakMemory: runs[$0]!.peak)
        }
        print(report.markdown)
        try report.write(to: directory)
        print("\nwrote \(directory)/bench.json, bench.csv, speedup.svg and a timeline-MODE-WORKERS.svg per configuration")
    }
}
