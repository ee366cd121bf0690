import MRBase
import MRSystem
import MapReduce
/// The first step of a run: finds the input files and cuts them into splits, one per map task.
package enum InputPlanner {
    /// How large gzip files may be split.
    package struct Splitting {
        var workers: Int
        /// The job reads no line positions, so files of many members may be split at them.
        var memberSplits: Bool
        /// Member starts found by scanning may be used, not only BGZF's.
        var guessingMembers: Bool
        package var ignoringSavedIndexes: Bool

        package init(workers: Int, memberSplits: Bool, guessingMembers: Bool, ignoringSavedIndexes: Bool) {
            self.workers = workers
            self.memberSplits = memberSplits
            self.guessingMembers = guessingMembers
            self.ignoringSavedIndexes = ignoringSavedIndexes
        }
    }

    package struct Plan {
        package var files: [InputEntry]
        package var splits: [Split]
        package var indexes: [Int: GzipIndex]
        package var memberSplitFiles: Int
        /// Files split at member starts found by scanning (unconfirmed until read).
        package var guessedFiles: Set<Int>
        /// Unreadable files left out (`--skip-bad-input`).
        package var skippedFiles: [(path: String, warning: String)]
        /// What input folders hold that is not a file to read.
        package var notInput: [String]
        package var span: Int64
        /// A request the plan could not follow as given, said once.
        package var note: String?
        /// Large compressed files read by one map task each, and why.
        package var unsplittable: [String] = []
    }

    /// Finds the input files and cuts them into splits. A gzip file large enough to split is cut
    /// at the access points of its saved index, or, for a job that reads no line positions, at
    /// member starts found without inflating it; otherwise it is relayed (its map tasks inflate
    /// it once, each piece where the one before ended, and leave its index: see
    /// ``RelayedPieceSource``) or, in sequential mode, indexed first.
    /// Finds where a zstd, xz or bzip2 file's units start about `spacing` compressed bytes
    /// apart, into `memberStarts` (bzip2's starts, found by scanning, into `guessed` too); or
    /// returns why the file is read whole.
    private static func splitAtUnits(_ file: InputEntry, number: Int, _ splitting: Splitting, spacing: Int64,
                                     into memberStarts: inout [Int: [Int64]], guessed: inout Set<Int>) throws -> String? {
        guard splitting.memberSplits else {
            return "the job reads line positions, which a \(file.compression.name) unit start does not tell"
        }
        let starts: [Int64]?
        let whole: String
        switch file.compression {
        case .zstd:
            starts = try ZstdFrames.splitPoints(path: file.path, size: file.size, spacing: spacing)
            whole = "it is one zstd frame (pzstd, or zstd files joined by cat, can be split)"
        case .xz:
            starts = try XzBlocks.splitPoints(path: file.path, size: file.size, spacing: spacing)
            whole = "it is one xz block (xz -T0 and pixz write many blocks, which can be split)"
        case .bzip2:
            guard splitting.guessingMembers else { return "a bzip2 block start guessed by scanning did not hold" }
            starts = try Bzip2Blocks.splitPoints(path: file.path, size: file.size, spacing: spacing)
            whole = "it is one bzip2 block"
            if starts != nil { guessed.insert(number) }
        case .gzip, .none:
            preconditionFailure("\(file.compression) is not split at units here")
        }
        guard let starts else { return whole }
        memberStarts[number] = starts
        return nil
    }

    package static func plan(_ inputs: [String], options: RunOptions, _ splitting: Splitting) throws -> Plan {
        var (files, skippedFiles, notInput) = try InputCatalog.readableFiles(for: inputs, skipUnreadable: options.skipBadInput)
        let inputBytes = files.reduce(Int64(0)) { $0 + SplitPlanner.estimatedSize($1) }
        let (splitSize, note) = RunLimits.boundSplitSize(
            options.splitSize ?? SplitPlanner.defaultTargetSize(for: files, workers: splitting.workers), inputBytes: inputBytes)
        var lineSplits: [Int: [Split]] = [:]
        if let linesPerTask = options.linesPerTask {
            for (number, file) in files.enumerated() {
                guard file.compression == .none else {
                    throw MRError(.usage, "--lines-per-task cuts plain text at its lines, and '\(file.path)' is \(file.compression.name)-compressed; decompress it first, or use --split-size")
                }
                lineSplits[number] = try SplitPlanner.lineSplits(file, fileIndex: number, linesPerTask: linesPerTask)
            }
        }
        let span = GzipIndex.span(forSplitSize: splitSize)
        var indexes: [Int: GzipIndex] = [:]
        var relayed: [Int: (pieces: Int, textSize: Int64?)] = [:]
        var memberStarts: [Int: [Int64]] = [:]
        var guessedFiles: Set<Int> = []
        var unsplittable: [String] = []
        for (number, file) in files.enumerated()
        where file.compression != .none && SplitPlanner.estimatedSize(file) > max(2 * splitSize, 4 << 20) {
            guard file.compression == .gzip else {
                // zstd frames, xz and bzip2 blocks: split where units start, for a job that reads
                // no line positions; else, or for a file of one unit, read whole and said why.
                if let reason = try splitAtUnits(file, number: number, splitting, spacing: splitSize / file.compression.expansion,
                                                 into: &memberStarts, guessed: &guessedFiles) {
                    unsplittable.append("\(file.path) is read by one map task: \(reason)")
                }
                continue
            }
            if !splitting.ignoringSavedIndexes, let (index, location) = GzipIndex.load(for: file.path, cacheDirectory: cacheDirectory()) {
                files[number].indexPath = location
                indexes[number] = index
                continue
            }
            if splitting.memberSplits,
               let found = try GzipMembers.splitPoints(path: file.path, size: file.size, spacing: splitSize / file.compression.expansion,
                                                       scanning: splitting.guessingMembers, reach: GzipMembers.plannersReach) {
                memberStarts[number] = found.starts
                if found.evidence == .scanned { guessedFiles.insert(number) }
                continue
            }
            if options.mode != .sequential {
                // A piece a split, at most 32 MiB and a quarter of a worker's --memory (the room
                // kept for its read buffers): each worker holds its piece's text in memory.
                let pieceSize = max(min(splitSize, RunLimits.largestRelayedPiece, Int64(options.memoryPerWorker / 4)), 1)
                let textSize = GzipIndex.statedTextSize(of: file, membersScanned: splitting.memberSplits && splitting.guessingMembers)
                relayed[number] = (RelayedPieceSource.pieceCount(textSize: textSize ?? SplitPlanner.estimatedSize(file), pieceSize: pieceSize),
                                   textSize)
                continue
            }
            do {
                let (index, location) = try GzipIndex.loadOrBuild(for: file.path, span: span)
                files[number].indexPath = location
                indexes[number] = index
            } catch let error as MRError where error.kind == .badInput && options.skipBadInput {
                continue  // the map task meets the same damage and skips it
            }
        }
        let splits = options.linesPerTask == nil
            ? SplitPlanner.splits(for: files, targetSize: splitSize, workers: splitting.workers, indexes: indexes, relayed: relayed,
                                  memberStarts: memberStarts)
            : files.indices.flatMap { lineSplits[$0]! }
        return Plan(files: files, splits: splits, indexes: indexes, memberSplitFiles: memberStarts.count,
                    guessedFiles: guessedFiles, skippedFiles: skippedFiles, notInput: notInput, span: span, note: note,
                    unsplittable: unsplittable)
    }
}
