#if canImport(Glibc)
import Glibc
#endif
import MapReduce

/// One input file found under the command line's INPUT arguments.
public struct InputEntry: Sendable {
    /// The path to open.
    public let path: String
    /// The path relative to the INPUT argument it was found under (see ``InputFile/name``).
    public let name: String
    /// Size on disk (compressed size for gzip).
    public let size: Int64
    /// Read through zlib's inflate: the name ends in `.gz`.
    public let isGzip: Bool
    /// A valid ``GzipIndex`` of the file, when it is split at access points.
    public var indexPath: String? = nil
}

/// Expands INPUT arguments (files or directories, recursed, hidden names and `.mrindex` files
/// skipped) into input files.
public enum InputCatalog {
    /// The input files that can be read; an unreadable one fails the run (exit 66), or with
    /// `skipUnreadable` is left out and named in `warnings`.
    public static func readableFiles(for inputs: [String], skipUnreadable: Bool,
                                     warnings: inout [String]) throws -> [InputEntry] {
        var readable: [InputEntry] = []
        for entry in try files(for: inputs) {
            if access(entry.path, R_OK) == 0 {
                readable.append(entry)
                continue
            }
            let reason = systemMessage(errno)
            guard skipUnreadable else {
                throw MRError(.noInput, "cannot read input '\(entry.path)': \(reason); fix its permissions, leave it out, or pass --skip-bad-input")
            }
            warnings.append("skipped unreadable input '\(entry.path)': \(reason)")
        }
        return readable
    }

    /// The input files, without checking that they can be read.
    public static func files(for inputs: [String]) throws -> [InputEntry] {
        try collect(inputs)
    }

    private static func collect(_ inputs: [String]) throws -> [InputEntry] {
        var entries: [InputEntry] = []
        for input in inputs {
            guard let status = try FileSystem.status(input) else {
                throw MRError(.noInput, "input '\(input)' does not exist; pass files or directories of text or .gz files")
            }
            if status.isDirectory {
                let before = entries.count
                try collect(directory: input, relative: "", into: &entries)
                if entries.count == before {
                    throw MRError(.noInput, "input directory '\(input)' holds no input files (hidden files are skipped)")
                }
            } else if status.isRegularFile {
                entries.append(entry(path: input, name: FileSystem.lastComponent(input), size: status.size))
            } else {
                throw MRError(.noInput, "input '\(input)' is not a regular file or a directory")
            }
        }
        return entries
    }

    private static func collect(directory: String, relative: String, into entries: inout [InputEntry]) throws {
        let base = directory.hasSuffix("/") ? directory : directory + "/"
        // Hidden names, and mr's own gzip indexes kept beside the data, are not input.
        for name in try FileSystem.contents(of: directory) where !name.hasPrefix(".") && !name.hasSuffix(GzipIndex.fileSuffix) {
            let path = base + name
            let relativeName = relative.isEmpty ? name : relative + "/" + name
            guard let status = try FileSystem.status(path) else { continue }  // dangling link
            if status.isDirectory {
                try collect(directory: path, relative: relativeName, into: &entries)
            } else if status.isRegularFile {
                entries.append(entry(path: path, name: relativeName, size: status.size))
            }
        }
    }

    private static func entry(path: String, name: String, size: Int64) -> InputEntry {
        InputEntry(path: path, name: name, size: size, isGzip: path.hasSuffix(".gz"))
    }
}
