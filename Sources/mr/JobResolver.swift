import MapReduce
import MREngine

/// Turns what the user typed (a job name or a path to a `.swift` file, and the job's options)
/// into a loaded job: finds the source, compiles it if needed, loads it, checks its options.
enum JobResolver {
    static func source(for nameOrPath: String) throws -> JobSource {
        if nameOrPath.hasSuffix(".swift") || nameOrPath.contains("/") {
            return try JobSource(path: nameOrPath)
        }
        return try JobDirectory.locate().source(named: nameOrPath)
    }

    /// Jobs resolved so far in this process: main.swift resolves the job to learn its options,
    /// the command then loads it, and its library is found, checked (SHA-256) and opened once.
    nonisolated(unsafe) private static var resolved: [String: (type: any Job.Type, library: String, source: String)] = [:]

    static func loadType(_ nameOrPath: String) throws -> (type: any Job.Type, library: String, source: String) {
        if let known = resolved[nameOrPath] { return known }
        let found = try resolveType(nameOrPath)
        resolved[nameOrPath] = found
        return found
    }

    private static func resolveType(_ nameOrPath: String) throws -> (type: any Job.Type, library: String, source: String) {
        // Unpacked from `mr package`: the packed build, no compiler needed.
        if !nameOrPath.hasSuffix(".swift") && !nameOrPath.contains("/"), let packed = try JobPackage.packedLibrary(named: nameOrPath) {
            return (try JobLibrary.load(packed), packed, String(packed.dropLast(".so".count)) + ".swift")
        }
        let source = try source(for: nameOrPath)
        let library = try JobCompiler.locate().library(for: source)
        let type = try JobLibrary.load(library)
        // Found by its file's name, a job must go by that name, or `mr NAME`, `mr jobs` and the
        // output folder would each name it differently.
        if !nameOrPath.hasSuffix(".swift") && !nameOrPath.contains("/") && type.name != nameOrPath {
            throw MRError(.jobDoesNotCompile, "\(source.path) declares the job '\(type.name)', but mr finds a job by its file's name; "
                + "rename the file to \(type.name).swift, or the job to '\(nameOrPath)'")
        }
        return (type, library, source.path)
    }

    /// The job with its option values: given ones (`name=value`) over the declared defaults.
    static func load(_ nameOrPath: String, optionAssignments: [String]) throws -> LoadedJob {
        let (jobType, library, source) = try loadType(nameOrPath)
        var values: [String: String] = [:]
        for option in jobType.options { values[option.name] = option.defaultValue }
        for assignment in optionAssignments {
            // `--pattern ''` gives the empty value: a value like any other.
            let parts = assignment.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 2, jobType.options.contains(where: { $0.name == parts[0] }) else {
                throw MRError(.usage, "job \(jobType.name) has no option '\(assignment)'; see mr \(jobType.name) --help")
            }
            values[parts[0]] = parts[1]
        }
        for option in jobType.options where values[option.name] == nil {
            throw MRError(.usage, "job \(jobType.name) needs --\(option.name): \(option.help)")
        }
        do {
            let job = try jobType.init(options: JobOptions(values))
            return LoadedJob(job: job, library: library, source: source, options: values)
        } catch let error as JobOptionError {
            throw MRError(.usage, "job \(jobType.name): \(error.message)")
        }
    }

    /// Rewrites the job's own `--name value` (or `--name=value`) arguments as hidden
    /// `--job-option name=value` ones for the parser, leaving everything else as it was.
    static func separateJobOptions(_ arguments: [String], declared: [JobOption]) -> [String] {
        let names = Set(declared.map(\.name))
        var result: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            if argument.hasPrefix("--") {
                let body = argument.dropFirst(2)
                let name = String(body.prefix { $0 != "=" })
                if names.contains(name) {
                    if body.contains("=") {
                        result += ["--job-option", name + "=" + body.drop { $0 != "=" }.dropFirst()]
                    } else if index + 1 < arguments.count {
                        result += ["--job-option", name + "=" + arguments[index + 1]]
                        index += 1
                    }
                    index += 1
                    continue
                }
            }
            result.append(argument)
            index += 1
        }
        return result
    }

    /// The help text of a job's own options.
    static func optionsHelp(_ jobType: any Job.Type) -> String {
        guard !jobType.options.isEmpty else { return "" }
        var lines = ["", "OPTIONS OF \(jobType.name.uppercased()):"]
        for option in jobType.options {
            let flag = "  --\(option.name) <value>"
            let padded = flag + String(repeating: " ", count: max(26 - flag.count, 1))
            lines.append(padded + option.help + (option.defaultValue.map { " (default: \($0))" } ?? " (required)"))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
