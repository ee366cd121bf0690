import ArgumentParser
import MREngine

/// `mr jobs`: every job in jobs/, with its description, source and build state.
struct JobsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobs",
        abstract: "List the jobs in jobs/: name, description, source file, whether it is built.")

    func run() throws {
        let directory = try JobDirectory.locate()
        let sources = try directory.sources()
        guard !sources.isEmpty else {
            print("no jobs in \(directory.path)/; create one with `mr new NAME`")
            return
        }
        let compiler = try? JobCompiler.locate()
        let width = max(sources.map(\.name.count).max() ?? 0, 4) + 2
        for source in sources {
            let built = compiler?.isBuilt(source) == true ? "built" : "not built"
            let name = source.name + String(repeating: " ", count: width - source.name.count)
            print("\(name)\(source.summary)\n\(String(repeating: " ", count: width))\(source.path) (\(built))")
        }
    }
}
