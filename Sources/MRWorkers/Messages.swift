import MRBase
import MRInput
import MROutput
import MRShuffle
import MRSystem
import MapReduce
/// The messages of the worker protocol and their encodings, all in one place.
///
/// coordinator -> worker: `plan` once, then `assign` per attempt (the worker is idle between).
/// worker -> coordinator: `progress` about twice a second while an attempt runs (records done,
/// and the record being mapped), `handedOn` when a relayed piece's attempt has left the next
/// piece's start, `finished` per attempt, `crashed` from a signal handler when job code brings
/// the worker down (see RecordTracker). A worker exits when its input pipe closes.
enum CoordinatorMessage {
    case plan(RunPlan)
    case assign(TaskAssignment)
}

enum WorkerMessage {
    case finished(TaskAssignment, Result<TaskReport, TaskFailure>)
    case crashed(fileIndex: Int, line: Int64)
    case progress(TaskProgress)
    case handedOn(mapTask: Int)

    static let crashedTag: UInt8 = 2
    static let progressTag: UInt8 = 3
    static let handedOnTag: UInt8 = 4
}

extension CoordinatorMessage {
    func encoded() -> [UInt8] {
        var out = WireWriter()
        switch self {
        case .plan(let plan):
            out.write(UInt64(0))
            out.write(plan.jobName)
            out.write(plan.jobLibrary)
            out.write(plan.jobOptions.count)
            for (name, value) in plan.jobOptions.sorted(by: { $0.key < $1.key }) {
                out.write(name)
                out.write(value)
            }
            out.write(plan.isMapOnly)
            out.write(plan.jobStep)
            out.write(plan.outputCompression.rawValue)
            out.write(plan.skipBadInput)
            out.write(plan.memoryPerWorker)
            out.write(plan.maxLineLength)
            out.write(plan.inflater.rawValue)
            out.write(plan.reducers)
            out.write(plan.workDirectory)
            out.write(plan.indexSpan)
            out.write(plan.relayInflatesAside)
            out.write(plan.files.count)
            for file in plan.files {
                out.write(file.path)
                out.write(file.name)
                out.write(file.size)
                out.write(file.compression.rawValue)
                out.write(file.indexPath ?? "")
                out.write(file.identity)
            }
            out.write(plan.splits.count)
            for split in plan.splits {
                out.write(split.pieces.count)
                for piece in split.pieces { out.write(piece) }
            }
        case .assign(let assignment):
            out.write(UInt64(1))
            out.write(assignment)
        }
        return out.frame
    }

    static func decode(_ bytes: [UInt8]) throws -> CoordinatorMessage {
        var input = WireReader(bytes)
        switch try input.readUInt() {
        case 0:
            let jobName = try input.readString()
            let jobLibrary = try input.readString()
            var jobOptions: [String: String] = [:]
            for _ in 0..<(try input.readInt()) { jobOptions[try input.readString()] = try input.readString() }
            let isMapOnly = try input.readBool()
            let jobStep = try input.readInt()
            let outputCompression = try input.readCompression()
            let skipBadInput = try input.readBool()
            let memoryPerWorker = try input.readInt()
            let maxLineLength = try input.readInt()
            guard let inflater = Inflater(rawValue: try input.readString()) else {
                throw MRError(.internal, "unknown inflater from coordinator")
            }
            let reducers = try input.readInt()
            let workDirectory = try input.readString()
            let indexSpan = try input.readInt64()
            let relayInflatesAside = try input.readBool()
            let files = try (0..<input.readInt()).map { _ in
                var entry = InputEntry(path: try input.readString(), name: try input.readString(),
                                       size: try input.readInt64(), compression: try input.readCompression())
                let indexPath = try input.readString()
                entry.indexPath = indexPath.isEmpty ? nil : indexPath
                entry.identity = try input.readString()
                return entry
            }
            let splits = try (0..<input.readInt()).map { _ in
                Split(pieces: try (0..<input.readInt()).map { _ in try input.readPiece() })
            }
            var plan = RunPlan(jobName: jobName, jobLibrary: jobLibrary, jobOptions: jobOptions, isMapOnly: isMapOnly,
                                 skipBadInput: skipBadInput, memoryPerWorker: memoryPerWorker, maxLineLength: maxLineLength, inflater: inflater, files: files, splits: splits, reducers: reducers, workDirectory: workDirectory)
            plan.jobStep = jobStep
            plan.outputCompression = outputCompression
            plan.indexSpan = indexSpan
            plan.relayInflatesAside = relayInflatesAside
            return .plan(plan)
        case 1:
            return .assign(try input.readAssignment())
        default:
            throw MRError(.internal, "unknown message from coordinator")
        }
    }
}

extension WorkerMessage {
    func encoded() -> [UInt8] {
        var out = WireWriter()
        switch self {
        case .finished(let assignment, .success(let report)):
            out.write(UInt64(0))
            out.write(assignment)
            out.write(report)
        case .finished(let assignment, .failure(let failure)):
            out.write(UInt64(1))
            out.write(assignment)
            out.write(failure.retryable)
            out.write(UInt64(failure.error.kind.rawValue))
            out.write(failure.error.message)
        case .crashed(let fileIndex, let line):
            out.write(UInt64(Self.crashedTag))
            out.write(fileIndex)
            out.write(line)
        case .progress(let progress):
            out.write(UInt64(Self.progressTag))
            out.write(progress.records)
            out.write(progress.fileIndex)
            out.write(progress.line)
            out.write(progress.offset)
        case .handedOn(let mapTask):
            out.write(UInt64(Self.handedOnTag))
            out.write(mapTask)
        }
        return out.frame
    }

    static func decode(_ bytes: [UInt8]) throws -> WorkerMessage {
        var input = WireReader(bytes)
        let tag = try input.readUInt()
        if tag == UInt64(crashedTag) {
            return .crashed(fileIndex: try input.readInt(), line: try input.readInt64())
        }
        if tag == UInt64(progressTag) {
            return .progress(TaskProgress(records: try input.readInt64(), fileIndex: try input.readInt(),
                                          line: try input.readInt64(), offset: try input.readInt64()))
        }
        if tag == UInt64(handedOnTag) { return .handedOn(mapTask: try input.readInt()) }
        let assignment = try input.readAssignment()
        switch tag {
        case 0:
            let report = try input.readReport()
            return .finished(assignment, .success(report))
        case 1:
            let retryable = try input.readBool()
            let kind = MRError.Kind(rawValue: UInt8(truncatingIfNeeded: try input.readUInt())) ?? .internal
            let error = MRError(kind, try input.readString())
            return .finished(assignment, .failure(TaskFailure(retryable: retryable, error: error)))
        default:
            throw MRError(.internal, "unknown message from worker")
        }
    }
}

extension WireWriter {
    mutating func write(_ piece: InputPiece) {
        write(piece.fileIndex)
        switch piece.kind {
        case .plainRange(let start, let end): write(UInt64(0)); write(start); write(end)
        case .wholeCompressed: write(UInt64(1))
        case .indexed(let point, let start, let end): write(UInt64(2)); write(point); write(start); write(end)
        case .relayed(let number, let pieces, let textSize): write(UInt64(3)); write(number); write(pieces); write(textSize ?? -1)
        case .betweenUnits(let start, let end): write(UInt64(4)); write(start); write(end)
        }
    }
}

extension WireReader {
    mutating func readPiece() throws -> InputPiece {
        let fileIndex = try readInt()
        let kind: InputPiece.Kind
        switch try readUInt() {
        case 0: kind = .plainRange(start: try readInt64(), end: try readInt64())
        case 1: kind = .wholeCompressed
        case 2: kind = .indexed(point: try readInt(), start: try readInt64(), end: try readInt64())
        case 3:
            let (number, pieces, textSize) = (try readInt(), try readInt(), try readInt64())
            kind = .relayed(number: number, of: pieces, textSize: textSize >= 0 ? textSize : nil)
        case 4: kind = .betweenUnits(start: try readInt64(), end: try readInt64())
        default: throw MRError(.internal, "unknown input piece from coordinator")
        }
        return InputPiece(fileIndex: fileIndex, kind: kind)
    }
}

extension WireReader {
    mutating func readCompression() throws -> Compression {
        guard let compression = Compression(rawValue: try readString()) else { throw MRError(.internal, "unknown compression from coordinator") }
        return compression
    }
}
