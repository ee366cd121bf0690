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
        let sink: RecordSink & StreamSink = partWriter ?? CombiningLineWriter(output: stdout, combiner: nil, jobName: jobType.name)
        let output = ReduceOutput(sink)
        var distinctTexts = Set<[UInt8]>()
        let group = GroupValues()
        var values = ReduceValues(group)
        var key: [UInt8] = []       // the group's key, escaped as read
        var unescapedKey: [UInt8] = []  // the same, unescaped, checked when the group starts
        var text: [UInt8] = []
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
                    try combine(group, key: keyBytes, by: job, into: sink, seen: &distinctTexts)
                }
            }
            group.clear()
        }

        let lines = LineReader(maxLineLength: maxLineLength)
        var started = false
        do {
            try lines.forEachLine(of: SequentialSource(FileDescriptor(raw: 0, path: "standard input")), from: 0,
                                  skippingFirstLine: false, end: .max, firstLineNumber: 1) { line, _, lineNumber in
                guard let (lineKey, number) = StreamLine.parse(line, text: &text) else {
                    throw MRError(.badInput, "standard input line \(lineNumber): not KEY<TAB>VALUE with an integer or 'text value, as mr stream map writes")
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
                if let number { group.append(number) } else { group.append(text: text) }
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

    /// Folds one group's values by the job's combiner and writes what is left: one integer, or
    /// each distinct text once, or (no combiner) every value as it came.
    private static func combine(_ group: GroupValues, key: ByteSlice, by job: any Job, into sink: RecordSink,
                                seen distinctTexts: inout Set<[UInt8]>) throws {
        let jobType = type(of: job)
        let combiner = job.combining
        var folded: Int64?
        distinctTexts.removeAll(keepingCapacity: true)
        while let value = group.nextValue() {
            switch value {
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
    }

    /// Whether `next` may follow `previous`: bytewise key order (as Hadoop sorts) or the order of
    /// whole lines (as `sort` does, where the tab after a key takes part).
    private static func inOrder(_ previous: [UInt8], _ next: ByteSlice) -> Bool {
        previous.lexicographicallyPrecedes(next) || (previous + [0x09]).lexicographicallyPrecedes(Array(next) + [0x09])
    }
}

/// The values of one key, held until the group ends: integers, and text in one arena.
private final class GroupValues: ValueSource {
    private var numbers: [Int64] = []
    private var isText: [Bool] = []
    private var textEnds: [Int] = []
    private var arena: [UInt8] = []
    private var next = 0
    private var nextNumber = 0
    private var nextText = 0

    func append(_ number: Int64) {
        numbers.append(number)
        isText.append(false)
    }

    func append(text: [UInt8]) {
        arena.append(contentsOf: text)
        textEnds.append(arena.count)
        isText.append(true)
    }

    func rewind() { (next, nextNumber, nextText) = (0, 0, 0) }

    func clear() {
        numbers.removeAll(keepingCapacity: true)
        isText.removeAll(keepingCapacity: true)
        textEnds.removeAll(keepingCapacity: true)
        arena.removeAll(keepingCapacity: true)
        rewind()
    }

    override func nextValue() -> Value? {
        guard next < isText.count else { return nil }
        defer { next += 1 }
        if !isText[next] {
            defer { nextNumber += 1 }
            return .int(numbers[nextNumber])
        }
        let start = nextText == 0 ? 0 : textEnds[nextText - 1]
        let end = textEnds[nextText]
        nextText += 1
        // Valid until the group is cleared: the arena does not move while a group is read.
        return .bytes(arena.withUnsafeBytes { ByteSlice(rebasing: $0[start..<end]) })
    }
}
