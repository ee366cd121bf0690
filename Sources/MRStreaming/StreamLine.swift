import MRBase
import MRInput
import MROutput
import MRSystem
import MapReduce

/// The lines `mr stream` writes between its map and its reduce (what Hadoop Streaming sorts and
/// partitions): `key<TAB>value`, the key escaped by ``FieldEscaping``, the value either a
/// decimal integer or `'` followed by escaped text, so integers and text both round-trip. A
/// map-only job's map, and every reduce, write `mr`'s own output lines instead.
enum StreamLine {
    static let textMarker = UInt8(ascii: "'")

    static func write(key: ByteSlice, value: Value, to output: BufferedWriter) throws {
        try output.appendEscaped(key)
        try output.append(byte: 0x09)
        switch value {
        case .int(let number):
            try withDecimalDigits(of: number) { try output.append($0) }
        case .bytes(let text):
            try output.append(byte: textMarker)
            try output.appendEscaped(text)
        }
        try output.append(byte: 0x0A)
    }

    /// A line's key (still escaped) and its value: an integer, or nil for text, which is then
    /// unescaped into `text`. Nil for a malformed line.
    static func parse(_ line: ByteSlice, text: inout [UInt8]) -> (key: ByteSlice, number: Int64?)? {
        guard let tab = line.firstIndex(of: 0x09) else { return nil }
        let key = ByteSlice(rebasing: line[..<tab])
        let field = ByteSlice(rebasing: line[(tab + 1)...])
        if field.first == textMarker {
            text.removeAll(keepingCapacity: true)
            guard FieldEscaping.unescape(ByteSlice(rebasing: field.dropFirst()), into: &text) else { return nil }
            return (key, nil)
        }
        guard let number = parseInteger(field) else { return nil }
        return (key, number)
    }
}
