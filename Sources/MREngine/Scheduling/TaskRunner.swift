#if canImport(Glibc)
import Glibc
#endif
import MapReduce

/// Runs one task attempt to completion, writing its output under the attempt's temporary path.
/// The same code serves worker processes, worker threads and sequential runs; the coordinator
/// commits what it writes.
public struct TaskRunner: Sendable {
    let job: any Job
    let plan: RunPlan
    /// Test hook (`MR_TEST_TASK_DELAY_MS`): each attempt pauses after creating its output path,
    /// so tests can kill a worker that is provably in the middle of a task.
    private let testDelayMicroseconds: UInt32
    /// `MR_FAULTS`, honoured only in worker processes.
    private let faults: FaultInjection?

    public init(job: any Job, plan: RunPlan, inWorkerProcess: Bool = false) {
        self.job = job
        self.plan = plan
        testDelayMicroseconds = getenv("MR_TEST_TASK_DELAY_MS").flatMap { UInt32(String(cString: $0)) }.map { $0 * 1000 } ?? 0
        faults = inWorkerProcess ? FaultInjection.fromEnvironment() : nil
    }

    private var jobName: String { type(of: job).name }
    /// The counter of input files skipped or cut short under --skip-bad-input.
    static let skippedFilesCounter = "bad input files skipped"

    /// Runs the attempt with the worker's reusable map buffers; failures come back as values
    /// saying whether a retry can help.
    func run(_ assignment: TaskAssignment, memory: MapMemory) -> Result<TaskReport, TaskFailure> {
        // Where this thread publishes its task and record, for a crash report.
        let tracker = RecordTracker()
        tracker.started(assignment.task)
        defer { tracker.finished() }
        do {
            switch assignment.task.kind {
            case .map: return .success(try runMap(assignment, memory: memory, tracker: tracker))
            case .reduce: return .success(try runReduce(assignment, tracker: tracker))
            }
        } catch let failure as TaskFailure {
            return .failure(failure)
        } catch let error as MRError {
            return .failure(TaskFailure(retryable: ![.badInput, .noInput, .wrongSplit].contains(error.kind), error: error))
        } catch {
            return .failure(TaskFailure(retryable: true, error: MRError(.internal, "\(assignment): \(error)")))
        }
    }

    private func runMap(_ assignment: TaskAssignment, memory: MapMemory, tracker: RecordTracker) throws -> TaskReport {
        let jobType = type(of: job)
        let path = plan.attemptPath(assignment)
        FileSystem.removeTree(path)  // left by an earlier run of this attempt number
        // A map-only job writes its part file directly; others collect, combine and partition.
        let partWriter = plan.isMapOnly ? try PartWriter(path: path, topCount: jobType.topRecordsInSummary) : nil
        // The worker's budget less room for its code, read buffers and merge (a quarter, at most
        // 32 MiB); the buffer counts its table growth and spill sorting within the rest.
        let collected = plan.isMapOnly ? nil : MapOutputBuffer(
            combiner: jobType.combiner, partitions: plan.reducers, directory: path,
            memoryBudget: plan.memoryPerWorker - min(plan.memoryPerWorker / 4, 32 << 20), memory: memory)
        if collected != nil { try FileSystem.makeDirectory(path) }
        let output = MapOutput(partWriter ?? collected!)
        if testDelayMicroseconds > 0 { usleep(testDelayMicroseconds) }
        let fault = faults?.plan(for: assignment) ?? (.none, .max)
        var recordsDone: Int64 = 0

        let lines = LineReader(maxLineLength: plan.maxLineLength)
        var warnings: [String] = []
        var skippedFiles: [Int] = []
        var pieceChecksums: [PieceChecksum] = []
        /// Maps one piece of the split; for a piece read at an access point, returns its checksum.
        func mapPiece(_ piece: InputPiece) throws -> PieceChecksum? {
            let entry = plan.files[piece.fileIndex]
            let file = InputFile(path: entry.path.displayPath, name: entry.name.displayPath)
            let source: ByteSource
            var indexedSource: GzipSource?
            let sourceOffset: Int64, skipFirstLine: Bool, end: Int64
            var firstLine: Int64 = 1
            if piece.accessPoint >= 0, let indexPath = entry.indexPath {
                let point = try GzipIndex.point(piece.accessPoint, at: piece.start, savedAt: indexPath, for: entry.path)
                let gzip = try GzipSource(path: entry.path, from: point, checksumLimit: piece.end - piece.start)
                indexedSource = gzip
                source = gzip
                (sourceOffset, end) = (point.uncompressedOffset, piece.end)
                skipFirstLine = sourceOffset > 0 && point.byteBefore != 0x0A
                firstLine = point.linesBefore + 1
            } else if piece.fedPiece >= 0 {
                let path = plan.fedPiecePath(piece)
                let start = try FedPiece.start(of: path)
                source = try PlainFileSource(path: path, from: FedPiece.headerSize)
                (sourceOffset, skipFirstLine, end) = (start.offset, false, .max)
                firstLine = start.line
            } else if piece.betweenMembers {
                // Records skip the first line unless at the file's start, and end with the line
                // that starts exactly at the next split's member (Hadoop's rule for splits whose
                // edges cannot be looked behind).
                source = try GzipSource(path: entry.path, member: piece.start, boundary: piece.end < entry.size ? piece.end : nil)
                (sourceOffset, skipFirstLine, end) = (0, piece.start > 0, .max)
            } else if entry.isGzip {
                source = try GzipSource(path: entry.path)
                (sourceOffset, skipFirstLine, end) = (0, false, .max)
            } else {
                source = try PlainFileSource(path: entry.path, from: max(piece.start - 1, 0), plannedSize: entry.size)
                (sourceOffset, skipFirstLine, end) = (max(piece.start - 1, 0), piece.start > 0, piece.end)
                if piece.start > 0 { firstLine = try countNewlines(in: entry.path, before: piece.start - 1) + 1 }
            }
            tracker.enter(fileIndex: piece.fileIndex)
            let positionsKnown = !piece.betweenMembers
            do {
                try withExtendedLifetime(file) {
                    try lines.forEachLine(of: source, from: sourceOffset, skippingFirstLine: skipFirstLine, end: end,
                                          firstLineNumber: firstLine) { bytes, offset, counted in
                        let (offset, line) = positionsKnown ? (offset, counted) : (-1, -1)
                        tracker.reached(line: line, offset: offset)
                        if recordsDone == fault.afterRecords { faults?.perform(fault.action) }
                        recordsDone += 1
                        do {
                            try job.map(Record(bytes: bytes, offset: offset, lineNumber: line, file: file), output)
                        } catch {
                            throw TaskFailure(retryable: true, error: MRError(.taskFailed,
                                "job \(jobType.name), task \(assignment.task): map failed on \(recordLocation(entry.path, line: line)): \(error)"))
                        }
                    }
                }
            } catch let tooLong as LineReader.LineTooLong {
                throw tooLong.error(in: entry.path, text: entry.isGzip ? "uncompressed text" : "file")
            }
            if let indexedSource {
                // The line reader stops early in the last line of a piece: read the piece out.
                let scratch = UnsafeMutableRawPointer.allocate(byteCount: 1 << 16, alignment: 8)
                defer { scratch.deallocate() }
                while indexedSource.checksummedBytes < piece.end - piece.start,
                      try indexedSource.read(into: scratch, capacity: 1 << 16) > 0 {}
                return PieceChecksum(fileIndex: piece.fileIndex, start: piece.start,
                                     length: indexedSource.checksummedBytes, crc: indexedSource.crc)
            }
            return nil
        }
        for piece in plan.splits[assignment.task.index].pieces {
            let linesBefore = lines.linesRead
            do {
                if let checksum = try mapPiece(piece) { pieceChecksums.append(checksum) }
            } catch let error as MRError where error.kind == .badInput && plan.skipBadInput {
                let kept = lines.linesRead - linesBefore
                let place = piece.start > 0 ? "of this split of it" : "of the file"
                warnings.append("skipped the rest of \(error.message) (kept the \(kept) line\(kept == 1 ? "" : "s") \(place) before the damage)")
                if skippedFiles.last != piece.fileIndex { skippedFiles.append(piece.fileIndex) }
            }
        }
        tracker.leave()
        if fault.afterRecords >= recordsDone { faults?.perform(fault.action) }  // a short task

        var report = TaskReport()
        report.counters.inputRecords = lines.linesRead
        report.counters.inputBytes = lines.bytesRead
        report.warnings = warnings
        report.pieceChecksums = pieceChecksums
        report.skippedFiles = skippedFiles
        if let partWriter {
            try partWriter.finish()
            report.counters.mapOutputRecords = partWriter.records
            report.counters.outputRecords = partWriter.records
            report.jobCounters.merge(partWriter.counters, uniquingKeysWith: +)
            report.topRecords = partWriter.topRecords
            return report
        }
        let buffer = collected!
        if let misuse = buffer.misuse {
            throw TaskFailure(retryable: false, error: MRError(.taskFailed, "job \(jobType.name) is misdeclared: \(misuse)"))
        }
        try buffer.finish()
        report.counters.mapOutputRecords = buffer.emitted
        report.counters.combineOutputRecords = buffer.pairsWritten
        report.counters.spilledRuns = Int64(buffer.runsWritten)
        report.jobCounters.merge(buffer.counters, uniquingKeysWith: +)
        return report
    }

    private func runReduce(_ assignment: TaskAssignment, tracker: RecordTracker) throws -> TaskReport {
        let partition = assignment.task.index
        // Every run of every map task for this partition, in map-task order; past the merge's
        // fan-in, merged into fewer runs first.
        let runs = try (0..<plan.mapTaskCount).flatMap { mapIndex in
            let directory = plan.committedMapOutput(mapIndex)
            return try FileSystem.contents(of: directory).filter { $0.hasPrefix(MapOutputBuffer.runFilePrefix) }
                .map { IntermediateFile.Segment(path: directory + "/" + $0, partition: partition) }
        }
        let scratch = plan.attemptPath(assignment) + ".merges"
        defer { FileSystem.removeTree(scratch) }
        let merge = GroupedMerge(readers: try RunMerger.reduce(runs, scratch: scratch).map { try IntermediateFile.Reader($0) })
        let writer = try PartWriter(path: plan.attemptPath(assignment), topCount: type(of: job).topRecordsInSummary)
        let output = ReduceOutput(writer)
        if testDelayMicroseconds > 0 { usleep(testDelayMicroseconds) }
        let fault = faults?.plan(for: assignment) ?? (.none, .max)
        var groups: Int64 = 0
        // One for all groups: each group's values come from the merge, wherever it stands.
        var values = ReduceValues(merge)
        while try merge.nextGroup() {
            if groups == fault.afterRecords { faults?.perform(fault.action) }
            groups += 1
            tracker.progressed()
            do {
                try job.reduce(merge.key, &values, output)
            } catch {
                throw TaskFailure(retryable: true, error: MRError(.taskFailed,
                    "job \(jobName), task \(assignment.task): reduce failed on key '\(String(decoding: merge.key, as: UTF8.self))': \(error)"))
            }
        }
        if fault.afterRecords >= groups { faults?.perform(fault.action) }  // a short task
        try writer.finish()
        var report = TaskReport()
        report.counters.reduceGroups = groups
        report.counters.outputRecords = writer.records
        report.jobCounters = writer.counters
        report.topRecords = writer.topRecords
        return report
    }
}

/// The number of `\n` bytes in the first `count` bytes of a file (the line number where a split
/// of a plain file starts). Reads the prefix at memchr speed.
func countNewlines(in path: String, before count: Int64) throws -> Int64 {
    let file = try FileDescriptor.open(reading: path)
    defer { file.close() }
    let capacity = 1 << 20
    let buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 64)
    defer { buffer.deallocate() }
    var offset: Int64 = 0
    var newlines: Int64 = 0
    while offset < count {
        let got = try file.read(into: buffer, count: Int(min(Int64(capacity), count - offset)), at: offset)
        if got == 0 { break }
        newlines += countNewlines(buffer, got)
        offset += Int64(got)
    }
    return newlines
}
