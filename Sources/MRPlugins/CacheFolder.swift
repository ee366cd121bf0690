import MRBase
import MRSystem
import MapReduce
#if canImport(Glibc)
import Glibc
#endif

/// The rule that makes the cache safe to load code from: another user must not be able to put a
/// library where `mr` will `dlopen` it. Every folder and file from the cache root down is owned
/// by the user running `mr` and writable by no one else (created 0700 / 0600), and every folder
/// above the root is owned by that user or by root and is not writable by others unless sticky
/// (as `/tmp` is), so no one else can swap a folder on the path. Anything else is refused with
/// a message naming the path and the fix, never used.
enum CacheFolder {
    /// Creates `folder` (a path under `root`, or the root itself) and whatever is missing between,
    /// 0700, then checks the whole path.
    static func makePrivate(_ folder: String, root: String) throws {
        try FileSystem.makeDirectories(folder, mode: 0o700)
        try checkPrivate(folder, root: root)
    }

    /// Checks the ancestors of `root`, then `root` and every path from it down to `path`.
    static func checkPrivate(_ path: String, root: String) throws {
        var ancestor = FileSystem.parentDirectory(root)
        while true {
            try checkAncestor(ancestor)
            if ancestor == "/" || ancestor == "." { break }
            ancestor = FileSystem.parentDirectory(ancestor)
        }
        var current = root
        try checkOwned(current)
        for component in path.dropFirst(root.count).split(separator: "/") {
            current += "/" + component
            try checkOwned(current)
        }
    }

    private static func checkOwned(_ path: String) throws {
        guard let ownership = try FileSystem.ownership(path) else {
            throw MRError(.untrusted, "'\(path)' vanished from the job cache while mr used it; run again")
        }
        let me = geteuid()
        if ownership.isSymbolicLink {
            throw refusal(path, "is a symbolic link; the cache holds plain folders and files only (set MR_CACHE_DIR to the folder it leads to)")
        }
        if !(ownership.isDirectory || ownership.isRegularFile) {
            throw refusal(path, "is not a plain folder or file")
        }
        if ownership.owner != me {
            throw refusal(path, "belongs to user \(ownership.owner), not to you (user \(me))")
        }
        if ownership.writableByOthers {
            throw refusal(path, "is writable by group or others (mode 0\(String(ownership.mode, radix: 8))); `chmod go-w '\(path)'` if you made it")
        }
    }

    private static func checkAncestor(_ path: String) throws {
        guard let ownership = try FileSystem.ownership(path) else { return }
        let owner = ownership.owner
        if owner != geteuid() && owner != 0 {
            throw refusal(path, "(a folder above the cache) belongs to user \(owner), who could replace the cache")
        }
        if ownership.isSymbolicLink {
            // A link's own mode means nothing (no one can change where it leads): the folders it
            // leads through must be as safe as the path to it.
            guard let target = FileSystem.realPath(path) else {
                throw refusal(path, "(a folder above the cache) is a symbolic link that leads nowhere")
            }
            var current = target
            while true {
                try checkAncestor(current)
                if current == "/" { break }
                current = FileSystem.parentDirectory(current)
            }
            return
        }
        if ownership.writableByOthers && !ownership.isSticky {
            throw refusal(path, "(a folder above the cache) is writable by group or others, who could replace the cache")
        }
    }

    private static func refusal(_ path: String, _ reason: String) -> MRError {
        MRError(.untrusted, "refusing to load compiled jobs from the cache: '\(path)' \(reason). "
            + "Remove what you did not make, or set MR_CACHE_DIR to a folder only you can write.")
    }
}
