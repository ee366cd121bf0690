import MRBase
import MRSystem
import MapReduce
#if canImport(Glibc)
import Glibc
#endif

/// Where `mr` looks for job files, in order: `$MR_JOBS_DIR` alone when it is set (and not empty); otherwise the
/// current folder's `jobs/`, the user's `${XDG_CONFIG_HOME:-~/.config}/mr/jobs`, then the jobs
/// shipped with `mr` (`jobs/` beside an installed `mr`, or of the checkout it was built in, found
/// by walking up from the executable). A name found in an earlier folder hides the same name in a
/// later one; a run names the file it used, so a shadowed job never runs unnoticed.
package struct JobDirectory: Sendable {
    /// The folders searched, first match wins.
    package let folders: [String]
    /// What each folder is, for `mr jobs`: "$MR_JOBS_DIR", "this folder's jobs/", "your config", "shipped with mr".
    package let origins: [String: String]
    /// Where `mr new` writes: `$MR_JOBS_DIR`, else `./jobs` (created when missing).
    package let newJobFolder: String

    package static func locate() throws -> JobDirectory {
        // Set but empty counts as unset, never as "/".
        if let explicit = environmentValue("MR_JOBS_DIR") {
            return JobDirectory(folders: [explicit], origins: [explicit: "$MR_JOBS_DIR"], newJobFolder: explicit)
        }
        let current = FileSystem.absolutePath("jobs")
        var folders = [current]
        var origins = [current: "this folder's jobs/"]
        for (folder, origin) in [(configJobsFolder(), "your config folder"), (try shippedJobsFolder(), "shipped with mr")] {
            guard let folder, origins[folder] == nil else { continue }
            folders.append(folder)
            origins[folder] = origin
        }
        return JobDirectory(folders: folders, origins: origins, newJobFolder: current)
    }

    /// `${XDG_CONFIG_HOME:-~/.config}/mr/jobs`: the user's own jobs, found from any folder.
    private static func configJobsFolder() -> String? {
        if let config = environmentValue("XDG_CONFIG_HOME") { return config + "/mr/jobs" }
        return environmentValue("HOME").map { $0 + "/.config/mr/jobs" }
    }

    /// The jobs shipped with the running executable: `jobs/` beside it (as `make install` lays
    /// it out), or the `jobs/` folder of the checkout holding it.
    private static func shippedJobsFolder() throws -> String? {
        let executableDirectory = FileSystem.parentDirectory(try currentExecutablePath())
        if try FileSystem.status(executableDirectory + "/jobs")?.isDirectory == true { return executableDirectory + "/jobs" }
        var directory = executableDirectory
        while directory != "/" && directory != "." {
            if try FileSystem.status(directory + "/Package.swift") != nil,
               try FileSystem.status(directory + "/jobs")?.isDirectory == true {
                return directory + "/jobs"
            }
            directory = FileSystem.parentDirectory(directory)
        }
        return nil
    }

    /// Every job file of every folder, sorted by name, and for each the later files it hides.
    package func sources() throws -> [(source: JobSource, hides: [String])] {
        var found: [String: (source: JobSource, hides: [String])] = [:]
        for folder in folders where try FileSystem.status(folder)?.isDirectory == true {
            for file in try FileSystem.contents(of: folder) where file.hasSuffix(".swift") && !file.hasPrefix(".") {
                let source = try JobSource(path: folder + "/" + file)
                if found[source.name] == nil {
                    found[source.name] = (source, [])
                } else {
                    found[source.name]!.hides.append(source.path)
                }
            }
        }
        return found.values.sorted { $0.source.name < $1.source.name }
    }

    /// The job called `name`, or a usage error suggesting the nearest name.
    package func source(named name: String) throws -> JobSource {
        for folder in folders {
            let file = folder + "/" + name + ".swift"
            if try FileSystem.status(file) != nil { return try JobSource(path: file) }
        }
        let names = try sources().map(\.source.name)
        let nearest = names.min { editDistance($0, name) < editDistance($1, name) }
        let hint = nearest.map { " Did you mean '\($0)'?" } ?? ""
        let searched = folders.map { $0 + "/" }.joined(separator: ", ")
        throw MRError(.usage, "no job named '\(name)' in \(searched).\(hint) Jobs: \(names.joined(separator: ", ")). Create one with `mr new \(name)`.")
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
