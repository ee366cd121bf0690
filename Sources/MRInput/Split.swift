import MRBase
import MRSystem
import MapReduce
/// The part of one input file a map task reads, and how it is read. Records are assigned by
/// where they start (see ``LineReader``).
package struct InputPiece: Sendable, Equatable {
    package enum Kind: Sendable, Equatable {
        /// Bytes `start..<end` of a plain file, cut anywhere.
        case plainRange(start: Int64, end: Int64)
        /// A whole compressed file (gzip, bzip2, zstd, xz), unit after unit from its start.
        case wholeCompressed
        /// Uncompressed bytes `start..<end` of a gzip file, from access point `point` of its
        /// ``GzipIndex`` (which is at `start`); the file's last piece ends at the text's end.
        case indexed(point: Int, start: Int64, end: Int64)
        /// Piece `number` of the `pieces` a gzip file without an index is relayed in: its task
        /// starts where the previous piece's ended (see ``RelayedPieceSource``). `textSize` is the
        /// text's size where the trailer tells it: the pieces then share the text, else the
        /// compressed bytes.
        case relayed(number: Int, of: Int, textSize: Int64?)
        /// Compressed bytes `start..<end` from one unit start (a gzip member found by
        /// ``GzipMembers``, a zstd frame found by ``ZstdFrames``, an xz block from ``XzBlocks``)
        /// to another, or to the file's end. Where its lines are in the file is not known.
        case betweenUnits(start: Int64, end: Int64)
    }

    package let fileIndex: Int
    package let kind: Kind

    package var isRelayed: Bool {
        if case .relayed = kind { return true }
        return false
    }

    /// The piece begins at the start of its file.
    package var startsTheFile: Bool {
        switch kind {
        case .plainRange(let start, _), .indexed(_, let start, _), .betweenUnits(let start, _): start == 0
        case .wholeCompressed: true
        case .relayed(let number, _, _): number == 0
        }
    }

    /// The piece as the run's fingerprint names it.
    package var planDescription: String {
        switch kind {
        case .plainRange(let start, let end): "\(fileIndex):\(start)-\(end)"
        case .wholeCompressed: "\(fileIndex):gz"
        case .indexed(let point, let start, let end): "\(fileIndex):@\(point):\(start)-\(end)"
        case .relayed(let number, let pieces, let textSize): "\(fileIndex):#\(number)/\(pieces)/\(textSize ?? -1)"
        case .betweenUnits(let start, let end): "\(fileIndex):m\(start)-\(end)"
        }
    }

    package init(fileIndex: Int, kind: Kind) {
        self.fileIndex = fileIndex
        self.kind = kind
    }

    /// Uncompressed bytes the piece holds, as the planner weighs them (compressed bytes times
    /// the format's usual expansion where the text's length is not known). A relayed piece
    /// weighs as much as the pieces that wait for it, itself included: the first goes out first.
    package func estimatedSize(in file: InputEntry) -> Int64 {
        switch kind {
        case .plainRange(let start, let end): end - start
        case .wholeCompressed: SplitPlanner.estimatedSize(file)
        case .betweenUnits(let start, let end): (end - start) * file.compression.expansion
        case .indexed(_, let start, let end): end - start
        case .relayed(let number, let pieces, let textSize):
            (textSize ?? SplitPlanner.estimatedSize(file)) * Int64(pieces - number) / Int64(pieces)
        }
    }
}

/// The input of one map task: pieces of one or more files.
package struct Split: Sendable, Equatable {
    package var pieces: [InputPiece] = []

    package init(pieces: [InputPiece] = []) {
        self.pieces = pieces
    }
}

/// Cuts input files into splits of about `targetSize` estimated uncompressed bytes: small files
/// are packed together up to that size (thousands of small files make a handful of tasks), large
/// plain files are cut into ranges of at least ``RunLimits/minimumPieceSize``, and each
/// compressed file stays whole (files weighed by ``Compression/expansion``).
package enum SplitPlanner {
    /// The split size used when the user gives none: a few splits per worker, within 1-64 MiB.
    package static func defaultTargetSize(for files: [InputEntry], workers: Int) -> Int64 {
        let total = files.reduce(Int64(0)) { $0 + estimatedSize($1) }
        return min(max(total / Int64(max(workers, 1) * 4), 1 << 20), 64 << 20)
    }

    /// The access points indexed gzip files are cut at, grouped into pieces of about
    /// `targetSize` uncompressed bytes: each piece is a split of its own.
    static func indexedSplits(fileIndex: Int, index: GzipIndex, targetSize: Int64, workers: Int) -> [Split] {
        guard !index.points.isEmpty else { return [] }
        // As many splits as the target size gives, rounded to a multiple of the workers once
        // there are that many, cut at the first point past each equal share: about equal
        // splits, the same number for each worker (a greedy cut at the target made 7 splits and
        // a sliver of a 500 MB file, for 2 workers: one worker mapped the last split alone).
        let workers = Int64(max(workers, 1))
        var count = max(1, (index.uncompressedSize + targetSize / 2) / targetSize)
        if count >= workers { count = (count + workers / 2) / workers * workers }
        var starts = [0]
        for (number, point) in index.points.enumerated().dropFirst()
        where point.uncompressedOffset * count >= index.uncompressedSize * Int64(starts.count) {
            starts.append(number)
        }
        let ends = starts.dropFirst().map { index.points[$0].uncompressedOffset } + [index.uncompressedSize]
        return zip(starts, ends).map { first, end in
            Split(pieces: [InputPiece(fileIndex: fileIndex, kind: .indexed(point: first, start: index.points[first].uncompressedOffset, end: end))])
        }
    }

    /// Splits of all files for `workers`; a file in `relayed` becomes that many splits, each one
    /// relayed piece (see ``RelayedPieceSource``) sharing the text size given; a file in
    /// `memberStarts` is cut at those offsets.
    package static func splits(for files: [InputEntry], targetSize: Int64, workers: Int = 1, indexes: [Int: GzipIndex] = [:],
                               relayed: [Int: (pieces: Int, textSize: Int64?)] = [:],
                       memberStarts: [Int: [Int64]] = [:], minimumPiece: Int64 = RunLimits.minimumPieceSize) -> [Split] {
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
                splits += indexedSplits(fileIndex: index, index: gzipIndex, targetSize: targetSize, workers: workers)
                continue
            }
            if let (pieces, textSize) = relayed[index] {
                close()
                splits += (0..<pieces).map {
                    Split(pieces: [InputPiece(fileIndex: index, kind: .relayed(number: $0, of: pieces, textSize: textSize))])
                }
                continue
            }
            if let starts = memberStarts[index] {
                close()
                let edges = [0] + starts + [file.size]
                splits += zip(edges, edges.dropFirst()).map {
                    Split(pieces: [InputPiece(fileIndex: index, kind: .betweenUnits(start: $0, end: $1))])
                }
                continue
            }
            if file.compression != .none {
                let weight = estimatedSize(file)
                if currentSize > 0 && currentSize + weight > targetSize { close() }
                current.pieces.append(InputPiece(fileIndex: index, kind: .wholeCompressed))
                currentSize += weight
                if currentSize >= targetSize { close() }
                continue
            }
            var offset: Int64 = 0
            while offset < file.size {
                if currentSize >= targetSize { close() }
                let take = min(file.size - offset, max(targetSize - currentSize, minimumPiece))
                current.pieces.append(InputPiece(fileIndex: index, kind: .plainRange(start: offset, end: offset + take)))
                currentSize += take
                offset += take
            }
        }
        close()
        return splits
    }

    /// A plain file cut after every `linesPerTask` lines, each part a split of its own (Hadoop's
    /// NLineInputFormat): read once at plan time to find where those lines end.
    static func lineSplits(_ file: InputEntry, fileIndex: Int, linesPerTask: Int64) throws -> [Split] {
        var edges: [Int64] = [0]
        let input = try FileDescriptor.open(reading: file.path)
        defer { input.close() }
        let capacity = 1 << 20
        let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        defer { buffer.deallocate() }
        var offset: Int64 = 0
        var lines: Int64 = 0
        while offset < file.size, case let got = try input.read(into: buffer, count: Int(min(Int64(capacity), file.size - offset)), at: offset), got > 0 {
            for index in 0..<got where buffer[index] == 0x0A {
                lines += 1
                if lines % linesPerTask == 0 { edges.append(offset + Int64(index) + 1) }
            }
            offset += Int64(got)
        }
        if edges.last! < file.size { edges.append(file.size) }
        return zip(edges, edges.dropFirst()).map { Split(pieces: [InputPiece(fileIndex: fileIndex, kind: .plainRange(start: $0, end: $1))]) }
    }

    package static func estimatedSize(_ file: InputEntry) -> Int64 {
        file.size * file.compression.expansion
    }
}
