import MapReduce

/// The N most frequent words, in two steps (as mrjob's `steps()`): a word count, then the top N
/// of its output. The output is sorted by word, as every output is; `sort -t$'\t' -k2nr` ranks it.
public struct TopWords: Job {
    public static let name = "topwords"
    public static let summary = "The --n most frequent words with their counts (two steps: count, then top N)"
    public static let options = [JobOption("n", help: "How many words", default: "10")]
    public static let combiner: Combiner? = .sum
    public static let readsLinePositions = false
    public static let mapsBlocksOfLines = true
    public static let nextSteps: [any JobStep.Type] = [MostFrequent.self]

    public init(options: JobOptions) throws {
        guard try options.int("n") >= 1 else { throw JobOptionError(message: "--n must be at least 1") }
    }

    public func map(_ record: Record, _ output: MapOutput) {
        forEachWord(in: record.bytes) { output.emit($0, 1) }
    }

    public func reduce(_ key: ByteSlice, _ values: inout ReduceValues, _ output: ReduceOutput) {
        output.emit(key, values.sum())
    }
}

/// Step 2: every `word<TAB>count` line to one reduce, which keeps the N largest counts (ties to
/// the word that sorts first).
public struct MostFrequent: JobStep {
    let n: Int

    public init(options: JobOptions) throws {
        n = try options.int("n")
    }

    public func map(_ record: Record, _ output: MapOutput) {
        output.emit(ByteSlice(start: nil, count: 0), text: record.bytes)
    }

    public func reduce(_ key: ByteSlice, _ values: inout ReduceValues, _ output: ReduceOutput) {
        var best: [(word: [UInt8], count: Int64)] = []
        func ranksHigher(_ a: (word: [UInt8], count: Int64), _ b: (word: [UInt8], count: Int64)) -> Bool {
            a.count != b.count ? a.count > b.count : a.word.lexicographicallyPrecedes(b.word)
        }
        while let value = values.next() {
            let line = value.bytes
            guard let tab = line.firstIndex(of: 0x09),
                  let count = parseInteger(ByteSlice(rebasing: line[(tab + 1)...])) else { continue }
            let entry = (word: Array(line[..<tab]), count: count)
            if best.count == n, let last = best.last, !ranksHigher(entry, last) { continue }
            best.insert(entry, at: best.firstIndex { ranksHigher(entry, $0) } ?? best.count)
            if best.count > n { best.removeLast() }
        }
        for entry in best.sorted(by: { $0.word.lexicographicallyPrecedes($1.word) }) {
            entry.word.withUnsafeBytes { output.emit($0, entry.count) }
        }
    }
}
