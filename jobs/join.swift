import MapReduce

/// A reduce-side join of two tables on a key column (`SELECT * FROM left JOIN right USING (key)`),
/// as Hadoop's reduce-side join: map tags each line with its side, reduce pairs every left line
/// of a key with every right line of it. Lines of TSV or CSV, columns numbered from 1. The input
/// given by `--left` (a file, or a folder and everything under it) is the left table; every
/// other input is the right one.
///
///     mr join orders.tsv customers.tsv --left orders.tsv --left-key 2 --right-key 1
///
/// Each output line is the key, then the left line and the right line joined by a tab (written
/// `\t`, as mr escapes a tab in a value); within a key, pairs are in bytewise order of the lines,
/// so the output is the same on any number of workers.
public struct Join: Job {
    public static let name = "join"
    public static let summary = "Two tables joined on a key column: --left PATH --left-key N --right-key N [--how inner|left]"
    public static let options = [
        JobOption("left", help: "The input that is the left table (a file or a folder)", default: nil),
        JobOption("left-key", help: "The left table's key column, from 1", default: "1"),
        JobOption("right-key", help: "The right table's key column, from 1", default: "1"),
        JobOption("how", help: "inner (keys on both sides) or left (every left line)", default: "inner"),
        JobOption("format", help: "tsv or csv", default: "tsv"),
    ]
    public static let readsLinePositions = false

    /// Which table a mapped line came from, the first byte of its value.
    static let leftTag = UInt8(ascii: "L"), rightTag = UInt8(ascii: "R")

    let left: String
    let leftKey: Int
    let rightKey: Int
    let keepsUnmatchedLeft: Bool
    let format: FieldFormat

    public init(options: JobOptions) throws {
        var left = try options.string("left")
        while left.count > 1 && left.hasSuffix("/") { left.removeLast() }
        if left.hasPrefix("./") { left.removeFirst(2) }
        self.left = left
        leftKey = try options.int("left-key") - 1
        rightKey = try options.int("right-key") - 1
        guard leftKey >= 0, rightKey >= 0 else { throw JobOptionError(message: "--left-key and --right-key count columns from 1") }
        switch try options.string("how") {
        case "inner": keepsUnmatchedLeft = false
        case "left": keepsUnmatchedLeft = true
        case let other: throw JobOptionError(message: "--how must be inner or left, not '\(other)'")
        }
        format = try FieldFormat(named: options.string("format"))
    }

    /// Whether `path` is the left input or lies under it.
    func isLeft(_ path: String) -> Bool {
        let path = path.hasPrefix("./") ? String(path.dropFirst(2)) : path
        return path == left || path.hasPrefix(left == "/" ? "/" : left + "/")
    }

    public func map(_ record: Record, _ output: MapOutput) {
        let isLeft = isLeft(record.file.path)
        let line = record.bytes
        let found: Void? = withField(isLeft ? leftKey : rightKey, of: line, format: format) { key in
            withUnsafeTemporaryAllocation(byteCount: line.count + 1, alignment: 1) { tagged in
                tagged[0] = isLeft ? Self.leftTag : Self.rightTag
                if line.count > 0 { (tagged.baseAddress! + 1).copyMemory(from: line.baseAddress!, byteCount: line.count) }
                output.emit(key, text: ByteSlice(tagged))
            }
        }
        if found == nil { output.count("lines skipped (too few columns)") }
    }

    public func reduce(_ key: ByteSlice, _ values: inout ReduceValues, _ output: ReduceOutput) {
        var lefts: [[UInt8]] = [], rights: [[UInt8]] = []
        while let value = values.next() {
            let tagged = value.bytes
            if tagged.first == Self.leftTag { lefts.append(Array(tagged.dropFirst())) } else { rights.append(Array(tagged.dropFirst())) }
        }
        let inOrder: ([UInt8], [UInt8]) -> Bool = { $0.lexicographicallyPrecedes($1) }
        lefts.sort(by: inOrder)
        rights.sort(by: inOrder)
        if rights.isEmpty {
            if keepsUnmatchedLeft { for left in lefts { left.withUnsafeBytes { output.emit(key, text: $0) } } }
            return
        }
        let separator: UInt8 = format == .tsv ? 0x09 : UInt8(ascii: ",")
        for left in lefts {
            for right in rights {
                (left + [separator] + right).withUnsafeBytes { output.emit(key, text: $0) }
            }
        }
    }
}
