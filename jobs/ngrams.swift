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
                // The ring's slot for the next word; once n words are seen, also the oldest's.
                // (Stepped and wrapped by hand: `%` by a runtime n is a division per word.)
                var slot = 0
                var previousEnd = -2
                // Words in a row, ending with this one, each one space after the one before: such
                // n words are already joined in the line, and their n-gram is emitted uncopied.
                var spacedRun = 0
                forEachWord(in: line) { word in
                    let wordStart = word.baseAddress! - lineStart
                    let spaced = wordStart == previousEnd + 1 && lineStart.load(fromByteOffset: previousEnd, as: UInt8.self) == UInt8(ascii: " ")
                    spacedRun = spaced ? spacedRun + 1 : 0
                    ring[slot] = (wordStart, word.count)
                    slot = slot + 1 == n ? 0 : slot + 1
                    seen += 1
                    previousEnd = wordStart + word.count
                    guard seen >= n else { return }
                    if spacedRun >= n - 1 {
                        let first = ring[slot].0
                        return output.emit(ByteSlice(start: lineStart + first, count: previousEnd - first), 1)
                    }
                    var length = 0
                    var index = slot
                    for _ in 0..<n {
                        let (start, count) = ring[index]
                        index = index + 1 == n ? 0 : index + 1
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
