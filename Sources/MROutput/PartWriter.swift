import MRBase
import MRSystem
import MapReduce
#if canImport(Glibc)
import Glibc
#endif

/// Writes output records as lines `key<TAB>value` (for reduce tasks, and for the map tasks of
/// map-only jobs) and keeps the records with the largest values for the run summary.
///
/// Keys and text values are written by ``FieldEscaping``'s rule, so every line has one tab.
package final class PartWriter: RecordSink {
    private let output: BufferedWriter
    private let topCount: Int
    package private(set) var topRecords: [TopRecord] = []
    package private(set) var records: Int64 = 0
    package private(set) var counters: [String: Int64] = [:]
    /// A write error (e.g. disk full); `write` cannot throw through the job's API, so it is kept.
    private var pendingError: Error?
    /// Reduce output must stay sorted: the last key written, and the first one that came after
    /// a greater key (a reduce that emits keys out of order), kept for the task to fail on.
    private let keysMustBeSorted: Bool
    private var previousKey = UnsafeMutableRawBufferPointer.allocate(byteCount: 256, alignment: 1)
    private var previousKeyCount = 0
    package private(set) var unsortedKey: (key: [UInt8], after: [UInt8])?

    /// A part file at `path`, compressed with `compression` (none, gzip or zstd);
    /// `keysMustBeSorted` for a reduce task's.
    package convenience init(path: String, topCount: Int, keysMustBeSorted: Bool = false, compression: Compression = .none) throws {
        let compressor = try OutputCompression.compressor(for: compression)
        try self.init(output: BufferedWriter(creating: path, capacity: 1 << 18, compressor: compressor), topCount: topCount,
                      keysMustBeSorted: keysMustBeSorted)
    }

    deinit {
        previousKey.deallocate()
    }

    /// Writes to `output` (standard output, for `mr stream`).
    package init(output: BufferedWriter, topCount: Int, keysMustBeSorted: Bool = false) {
        self.output = output
        self.topCount = topCount
        self.keysMustBeSorted = keysMustBeSorted
        super.init()
    }

    package override func emit(key: ByteSlice, value: Int64) {
        withDecimalDigits(of: value) { writeLine(key, $0) }
        if topCount > 0 { consider(key, value) }
    }

    package override func emit(key: ByteSlice, text: ByteSlice) {
        writeLine(key, text)
    }

    package override func emit(key: ByteSlice, double: Double) {
        DoubleText.withShortestDigits(of: double) { writeLine(key, $0) }
    }

    package override func count(_ name: String, by amount: Int64) {
        counters[name, default: 0] += amount
    }

    private func writeLine(_ key: ByteSlice, _ value: ByteSlice) {
        records += 1
        if keysMustBeSorted { checkOrder(key) }
        do {
            try output.appendEscaped(key)
            try output.append(byte: 0x09)
            try output.appendEscaped(value)
            try output.append(byte: 0x0A)
        } catch {
            if pendingError == nil { pendingError = error }
        }
    }

    /// Notes `key` if it sorts before the key written last (``bytewiseCompare(_:_:)``).
    @inline(__always)
    private func checkOrder(_ key: ByteSlice) {
        if unsortedKey == nil && bytewiseCompare(key, ByteSlice(start: previousKey.baseAddress, count: previousKeyCount)) < 0 {
            unsortedKey = (Array(key), Array(previousKey[0..<previousKeyCount]))
        }
        if key.count > previousKey.count {
            previousKey.deallocate()
            previousKey = .allocate(byteCount: key.count * 2, alignment: 1)
        }
        if let base = key.baseAddress { previousKey.baseAddress!.copyMemory(from: base, byteCount: key.count) }
        previousKeyCount = key.count
    }

    private func consider(_ key: ByteSlice, _ value: Int64) {
        if topRecords.count == topCount, let last = topRecords.last, last.value > value { return }
        let record = TopRecord(key: Array(key), value: value)
        guard topRecords.count < topCount || TopRecord.precedes(record, topRecords[topRecords.count - 1]) else { return }
        let position = topRecords.firstIndex { TopRecord.precedes(record, $0) } ?? topRecords.count
        topRecords.insert(record, at: position)
        if topRecords.count > topCount { topRecords.removeLast() }
    }

    package func finish() throws {
        if let pendingError { throw pendingError }
        try output.finish()
    }
}
