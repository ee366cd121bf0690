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

    public init(job: any Job, plan: RunPlan) {
        self.job = job
        self.plan = plan
        testDelayMicroseconds = getenv("MR_TEST_TASK_DELAY_MS").flatMap { UInt32(String(cString: $0)) }.map { $0 * 1000 } ?? 0
    }

    /// Runs the attempt; failures come back as values saying whether a retry can help.
    public func run(_ assignment: TaskAssignment) -> Result<TaskReport, TaskFailure> {
        do {
            switch assignment.task.kind {
            case .map: return .success(try runMap(assignment))
            case .reduce: return .success(try runReduce(assignment))
            }
        } catch let failure as TaskFailure {
            return .failure(failure)
        } catch let error as MRError {
            return .failure(TaskFailure(retryable: error.kind != .badInput && error.kind != .noInput, error: error))
        } catch {
            return .failure(TaskFailure(retryable: true, error: MRError(.internal, "\(assignment): \(error)")))
        }
    }

    private func runMap(_ assignment: TaskAssignment) throws -> TaskReport {
        let jobType = type(of: job)
        let collected = MapOutputBuffer(combiner: jobType.combiner)
        let output = MapOutput(collected)
        let lines = LineReader()
        let directory = plan.attemptPath(assignment)
        FileSystem.removeTree(directory)  // left by an earlier run of this attempt number
        try FileSystem.makeDirectory(directory)
        if testDelayMicroseconds > 0 { usleep(testDelayMicroseconds) }
        for piece in plan.splits[assignment.task.index].pieces {
            let entry = plan.files[piece.fileIndex]
            let file = InputFile(path: entry.path, name: entry.name)
            let source: ByteSource
            let start: Int64, end: Int64
            if entry.isGzip {
                source = try GzipSource(path: entry.path)
                (start, end) = (0, .max)
            } else {
                source = try PlainFileSource(path: entry.path, from: max(piece.start - 1, 0))
                (start, end) = (piece.start, piece.end)
            }
            try withExtendedLifetime(file) {
                try lines.forEachLine(of: source, start: start, end: end) { bytes, offset in
                    do {
                        try job.map(Record(bytes: bytes, offset: offset, file: file), output)
                    } catch {
                        throw TaskFailure(retryable: true, error: MRError(.taskFailed,
                            "job \(jobType.name) failed in map on \(entry.path) at byte offset \(offset): \(error)"))
                    }
                }
            }
        }

        var written: Int64 = 0
        var writer: IntermediateFile.Writer?
        var writerPartition = -1
        // One file per partition, empty ones included, so every reduce finds all its inputs.
        func openPartitions(through partition: Int) throws {
            while writerPartition < partition {
                try writer?.finish()
                writerPartition += 1
                writer = try IntermediateFile.Writer(path: directory + "/" + RunPlan.partitionFileName(writerPartition))
            }
        }
        try collected.forEachPairByPartition(count: plan.reducers) { partition, key, value in
            try openPartitions(through: partition)
            try writer!.append(key: key, value: value)
            written += 1
        }
        try openPartitions(through: plan.reducers - 1)
        try writer?.finish()
        var report = TaskReport()
        report.counters.inputRecords = lines.linesRead
        report.counters.inputBytes = lines.bytesRead
        report.counters.mapOutputRecords = collected.emitted
        report.counters.combineOutputRecords = written
        return report
    }

    private func runReduce(_ assignment: TaskAssignment) throws -> TaskReport {
        let partition = assignment.task.index
        let readers = try (0..<plan.mapTaskCount).map {
            try IntermediateFile.Reader(path: plan.committedMapOutput($0) + "/" + RunPlan.partitionFileName(partition))
        }
        let merge = GroupedMerge(readers: readers)
        let writer = try PartWriter(path: plan.attemptPath(assignment), topCount: type(of: job).topRecordsInSummary)
        let output = ReduceOutput(writer)
        if testDelayMicroseconds > 0 { usleep(testDelayMicroseconds) }
        var groups: Int64 = 0
        while try merge.nextGroup() {
            groups += 1
            var values = ReduceValues(merge)
            do {
                try job.reduce(merge.key, &values, output)
            } catch {
                throw TaskFailure(retryable: true, error: MRError(.taskFailed,
                    "job \(type(of: job).name) failed in reduce of partition \(partition) on key '\(String(decoding: merge.key, as: UTF8.self))': \(error)"))
            }
        }
        try writer.finish()
        var report = TaskReport()
        report.counters.reduceGroups = groups
        report.counters.outputRecords = writer.records
        report.topRecords = writer.topRecords
        return report
    }
}
