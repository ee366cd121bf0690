import MRBase
#if canImport(Glibc)
import Glibc
#endif

// Where mr keeps files of its own outside the output: its cache, and private temporary folders.

/// An environment variable's value; set but empty counts as unset, as `${NAME:-default}` has it.
package func environmentValue(_ name: String) -> String? {
    getenv(name).map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 }
}

/// mr's cache folder (compiled jobs, gzip indexes of read-only data): `$MR_CACHE_DIR`, else
/// `$XDG_CACHE_HOME/mr`, else `~/.cache/mr`, else (no `HOME`) `${TMPDIR:-/tmp}/mr-cache-UID`.
package func cacheDirectory() -> String {
    environmentValue("MR_CACHE_DIR")
        ?? environmentValue("XDG_CACHE_HOME").map { $0 + "/mr" }
        ?? environmentValue("HOME").map { $0 + "/.cache/mr" }
        ?? temporaryDirectory() + "/mr-cache-\(geteuid())"
}

/// `${TMPDIR:-/tmp}`: where standard input is spooled and between-step outputs are kept, each in
/// a private folder of its own (``FileSystem/makeTemporaryDirectory(beside:)``).
package func temporaryDirectory() -> String {
    environmentValue("TMPDIR") ?? "/tmp"
}
