import ArgumentParser
import MREngine

/// `mr jobs`: every job mr can find, with its description, source file and build state.
struct JobsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobs",
        abstract: "List the jobs: name, description, source file, whether it is built.",
        discussion: "Jobs are found in ./jobs/, then in ${XDG_CONFIG_HOME:-~/.config}/mr/jobs/, then in the jobs shipped with mr; $MR_JOBS_DIR, when set, is the only folder searched. A job in an earlier folder hides one of the same name in a later folder.")

    func run() throws {
        let directory = try JobDirectory.locate()
        let sources = try directory.sources()
        guard !sources.isEmpty else {
            print("no jobs in \(directory.folders.map { $0 + "/" }.joined(separator: " or ")); create one with `mr new NAME`")
            return
        }
        let compiler = try? JobCompiler.locate()
        let width = max(sources.map(\.source.name.count).max() ?? 0, 4) + 2
        let indent = String(repeating: " ", count: width)
        for (source, hidden) in sources {
            let built = compiler?.isBuilt(source) == true ? "built" : "not built"
            let name = source.name + String(repeating: " ", count: width - source.name.count)
            let origin = directory.origins[FileSystem.parentDirectory(source.path)].map { "; \($0)" } ?? ""
            print("\(name)\(source.summary)\n\(indent)\(source.path) (\(built)\(origin))")
            for path in hidden { print("\(indent)hides \(path)") }
        }
    }
}
