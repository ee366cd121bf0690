/// A byte range of one input file: for plain text, cut anywhere; for an indexed gzip file, a range
/// of uncompressed bytes beginning at an access point; for a gzip file split at member starts, a
/// range of compressed bytes from one member start to another; otherwise a whole gzip file.
/// Records are assigned by where they start (see ``LineReader``).
public struct InputPiece: Sendable, Equatable {
    public let fileIndex: Int
    public let start: Int64
    public let end: Int64
    /// The ``GzipIndex`` access point the piece starts at, or -1.
    public var accessPoint: Int = -1
    /// The number of the piece a ``GzipFeeder`` inflates for this task, or -1.
    public var fedPiece: Int = -1
    /// `start` and `end` are compressed offsets of member starts (``GzipMembers``), `end` the file
    /// size for the last piece. Where the piece's lines are in the file is not known.
    public var betweenMembers = false

    var isFed: Bool { fedPiece >= 0 }
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

    /// The access points indexed gzip files are cut at, grouped into pieces of about
    /// `targetSize` uncompressed bytes: each piece is a split of its own.
    static func indexedSplits(fileIndex: Int, index: GzipIndex, targetSize: Int64) -> [Split] {
        var splits: [Split] = []
        var first = 0
        for (number, point) in index.points.enumerated().dropFirst()
        where point.uncompressedOffset - index.points[first].uncompressedOffset >= targetSize {
            splits.append(Split(pieces: [InputPiece(fileIndex: fileIndex, start: index.points[first].uncompressedOffset,
                                                    end: point.uncompressedOffset, accessPoint: first)]))
            first = number
        }
        if !index.points.isEmpty {
            splits.append(Split(pieces: [InputPiece(fileIndex: fileIndex, start: index.points[first].uncompressedOffset,
                                                    end: .max, accessPoint: first)]))
        }
        return splits
    }

    /// Splits of all files; a file in `fed` becomes that many splits, each one piece that a
    /// ``GzipFeeder`` writes during the run; a file in `memberStarts` is cut at those offsets.
    static func splits(for files: [InputEntry], targetSize: Int64, indexes: [Int: GzipIndex] = [:], fed: [Int: Int] = [:],
                       memberStarts: [Int: [Int64]] = [:]) -> [Split] {
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
            if let gzipIndex = indexes[index] {
                close()
                splits += indexedSplits(fileIndex: index, index: gzipIndex, targetSize: targetSize)
                continue
            }
            if let pieces = fed[index] {
                close()
                splits += (0..<pieces).map { Split(pieces: [InputPiece(fileIndex: index, start: 0, end: file.size, fedPiece: $0)]) }
                continue
            }
            if let starts = memberStarts[index] {
                close()
                let edges = [0] + starts + [file.size]
                splits += zip(edges, edges.dropFirst()).map {
                    Split(pieces: [InputPiece(fileIndex: index, start: $0, end: $1, betweenMembers: true)])
                }
                continue
            }
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
