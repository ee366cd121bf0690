import MRBase
#if canImport(Glibc)
import Glibc
#endif

/// mr's cache folder (compiled jobs, gzip indexes of read-only data): `$MR_CACHE_DIR`, else
/// `$XDG_CACHE_HOME/mr`, else `~/.cache/mr`, else (no `HOME`) `${TMPDIR:-/tmp}/mr-cache-UID`.
package func cacheDirectory() -> String {
    let environment = { (name: String) in getenv(name).map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 } }
    return environment("MR_CACHE_DIR")
        ?? environment("XDG_CACHE_HOME").map { $0 + "/mr" }
        ?? environment("HOME").map { $0 + "/.cache/mr" }
        ?? (environment("TMPDIR") ?? "/tmp") + "/mr-cache-\(geteuid())"
}
