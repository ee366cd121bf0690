import ArgumentParser
import MREngine

/// `mr inflate INPUT...`: the benchmark floor, inflating the inputs and nothing else.
struct InflateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inflate",
        abstract: "Only inflate (or read) the inputs with N threads: the floor a job's time is compared to.")

    @Argument(help: "Input files or directories.")
    var inputs: [String]

    @Option(help: "Parallel workers; defaults to the number of cores.")
    var workers: Int = onlineCoreCount()

    @Option(help: "The library that inflates: isal (ISA-L's igzip) or zlib.")
    var inflater: Inflater = .isal

    func run() throws {
        let started = monotonicSeconds()
        let bytes = try InflateFloor.run(inputs: inputs, workers: workers, inflater: inflater)
        let seconds = monotonicSeconds() - started
        print("inflated \(bytes) bytes in \(seconds) s with \(workers) workers (\(inflater.rawValue))")
    }
}
