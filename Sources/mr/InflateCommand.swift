import ArgumentParser
import MREngine

/// `mr inflate INPUT...`: the benchmark floor, inflating the inputs and nothing else.
struct InflateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inflate",
        abstract: "Only decompress (or read) the inputs with N threads: the floor a job's time is compared to.",
        discussion: "Each file is read by its format, told by its first bytes: gzip (with --inflater), bzip2, zstd, xz, or plain text.")

    @Argument(help: "Input files or directories.")
    var inputs: [String]

    @Option(help: "Parallel workers; defaults to the number of cores.")
    var workers: Int = onlineCoreCount()

    @Option(help: "The library that inflates gzip: isal (ISA-L's igzip) or zlib.")
    var inflater: Inflater = .isal

    func run() throws {
        let started = monotonicSeconds()
        let bytes = try InflateFloor.run(inputs: inputs, workers: workers, inflater: inflater)
        let seconds = monotonicSeconds() - started
        print("decompressed \(bytes) bytes in \(seconds) s with \(workers) workers (gzip by \(inflater.rawValue))")
    }
}
