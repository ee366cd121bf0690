import MRBase
import CLinuxShims
#if canImport(Glibc)
import Glibc
#endif

/// The first 8-byte words of a file, mapped shared: a process that writes the file publishes
/// how far it has got there, and processes reading the file at the same time see it at once
/// (one page cache serves them all), with no message between them.
package final class SharedFileWords: @unchecked Sendable {
    private let words: UnsafeMutablePointer<Int>
    private let count: Int

    /// Maps the first `count` words of `file`, which already holds them; `writable` for the
    /// process that publishes.
    package init(_ file: FileDescriptor, count: Int, writable: Bool) throws {
        guard try file.size() >= Int64(count * 8) else {
            throw MRError(.internal, "\(file.path) is shorter than its \(count * 8)-byte header")
        }
        let protection = writable ? PROT_READ | PROT_WRITE : PROT_READ
        guard let mapped = mmap(nil, count * 8, protection, MAP_SHARED, file.raw, 0), mapped != MAP_FAILED else {
            throw MRError.system(.io, "map", file.path, errno: errno)
        }
        words = mapped.bindMemory(to: Int.self, capacity: count)
        self.count = count
    }

    deinit { munmap(words, count * 8) }

    /// Word `index` as last published (acquire: what the publisher wrote before it is visible).
    package func load(_ index: Int) -> Int64 {
        Int64(mr_load_acquire(words + index))
    }

    /// Publishes `value` as word `index` (release: what this process wrote before is visible
    /// to whoever sees the value).
    package func store(_ index: Int, _ value: Int64) {
        mr_store_release(words + index, Int(value))
    }
}
