import MRBase
import MRInput
import MROutput
import MRSystem
import MapReduce

/// The lines `mr stream` writes between its map and its reduce (what Hadoop Streaming sorts and
/// partitions): `key<TAB>value`, the key escaped by ``FieldEscaping``, the value a decimal
/// integer, `'` followed by escaped text, `~` followed by a double's shortest text, or `=`
/// followed by a ``Tally``'s encoding in hex, so every kind of value round-trips. A map-only
/// job's map, and every reduce, write `mr`'s own output lines instead.
enum StreamLine {
    static let textMarker = UInt8(ascii: "'")
    static let doubleMarker = UInt8(ascii: "~")
    static let tallyMarker = UInt8(ascii: "=")

    /// A value as parsed: text and tally bytes are left in the caller's buffer.
    enum Parsed { case int(Int64), text, double(Double), tally }

    static func write(key: ByteSlice, value: Value, to output: BufferedWriter) throws {
        try output.appendEscaped(key)
        try output.append(byte: 0x09)
        switch value {
        case .int(let number):
            try withDecimalDigits(of: number) { try output.append($0) }
        case .bytes(let text):
            try output.append(byte: textMarker)
            try output.appendEscaped(text)
        case .double(let number):
            try output.append(byte: doubleMarker)
            try DoubleText.withShortestDigits(of: number) { try output.append($0) }
        case .tally(let encoded):
            try output.append(byte: tallyMarker)
            for byte in encoded.bytes {
                try output.append(byte: hexDigits[Int(byte >> 4)])
                try output.append(byte: hexDigits[Int(byte & 15)])
            }
        }
        try output.append(byte: 0x0A)
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// A line's key (still escaped) and its value; text is unescaped into `bytes`, a tally's
    /// encoding decoded into it. Nil for a malformed line.
    static func parse(_ line: ByteSlice, bytes: inout [UInt8]) -> (key: ByteSlice, value: Parsed)? {
        guard let tab = line.firstIndex(of: 0x09) else { return nil }
        let key = ByteSlice(rebasing: line[..<tab])
        let field = ByteSlice(rebasing: line[(tab + 1)...])
        let rest = ByteSlice(rebasing: field.dropFirst())
        switch field.first {
        case textMarker:
            bytes.removeAll(keepingCapacity: true)
            guard FieldEscaping.unescape(rest, into: &bytes) else { return nil }
            return (key, .text)
        case doubleMarker:
            guard let number = parseDouble(rest) else { return nil }
            return (key, .double(number))
        case tallyMarker:
            bytes.removeAll(keepingCapacity: true)
            guard rest.count % 2 == 0 else { return nil }
            for index in stride(from: 0, to: rest.count, by: 2) {
                guard let high = hexValue(rest[index]), let low = hexValue(rest[index + 1]) else { return nil }
                bytes.append(high << 4 | low)
            }
            guard bytes.withUnsafeBytes({ Tally(encoded: $0) }) != nil else { return nil }
            return (key, .tally)
        default:
            guard let number = parseInteger(field) else { return nil }
            return (key, .int(number))
        }
    }

    private static func hexValue(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        default: nil
        }
    }
}
