import MRBase
import MRSystem
import MapReduce
#if canImport(Glibc)
import Glibc
#endif
/// The floor no job can beat on compressed input: decompressing the same files (gzip, bzip2,
/// zstd, xz, each by its format's first bytes) with the same number of workers and doing nothing
/// else. Benchmarks report job times against it.
package enum InflateFloor {
    /// Decompresses (gzip with `inflater`; plain files are read) every file once, `workers` threads
    /// taking whole files largest first; returns the uncompressed byte count.
    package static func run(inputs: [String], workers: Int, inflater: Inflater) throws -> Int64 {
        let files = try InputCatalog.readableFiles(for: inputs, skipUnreadable: false).files.sorted { $0.size > $1.size }
        final class Progress: @unchecked Sendable {  // guarded by `monitor`
            let monitor = Monitor()
            var next = 0
            var total: Int64 = 0
            var firstError: Error?
        }
        let shared = Progress()
        let threads = (0..<max(workers, 1)).map { _ in
            startThread {
                let buffer = UnsafeMutableRawPointer.allocate(byteCount: 1 << 20, alignment: 64)
                defer { buffer.deallocate() }
                while true {
                    let index: Int = shared.monitor.locked { defer { shared.next += 1 }; return shared.next }
                    guard index < files.count else { return }
                    do {
                        let source = try PieceSource.whole(files[index], inflater: inflater)
                        var bytes: Int64 = 0
                        while case let count = try source.read(into: buffer, capacity: 1 << 20), count > 0 {
                            bytes += Int64(count)
                        }
                        shared.monitor.locked { shared.total += bytes }
                    } catch {
                        shared.monitor.locked { if shared.firstError == nil { shared.firstError = error } }
                    }
                }
            }
        }
        for thread in threads { pthread_join(thread, nil) }
        if let firstError = shared.firstError { throw firstError }
        return shared.total
    }
}
