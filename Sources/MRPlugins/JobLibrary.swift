import MRBase
import MRSystem
import MapReduce
#if canImport(Glibc)
import Glibc
#endif

/// Loads a compiled job library and returns its job type. Libraries are never unloaded (Swift
/// code cannot be safely unloaded), and each build has its own path, so a rebuilt job is a new file.
package enum JobLibrary {
    package static func load(_ path: String) throws -> any Job.Type {
        guard let handle = path.withPathCString({ dlopen($0, RTLD_NOW | RTLD_LOCAL) }) else {
            let reason = dlerror().map { String(cString: $0) } ?? "unknown error"
            throw MRError(.internal, "cannot load job library '\(path)': \(reason); delete it to rebuild")
        }
        guard let symbol = dlsym(handle, "mr_job_entry") else {
            throw MRError(.internal, "job library '\(path)' has no mr_job_entry; delete it to rebuild")
        }
        typealias Entry = @convention(c) () -> UnsafeMutableRawPointer
        let entry = unsafeBitCast(symbol, to: Entry.self)
        return Unmanaged<JobEntry>.fromOpaque(entry()).takeRetainedValue().jobType
    }
}
