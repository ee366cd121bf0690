import MRBase
import MRInput
import MROutput
import MRShuffle
import MRSystem
import MapReduce
/// Everything a worker needs to run any task of one job, sent to each worker once.
package struct RunPlan: Sendable {
    package let jobName: String
    /// The compiled job (a shared library) every worker loads.
    package let jobLibrary: String
    /// Which step of the library's job the workers run (0: the job itself).
    package var jobStep = 0
    /// How part files are compressed (`--compress-output`).
    package var outputCompression = Compression.none
    package let jobOptions: [String: String]
    /// Map output is the job's output: no reduce tasks.
    package let isMapOnly: Bool
    /// A corrupt input file is cut short with a warning instead of failing the job.
    package let skipBadInput: Bool
    /// Bytes a map task's output buffer may hold before it spills a sorted run.
    package let memoryPerWorker: Int
    /// The longest line a map task holds; a longer one is bad input (a line is held whole).
    package let maxLineLength: Int
    /// The library that inflates gzip input.
    package let inflater: Inflater
    package let files: [InputEntry]
    package let splits: [Split]
    package let reducers: Int
    /// The private directory for attempts, committed map outputs and the staged output.
    package let workDirectory: String
    /// Access points are noted about this many text bytes apart while relayed pieces are
    /// inflated (the span of the index they make).
    package var indexSpan: Int64 = 1 << 20
    /// Relayed pieces are inflated on a thread of their own, beside their mapping: the workers
    /// leave a core spare (see ``RelayedPieceSource``).
    package var relayInflatesAside = false

    package var mapTaskCount: Int { splits.count }
    package var reduceTaskCount: Int { isMapOnly ? 0 : reducers }
    /// Part files in the output: one per reducer, or one per map task for map-only jobs.
    package var partCount: Int { isMapOnly ? mapTaskCount : reducers }

    // Work-dir layout, in one place.
    package func attemptPath(_ assignment: TaskAssignment) -> String {
        "\(workDirectory)/attempts/\(assignment.task).a\(assignment.attempt)"
    }

    /// Whether the task's attempts write a file of their own that the commit renames into place:
    /// part files (reduce tasks, and map tasks of a map-only job). Other map tasks append their
    /// spills to their worker's ``MapOutputLog``, and the commit journals where.
    package func hasAttemptFile(_ task: TaskID) -> Bool { task.kind == .reduce || isMapOnly }

    /// Removes what an attempt left in its own place, if it has one.
    package func removeAttempt(_ assignment: TaskAssignment) {
        guard hasAttemptFile(assignment.task) else { return }
        FileSystem.removeTree(attemptPath(assignment))
    }

    /// Where each map task's spills are (a line each, in task order: the log's name, then where
    /// each spill ends), written by the coordinator from the map reports when the map phase
    /// ends: what reduce tasks read.
    package var mapOutputsPath: String { workDirectory + "/map-outputs" }

    /// Writes ``mapOutputsPath``, replacing the list of an earlier map phase of this work folder.
    package func recordMapOutputs(_ places: [MapOutputPlace]) throws {
        let text = places.map { ([$0.log] + $0.spillEnds.map(String.init)).joined(separator: " ") }.joined(separator: "\n") + "\n"
        FileSystem.remove(mapOutputsPath)
        try FileSystem.writeFile(mapOutputsPath, text)
    }

    /// The spills of every map task for `partition`, in map-task order.
    func mapOutputs(partition: Int) throws -> [IntermediateFile.Segment] {
        let lines = String(decoding: try FileSystem.readFile(mapOutputsPath), as: UTF8.self).split(separator: "\n")
        guard lines.count == mapTaskCount else {
            throw MRError(.internal, "\(mapOutputsPath) lists \(lines.count) map tasks, not \(mapTaskCount)")
        }
        return try lines.flatMap { line in
            let fields = line.split(separator: " ")
            let ends = fields.dropFirst().compactMap { Int64($0) }
            guard let log = fields.first, !ends.isEmpty, ends.count == fields.count - 1 else {
                throw MRError(.internal, "\(mapOutputsPath) has a damaged line: \(line)")
            }
            return ends.map { IntermediateFile.Segment(path: "\(workDirectory)/\(log)", partition: partition, spillEnd: $0) }
        }
    }

    /// Whether the map output a committed task reported is still in the work folder (a killed
    /// run's, when resuming).
    package func holds(_ place: MapOutputPlace) -> Bool {
        guard let last = place.spillEnds.last, let status = try? FileSystem.status("\(workDirectory)/\(place.log)") else { return false }
        return status.size >= last
    }

    var stagedOutput: String { "\(workDirectory)/output" }

    /// Identifies what the run computes (job build, options, inputs, splits, reducers) and the
    /// format its map outputs are in, so a resumed run reuses only outputs of the very same plan.
    package static func fingerprint(jobName: String, jobLibrary: String, jobOptions: [String: String], isMapOnly: Bool,
                            files: [InputEntry], splits: [Split], reducers: Int) -> String {
        var text = "\(jobName)\n\(jobLibrary)\n\(isMapOnly)\n\(reducers)\n\(IntermediateFile.headerMagic)\n\(SpillWriter.layout)\n"
        for (name, value) in jobOptions.sorted(by: { $0.key < $1.key }) { text += "\(name)=\(value)\n" }
        for file in files { text += "\(file.path)\t\(file.name)\t\(file.identity)\n" }
        for split in splits {
            text += split.pieces.map(\.planDescription).joined(separator: ",") + "\n"
        }
        return SHA256.hex(of: text.utf8)
    }

    /// Each map task's input, in estimated uncompressed bytes: larger tasks are handed out first.
    package var mapTaskSizes: [Int64] {
        splits.map { $0.pieces.reduce(0) { $0 + $1.estimatedSize(in: files[$1.fileIndex]) } }
    }

    /// Map tasks that read a relayed piece (see ``RelayedPieceSource``).
    package var relayedMapTasks: [Int] { splits.indices.filter { splits[$0].pieces[0].isRelayed } }

    /// The gzip files read in relayed pieces, each with its piece count.
    package var relayedFiles: [(fileIndex: Int, pieces: Int)] {
        splits.compactMap { split in
            guard case .relayed(0, let pieces, _) = split.pieces[0].kind else { return nil }
            return (split.pieces[0].fileIndex, pieces)
        }
    }

    /// Where a committed attempt's file goes (see ``hasAttemptFile(_:)``): its part file.
    package func committedPath(_ task: TaskID) -> String {
        "\(stagedOutput)/\(OutputLayout.partFileName(task.index, compression: outputCompression))"
    }

    package init(jobName: String, jobLibrary: String, jobOptions: [String: String], isMapOnly: Bool, skipBadInput: Bool, memoryPerWorker: Int, maxLineLength: Int, inflater: Inflater, files: [InputEntry], splits: [Split], reducers: Int, workDirectory: String) {
        self.jobName = jobName
        self.jobLibrary = jobLibrary
        self.jobOptions = jobOptions
        self.isMapOnly = isMapOnly
        self.skipBadInput = skipBadInput
        self.memoryPerWorker = memoryPerWorker
        self.maxLineLength = maxLineLength
        self.inflater = inflater
        self.files = files
        self.splits = splits
        self.reducers = reducers
        self.workDirectory = workDirectory
    }
}
