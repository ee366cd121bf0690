import ArgumentParser
import MREngine

/// `mr new NAME`: writes NAME.swift from a template that compiles and runs as is, into the
/// current folder's `jobs/` (or `$MR_JOBS_DIR`), where `mr NAME` looks first.
struct NewJobCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "new",
        abstract: "Create jobs/NAME.swift from a commented template (a word count to edit).",
        discussion: "Writes into ./jobs/ (created if needed), or into $MR_JOBS_DIR when it is set, and prints the file's path.")

    @Argument(help: "The job's name: lowercase letters, digits and dashes.")
    var name: String

    func validate() throws {
        guard let first = name.first, first.isLowercase,
              name.allSatisfy({ ($0.isLowercase && $0.isASCII) || $0.isNumber || $0 == "-" }) else {
            throw ValidationError("a job name is lowercase letters, digits and dashes, starting with a letter: '\(name)'")
        }
        guard !MRCommand.commandNames.contains(name) else {
            throw ValidationError("'\(name)' is the name of mr's own command `mr \(name)`, so no job can be run by it; pick another name")
        }
    }

    func run() throws {
        let path = try JobDirectory.locate().newJobFolder + "/" + name + ".swift"
        try JobTemplate.write(name: name, to: path)
        print("""
            wrote \(path)
            run it:   mr \(name) INPUT...
            edit it, then run it again: mr rebuilds it when the file changes.
            """)
    }
}
