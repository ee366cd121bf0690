import MRBase
import MRSystem
import MapReduce
#if canImport(Glibc)
import Glibc
#endif

/// A job packed to run where no Swift toolchain is (a Hadoop, EMR or Dataproc node, a Spark
/// executor): one `.tar.gz` holding, at its top,
///
/// ```
/// mr                launcher: runs bin/mr with lib/ first on the library path
/// bin/mr            this executable, its library path ($ORIGIN/../lib) rewritten to lib/
/// lib/*.so          the Swift runtime (and other non-libc libraries) mr and the job link
/// jobs/NAME.so      the compiled job, jobs/NAME.so.sha256 its digest, jobs/NAME.swift its source
/// ```
///
/// Both the binaries' own search path and the launcher point at `lib/` alone, so the packed
/// runtime is the one loaded even on a machine with another Swift, and the toolchain's folder
/// is never searched. An unpacked package loads its job from `jobs/`
/// (checked like the cache: private to the user, the digest matching) and compiles nothing.
package enum JobPackage {
    /// The libraries every Linux has, left out of the package.
    static let systemLibraries = ["linux-vdso.so", "libc.so", "libm.so", "libdl.so", "libpthread.so", "librt.so", "ld-linux"]

    /// Builds the package of `source` (compiled as `library`) into `archive`.
    /// Builds the package of `source` (compiled as `library`) into `archive`, in a private
    /// folder beside it, then renamed into place: a link planted at `archive` is replaced, never
    /// written through.
    package static func build(source: JobSource, library: String, archive: String) throws {
        let archive = FileSystem.absolutePath(archive)
        let work = try FileSystem.makeTemporaryDirectory(beside: archive)
        ChildRegistry.shared.add(temporaryPath: work)
        defer {
            FileSystem.removeTree(work)
            ChildRegistry.shared.remove(temporaryPath: work)
        }
        let staging = work + "/package"
        for folder in ["", "/bin", "/lib", "/jobs"] { try FileSystem.makeDirectory(staging + folder, mode: 0o755) }
        let executable = try currentExecutablePath()
        try copy(executable, to: "\(staging)/bin/mr", mode: 0o755, runpath: "$ORIGIN/../lib")
        try copy(library, to: "\(staging)/jobs/\(source.name).so", mode: 0o755, runpath: "$ORIGIN/../lib")
        // The job's digest, of the copy as packed.
        try FileSystem.writeFile("\(staging)/jobs/\(source.name).so\(JobCompiler.digestSuffix)",
                                 SHA256.hex(of: try FileSystem.readFile("\(staging)/jobs/\(source.name).so")) + "\n", mode: 0o644)
        try copy(source.path, to: "\(staging)/jobs/\(source.name).swift", mode: 0o644)
        for dependency in try sharedLibraries(of: [executable, library]) {
            try copy(dependency, to: "\(staging)/lib/\(FileSystem.lastComponent(dependency))", mode: 0o755)
        }
        try FileSystem.writeFile("\(staging)/mr", launcher, mode: 0o755)
        let packed = try ChildProcess.runCapturingOutput(["/bin/tar", "--owner=0", "--group=0", "--numeric-owner", "-czf",
                                                          work + "/package.tar.gz", "-C", staging, "."],
                                                         workingDirectory: staging)
        guard packed.succeeded else { throw MRError(.io, "cannot write '\(archive)': \(packed.output)") }
        try FileSystem.setMode(work + "/package.tar.gz", 0o644)
        try FileSystem.rename(work + "/package.tar.gz", to: archive)
    }

    /// The compiled job `name` of the package this executable was unpacked from, checked; nil
    /// when mr does not run from a package or the package has no such job.
    package static func packedLibrary(named name: String) throws -> String? {
        let root = FileSystem.parentDirectory(FileSystem.parentDirectory(try currentExecutablePath()))
        let library = "\(root)/jobs/\(name).so"
        guard FileSystem.exists("\(root)/mr"), FileSystem.exists(library) else { return nil }
        try JobCompiler.verify(library, root: root)
        return library
    }

    private static let launcher = """
        #!/bin/sh
        # mr packed by `mr package`: its own Swift runtime first on the library path.
        here=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
        LD_LIBRARY_PATH="$here/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" exec "$here/bin/mr" "$@"

        """

    /// The shared libraries `binaries` load, as the dynamic linker resolves them here, but for
    /// those every Linux system has.
    private static func sharedLibraries(of binaries: [String]) throws -> Set<String> {
        var found: Set<String> = []
        for binary in binaries {
            let listed = try ChildProcess.runCapturingOutput(["/usr/bin/ldd", binary], workingDirectory: "/")
            guard listed.succeeded else { throw MRError(.internal, "cannot list the libraries of '\(binary)': \(listed.output)") }
            for line in listed.output.split(separator: "\n") {
                // "\tlibswiftCore.so => /opt/swift/usr/lib/swift/linux/libswiftCore.so (0x...)"
                let fields = line.split(separator: " ")
                guard let arrow = fields.firstIndex(of: "=>"), arrow + 1 < fields.count, fields[arrow + 1].hasPrefix("/") else { continue }
                let name = fields[0].trimmingCharacters(in: "\t ")
                if systemLibraries.contains(where: { name.hasPrefix($0) }) { continue }
                found.insert(String(fields[arrow + 1]))
            }
        }
        return found
    }

    /// Copies a file; for a binary, with its library search path set to `runpath`.
    private static func copy(_ source: String, to destination: String, mode: mode_t, runpath: String? = nil) throws {
        var bytes = try FileSystem.readFile(source)
        if let runpath { try ElfRunpath.rewrite(&bytes, to: runpath) }
        try bytes.withUnsafeBytes { try FileSystem.writeFile(destination, bytes: $0, mode: mode) }
    }
}
