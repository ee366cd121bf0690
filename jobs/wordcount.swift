import MapReduce

/// Counts how often each word occurs. A word is a maximal run of Unicode letters; case is kept.
public struct WordCount: Job {
    public static let name = "wordcount"
    public static let summary = "Count how often each word (a run of Unicode letters) occurs"
    public static let combiner: Combiner? = .sum
    public static let readsLinePositions = false
    /// Words never span lines: map takes many lines at a time.
    public static let mapsBlocksOfLines = true
    public static let topRecordsInSummary = 10

    public init(options: JobOptions) {}

    public func map(_ record: Record, _ output: MapOutput) {
        forEachWord(in: record.bytes) { output.emit($0, 1) }
    }

    public func reduce(_ key: ByteSlice, _ values: inout ReduceValues, _ output: ReduceOutput) {
        output.emit(key, values.sum())
    }
}
