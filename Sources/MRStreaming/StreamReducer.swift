import MRBase
import MRInput
import MROutput
import MRSystem
import MapReduce

/// `mr stream reduce` and `mr stream combine`: the job's reduce, or its combiner, as a Hadoop
/// Streaming reducer or combiner. Reads ``StreamLine``s sorted by key on stdin (the framework
/// sorted them; `LC_ALL=C sort` does too), groups consecutive equal keys and hands each group
/// on. reduce writes `mr`'s own output lines; combine writes stream lines again. A line without
/// a tab or with a malformed value, or a key out of order, is bad input naming the line: a wrong
/// grouping would be a wrong answer.
package enum StreamReducer {
    package enum Step: Sendable { case reduce, combine }

    /// Reduces (or combines) standard input; returns the counters (none for combine).
    package static func run(job: any Job, step: Step, maxLineLength: Int, status: (String) -> Void) throws -> [String: Int64] {
        let jobType = type(of: job)
        let stdout = BufferedWriter(file: FileDescriptor(raw: 1, path: "standard output"), capacity: 1 << 18)
        // combine folds each group here and writes it at once, so its output stays sorted.
        let partWriter = step == .reduce ? PartWriter(output: stdout, topCount: 0, keysMustBeSorted: true) : nil
        let lineWriter = step == .combine ? CombiningLineWriter(output: stdout, combiner: nil, jobName: jobType.name) : nil
        let sink: RecordSink & StreamSink = partWriter ?? lineWriter!
        let output = ReduceOutput(sink)
        var distinctTexts = Set<[UInt8]>()
        let group = GroupValues()
        var values = ReduceValues(group)
        var key: [UInt8] = []       // the group's key, escaped as read
        var unescapedKey: [UInt8] = []  // the same, unescaped, checked when the group starts
        var bytes: [UInt8] = []
        var groups: Int64 = 0

        func finishGroup() throws {
            groups += 1
            try unescapedKey.withUnsafeBytes { keyBytes in
                group.rewind()
                switch step {
                case .reduce:
                    try job.reduce(keyBytes, &values, output)
                    if group.sumOverflowed { throw MRError.sumOverflow(job: jobType.name, key: keyBytes) }
                    if let unsorted = partWriter?.unsortedKey { throw MRError.unsortedOutput(job: jobType.name, unsorted) }
                    if WrongValueType.take() { throw MRError.wrongValueType(job: jobType.name, key: keyBytes) }
                case .combine:
                    try combine(group, key: keyBytes, by: job, into: lineWriter!, seen: &distinctTexts)
                }
            }
            group.clear()
        }

        let lines = LineReader(maxLineLength: maxLineLength)
        var started = false
        do {
            try lines.forEachLine(of: SequentialSource(FileDescriptor(raw: 0, path: "standard input")), from: 0,
                                  skippingFirstLine: false, end: .max, firstLineNumber: 1) { line, _, lineNumber in
                guard let (lineKey, value) = StreamLine.parse(line, bytes: &bytes) else {
                    throw MRError(.badInput, "standard input line \(lineNumber): not KEY<TAB>VALUE with an integer, 'text, ~double or =tally value, as mr stream map writes")
                }
                if !started || !lineKey.elementsEqual(key) {
                    if started {
                        guard inOrder(key, lineKey) else {
                            throw MRError(.badInput, "standard input line \(lineNumber): its key comes before the key of the line above; reduce input must be sorted by key (LC_ALL=C sort)")
                        }
                        try finishGroup()
                    }
                    started = true
                    key.removeAll(keepingCapacity: true)
                    key.append(contentsOf: lineKey)
                    unescapedKey.removeAll(keepingCapacity: true)
                    guard FieldEscaping.unescape(lineKey, into: &unescapedKey) else {
                        throw MRError(.badInput, "standard input line \(lineNumber): its key has an escape the format does not define (a key escapes only \\\\, \\t, \\n and \\r); was it written by mr stream map?")
                    }
                }
                group.append(value, bytes: bytes)
                if lineNumber % (1 << 22) == 0 { status("\(step == .reduce ? "reduce" : "combine"): \(lineNumber) lines read") }
            }
            if started { try finishGroup() }
        } catch let tooLong as LineReader.LineTooLong {
            throw tooLong.error(in: "standard input", text: "input")
        }
        try sink.finish()
        // The counters `mr JOB` reports for the reduce phase; a combine step adds none, so that
        // the framework's sums over all steps equal a local run's.
        guard step == .reduce else { return [:] }
        var counters = sink.counters
        counters["reduce groups"] = groups
        counters["output records"] = sink.records
        return counters
    }

    /// Folds one group's values by the job's combiner and writes what is left: one integer, one
    /// tally, or each distinct text once, or (no combiner) every value as it came.
    private static func combine(_ group: GroupValues, key: ByteSlice, by job: any Job, into sink: CombiningLineWriter,
                                seen distinctTexts: inout Set<[UInt8]>) throws {
        let jobType = type(of: job)
        let combiner = job.combining
        var folded: Int64?
        var tally: Tally?
        distinctTexts.removeAll(keepingCapacity: true)
        while let value = group.nextValue() {
            switch value {
            case .double(let number):
                guard case .tally? = combiner else { sink.write(key, value); continue }
                tally = tally ?? Tally()
                tally!.add(number)
            case .tally(let encoded):
                tally = tally ?? Tally()
                tally!.add(encoded.tally)
            case .int(let number):
                guard let combiner, !combiner.isDistinct else { sink.emit(key: key, value: number); continue }
                guard let sum = folded.map({ combiner.fold($0, number) }) ?? number else {
                    throw MRError.sumOverflow(job: jobType.name, key: key)
                }
                folded = sum
            case .bytes(let bytes):
                if combiner?.isDistinct == true && !distinctTexts.insert(Array(bytes)).inserted { continue }
                sink.emit(key: key, text: bytes)
            }
        }
        if let folded { sink.emit(key: key, value: folded) }
        if let tally { sink.write(key, tally) }
    }

    /// Whether `next` may follow `previous`: bytewise key order (as Hadoop sorts) or the order of
    /// whole lines (as `sort` does, where the tab after a key takes part).
    private static func inOrder(_ previous: [UInt8], _ next: ByteSlice) -> Bool {
        previous.lexicographicallyPrecedes(next) || (previous + [0x09]).lexicographicallyPrecedes(Array(next) + [0x09])
    }
}

/// The values of one key, held until the group ends: numbers (a double by its bits), and text
/// and tallies in one arena.
private final class GroupValues: ValueSource {
    private var kinds: [StreamLine.Parsed] = []
    private var byteEnds: [Int] = []
    private var arena: [UInt8] = []
    private var next = 0
    private var nextBytes = 0

    func append(_ value: StreamLine.Parsed, bytes: [UInt8]) {
        kinds.append(value)
        switch value {
        case .int, .double: break
        case .text, .tally:
            arena.append(contentsOf: bytes)
            byteEnds.append(arena.count)
        }
    }

    func rewind() { (next, nextBytes) = (0, 0) }

    func clear() {
        kinds.removeAll(keepingCapacity: true)
        byteEnds.removeAll(keepingCapacity: true)
        arena.removeAll(keepingCapacity: true)
        rewind()
    }

    override func nextValue() -> Value? {
        guard next < kinds.count else { return nil }
        defer { next += 1 }
        switch kinds[next] {
        case .int(let number): return .int(number)
        case .double(let number): return .double(number)
        case .text, .tally:
            let start = nextBytes == 0 ? 0 : byteEnds[nextBytes - 1]
            let end = byteEnds[nextBytes]
            nextBytes += 1
            // Valid until the group is cleared: the arena does not move while a group is read.
            let bytes = arena.withUnsafeBytes { ByteSlice(rebasing: $0[start..<end]) }
            if case .text = kinds[next] { return .bytes(bytes) }
            return .tally(Tally.Encoded(checked: bytes))
        }
    }
}
