/// A byte range of one input file. For gzip files the range is always the whole file; for plain
/// text it is cut anywhere and records are assigned by where they start (see ``LineReader``).
public struct InputPiece: Sendable, Equatable {
    public let fileIndex: Int
    public let start: Int64
    public let end: Int64
}

/// The input of one map task: pieces of one or more files.
public struct Split: Sendable, Equatable {
    public var pieces: [InputPiece] = []
}

/// Cuts input files into splits of about `targetSize` estimated uncompressed bytes: small files
/// are packed together (thousands of small files make a handful of tasks), large plain files are
/// cut into ranges, and each `.gz` file stays whole.
public enum SplitPlanner {
    /// Gzip text inflates about threefold; used only to balance splits.
    static let gzipExpansion: Int64 = 3

    /// The split size used when the user gives none: a few splits per worker, within 1-64 MiB.
    public static func defaultTargetSize(for files: [InputEntry], workers: Int) -> Int64 {
        let total = files.reduce(Int64(0)) { $0 + estimatedSize($1) }
        return min(max(total / Int64(max(workers, 1) * 4), 1 << 20), 64 << 20)
    }

    public static func splits(for files: [InputEntry], targetSize: Int64) -> [Split] {
        precondition(targetSize > 0)
        var splits: [Split] = []
        var current = Split()
        var currentSize: Int64 = 0
        func close() {
            if !current.pieces.isEmpty { splits.append(current) }
            current = Split()
            currentSize = 0
        }
        for (index, file) in files.enumerated() {
            if file.isGzip {
                let weight = estimatedSize(file)
                if currentSize > 0 && currentSize + weight > targetSize { close() }
                current.pieces.append(InputPiece(fileIndex: index, start: 0, end: file.size))
                currentSize += weight
                if currentSize >= targetSize { close() }
                continue
            }
            var offset: Int64 = 0
            while offset < file.size {
                if currentSize >= targetSize { close() }
                let take = min(file.size - offset, targetSize - currentSize)
                current.pieces.append(InputPiece(fileIndex: index, start: offset, end: offset + take))
                currentSize += take
                offset += take
            }
        }
        close()
        return splits
    }

    static func estimatedSize(_ file: InputEntry) -> Int64 {
        file.isGzip ? file.size * gzipExpansion : file.size
    }
}
