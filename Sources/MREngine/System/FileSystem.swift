#if canImport(Glibc)
import Glibc
#endif
import CLinuxShims

/// Directory and metadata calls, each failing with an ``MRError`` that names the path.
enum FileSystem {
    struct Status {
        let isDirectory: Bool
        let isRegularFile: Bool
        let size: Int64
        /// Which file this is and which version of it: device, inode, size and modification time
        /// in nanoseconds. An edit that keeps the size still changes it.
        let identity: String
    }

    /// Who may change a path: its owner and permission bits, read without following a link.
    struct Ownership {
        let owner: uid_t
        let mode: mode_t
        let isDirectory: Bool
        let isRegularFile: Bool
        let isSymbolicLink: Bool

        var writableByOthers: Bool { mode & (S_IWGRP | S_IWOTH) != 0 }
        var isSticky: Bool { mode & S_ISVTX != 0 }
    }

    /// The ownership of `path` itself (a symbolic link is not followed); `nil` if nothing is there.
    static func ownership(_ path: String) throws -> Ownership? {
        var info = stat()
        guard path.withPathCString({ lstat($0, &info) }) == 0 else {
            if errno == ENOENT { return nil }
            throw MRError.system(.io, "read", path, errno: errno)
        }
        let type = info.st_mode & S_IFMT
        return Ownership(owner: info.st_uid, mode: info.st_mode & 0o7777, isDirectory: type == S_IFDIR,
                         isRegularFile: type == S_IFREG, isSymbolicLink: type == S_IFLNK)
    }

    /// Sets the permission bits of `path`.
    static func setMode(_ path: String, _ mode: mode_t) throws {
        guard path.withPathCString({ chmod($0, mode) }) == 0 else { throw MRError.system(.io, "change the permissions of", path, errno: errno) }
    }

    /// The status of `path`, following symbolic links; `nil` if nothing is there.
    static func status(_ path: String) throws -> Status? {
        var info = stat()
        guard path.withPathCString({ stat($0, &info) }) == 0 else {
            if errno == ENOENT || errno == ENOTDIR { return nil }
            throw MRError.system(.noInput, "read", path, errno: errno)
        }
        let type = info.st_mode & S_IFMT
        return Status(isDirectory: type == S_IFDIR, isRegularFile: type == S_IFREG, size: Int64(info.st_size),
                      identity: "\(info.st_dev):\(info.st_ino):\(info.st_size):\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)")
    }

    /// The names in a directory (without "." and ".."), sorted bytewise so runs are reproducible.
    static func contents(of directory: String) throws -> [String] {
        guard let handle = directory.withPathCString({ opendir($0) }) else {
            throw MRError.system(.noInput, "list directory", directory, errno: errno)
        }
        defer { closedir(handle) }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                PathBytes.string(raw.prefix { $0 != 0 })
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.map { (name: $0, bytes: PathBytes.cString($0)) }
            .sorted { $0.bytes.lexicographicallyPrecedes($1.bytes) }.map(\.name)
    }

    static func makeDirectory(_ path: String, mode: mode_t = 0o755) throws {
        guard path.withPathCString({ mkdir($0, mode) }) == 0 else { throw MRError.system(.io, "create directory", path, errno: errno) }
    }

    /// Creates `path` and any missing parents, each with `mode` (less the umask).
    static func makeDirectories(_ path: String, mode: mode_t = 0o755) throws {
        if try status(path)?.isDirectory == true { return }
        let parent = parentDirectory(path)
        if parent != path { try makeDirectories(parent, mode: mode) }
        if path.withPathCString({ mkdir($0, mode) }) != 0 && errno != EEXIST {
            throw MRError.system(.cannotCreateOutput, "create directory", path, errno: errno)
        }
    }

    /// Renames atomically (both paths on one file system).
    static func rename(_ from: String, to: String) throws {
        guard from.withPathCString({ old in to.withPathCString { Glibc.rename(old, $0) } }) == 0 else {
            throw MRError(.io, "cannot rename '\(from)' to '\(to)': \(systemMessage(errno))")
        }
    }

    /// Swaps two existing paths in one atomic step (Linux renameat2 RENAME_EXCHANGE), so a reader
    /// sees either the old directory or the new one, never neither.
    static func exchange(_ first: String, _ second: String) throws {
        guard first.withPathCString({ one in second.withPathCString { mr_rename_exchange(one, $0) } }) == 0 else {
            throw MRError(.io, "cannot swap '\(first)' and '\(second)': \(systemMessage(errno))")
        }
    }

    /// Removes a file or a whole directory tree; missing paths are fine.
    static func removeTree(_ path: String) {
        var info = stat()
        guard path.withPathCString({ lstat($0, &info) }) == 0 else { return }
        if info.st_mode & S_IFMT == S_IFDIR {
            for name in (try? contents(of: path)) ?? [] { removeTree(path + "/" + name) }
            path.withPathCString { _ = rmdir($0) }
        } else {
            remove(path)
        }
    }

    static func remove(_ path: String) {
        path.withPathCString { _ = unlink($0) }
    }

    /// The whole content of a (small) file.
    static func readFile(_ path: String) throws -> [UInt8] {
        let file = try FileDescriptor.open(reading: path)
        defer { file.close() }
        return try file.readToEnd()
    }

    static func writeFile(_ path: String, _ text: String, mode: mode_t = 0o644) throws {
        var text = text
        try text.withUTF8 { try writeFile(path, bytes: UnsafeRawBufferPointer($0), mode: mode) }
    }

    /// Creates (or truncates) `path` holding `bytes`.
    static func writeFile(_ path: String, bytes: UnsafeRawBufferPointer, mode: mode_t = 0o644) throws {
        let file = try FileDescriptor.create(path, mode: mode)
        defer { file.close() }
        if let base = bytes.baseAddress { try file.writeAll(base, count: bytes.count) }
    }

    /// Whether anything is at `path` (an unreadable path counts as nothing).
    static func exists(_ path: String) -> Bool {
        (try? status(path)) != nil
    }

    static func parentDirectory(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// `path` from the root: relative paths are taken from the current folder.
    static func absolutePath(_ path: String) -> String {
        guard !path.hasPrefix("/"), let current = getcwd(nil, 0) else { return path }
        defer { free(current) }
        return PathBytes.string(UnsafeRawBufferPointer(start: current, count: strlen(current))) + "/" + path
    }

    static func lastComponent(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }
}

/// Writes a text file (creating its folder) under a temporary name, then renames it into place.
public func writeText(_ text: String, to path: String) throws {
    try FileSystem.makeDirectories(FileSystem.parentDirectory(path))
    let temporary = "\(path).tmp-\(getpid())"
    try FileSystem.writeFile(temporary, text)
    try FileSystem.rename(temporary, to: path)
}
