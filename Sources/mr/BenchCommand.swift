import ArgumentParser
import MREngine

/// `mr bench JOB INPUT...`: times the job in each mode and worker count against the inflate-only
/// floor, all in one run, and prints a Markdown table of medians.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Time a job in each mode and worker count against only inflating the same inputs.")

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

    @Option(help: "Scratch output directory.")
    var output: String = "out/bench"

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
        let registry = ChildRegistry()
        InterruptHandling.install(registry: registry)

        var floor: [Int: Double] = [:]
        var bytes: Int64 = 0
        for count in workerCounts {
            floor[count] = try median((0..<`repeat`).map { _ in
                let started = monotonicSeconds()
                bytes = try InflateFloor.run(inputs: inputs, workers: count)
                return monotonicSeconds() - started
            })
        }
        var rows: [(mode: ExecutionMode, workers: Int, seconds: Double)] = []
        for mode in modeList {
            for count in mode == .sequential ? [1] : workerCounts {
                var options = RunOptions(outputDirectory: output)
                options.mode = mode
                options.workers = count
                options.reducers = reducers
                let seconds = try median((0..<`repeat`).map { _ in
                    try Coordinator.run(loaded, inputs: inputs, options: options, registry: registry).wallSeconds
                })
                rows.append((mode, count, seconds))
            }
        }

        let megabytes = Double(bytes) / 1e6
        let sequential = rows.first { $0.mode == .sequential }?.seconds
        let oneWorker = Dictionary(rows.filter { $0.workers == 1 }.map { ($0.mode, $0.seconds) }) { a, _ in a }
        print("\(jobType.name) over \(megabytes.formatted(decimals: 1)) MB uncompressed; median of \(`repeat`) runs; R = \(reducers)\n")
        print("| mode | workers | wall s | MB/s | speedup vs 1 worker | speedup vs sequential | x inflate-only (same workers) |")
        print("|---|---|---|---|---|---|---|")
        for count in workerCounts {
            print("| inflate only | \(count) | \(floor[count]!.formatted(decimals: 3)) | \((megabytes / floor[count]!).formatted(decimals: 0)) | \((floor[workerCounts[0]]! / floor[count]!).formatted(decimals: 2)) | | 1.00 |")
        }
        for row in rows {
            let perWorker = oneWorker[row.mode].map { ($0 / row.seconds).formatted(decimals: 2) } ?? ""
            let versusSequential = sequential.map { ($0 / row.seconds).formatted(decimals: 2) } ?? ""
            let versusFloor = floor[row.workers].map { (row.seconds / $0).formatted(decimals: 2) } ?? ""
            print("| \(row.mode.rawValue) | \(row.workers) | \(row.seconds.formatted(decimals: 3)) | \((megabytes / row.seconds).formatted(decimals: 0)) | \(perWorker) | \(versusSequential) | \(versusFloor) |")
        }
    }

    private func median(_ values: [Double]) -> Double {
        values.sorted()[values.count / 2]
    }
}
