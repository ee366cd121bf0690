import MRBase
import CLinuxShims
#if canImport(Glibc)
import Glibc
#endif

/// An open file descriptor with the few calls the engine makes, each retried on EINTR and turned
/// into an ``MRError`` naming the path.
@usableFromInline package struct FileDescriptor {
    package let raw: Int32
    package let path: String

    /// Wraps a descriptor already open (standard input and output, a pipe end).
    package init(raw: Int32, path: String) {
        self.raw = raw
        self.path = path
    }

    package static func open(reading path: String) throws -> FileDescriptor {
        let fd = retryingInterrupts { path.withPathCString { Glibc.open($0, O_RDONLY | O_CLOEXEC) } }
        guard fd >= 0 else {
            let code = errno
            throw MRError.system(code == ENOENT ? .noInput : (code == EACCES ? .noInput : .io), "open", path, errno: code)
        }
        return FileDescriptor(raw: fd, path: path)
    }

    /// Creates a new file for writing. Never opens what is already there: a file or a symbolic
    /// link planted at `path` (by another user, in a folder they can write) is refused, so mr never
    /// writes through a link or truncates a file it did not make.
    package static func create(_ path: String, mode: mode_t = 0o644) throws -> FileDescriptor {
        let fd = retryingInterrupts { path.withPathCString { Glibc.open($0, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode) } }
        guard fd >= 0 else {
            let code = errno
            if code == EEXIST {
                throw MRError(.cannotCreateOutput, "will not write '\(path)': something is already there (mr creates each file new and never writes through a link or over a file it did not make); remove it and run again")
            }
            throw MRError.system(.io, "create", path, errno: code)
        }
        return FileDescriptor(raw: fd, path: path)
    }

    /// Opens `path` to append to it, creating it (mode 0644) if it is not there: never through a
    /// symbolic link. Each write goes to the end.
    package static func open(appendingTo path: String) throws -> FileDescriptor {
        let fd = retryingInterrupts { path.withPathCString { Glibc.open($0, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0o644) } }
        guard fd >= 0 else { throw MRError.system(.io, "write", path, errno: errno) }
        return FileDescriptor(raw: fd, path: path)
    }

    /// Opens a file that only this user may have written: a regular file (not a link) owned by
    /// the user running mr and writable by no one else. Anything else is refused as untrusted.
    package static func open(readingOwn path: String) throws -> FileDescriptor {
        let fd = retryingInterrupts { path.withPathCString { Glibc.open($0, O_RDONLY | O_NOFOLLOW | O_CLOEXEC) } }
        guard fd >= 0 else {
            let code = errno
            if code == ELOOP { throw MRError(.untrusted, "will not read '\(path)': it is a symbolic link; remove it") }
            throw MRError.system(code == ENOENT ? .noInput : .io, "open", path, errno: code)
        }
        return try FileDescriptor(raw: fd, path: path).ownedByMe(.untrusted, "read")
    }

    /// Opens (creating, mode 0600) a file to hold a lock on: never through a symbolic link, and
    /// only a regular file this user owns.
    package static func openForLocking(_ path: String) throws -> FileDescriptor {
        let fd = retryingInterrupts { path.withPathCString { Glibc.open($0, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600) } }
        guard fd >= 0 else {
            let code = errno
            if code == ELOOP {
                throw MRError(.cannotCreateOutput, "will not use the lock file '\(path)': it is a symbolic link (mr never writes through one); remove it and run again")
            }
            throw MRError.system(.cannotCreateOutput, "create the lock file", path, errno: code)
        }
        return try FileDescriptor(raw: fd, path: path).ownedByMe(.cannotCreateOutput, "use the lock file")
    }

    /// This descriptor, if the open file is a regular file of this user's that no one else may
    /// write; else it is closed and the refusal thrown (as `kind`).
    private func ownedByMe(_ kind: MRError.Kind, _ action: String) throws -> FileDescriptor {
        do {
            try checkOwnedByMe(kind, action)
            return self
        } catch {
            close()
            throw error
        }
    }

    private func checkOwnedByMe(_ kind: MRError.Kind, _ action: String) throws {
        var info = stat()
        guard fstat(raw, &info) == 0 else { throw MRError.system(.io, "read", path, errno: errno) }
        let me = geteuid()
        if info.st_mode & S_IFMT != S_IFREG {
            throw MRError(kind, "will not \(action) '\(path)': it is not a regular file; remove it")
        }
        if info.st_uid != me {
            throw MRError(kind, "will not \(action) '\(path)': it belongs to user \(info.st_uid), not to you (user \(me)); remove it, or ask its owner to")
        }
        if info.st_mode & (S_IWGRP | S_IWOTH) != 0 {
            throw MRError(kind, "will not \(action) '\(path)': it is writable by group or others; remove it")
        }
    }

    /// Whether `path` still names this open file (it was not removed or replaced since it was
    /// opened).
    package func isStill(at path: String) -> Bool {
        var open = stat(), named = stat()
        guard fstat(raw, &open) == 0, path.withPathCString({ lstat($0, &named) }) == 0 else { return false }
        return open.st_dev == named.st_dev && open.st_ino == named.st_ino
    }

    /// Takes the exclusive lock without waiting; false if another process holds it. The lock
    /// goes with the descriptor (closed, or the process gone).
    package func tryLock() -> Bool {
        retryingInterrupts { flock(raw, LOCK_EX | LOCK_NB) } == 0
    }

    /// Replaces the file's contents with `text`.
    package func replaceContents(with text: String) throws {
        try truncate(to: 0)
        var text = text
        try text.withUTF8 { bytes in
            guard let base = bytes.baseAddress else { return }
            guard pwrite(raw, base, bytes.count, 0) == bytes.count else { throw MRError.system(.io, "write", path, errno: errno) }
        }
    }

    /// Cuts the file at `length` bytes.
    package func truncate(to length: Int64) throws {
        guard retryingInterrupts({ ftruncate(raw, off_t(length)) }) == 0 else { throw MRError.system(.io, "write", path, errno: errno) }
    }

    /// The file's size now.
    package func size() throws -> Int64 {
        var info = stat()
        guard fstat(raw, &info) == 0 else { throw MRError.system(.io, "read", path, errno: errno) }
        return Int64(info.st_size)
    }

    /// Reads up to `count` bytes; 0 at end of file.
    package func read(into buffer: UnsafeMutableRawPointer, count: Int) throws -> Int {
        let n = retryingInterrupts { Glibc.read(raw, buffer, count) }
        guard n >= 0 else { throw MRError.system(.io, "read", path, errno: errno) }
        return n
    }

    /// Reads up to `count` bytes at `offset`; 0 at end of file.
    package func read(into buffer: UnsafeMutableRawPointer, count: Int, at offset: Int64) throws -> Int {
        let n = retryingInterrupts { Glibc.pread(raw, buffer, count, off_t(offset)) }
        guard n >= 0 else { throw MRError.system(.io, "read", path, errno: errno) }
        return n
    }

    /// Writes all of `count` bytes.
    @usableFromInline package func writeAll(_ buffer: UnsafeRawPointer, count: Int) throws {
        var written = 0
        while written < count {
            let n = retryingInterrupts { Glibc.write(raw, buffer + written, count - written) }
            guard n > 0 else { throw MRError.system(.io, "write", path, errno: n == 0 ? EIO : errno) }
            written += n
        }
    }

    /// Whether every byte from `offset` to the end of the file is zero (the padding tape blocks
    /// leave after gzip data, which `gzip -d` accepts).
    package func holdsOnlyZeros(from offset: Int64) throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        var position = offset
        while case let count = try chunk.withUnsafeMutableBytes({ try read(into: $0.baseAddress!, count: $0.count, at: position) }), count > 0 {
            guard chunk[0..<count].allSatisfy({ $0 == 0 }) else { return false }
            position += Int64(count)
        }
        return true
    }

    /// Everything left to read (a small file, or a pipe until its writer closes).
    package func readToEnd() throws -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while case let count = try chunk.withUnsafeMutableBytes({ try read(into: $0.baseAddress!, count: $0.count) }), count > 0 {
            bytes += chunk[0..<count]
        }
        return bytes
    }

    package func close() {
        _ = Glibc.close(raw)
    }
}

/// Runs a system call again while it fails with EINTR.
@inline(__always)
package func retryingInterrupts<T: BinaryInteger>(_ call: () -> T) -> T {
    while true {
        let result = call()
        if result >= 0 || errno != EINTR { return result }
    }
}
