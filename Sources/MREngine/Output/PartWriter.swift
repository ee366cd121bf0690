import MapReduce

/// Writes output records as lines `key<TAB>value` (for reduce tasks, and for the map tasks of
/// map-only jobs) and keeps the records with the largest values for the run summary.
///
/// Every line has exactly one tab and ends with its only newline: in keys and text values a
/// backslash, tab, newline or carriage return is written `\\`, `\t`, `\n`, `\r` (the rule
/// Hadoop Streaming users expect from `mr stream` too). Plain words are written as they are.
final class PartWriter: RecordSink {
    private let output: BufferedWriter
    private let topCount: Int
    private(set) var topRecords: [TopRecord] = []
    private(set) var records: Int64 = 0
    private(set) var counters: [String: Int64] = [:]
    /// A write error (e.g. disk full); `write` cannot throw through the job's API, so it is kept.
    private var pendingError: Error?

    init(path: String, topCount: Int) throws {
        output = try BufferedWriter(creating: path, capacity: 1 << 18)
        self.topCount = topCount
        super.init()
    }

    override func emit(key: ByteSlice, value: Int64) {
        withDecimalDigits(of: value) { writeLine(key, $0) }
        if topCount > 0 { consider(key, value) }
    }

    override func emit(key: ByteSlice, text: ByteSlice) {
        writeLine(key, text)
    }

    override func count(_ name: String, by amount: Int64) {
        counters[name, default: 0] += amount
    }

    private func writeLine(_ key: ByteSlice, _ value: ByteSlice) {
        records += 1
        do {
            try appendEscaped(key)
            try output.append(byte: 0x09)
            try appendEscaped(value)
            try output.append(byte: 0x0A)
        } catch {
            if pendingError == nil { pendingError = error }
        }
    }

    /// Appends `field`, escaping the four bytes that would break a line (see the type's comment).
    @inline(__always)
    private func appendEscaped(_ field: ByteSlice) throws {
        var plainFrom = 0
        for (index, byte) in field.enumerated() where byte <= 0x5C {
            let escaped: UInt8
            switch byte {
            case 0x5C: escaped = 0x5C            // \ -> \\
            case 0x09: escaped = UInt8(ascii: "t")
            case 0x0A: escaped = UInt8(ascii: "n")
            case 0x0D: escaped = UInt8(ascii: "r")
            default: continue
            }
            try output.append(ByteSlice(rebasing: field[plainFrom..<index]))
            try output.append(byte: 0x5C)
            try output.append(byte: escaped)
            plainFrom = index + 1
        }
        try output.append(plainFrom == 0 ? field : ByteSlice(rebasing: field[plainFrom...]))
    }

    private func consider(_ key: ByteSlice, _ value: Int64) {
        if topRecords.count == topCount, let last = topRecords.last, last.value > value { return }
        let record = TopRecord(key: Array(key), value: value)
        guard topRecords.count < topCount || TopRecord.precedes(record, topRecords[topRecords.count - 1]) else { return }
        let position = topRecords.firstIndex { TopRecord.precedes(record, $0) } ?? topRecords.count
        topRecords.insert(record, at: position)
        if topRecords.count > topCount { topRecords.removeLast() }
    }

    func finish() throws {
        if let pendingError { throw pendingError }
        try output.flush()
    }
}
