import MRBase
import MRSystem
import MapReduce
#if canImport(Glibc)
import Glibc
#endif

/// The job's output directory and the private work directory beside it.
///
/// Nothing is written into the output directory while the job runs: part files are committed into
/// a staged copy inside the work directory, `_SUCCESS` is written last, and the staged directory
/// then replaces the old one in one atomic exchange. A failed or killed run therefore leaves the
/// earlier output as it was, and a directory holding `_SUCCESS` is always complete. `mr` replaces
/// only directories it made itself (they hold a `.mr-output` marker).
package struct OutputDirectory {
    static let marker = OutputLayout.marker
    static let successFile = "_SUCCESS"

    let path: String
    package let workDirectory: String
    /// The work directory was adopted from a killed run of the same plan (`--resume`).
    package let resumed: Bool
    /// Held (flock) from `prepare` to `commit` or `abandon`: one run writes an output at a time.
    let lock: FileDescriptor

    /// `path` as given, without trailing slashes or `.` components (`out/wc/`, `out/wc/.` are
    /// `out/wc`); refused if it names no folder of its own (``, `/`, `..`, `out/..`).
    package static func normalized(_ path: String) throws -> String {
        let components = path.split(separator: "/").filter { $0 != "." }
        guard let last = components.last, last != ".." else {
            throw MRError(.usage, "--output '\(path)' names no folder of its own; pass a path such as out/JOB")
        }
        return (path.hasPrefix("/") ? "/" : "") + components.joined(separator: "/")
    }

    var staged: String { workDirectory + "/output" }
    package var journal: Journal { Journal(path: workDirectory + "/journal") }

    /// Checks that `path` may be replaced and creates the work directory beside it. With
    /// `resume`, the work directory a killed run of the same plan (same `fingerprint`) abandoned
    /// is adopted instead, committed outputs and journal included.
    package static func prepare(_ path: String, fingerprint: String, resume: Bool) throws -> OutputDirectory {
        if let status = try FileSystem.status(path) {
            guard status.isDirectory else {
                throw MRError(.cannotCreateOutput, "output path '\(path)' exists and is not a directory; remove it or pass another --output")
            }
            guard try FileSystem.status(path + "/" + marker) != nil else {
                throw MRError(.cannotCreateOutput, "output directory '\(path)' exists and was not made by mr (it has no \(marker) file), so mr will not replace it; remove it or pass another --output")
            }
        }
        let parent = FileSystem.parentDirectory(path)
        try FileSystem.makeDirectories(parent)
        let lock = try takeLock(path)
        let prefix = "." + FileSystem.lastComponent(path) + ".mr-work-"
        // PID-RANDOM: the pid tells whether its run is alive; the rest makes the name one no
        // other user can plant anything at in advance.
        var random = SystemRandomNumberGenerator()
        let work = parent + "/" + prefix + String(getpid()) + "-" + String(random.next() as UInt64, radix: 16)
        var resumed = false
        // Work directories of runs whose coordinator no longer exists (killed with SIGKILL).
        for name in (try? FileSystem.contents(of: parent)) ?? [] where name.hasPrefix(prefix) {
            guard let pid = pid_t(name.dropFirst(prefix.count).prefix { $0 != "-" }), kill(pid, 0) != 0 && errno == ESRCH else { continue }
            let abandoned = parent + "/" + name
            guard let owner = try FileSystem.ownership(abandoned)?.owner else { continue }
            let matches = resume && !resumed && readFingerprint(abandoned) == fingerprint
            if owner != geteuid() {
                // Another user's folder is theirs to remove, and its outputs are not this run's.
                if matches {
                    throw MRError(.cannotCreateOutput, "will not resume from '\(abandoned)': it belongs to user \(owner), not to you (user \(geteuid())); run without --resume, or remove it")
                }
                continue
            }
            if matches {
                try FileSystem.rename(abandoned, to: work)
                FileSystem.removeTree(work + "/attempts")
                resumed = true
            } else {
                FileSystem.removeTree(abandoned)
            }
        }
        let directory = OutputDirectory(path: path, workDirectory: work, resumed: resumed, lock: lock)
        if !resumed {
            do {
                try FileSystem.makeDirectory(work)
            } catch {
                throw MRError(.cannotCreateOutput, "cannot create the work directory '\(work)' beside the output: \(systemMessage(errno)); pass an --output in a writable directory")
            }
            try FileSystem.makeDirectory(directory.staged)
            try FileSystem.writeFile(directory.staged + "/" + marker, "")
            try FileSystem.writeFile(work + "/plan", fingerprint)
        }
        try FileSystem.makeDirectory(work + "/attempts")
        return directory
    }

    /// Locks `.NAME.mr-lock` beside the output (flock, so a lock whose holder died never
    /// blocks), recording the holder's pid in it. The file is removed when the run ends; a run
    /// that opened it just before that finds the name no longer leads to its file and takes the
    /// lock again on a new one.
    private static func takeLock(_ path: String) throws -> FileDescriptor {
        let lockPath = lockPath(for: path)
        while true {
            let lock = try FileDescriptor.openForLocking(lockPath)
            guard lock.tryLock() else {
                let holder = (try? FileSystem.readFile(lockPath)).map { String(decoding: $0, as: UTF8.self) } ?? ""
                lock.close()
                throw MRError(.cannotCreateOutput, "another mr run\(holder.isEmpty ? "" : " (pid \(holder))") is writing '\(path)'; wait for it to end, or pass another --output")
            }
            if lock.isStill(at: lockPath) {
                try lock.replaceContents(with: String(getpid()))
                return lock
            }
            lock.close()
        }
    }

    static func lockPath(for path: String) -> String {
        FileSystem.parentDirectory(path) + "/." + FileSystem.lastComponent(path) + ".mr-lock"
    }

    /// Removes the lock file while still holding it, then lets go.
    private func releaseLock() {
        FileSystem.remove(Self.lockPath(for: path))
        lock.close()
    }

    /// Whether a killed run of the plan `fingerprint` left a work directory beside `path`.
    package static func hasAbandonedRun(_ path: String, fingerprint: String) -> Bool {
        let parent = FileSystem.parentDirectory(path)
        let prefix = "." + FileSystem.lastComponent(path) + ".mr-work-"
        return ((try? FileSystem.contents(of: parent)) ?? []).contains { name in
            name.hasPrefix(prefix) && readFingerprint(parent + "/" + name) == fingerprint
        }
    }

    private static func readFingerprint(_ work: String) -> String? {
        (try? FileSystem.readFile(work + "/plan")).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Writes `_SUCCESS` (holding the run's `report`, as Hadoop's S3A committers write a JSON
    /// manifest) and puts the staged output in place of the old one.
    package func commit(report: String) throws {
        try writeSuccess(report: report)
        try putInPlace()
        finish()
    }

    /// Commit, step 1: `_SUCCESS` into the staged copy. A failure or a crash here leaves the
    /// output as it was.
    func writeSuccess(report: String) throws {
        try FileSystem.writeFile(staged + "/" + Self.successFile, report)
    }

    /// Commit, step 2: the staged copy takes the output's place in one atomic exchange (or one
    /// rename, for a first output). Before it the old output is whole; after it the new one is.
    func putInPlace() throws {
        if try FileSystem.status(path) != nil {
            try FileSystem.exchange(staged, path)
        } else {
            try FileSystem.rename(staged, to: path)
        }
    }

    /// Commit, step 3: the work folder (holding the old output after the exchange) removed and
    /// the lock let go. A crash before it leaves a work folder the next run removes.
    func finish() {
        FileSystem.removeTree(workDirectory)
        releaseLock()
    }

    /// Removes everything this run wrote; the output directory is untouched.
    package func abandon() {
        FileSystem.removeTree(workDirectory)
        releaseLock()
    }
}
