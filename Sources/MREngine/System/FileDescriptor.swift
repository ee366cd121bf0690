#if canImport(Glibc)
import Glibc
#endif

/// An open file descriptor with the few calls the engine makes, each retried on EINTR and turned
/// into an ``MRError`` naming the path.
struct FileDescriptor {
    let raw: Int32
    let path: String

    static func open(reading path: String) throws -> FileDescriptor {
        let fd = retryingInterrupts { path.withPathCString { Glibc.open($0, O_RDONLY | O_CLOEXEC) } }
        guard fd >= 0 else {
            let code = errno
            throw MRError.system(code == ENOENT ? .noInput : (code == EACCES ? .noInput : .io), "open", path, errno: code)
        }
        return FileDescriptor(raw: fd, path: path)
    }

    /// Creates (or truncates) a file for writing.
    static func create(_ path: String, mode: mode_t = 0o644) throws -> FileDescriptor {
        let fd = retryingInterrupts { path.withPathCString { Glibc.open($0, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode) } }
        guard fd >= 0 else { throw MRError.system(.io, "create", path, errno: errno) }
        return FileDescriptor(raw: fd, path: path)
    }

    /// Opens (creating) a file to hold a lock on, mode 0644.
    static func openForLocking(_ path: String) throws -> FileDescriptor {
        let fd = retryingInterrupts { path.withPathCString { Glibc.open($0, O_RDWR | O_CREAT | O_CLOEXEC, 0o644) } }
        guard fd >= 0 else { throw MRError.system(.cannotCreateOutput, "create the lock file", path, errno: errno) }
        return FileDescriptor(raw: fd, path: path)
    }

    /// Takes the exclusive lock without waiting; false if another process holds it. The lock
    /// goes with the descriptor (closed, or the process gone).
    func tryLock() -> Bool {
        retryingInterrupts { flock(raw, LOCK_EX | LOCK_NB) } == 0
    }

    /// Replaces the file's contents with `text`.
    func replaceContents(with text: String) throws {
        guard ftruncate(raw, 0) == 0 else { throw MRError.system(.io, "write", path, errno: errno) }
        var text = text
        try text.withUTF8 { bytes in
            guard let base = bytes.baseAddress else { return }
            guard pwrite(raw, base, bytes.count, 0) == bytes.count else { throw MRError.system(.io, "write", path, errno: errno) }
        }
    }

    /// The file's size now.
    func size() throws -> Int64 {
        var info = stat()
        guard fstat(raw, &info) == 0 else { throw MRError.system(.io, "read", path, errno: errno) }
        return Int64(info.st_size)
    }

    /// Reads up to `count` bytes; 0 at end of file.
    func read(into buffer: UnsafeMutableRawPointer, count: Int) throws -> Int {
        let n = retryingInterrupts { Glibc.read(raw, buffer, count) }
        guard n >= 0 else { throw MRError.system(.io, "read", path, errno: errno) }
        return n
    }

    /// Reads up to `count` bytes at `offset`; 0 at end of file.
    func read(into buffer: UnsafeMutableRawPointer, count: Int, at offset: Int64) throws -> Int {
        let n = retryingInterrupts { Glibc.pread(raw, buffer, count, off_t(offset)) }
        guard n >= 0 else { throw MRError.system(.io, "read", path, errno: errno) }
        return n
    }

    /// Writes all of `count` bytes.
    func writeAll(_ buffer: UnsafeRawPointer, count: Int) throws {
        var written = 0
        while written < count {
            let n = retryingInterrupts { Glibc.write(raw, buffer + written, count - written) }
            guard n > 0 else { throw MRError.system(.io, "write", path, errno: n == 0 ? EIO : errno) }
            written += n
        }
    }

    /// Everything left to read (a small file, or a pipe until its writer closes).
    func readToEnd() throws -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while case let count = try chunk.withUnsafeMutableBytes({ try read(into: $0.baseAddress!, count: $0.count) }), count > 0 {
            bytes += chunk[0..<count]
        }
        return bytes
    }

    func close() {
        _ = Glibc.close(raw)
    }
}

/// Runs a system call again while it fails with EINTR.
@inline(__always)
func retryingInterrupts<T: BinaryInteger>(_ call: () -> T) -> T {
    while true {
        let result = call()
        if result >= 0 || errno != EINTR { return result }
    }
}
