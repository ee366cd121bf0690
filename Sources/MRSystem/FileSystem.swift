import MRBase
#if canImport(Glibc)
import Glibc
#endif
import CLinuxShims

/// Directory and metadata calls, each failing with an ``MRError`` that names the path.
package enum FileSystem {
    package struct Status {
        package let isDirectory: Bool
        package let isRegularFile: Bool
        package let size: Int64
        /// Which file this is and which version of it: device, inode, size and modification time
        /// in nanoseconds. An edit that keeps the size still changes it.
        package let identity: String
        /// The device and inode: which file or folder this is, whatever path led to it.
        package let fileID: FileID
    }

    package struct FileID: Hashable {
        let device: UInt64
        let inode: UInt64
    }

    /// Who may change a path: its owner and permission bits, read without following a link.
    package struct Ownership {
        package let owner: uid_t
        package let mode: mode_t
        package let isDirectory: Bool
        package let isRegularFile: Bool
        package let isSymbolicLink: Bool

        package var writableByOthers: Bool { mode & (S_IWGRP | S_IWOTH) != 0 }
        package var isSticky: Bool { mode & S_ISVTX != 0 }
    }

    /// The ownership of `path` itself (a symbolic link is not followed); `nil` if nothing is there.
    package static func ownership(_ path: String) throws -> Ownership? {
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
    package static func setMode(_ path: String, _ mode: mode_t) throws {
        guard path.withPathCString({ chmod($0, mode) }) == 0 else { throw MRError.system(.io, "change the permissions of", path, errno: errno) }
    }

    /// The status of `path`, following symbolic links; `nil` if nothing is there.
    package static func status(_ path: String) throws -> Status? {
        var info = stat()
        guard path.withPathCString({ stat($0, &info) }) == 0 else {
            if errno == ENOENT || errno == ENOTDIR { return nil }
            // A link that leads back to itself: the input is wrong, not missing.
            throw MRError.system(errno == ELOOP ? .badInput : .noInput, "read", path, errno: errno)
        }
        let type = info.st_mode & S_IFMT
        return Status(isDirectory: type == S_IFDIR, isRegularFile: type == S_IFREG, size: Int64(info.st_size),
                      identity: "\(info.st_dev):\(info.st_ino):\(info.st_size):\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)",
                      fileID: FileID(device: UInt64(info.st_dev), inode: UInt64(info.st_ino)))
    }

    /// The names in a directory (without "." and ".."), sorted bytewise so runs are reproducible.
    package static func contents(of directory: String) throws -> [String] {
        guard let handle = directory.withPathCString({ opendir($0) }) else {
            throw MRError.system(.noInput, "list directory", directory, errno: errno)
        }
        return names(in: handle)
    }

    /// The names an open directory stream lists, sorted bytewise; closes the stream.
    private static func names(in handle: OpaquePointer) -> [String] {
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

    package static func makeDirectory(_ path: String, mode: mode_t = 0o755) throws {
        guard path.withPathCString({ mkdir($0, mode) }) == 0 else { throw MRError.system(.io, "create directory", path, errno: errno) }
    }

    /// Creates `path` and any missing parents, each with `mode` (less the umask).
    package static func makeDirectories(_ path: String, mode: mode_t = 0o755) throws {
        if try status(path)?.isDirectory == true { return }
        let parent = parentDirectory(path)
        if parent != path { try makeDirectories(parent, mode: mode) }
        if path.withPathCString({ mkdir($0, mode) }) != 0 && errno != EEXIST {
            throw MRError.system(.cannotCreateOutput, "create directory", path, errno: errno)
        }
    }

    /// Renames atomically (both paths on one file system).
    package static func rename(_ from: String, to: String) throws {
        guard from.withPathCString({ old in to.withPathCString { Glibc.rename(old, $0) } }) == 0 else {
            throw MRError(.io, "cannot rename '\(from)' to '\(to)': \(systemMessage(errno))")
        }
    }

    /// Swaps two existing paths in one atomic step (Linux renameat2 RENAME_EXCHANGE), so a reader
    /// sees either the old directory or the new one, never neither.
    package static func exchange(_ first: String, _ second: String) throws {
        guard first.withPathCString({ one in second.withPathCString { mr_rename_exchange(one, $0) } }) == 0 else {
            throw MRError(.io, "cannot swap '\(first)' and '\(second)': \(systemMessage(errno))")
        }
    }

    /// Removes a file or a whole directory tree; missing paths are fine. Every folder is entered
    /// through a descriptor opened relative to its parent's, refusing links, so a folder swapped
    /// for a symbolic link while the tree is removed leads nowhere outside it.
    package static func removeTree(_ path: String) {
        let parent = parentDirectory(path).withPathCString { open($0, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        guard parent >= 0 else { return }
        defer { _ = close(parent) }
        removeEntry(lastComponent(path), in: parent)
    }

    private static func removeEntry(_ name: String, in parent: Int32) {
        name.withPathCString { entry in
            if unlinkat(parent, entry, 0) == 0 || errno != EISDIR { return }
            let folder = openat(parent, entry, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            guard folder >= 0 else { return }
            defer { _ = close(folder) }
            let listing = dup(folder)
            if listing >= 0, let handle = fdopendir(listing) {
                for child in names(in: handle) { removeEntry(child, in: folder) }
            }
            _ = unlinkat(parent, entry, AT_REMOVEDIR)
        }
    }

    package static func remove(_ path: String) {
        path.withPathCString { _ = unlink($0) }
    }

    /// The whole content of a (small) file.
    package static func readFile(_ path: String) throws -> [UInt8] {
        let file = try FileDescriptor.open(reading: path)
        defer { file.close() }
        return try file.readToEnd()
    }

    /// Creates the new file `path` holding `text` (see ``FileDescriptor/create(_:mode:)``: never
    /// over what is there).
    package static func writeFile(_ path: String, _ text: String, mode: mode_t = 0o644) throws {
        var text = text
        try text.withUTF8 { try writeFile(path, bytes: UnsafeRawBufferPointer($0), mode: mode) }
    }

    /// Creates the new file `path` holding `bytes`.
    package static func writeFile(_ path: String, bytes: UnsafeRawBufferPointer, mode: mode_t = 0o644) throws {
        let file = try FileDescriptor.create(path, mode: mode)
        defer { file.close() }
        if let base = bytes.baseAddress { try file.writeAll(base, count: bytes.count) }
    }

    /// Puts `bytes` at `path`, replacing what is there in one step: written to a new file of an
    /// unguessable name beside it, then renamed over `path`. A rename replaces a symbolic link
    /// rather than following it, so a link planted at `path` (or at any name mr might pick for
    /// the temporary file) is never written through.
    package static func replaceFile(_ path: String, bytes: UnsafeRawBufferPointer, mode: mode_t = 0o644) throws {
        let temporary = temporaryName(beside: path)
        do {
            try writeFile(temporary, bytes: bytes, mode: mode)
            try rename(temporary, to: path)
        } catch {
            remove(temporary)
            throw error
        }
    }

    /// A name in `path`'s folder no other process can predict: `.NAME.tmp-PID-RANDOM`.
    package static func temporaryName(beside path: String) -> String {
        var random = SystemRandomNumberGenerator()
        let suffix = String(random.next() as UInt64, radix: 16)
        return parentDirectory(path) + "/." + lastComponent(path) + ".tmp-\(getpid())-" + suffix
    }

    /// Removes what ``temporaryName(beside:)`` names in `folder` left by processes of this user
    /// that no longer exist (killed before they could clean up).
    package static func removeAbandonedTemporaries(in folder: String) {
        for name in (try? contents(of: folder)) ?? [] {
            guard let marker = name.firstRange(of: ".tmp-"),
                  let pid = pid_t(name[marker.upperBound...].prefix { $0 != "-" }), pid > 0,
                  kill(pid, 0) != 0 && errno == ESRCH,
                  (try? ownership(folder + "/" + name))??.owner == geteuid() else { continue }
            removeTree(folder + "/" + name)
        }
    }

    /// Creates a new folder of an unguessable name beside `path`, private to this user (0700):
    /// a place to build files in that no one else can plant anything in.
    package static func makeTemporaryDirectory(beside path: String) throws -> String {
        let folder = temporaryName(beside: path)
        guard folder.withPathCString({ mkdir($0, 0o700) }) == 0 else {
            throw MRError.system(.cannotCreateOutput, "create the folder", folder, errno: errno)
        }
        return folder
    }

    /// The whole content of `path` if it is a regular file of this user's that no one else can
    /// write (see ``FileDescriptor/open(readingOwn:)``).
    package static func readOwnFile(_ path: String) throws -> [UInt8] {
        let file = try FileDescriptor.open(readingOwn: path)
        defer { file.close() }
        return try file.readToEnd()
    }

    /// Whether anything is at `path` (an unreadable path counts as nothing).
    package static func exists(_ path: String) -> Bool {
        (try? status(path)) != nil
    }

    package static func parentDirectory(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// `path` from the root: relative paths are taken from the current folder.
    package static func absolutePath(_ path: String) -> String {
        guard !path.hasPrefix("/"), let current = getcwd(nil, 0) else { return path }
        defer { free(current) }
        return PathBytes.string(UnsafeRawBufferPointer(start: current, count: strlen(current))) + "/" + path
    }

    /// `path` with every symbolic link resolved (realpath); nil if it leads nowhere.
    package static func realPath(_ path: String) -> String? {
        guard let resolved = path.withPathCString({ realpath($0, nil) }) else { return nil }
        defer { free(resolved) }
        return PathBytes.string(UnsafeRawBufferPointer(start: resolved, count: strlen(resolved)))
    }

    package static func lastComponent(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }
}

/// Writes a text file (creating its folder), replacing the old one in one step.
package func writeText(_ text: String, to path: String) throws {
    try FileSystem.makeDirectories(FileSystem.parentDirectory(path))
    var text = text
    try text.withUTF8 { try FileSystem.replaceFile(path, bytes: UnsafeRawBufferPointer($0)) }
}
