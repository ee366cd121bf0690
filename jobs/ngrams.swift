import MapReduce

/// Counts word n-grams: n adjacent words within one line, joined by single spaces. A large key
/// space and a CPU-heavy aggregation.
public struct NGrams: Job {
    public static let name = "ngrams"
    public static let summary = "Count n-grams of adjacent words within a line (--n, default 2)"
    public static let options = [JobOption("n", help: "Words per n-gram", default: "2")]
    public static let combiner: Combiner? = .sum
    public static let readsLinePositions = false
    public static let topRecordsInSummary = 10

    let n: Int

    public init(options: JobOptions) throws {
        n = try options.int("n")
        guard (1...16).contains(n) else { throw JobOptionError(message: "--n must be between 1 and 16, not \(n)") }
    }

    public func map(_ record: Record, _ output: MapOutput) {
        let line = record.bytes
        guard let lineStart = line.baseAddress else { return }
        // The last n words' (start, length) in a ring, and a stack buffer to join them in.
        withUnsafeTemporaryAllocation(of: (Int, Int).self, capacity: n) { ring in
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: line.count + n) { joined in
                var seen = 0
                forEachWord(in: line) { word in
                    ring[seen % n] = (word.baseAddress! - lineStart, word.count)
                    seen += 1
                    guard seen >= n else { return }
                    var length = 0
                    for index in (seen - n)..<seen {
                        let (start, count) = ring[index % n]
                        if length > 0 {
                            joined[length] = UInt8(ascii: " ")
                            length += 1
                        }
                        UnsafeMutableRawPointer(joined.baseAddress! + length).copyMemory(from: lineStart + start, byteCount: count)
                        length += count
                    }
                    output.emit(ByteSlice(start: joined.baseAddress, count: length), 1)
                }
            }
        }
    }

    public func reduce(_ key: ByteSlice, _ values: inout ReduceValues, _ output: ReduceOutput) {
        output.emit(key, values.sum())
    }
}
