import MapReduce

/// Prints every line containing --pattern (a fixed string, matched bytewise, like `grep -F`) as
/// `file:line<TAB>text`. Map-only: no sorting, no reduce.
public struct Grep: MapOnlyJob {
    public static let name = "grep"
    public static let summary = "Every line containing --pattern, as file:line<TAB>text (map-only)"
    public static let options = [JobOption("pattern", help: "The text to look for", default: nil)]

    let pattern: [UInt8]

    public init(options: JobOptions) throws {
        pattern = Array(try options.string("pattern").utf8)
    }

    public func map(_ record: Record, _ output: MapOutput) {
        guard contains(record.bytes) else { return }
        output.count("matching lines")
        var location = record.file.name + ":" + String(record.lineNumber)
        location.withUTF8 { output.emit(ByteSlice($0), text: record.bytes) }
    }

    private func contains(_ line: ByteSlice) -> Bool {
        guard line.count >= pattern.count else { return false }
        guard let first = pattern.first else { return true }  // the empty pattern, as in grep -F ''
        var index = 0
        while index <= line.count - pattern.count {
            if line[index] == first {
                var matched = 1
                while matched < pattern.count && line[index + matched] == pattern[matched] { matched += 1 }
                if matched == pattern.count { return true }
            }
            index += 1
        }
        return false
    }
}
