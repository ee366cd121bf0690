import MRBase
import MRInput
import MROutput
import MRShuffle
import MRSystem
import MapReduce
#if canImport(Glibc)
import Glibc
#endif

/// Runs one task attempt to completion, writing its output under the attempt's temporary path.
/// The same code serves worker processes, worker threads and sequential runs; the coordinator
/// commits what it writes.
package struct TaskRunner: Sendable {
    let job: any Job
    let plan: RunPlan
    /// Test hook (`MR_TEST_TASK_DELAY_MS`): each attempt pauses once its output exists (its part
    /// file, or its worker's map output log), so tests can kill a worker that is provably in
    /// the middle of a task.
    private let testDelayMicroseconds: UInt32
    /// `MR_FAULTS`, honoured only in worker processes.
    private let faults: FaultInjection?

    package init(job: any Job, plan: RunPlan, inWorkerProcess: Bool = false) {
        self.job = job
        self.plan = plan
        testDelayMicroseconds = getenv("MR_TEST_TASK_DELAY_MS").flatMap { UInt32(String(cString: $0)) }.map { $0 * 1000 } ?? 0
        faults = inWorkerProcess ? FaultInjection.fromEnvironment() : nil
    }

    private var jobName: String { type(of: job).name }
    /// The counter of input files skipped or cut short under --skip-bad-input.
    package static let skippedFilesCounter = "bad input files skipped"

    /// Runs the attempt with the worker's reusable map buffers; failures come back as values
    /// saying whether a retry can help. `handOn` is called when a relayed piece's attempt has
    /// left the next piece's start.
    func run(_ assignment: TaskAssignment, memory: MapMemory, handOn: @escaping () -> Void) -> Result<TaskReport, TaskFailure> {
        // Where this thread publishes its task and record, for a crash report.
        let tracker = RecordTracker()
        tracker.started(assignment.task)
        defer { tracker.finished() }
        do {
            switch assignment.task.kind {
            case .map: return .success(try runMap(assignment, memory: memory, tracker: tracker, handOn: handOn))
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

    /// Where a map task's records go: a map-only job's part file, or the buffer that combines,
    /// partitions and spills them.
    private enum MapSink {
        case part(PartWriter)
        case buffer(MapOutputBuffer)

        var records: RecordSink {
            switch self {
            case .part(let writer): writer
            case .buffer(let buffer): buffer
            }
        }
    }

    /// A map task: read the split into the sink, check the files read are still the planned
    /// ones, then finish the sink into the task's output.
    private func runMap(_ assignment: TaskAssignment, memory: MapMemory, tracker: RecordTracker, handOn: @escaping () -> Void) throws -> TaskReport {
        plan.removeAttempt(assignment)  // left by an earlier run of this attempt number
        do {
            let sink = try mapSink(assignment, memory: memory)
            if testDelayMicroseconds > 0 { usleep(testDelayMicroseconds) }
            var report = TaskReport()
            try mapSplit(assignment, into: MapOutput(sink.records), relayText: memory.relayText, tracker: tracker,
                         handOn: handOn, report: &report)
            try checkFilesUnchanged(of: assignment, report: &report)
            try finish(sink, report: &report)
            return report
        } catch {
            memory.outputLog = nil  // what its writer holds is unknown: the next map task starts a new log
            throw error
        }
    }

    private func mapSink(_ assignment: TaskAssignment, memory: MapMemory) throws -> MapSink {
        let jobType = type(of: job)
        if plan.isMapOnly {
            return .part(try PartWriter(path: plan.attemptPath(assignment), topCount: jobType.topRecordsInSummary, compression: plan.outputCompression))
        }
        let log = try memory.outputLog ?? MapOutputLog(directory: plan.workDirectory)
        memory.outputLog = log
        // The worker's budget less room for its code, read buffers and merge (a quarter, at most
        // 32 MiB); the buffer counts its table growth and spill sorting within the rest.
        return .buffer(MapOutputBuffer.make(combiner: job.combining, partitions: plan.reducers, log: log,
                                            memoryBudget: plan.memoryPerWorker - min(plan.memoryPerWorker / 4, 32 << 20), memory: memory))
    }

    /// Maps every piece of the task's split; damage under --skip-bad-input cuts a piece short
    /// with a warning. Counts the records and bytes read into `report`.
    private func mapSplit(_ assignment: TaskAssignment, into output: MapOutput, relayText: GrowingBuffer,
                          tracker: RecordTracker, handOn: @escaping () -> Void, report: inout TaskReport) throws {
        let jobType = type(of: job)
        let fault = faults?.plan(for: assignment) ?? (.none, .max)
        var recordsDone: Int64 = 0
        let lines = LineReader(maxLineLength: plan.maxLineLength,
                               handsOutBlocks: jobType.mapsBlocksOfLines && !jobType.readsLinePositions)
        /// Maps one piece of the split; for a piece read from an access point, returns its checksum.
        func mapPiece(_ piece: InputPiece) throws -> PieceChecksum? {
            let entry = plan.files[piece.fileIndex]
            let file = InputFile(path: entry.path.escapedPath, name: entry.name.escapedPath)
            let relay = PieceSource.Relay(workDirectory: plan.workDirectory, span: plan.indexSpan, buffer: relayText,
                                          aside: plan.relayInflatesAside, handOn: handOn)
            let opened = try PieceSource(piece, of: entry, inflater: plan.inflater, relay: relay)
            tracker.enter(fileIndex: piece.fileIndex)
            let positionsKnown = opened.positionsKnown
            do {
                try withExtendedLifetime(file) {
                    try lines.forEachLine(of: opened.source, from: opened.sourceOffset, skippingFirstLine: opened.skipFirstLine,
                                          end: opened.end, firstLineNumber: opened.firstLine) { bytes, offset, counted in
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
            return try opened.checksum(fileIndex: piece.fileIndex)
        }
        for piece in plan.splits[assignment.task.index].pieces {
            let linesBefore = lines.linesRead
            do {
                if let checksum = try mapPiece(piece) { report.pieceChecksums.append(checksum) }
            } catch let error as MRError where error.kind == .badInput && plan.skipBadInput {
                let kept = lines.linesRead - linesBefore
                let place = piece.startsTheFile ? "of the file" : "of this split of it"
                report.warnings.append("skipped the rest of \(error.message) (kept the \(kept) line\(kept == 1 ? "" : "s") \(place) before the damage)")
                if report.skippedFiles.last != piece.fileIndex { report.skippedFiles.append(piece.fileIndex) }
            }
        }
        tracker.leave()
        if fault.afterRecords >= recordsDone { faults?.perform(fault.action) }  // a short task
        report.counters.inputRecords = lines.linesRead
        report.counters.inputBytes = lines.bytesRead
    }

    /// Every file the task read is still the one planned, now that the task is done with it.
    private func checkFilesUnchanged(of assignment: TaskAssignment, report: inout TaskReport) throws {
        let read = Set(plan.splits[assignment.task.index].pieces.map(\.fileIndex))
        for fileIndex in read.sorted() where !report.skippedFiles.contains(fileIndex) {
            do {
                try checkUnchanged(plan.files[fileIndex])
            } catch let error as MRError where plan.skipBadInput {
                report.warnings.append("skipped the rest of \(error.message) (the records this task read from it may be partial)")
                report.skippedFiles.append(fileIndex)
            }
        }
    }

    /// Writes what the sink holds (the part file, or the last spill) and counts it in `report`;
    /// a misdeclared job or a sum past Int64 fails the task.
    private func finish(_ sink: MapSink, report: inout TaskReport) throws {
        let jobType = type(of: job)
        switch sink {
        case .part(let writer):
            try writer.finish()
            report.counters.mapOutputRecords = writer.records
            report.counters.outputRecords = writer.records
            report.jobCounters.merge(writer.counters, uniquingKeysWith: +)
            report.topRecords = writer.topRecords
        case .buffer(let buffer):
            if let misuse = buffer.misuse {
                throw TaskFailure(retryable: false, error: MRError(.taskFailed, "job \(jobType.name) is misdeclared: \(misuse)"))
            }
            try buffer.finish()
            if let key = buffer.sumOverflowKey { throw TaskFailure(retryable: false, error: .sumOverflow(job: jobType.name, key: key)) }
            report.counters.mapOutputRecords = buffer.emitted
            report.counters.combineOutputRecords = buffer.pairsWritten
            report.counters.spills = Int64(buffer.spillsWritten)
            report.mapOutput = buffer.place
            report.spillSeconds = buffer.spillSeconds
            report.jobCounters.merge(buffer.counters, uniquingKeysWith: +)
        }
    }

    /// Throws unless `entry` is still the file the run planned (device, inode, size and
    /// modification time): one that grew, shrank, was edited or replaced while it was read gave
    /// records that are not the file's.
    private func checkUnchanged(_ entry: InputEntry) throws {
        guard !entry.identity.isEmpty else { return }
        guard let now = try FileSystem.status(entry.path), now.identity == entry.identity else {
            throw MRError(.badInput, "\(entry.path): changed while mr read it (its size, inode or modification time are not what they were when the run was planned); run again once it is complete")
        }
    }

    private func runReduce(_ assignment: TaskAssignment, tracker: RecordTracker) throws -> TaskReport {
        let partition = assignment.task.index
        // Every spill of every map task for this partition, as the map reports listed them, in
        // map-task order; past the merge's fan-in, merged into fewer spills first.
        let spills = try plan.mapOutputs(partition: partition)
        let scratch = plan.attemptPath(assignment) + ".merges"
        defer { FileSystem.removeTree(scratch) }
        let mergeStarted = monotonicSeconds()
        let merge = GroupedMerge(readers: try SpillMerger.reduce(spills, scratch: scratch).map { try IntermediateFile.Reader($0) })
        let mergeSeconds = monotonicSeconds() - mergeStarted
        let writer = try PartWriter(path: plan.attemptPath(assignment), topCount: type(of: job).topRecordsInSummary, keysMustBeSorted: true,
                                    compression: plan.outputCompression)
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
            if merge.sumOverflowed { throw TaskFailure(retryable: false, error: .sumOverflow(job: jobName, key: merge.key)) }
            if let unsorted = writer.unsortedKey { throw TaskFailure(retryable: false, error: .unsortedOutput(job: jobName, unsorted)) }
            if WrongValueType.take() { throw TaskFailure(retryable: false, error: .wrongValueType(job: jobName, key: merge.key)) }
        }
        if fault.afterRecords >= groups { faults?.perform(fault.action) }  // a short task
        try writer.finish()
        var report = TaskReport()
        report.mergeSeconds = mergeSeconds
        report.counters.reduceGroups = groups
        report.counters.outputRecords = writer.records
        report.jobCounters = writer.counters
        report.topRecords = writer.topRecords
        return report
    }
}
