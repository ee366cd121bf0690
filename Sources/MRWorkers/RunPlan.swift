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
    /// Where the text of fed pieces is read: the coordinator's memory files (``GzipFeeder``),
    /// one slot per worker.
    package var fedPieceSlots: [String] = []

    package var mapTaskCount: Int { splits.count }
    package var reduceTaskCount: Int { isMapOnly ? 0 : reducers }
    /// Part files in the output: one per reducer, or one per map task for map-only jobs.
    package var partCount: Int { isMapOnly ? mapTaskCount : reducers }

    // Work-dir layout, in one place.
    package func attemptPath(_ assignment: TaskAssignment) -> String {
        "\(workDirectory)/attempts/\(assignment.task).a\(assignment.attempt)"
    }

    /// Removes what an attempt wrote: its output (a file or a folder), and a map attempt's first
    /// spill if it had not yet taken the output's name.
    package func removeAttempt(_ assignment: TaskAssignment) {
        SpillWriter.removeLeftovers(at: attemptPath(assignment))
    }

    /// How many spill files each map task committed (a line each, in task order), written by the
    /// coordinator from the map reports when the map phase ends: what reduce tasks read.
    package var mapSpillsPath: String { workDirectory + "/spill-counts" }

    /// Writes ``mapSpillsPath``, replacing the list of an earlier map phase of this work folder.
    package func recordMapSpills(_ counts: [Int]) throws {
        let text = counts.map(String.init).joined(separator: "\n") + "\n"
        FileSystem.remove(mapSpillsPath)
        try FileSystem.writeFile(mapSpillsPath, text)
    }

    /// The spill files of every map task for `partition`, in map-task order.
    func mapOutputs(partition: Int) throws -> [IntermediateFile.Segment] {
        let text = String(decoding: try FileSystem.readFile(mapSpillsPath), as: UTF8.self)
        let counts = text.split(separator: "\n").compactMap { Int($0) }
        guard counts.count == mapTaskCount else {
            throw MRError(.internal, "\(mapSpillsPath) lists \(counts.count) map tasks, not \(mapTaskCount)")
        }
        return counts.enumerated().flatMap { mapIndex, spills in
            SpillWriter.spillPaths(committedMapOutput(mapIndex), count: spills).map { IntermediateFile.Segment(path: $0, partition: partition) }
        }
    }

    func committedMapOutput(_ mapIndex: Int) -> String {
        "\(workDirectory)/\(TaskID(kind: .map, index: mapIndex))"
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

    /// Where a fed piece's text is: its slot among ``fedPieceSlots``.
    func fedPiecePath(_ piece: InputPiece) -> String? {
        guard case .fed(let number) = piece.kind, !fedPieceSlots.isEmpty else { return nil }
        let place = firstFedPiece(ofFile: piece.fileIndex) + number
        return fedPieceSlots[GzipFeeder.slot(ofPiece: place, slots: fedPieceSlots.count)]
    }

    /// Map tasks whose piece a ``GzipFeeder`` writes during the run.
    package var fedMapTasks: [Int] { splits.indices.filter { splits[$0].pieces[0].isFed } }

    /// The place of a fed file's first piece among all fed pieces of the run.
    private func firstFedPiece(ofFile fileIndex: Int) -> Int {
        splits.lazy.filter { $0.pieces[0].isFed && $0.pieces[0].fileIndex < fileIndex }.count
    }

    /// The gzip files a ``GzipFeeder`` inflates during the run, with the map tasks their pieces are.
    package var fedFiles: [GzipFeeder.FedFile] {
        let fedTasks = fedMapTasks
        return fedTasks.filter { splits[$0].pieces[0].kind == .fed(number: 0) }.map { first in
            let fileIndex = splits[first].pieces[0].fileIndex
            let pieces = fedTasks.filter { splits[$0].pieces[0].fileIndex == fileIndex }.count
            return GzipFeeder.FedFile(path: files[fileIndex].path, firstTask: first, pieces: pieces,
                                      firstPiece: firstFedPiece(ofFile: fileIndex))
        }
    }

    /// Where a committed attempt's output goes.
    package func committedPath(_ task: TaskID) -> String {
        task.kind == .map && !isMapOnly
            ? committedMapOutput(task.index) : "\(stagedOutput)/\(OutputLayout.partFileName(task.index, compression: outputCompression))"
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
