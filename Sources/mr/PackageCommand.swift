import ArgumentParser
import MREngine

/// `mr package JOB --output job.tar.gz`: the job, mr and the Swift runtime in one archive that
/// runs `mr stream` where no Swift is installed.
struct PackageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "package",
        abstract: "Pack a job, mr and the Swift runtime into one .tar.gz for cluster nodes without Swift.",
        discussion: "Unpacked anywhere, DIR/mr stream map JOB runs with no toolchain and no cache: e.g. hadoop jar hadoop-streaming.jar -archives job.tar.gz#job -mapper 'job/mr stream map JOB' ...")

    @Argument(help: "The job: a name found in ./jobs/ or the jobs/ shipped with mr, or the path of a .swift file.")
    var job: String

    @Option(help: "The archive to write.")
    var output: String

    func run() throws {
        let source = try JobResolver.source(for: job)
        let library = try JobCompiler.locate().library(for: source)
        try JobPackage.build(source: source, library: library, archive: output)
        print("wrote \(output): run `tar xzf \(output) -C DIR && DIR/mr stream map \(source.name)`")
    }
}
