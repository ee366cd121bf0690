import MRBase
import MRSystem
import MapReduce
#if canImport(Glibc)
import Glibc
#endif

/// One input file found under the command line's INPUT arguments.
package struct InputEntry: Sendable {
    /// The path to open.
    package let path: String
    /// The path relative to the INPUT argument it was found under (see ``InputFile/name``).
    package let name: String
    /// Size on disk (compressed size for compressed files).
    package let size: Int64
    /// How the file is compressed, by its first bytes (before they are read: by its name).
    package var compression: Compression
    /// Gzip, read by ``GzipSource`` (the others by ``CompressedSource``).
    package var isGzip: Bool { compression == .gzip }
    /// A valid ``GzipIndex`` of the file, when it is split at access points.
    package var indexPath: String? = nil
    /// The file's device, inode, size and modification time when the run was planned (see
    /// `FileSystem.Status.identity`): `--resume` reuses work only for the very same files.
    package var identity: String = ""

    package init(path: String, name: String, size: Int64, compression: Compression, indexPath: String? = nil, identity: String = "") {
        self.path = path
        self.name = name
        self.size = size
        self.compression = compression
        self.indexPath = indexPath
        self.identity = identity
    }
}

/// Expands INPUT arguments (files or directories, recursed, hidden names and `.mrindex` files
/// skipped) into input files.
package enum InputCatalog {
    /// The input files that can be read. An unreadable one fails the run (exit 66), or with
    /// `skipUnreadable` is left out and named in `skipped`; what a folder holds that is not a
    /// file (a pipe, a socket, a broken link) is named in `notInput`.
    package static func readableFiles(for inputs: [String], skipUnreadable: Bool) throws
        -> (files: [InputEntry], skipped: [(path: String, warning: String)], notInput: [String]) {
        var readable: [InputEntry] = []
        var skipped: [(path: String, warning: String)] = []
        var notInput: [String] = []
        for var entry in try collect(inputs, warnings: &notInput, skipping: skipUnreadable, skipped: &skipped) {
            if entry.path.withPathCString({ access($0, R_OK) }) == 0 {
                // The format by the first bytes, whatever the name; something that is not text is
                // bad input, never records. (A file named for a compression that does not start
                // as it does is left to that format's reader, which names the damage.)
                switch try InputFormat.of(entry.path, size: entry.size) {
                case .compressed(let compression):
                    entry.compression = compression
                case .text:
                    break
                case .notText where entry.compression != .none:
                    break
                case .notText(let what, let fix):
                    guard skipUnreadable else { throw MRError(.badInput, "\(entry.path) \(what); \(fix), or pass --skip-bad-input to skip it") }
                    skipped.append((entry.path, "skipped \(entry.path): it \(what)"))
                    continue
                }
                readable.append(entry)
                continue
            }
            let reason = systemMessage(errno)
            guard skipUnreadable else {
                throw MRError(.noInput, "cannot read input '\(entry.path)': \(reason); fix its permissions, leave it out, or pass --skip-bad-input")
            }
            skipped.append((entry.path, "skipped unreadable input '\(entry.path)': \(reason)"))
        }
        return (readable, skipped, notInput)
    }

    /// The input files, without checking that they can be read.
    package static func files(for inputs: [String]) throws -> [InputEntry] {
        var warnings: [String] = []
        var skipped: [(path: String, warning: String)] = []
        return try collect(inputs, warnings: &warnings, skipping: false, skipped: &skipped)
    }

    /// What a walk of input folders carries: the folders read so far (by device and inode, so
    /// one reached again through a link is read once) and the folders above the current one (a
    /// link back to one of them is a loop).
    private struct Walk {
        var read: [FileSystem.FileID: String] = [:]
        var above: Set<FileSystem.FileID> = []
        var warnings: [String]
        let skipping: Bool
        var skipped: [(path: String, warning: String)]
    }

    private static func collect(_ inputs: [String], warnings: inout [String], skipping: Bool,
                                skipped: inout [(path: String, warning: String)]) throws -> [InputEntry] {
        var entries: [InputEntry] = []
        var walk = Walk(warnings: warnings, skipping: skipping, skipped: skipped)
        defer { (warnings, skipped) = (walk.warnings, walk.skipped) }
        for input in inputs {
            guard let status = try FileSystem.status(input) else {
                throw MRError(.noInput, "input '\(input)' does not exist; pass files or directories of text or .gz files")
            }
            if status.isDirectory {
                let before = entries.count
                try collect(directory: input, status: status, relative: "", into: &entries, walk: &walk)
                if entries.count == before {
                    throw MRError(.noInput, "input directory '\(input)' holds no input files (hidden files are skipped)")
                }
            } else if status.isRegularFile {
                entries.append(entry(path: input, name: FileSystem.lastComponent(input), status: status))
            } else {
                throw MRError(.noInput, "input '\(input)' is not a regular file or a directory")
            }
        }
        return entries
    }

    private static func collect(directory: String, status: FileSystem.Status, relative: String, into entries: inout [InputEntry],
                                walk: inout Walk) throws {
        if walk.above.contains(status.fileID) {
            let problem = "'\(directory)' is a symbolic link to a folder that contains it (a loop)"
            guard walk.skipping else { throw MRError(.badInput, "input \(problem); remove the link, or pass --skip-bad-input") }
            walk.skipped.append((directory, "skipped input \(problem)"))
            return
        }
        if let first = walk.read[status.fileID] {
            walk.warnings.append("skipped '\(directory)': the same folder as '\(first)', read once")
            return
        }
        walk.read[status.fileID] = directory
        walk.above.insert(status.fileID)
        defer { walk.above.remove(status.fileID) }
        let base = directory.hasSuffix("/") ? directory : directory + "/"
        // Hidden names (`.x`, and `_x` as Hadoop's rule has it: an earlier run's `_SUCCESS`),
        // and mr's own gzip indexes kept beside the data, are not input.
        for name in try FileSystem.contents(of: directory)
        where !name.hasPrefix(".") && !name.hasPrefix("_") && !name.hasSuffix(GzipIndex.fileSuffix) {
            let path = base + name
            let relativeName = relative.isEmpty ? name : relative + "/" + name
            let found: FileSystem.Status?
            do {
                found = try FileSystem.status(path)
            } catch let error as MRError where error.kind == .badInput && walk.skipping {
                walk.skipped.append((path, "skipped input \(error.message)"))
                continue
            }
            guard let status = found else {
                walk.warnings.append("skipped '\(path)': a symbolic link to nothing")
                continue
            }
            if status.isDirectory && FileSystem.exists(path + "/" + OutputLayout.marker) {
                walk.warnings.append("skipped '\(path)': the output of an earlier mr run (it holds \(OutputLayout.marker)); pass it as an input of its own to read it")
            } else if status.isDirectory {
                try collect(directory: path, status: status, relative: relativeName, into: &entries, walk: &walk)
            } else if status.isRegularFile {
                entries.append(entry(path: path, name: relativeName, status: status))
            } else {
                walk.warnings.append("skipped '\(path)': not a regular file (a pipe, socket or device)")
            }
        }
    }

    private static func entry(path: String, name: String, status: FileSystem.Status) -> InputEntry {
        InputEntry(path: path, name: name, size: status.size, compression: Compression(fileName: path), identity: status.identity)
    }
}
