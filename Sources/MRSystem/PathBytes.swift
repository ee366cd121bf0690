import MRBase
#if canImport(Glibc)
import Glibc
#endif

/// File names on Linux are bytes, not text: a name need not be valid UTF-8. `mr` keeps paths in
/// `String`s without losing a byte by this reversible rule (Python's "surrogateescape" idea, with
/// scalars a `String` may hold): a byte that is not part of valid UTF-8 is kept as the scalar
/// U+10FF00 + byte, and so is each byte of a name that genuinely holds a scalar of that
/// private-use range, so the mapping from bytes to `String` and back is exact for every name.
/// The path is turned back into bytes only at the system call (``String/withPathCString(_:)``);
/// people see such a byte as `\xNN` (``String/displayPath``).
package enum PathBytes {
    private static let escapeBase: UInt32 = 0x10FF00

    /// The path whose bytes are `bytes` (no NUL among them).
    package static func string<Bytes: Collection>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        // Almost every name is plain UTF-8 without the reserved range: take it as it is.
        if let text = String(validating: bytes, as: UTF8.self), !text.utf8.contains(0xF4) { return text }
        let bytes = Array(bytes)
        var scalars = String.UnicodeScalarView()
        var index = 0
        while index < bytes.count {
            if let (scalar, length) = scalar(in: bytes, at: index), scalar.value < escapeBase {
                scalars.append(scalar)
                index += length
            } else {
                // Not UTF-8, or a scalar of the reserved range: keep this one byte and go on
                // from the next, so that no byte is lost or repeated.
                scalars.append(escaped(bytes[index]))
                index += 1
            }
        }
        return String(scalars)
    }

    /// The well-formed UTF-8 scalar that starts at `index`, with its length in bytes; nil for a
    /// byte that starts none, or a sequence cut short by the end of `bytes`.
    package static func scalar(in bytes: [UInt8], at index: Int) -> (Unicode.Scalar, Int)? {
        let lead = bytes[index]
        if lead < 0x80 { return (Unicode.Scalar(lead), 1) }
        let length = sequenceLength(lead)
        guard length > 0, index + length <= bytes.count else { return nil }
        var value = UInt32(lead) & (0x7F >> length)
        for byte in bytes[(index + 1)..<(index + length)] {
            guard byte & 0xC0 == 0x80 else { return nil }
            value = value << 6 | UInt32(byte & 0x3F)
        }
        // Overlong forms are not UTF-8; Unicode.Scalar refuses surrogates and values past U+10FFFF.
        let shortest = [0, 0, 0x80, 0x800, 0x10000][length]
        guard value >= shortest, let scalar = Unicode.Scalar(value) else { return nil }
        return (scalar, length)
    }

    /// How long a UTF-8 sequence starting with `lead` is (0: no sequence starts with it; bytes
    /// from 0xF5 up would encode past U+10FFFF).
    package static func sequenceLength(_ lead: UInt8) -> Int {
        lead >= 0xF5 ? 0 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : lead < 0x80 ? 1 : 0
    }

    private static func escaped(_ byte: UInt8) -> Unicode.Scalar {
        Unicode.Scalar(escapeBase + UInt32(byte))!
    }

    /// The byte a scalar stands for, if it is an escaped byte.
    package static func escapedByte(_ scalar: Unicode.Scalar) -> UInt8? {
        scalar.value >= escapeBase ? UInt8(scalar.value - escapeBase) : nil
    }

    /// The bytes of `path`, NUL-terminated, for a system call.
    package static func cString(_ path: String) -> [CChar] {
        var bytes: [CChar] = []
        bytes.reserveCapacity(path.utf8.count + 1)
        for scalar in path.unicodeScalars {
            if let byte = escapedByte(scalar) {
                bytes.append(CChar(bitPattern: byte))
            } else {
                for unit in UTF8.encode(scalar)! { bytes.append(CChar(bitPattern: unit)) }
            }
        }
        bytes.append(0)
        return bytes
    }

    /// Whether `text` holds an escaped byte (its UTF-8 has a 0xF4 lead byte: a cheap first test).
    package static func holdsEscapes(_ text: String) -> Bool {
        text.utf8.contains(0xF4) && text.unicodeScalars.contains { escapedByte($0) != nil }
    }
}

extension PathBytes {
    /// The program's arguments, each kept byte for byte (`CommandLine.arguments` replaces bytes
    /// that are not UTF-8, which would turn a valid file name into one that does not exist).
    package static var commandLineArguments: [String] {
        (0..<Int(CommandLine.argc)).map { index in
            let argument = CommandLine.unsafeArgv[index]!
            return string(UnsafeRawBufferPointer(start: argument, count: strlen(argument)))
        }
    }
}

extension String {
    /// Calls `body` with the path's own bytes as a C string.
    package func withPathCString<Result>(_ body: (UnsafePointer<CChar>) throws -> Result) rethrows -> Result {
        guard PathBytes.holdsEscapes(self) else { return try withCString(body) }
        return try PathBytes.cString(self).withUnsafeBufferPointer { try body($0.baseAddress!) }
    }

    /// The path as people read it in a message: a byte that is not UTF-8 is written `\xNN`.
    package var displayPath: String {
        guard PathBytes.holdsEscapes(self) else { return self }
        return escaped(backslashes: false)
    }

    /// The path in mr's one escaping for names where programs read them (the names jobs see, so
    /// the output; the run report in `_SUCCESS` and `--json`): a byte that is not UTF-8 is written
    /// `\xNN`, and a backslash that could be read as the start of an escape (one followed by
    /// another backslash, by an escaped byte, or by `x` and two hex digits) is written `\\`;
    /// everything else, most backslashes included, stays as it is. Reversible
    /// (``PathBytes/unescaped(_:)``): two files never get the same name.
    package var escapedPath: String {
        guard PathBytes.holdsEscapes(self) || utf8.contains(0x5C) else { return self }
        return escaped(backslashes: true)
    }

    private func escaped(backslashes: Bool) -> String {
        let scalars = Array(unicodeScalars)
        var shown = ""
        for (index, scalar) in scalars.enumerated() {
            if let byte = PathBytes.escapedByte(scalar) {
                shown += "\\x" + (byte < 16 ? "0" : "") + String(byte, radix: 16, uppercase: true)
                continue
            }
            shown.unicodeScalars.append(scalar)
            if backslashes && scalar == "\\" && PathBytes.looksLikeAnEscape(scalars[(index + 1)...]) { shown += "\\" }
        }
        return shown
    }
}

extension PathBytes {
    /// The bytes of a name written by ``Swift/String/escapedPath``.
    package static func unescaped(_ text: String) -> [UInt8] {
        var bytes: [UInt8] = []
        var rest = Substring(text).utf8[...]
        while let first = rest.first {
            rest = rest.dropFirst()
            guard first == 0x5C else { bytes.append(first); continue }
            if rest.first == 0x5C {
                bytes.append(0x5C)
                rest = rest.dropFirst()
            } else if let byte = hexByte(after: rest) {
                bytes.append(byte)
                rest = rest.dropFirst(3)
            } else {
                bytes.append(0x5C)  // a backslash that starts no escape is itself
            }
        }
        return bytes
    }

    /// The byte `xNN` (two uppercase hex digits) at the start of `text` gives.
    private static func hexByte(after text: Substring.UTF8View.SubSequence) -> UInt8? {
        guard text.first == UInt8(ascii: "x"), text.count >= 3 else { return nil }
        let digits = text.dropFirst().prefix(2)
        guard digits.allSatisfy({ (0x30...0x39).contains($0) || (0x41...0x46).contains($0) }) else { return nil }
        return UInt8(String(decoding: digits, as: UTF8.self), radix: 16)
    }

    /// Whether what follows a backslash would make it read as an escape: another backslash, an
    /// escaped byte, or `x` and two uppercase hex digits.
    fileprivate static func looksLikeAnEscape(_ next: ArraySlice<Unicode.Scalar>) -> Bool {
        guard let first = next.first else { return false }
        if first == "\\" || escapedByte(first) != nil { return true }
        let text = String(String.UnicodeScalarView(next.prefix(3)))
        return hexByte(after: Substring(text).utf8[...]) != nil
    }
}
