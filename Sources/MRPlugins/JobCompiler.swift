import MRBase
import MRSystem
import MapReduce
#if canImport(Glibc)
import Glibc
#endif

/// Compiles a job file into a shared library with `swiftc`, cached by a hash of the source, the
/// flags, the compiler and the `MapReduce` API module: a job is rebuilt only when one of them
/// changes. The library links nothing of the API: its references bind, when `mr` loads it, to the
/// one copy inside the `mr` executable (linked with --export-dynamic), so both agree on every type.
package struct JobCompiler: Sendable {
    static let flags = ["-O", "-parse-as-library", "-emit-library"]
    static let libraryName = "libjob.so"
    /// Beside the library: its SHA-256 in hex, written at build.
    static let digestSuffix = ".sha256"

    let swiftc: String
    let apiModules: String
    let cacheDirectory: String

    /// Finds the compiler (`$SWIFTC` or `swiftc` on PATH), the API module beside the running `mr`
    /// (`Modules/MapReduce.swiftmodule`, as SwiftPM lays it out) and the cache folder
    /// (`$MR_CACHE_DIR`, else `$XDG_CACHE_HOME/mr`, else `~/.cache/mr`).
    package static func locate() throws -> JobCompiler {
        let executableDirectory = FileSystem.parentDirectory(try currentExecutablePath())
        let modules = executableDirectory + "/Modules"
        guard try FileSystem.status(modules + "/MapReduce.swiftmodule") != nil else {
            throw MRError(.internal, "the MapReduce API module is not beside mr (looked for \(modules)/MapReduce.swiftmodule); run mr from its build folder (.build/release/mr)")
        }
        let environment = { (name: String) in getenv(name).map { String(cString: $0) } }
        let swiftc = try environment("SWIFTC") ?? findOnPath("swiftc")
        return JobCompiler(swiftc: swiftc, apiModules: modules, cacheDirectory: MRSystem.cacheDirectory())
    }

    private static func findOnPath(_ program: String) throws -> String {
        let path = getenv("PATH").map { String(cString: $0) } ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") where access("\(directory)/\(program)", X_OK) == 0 {
            return "\(directory)/\(program)"
        }
        throw MRError(.internal, "cannot find \(program) on PATH to compile jobs; install Swift or set SWIFTC")
    }

    /// Where the library for `source` lives (whether built or not).
    package func libraryPath(for source: JobSource) throws -> String {
        "\(cacheDirectory)/jobs/\(source.name)-\(try cacheKey(for: source))/\(Self.libraryName)"
    }

    package func isBuilt(_ source: JobSource) -> Bool {
        guard let path = try? libraryPath(for: source) else { return false }
        return (try? FileSystem.status(path)) != nil
    }

    /// The library for `source`, compiling it first if the cache has none, and checked before it
    /// is handed out: the cache path is private to this user (``CacheFolder``) and the library's
    /// SHA-256 equals the digest recorded when it was built.
    package func library(for source: JobSource) throws -> String {
        let library = try libraryPath(for: source)
        let buildFolder = FileSystem.parentDirectory(library)
        let jobsFolder = FileSystem.parentDirectory(buildFolder)
        try CacheFolder.makePrivate(jobsFolder, root: cacheDirectory)
        if try FileSystem.ownership(buildFolder) == nil { try build(source, into: buildFolder) }
        try CacheFolder.checkPrivate(buildFolder, root: cacheDirectory)
        do {
            try Self.verify(library, root: cacheDirectory)
        } catch {
            // Deleted or damaged since its build, in a folder only this user can write: built again.
            FileSystem.removeTree(buildFolder)
            try build(source, into: buildFolder)
            try Self.verify(library, root: cacheDirectory)
        }
        return library
    }

    /// Whether the library and its recorded digest are both there and agree.
    private static func isIntact(_ library: String) -> Bool {
        guard let recorded = try? FileSystem.readFile(library + digestSuffix), let bytes = try? FileSystem.readFile(library) else { return false }
        return SHA256.hex(of: bytes) == String(decoding: recorded, as: UTF8.self).trimmingCharacters(in: "\n ")
    }

    /// Compiles in a private folder of its own, records the library's digest, and renames the
    /// folder into place: a failed or interrupted compile leaves nothing in the cache, and
    /// concurrent runs never see half a build.
    private func build(_ source: JobSource, into buildFolder: String) throws {
        FileSystem.removeAbandonedTemporaries(in: FileSystem.parentDirectory(buildFolder))
        let temporary = try FileSystem.makeTemporaryDirectory(beside: buildFolder)
        ChildRegistry.shared.add(temporaryPath: temporary)
        defer {
            FileSystem.removeTree(temporary)
            ChildRegistry.shared.remove(temporaryPath: temporary)
        }
        try FileSystem.writeFile(temporary + "/entry.swift", """
            // Generated by mr: the entry point mr looks up in the library.
            import MapReduce
            @_cdecl("mr_job_entry")
            public func mrJobEntry() -> UnsafeMutableRawPointer {
                Unmanaged.passRetained(JobEntry(\(try source.jobTypeName()).self)).toOpaque()
            }
            """)
        let moduleName = "mrjob_" + source.name.map { $0.isLetter || $0.isNumber ? String($0) : "_" }.joined()
        // Run in the build folder: the compiler needs a working directory it may enter, which
        // the caller's need not be (a checkout only its owner may enter, mr run by another user).
        let result = try ChildProcess.runCapturingOutput(
            [swiftc] + Self.flags + ["-module-name", moduleName, "-I", apiModules, source.path, "entry.swift", "-o", Self.libraryName],
            workingDirectory: temporary)
        guard result.succeeded else {
            throw MRError(.jobDoesNotCompile, "job '\(source.name)' does not compile (\(source.path)):\n\(result.output)")
        }
        FileSystem.remove(temporary + "/entry.swift")
        let library = temporary + "/" + Self.libraryName
        try FileSystem.setMode(library, 0o700)
        try FileSystem.writeFile(library + Self.digestSuffix, SHA256.hex(of: try FileSystem.readFile(library)) + "\n", mode: 0o600)
        if rename(temporary, buildFolder) != 0 && errno != EEXIST && errno != ENOTEMPTY {
            throw MRError.system(.io, "move the compiled job into", buildFolder, errno: errno)
        }  // EEXIST, ENOTEMPTY: a concurrent run built the same job first; its build is as good
    }

    /// Throws unless every folder and file on the library's path from `root` down is private to
    /// this user and the library's digest is the one recorded at its build.
    static func verify(_ library: String, root: String) throws {
        let digestFile = library + digestSuffix
        try CacheFolder.checkPrivate(library, root: root)
        try CacheFolder.checkPrivate(digestFile, root: root)
        guard isIntact(library) else {
            throw MRError(.untrusted, "refusing to load '\(library)': it is not the library mr built there (its SHA-256 differs from \(digestFile)); "
                + "delete '\(FileSystem.parentDirectory(library))' and run again to rebuild it")
        }
    }

    /// A hash of everything the library depends on.
    func cacheKey(for source: JobSource) throws -> String {
        var material = Array(source.text.utf8)
        material += Array((Self.flags.joined(separator: " ") + "\u{0}" + swiftc + "\u{0}").utf8)
        var info = stat()
        if stat(swiftc, &info) == 0 {
            material += Array("\(info.st_size) \(info.st_mtim.tv_sec) \(info.st_mtim.tv_nsec)\u{0}".utf8)
        }
        material += try FileSystem.readFile(apiModules + "/MapReduce.swiftmodule")
        return String(SHA256.hex(of: material).prefix(32))
    }
}
