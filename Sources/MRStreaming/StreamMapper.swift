import MRBase
import MRInput
import MROutput
import MRSystem
import MapReduce
#if canImport(Glibc)
import Glibc
#endif

/// `mr stream map`: the job's map as a Hadoop Streaming mapper. Reads input lines on stdin and
/// writes ``StreamLine``s on stdout (a map-only job: `mr`'s own output lines). A job with a
/// combiner folds in a bounded table, written out whenever it fills and at the end, so the
/// mapper's output stays small (in-mapper combining).
package enum StreamMapper {
    /// Keys (or distinct pairs) the combining table holds before it is written out.
    static let tableLimit = 100_000

    /// Maps standard input; returns the counters (the engine's and the job's).
    package static func run(job: any Job, inputPath: String, maxLineLength: Int, status: (String) -> Void) throws -> [String: Int64] {
        let jobType = type(of: job)
        let stdout = BufferedWriter(file: FileDescriptor(raw: 1, path: "standard output"), capacity: 1 << 18)
        let file = InputFile(path: inputPath, name: FileSystem.lastComponent(inputPath))
        let sink: RecordSink & StreamSink = jobType.isMapOnly
            ? PartWriter(output: stdout, topCount: 0)
            : CombiningLineWriter(output: stdout, combiner: job.combining, jobName: jobType.name)
        let output = MapOutput(sink)
        let lines = LineReader(maxLineLength: maxLineLength)
        do {
            try withExtendedLifetime(file) {
                try lines.forEachLine(of: StandardInput.text(inflater: .isal), from: 0,
                                      skippingFirstLine: false, end: .max, firstLineNumber: 1) { bytes, offset, line in
                    try job.map(Record(bytes: bytes, offset: offset, lineNumber: line, file: file), output)
                    if line % (1 << 22) == 0 { status("map: \(line) lines read") }
                }
            }
        } catch let tooLong as LineReader.LineTooLong {
            throw tooLong.error(in: "standard input", text: "input")
        }
        try sink.finish()
        var counters = sink.counters
        // The counters `mr JOB` reports for the map phase (and its output, for a map-only job).
        counters["input records"] = lines.linesRead
        counters["map output records"] = sink.records
        if jobType.isMapOnly { counters["output records"] = sink.records }
        return counters
    }
}

/// What the stream commands need of a sink besides ``RecordSink``.
protocol StreamSink: AnyObject {
    var counters: [String: Int64] { get }
    var records: Int64 { get }
    func finish() throws
}

extension PartWriter: StreamSink {}

/// Writes map output as ``StreamLine``s, folding values of equal keys with the job's combiner
/// first (integers; `.tally` folds doubles; `.distinct` keeps each distinct text value of a key
/// once).
final class CombiningLineWriter: RecordSink, StreamSink {
    private let output: BufferedWriter
    private let combiner: Combiner?
    private var folded: [[UInt8]: Int64] = [:]
    private var tallies: [[UInt8]: Tally] = [:]
    /// Distinct (key, text) pairs, each as the key's length (4 bytes), the key, the text.
    private var distinct: Set<[UInt8]> = []
    private(set) var counters: [String: Int64] = [:]
    private(set) var records: Int64 = 0
    private var pendingError: Error?

    /// Named in the error of a sum past Int64's range.
    private let jobName: String

    init(output: BufferedWriter, combiner: Combiner?, jobName: String) {
        self.output = output
        self.combiner = combiner
        self.jobName = jobName
        super.init()
    }

    override func emit(key: ByteSlice, value: Int64) {
        records += 1
        if case .tally? = combiner { return misdeclared("integer values", "it folds Double values (emit(key, double:))") }
        guard let combiner, !combiner.isDistinct else { return write(key, .int(value)) }
        let stored = Array(key)
        if let current = folded[stored] {
            guard let sum = combiner.fold(current, value) else {
                pendingError = pendingError ?? MRError.sumOverflow(job: jobName, key: stored)
                return
            }
            folded[stored] = sum
        } else {
            if folded.count >= StreamMapper.tableLimit { writeTable() }
            folded[stored] = value
        }
    }

    override func emit(key: ByteSlice, text: ByteSlice) {
        records += 1
        guard combiner?.isDistinct == true else { return write(key, .bytes(text)) }
        if distinct.count >= StreamMapper.tableLimit { writeTable() }
        distinct.insert(CombiningLineWriter.pair(key, text))
    }

    override func emit(key: ByteSlice, double: Double) {
        records += 1
        switch combiner {
        case nil: write(key, .double(double))
        case .tally?:
            let stored = Array(key)
            if tallies[stored] == nil && tallies.count >= StreamMapper.tableLimit { writeTable() }
            tallies[stored, default: Tally()].add(double)
        case let other?: misdeclared("Double values", "\(other) does not fold them (use .tally or no combiner)")
        }
    }

    /// The same mistake the engine's map buffers report.
    private func misdeclared(_ values: String, _ why: String) {
        pendingError = pendingError ?? MRError(.taskFailed, "job \(jobName) is misdeclared: it emits \(values) but its combiner, \(why)")
    }

    override func count(_ name: String, by amount: Int64) {
        counters[name, default: 0] += amount
    }

    func finish() throws {
        writeTable()
        if let pendingError { throw pendingError }
        try output.flush()
    }

    func write(_ key: ByteSlice, _ value: Value) {
        do { try StreamLine.write(key: key, value: value, to: output) } catch { pendingError = pendingError ?? error }
    }

    func write(_ key: ByteSlice, _ tally: Tally) {
        withUnsafeTemporaryAllocation(byteCount: Tally.maxEncodedSize, alignment: 8) { buffer in
            let length = tally.encode(into: buffer.baseAddress!)
            write(key, .tally(Tally.Encoded(checked: ByteSlice(rebasing: buffer[..<length]))))
        }
    }

    private func writeTable() {
        for (key, value) in folded { key.withUnsafeBytes { write($0, .int(value)) } }
        folded.removeAll(keepingCapacity: true)
        for (key, tally) in tallies { key.withUnsafeBytes { write($0, tally) } }
        tallies.removeAll(keepingCapacity: true)
        for pair in distinct {
            pair.withUnsafeBytes { bytes in
                let split = 4 + Int(bytes.loadUnaligned(as: UInt32.self))
                write(ByteSlice(rebasing: bytes[4..<split]), .bytes(ByteSlice(rebasing: bytes[split...])))
            }
        }
        distinct.removeAll(keepingCapacity: true)
    }

    private static func pair(_ key: ByteSlice, _ text: ByteSlice) -> [UInt8] {
        withUnsafeBytes(of: UInt32(key.count)) { Array($0) } + Array(key) + Array(text)
    }
}

extension Combiner {
    var isDistinct: Bool {
        if case .distinct = self { return true }
        return false
    }

    /// The fold of an integer combiner (`.distinct` and `.tally` keep the later value); nil for a sum past
    /// Int64's range.
    func fold(_ accumulated: Int64, _ value: Int64) -> Int64? {
        switch self {
        case .sum:
            let (sum, overflow) = accumulated.addingReportingOverflow(value)
            return overflow ? nil : sum
        case .minimum: return min(accumulated, value)
        case .maximum: return max(accumulated, value)
        case .custom(let fold): return fold(accumulated, value)
        case .distinct, .tally: return value
        }
    }
}
