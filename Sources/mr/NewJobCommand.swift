import ArgumentParser
import MREngine

/// `mr new NAME`: writes jobs/NAME.swift from a template that compiles and runs as is.
struct NewJobCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "new",
        abstract: "Create jobs/NAME.swift from a commented template (a word count to edit).")

    @Argument(help: "The job's name: lowercase letters, digits and dashes.")
    var name: String

    func validate() throws {
        guard let first = name.first, first.isLowercase,
              name.allSatisfy({ ($0.isLowercase && $0.isASCII) || $0.isNumber || $0 == "-" }) else {
            throw ValidationError("a job name is lowercase letters, digits and dashes, starting with a letter: '\(name)'")
        }
    }

    func run() throws {
        let directory = try JobDirectory.locate()
        let path = directory.path + "/" + name + ".swift"
        try JobTemplate.write(name: name, to: path)
        print("""
            wrote \(path)
            run it:   mr \(name) datasets/
            edit it, then run it again: mr rebuilds it when the file changes.
            """)
    }
}
