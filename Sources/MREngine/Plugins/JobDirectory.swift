#if canImport(Glibc)
import Glibc
#endif

/// The folder of job files: `$MR_JOBS_DIR`, else `./jobs`, else the `jobs/` folder of the
/// checkout `mr` was built in (found by walking up from the executable).
public struct JobDirectory: Sendable {
    public let path: String

    public static func locate() throws -> JobDirectory {
        if let explicit = getenv("MR_JOBS_DIR").map({ String(cString: $0) }) {
            return JobDirectory(path: explicit)
        }
        if try FileSystem.status("jobs")?.isDirectory == true { return JobDirectory(path: "jobs") }
        var directory = FileSystem.parentDirectory(try currentExecutablePath())
        while directory != "/" && directory != "." {
            if try FileSystem.status(directory + "/Package.swift") != nil,
               try FileSystem.status(directory + "/jobs")?.isDirectory == true {
                return JobDirectory(path: directory + "/jobs")
            }
            directory = FileSystem.parentDirectory(directory)
        }
        return JobDirectory(path: "jobs")
    }

    /// Every job file, sorted by name.
    public func sources() throws -> [JobSource] {
        guard try FileSystem.status(path)?.isDirectory == true else { return [] }
        return try FileSystem.contents(of: path)
            .filter { $0.hasSuffix(".swift") && !$0.hasPrefix(".") }
            .map { try JobSource(path: path + "/" + $0) }
    }

    /// The job called `name`, or a usage error suggesting the nearest name.
    public func source(named name: String) throws -> JobSource {
        let file = path + "/" + name + ".swift"
        if try FileSystem.status(file) != nil { return try JobSource(path: file) }
        let names = try sources().map(\.name)
        let nearest = names.min { editDistance($0, name) < editDistance($1, name) }
        let hint = nearest.map { " Did you mean '\($0)'?" } ?? ""
        throw MRError(.usage, "no job named '\(name)' in \(path)/.\(hint) Jobs: \(names.joined(separator: ", ")). Create one with `mr new \(name)`.")
    }
}

/// Levenshtein distance, to suggest the name a typo meant.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    guard !a.isEmpty else { return b.count }
    guard !b.isEmpty else { return a.count }
    var previous = Array(0...b.count)
    for i in 1...a.count {
        var current = [i] + Array(repeating: 0, count: b.count)
        for j in 1...b.count {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        previous = current
    }
    return previous[b.count]
}
