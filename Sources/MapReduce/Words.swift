/// Splits text into words: maximal runs of Unicode letters (general categories Lu, Ll, Lt, Lm, Lo)
/// in UTF-8. Everything else separates words: digits, marks, punctuation, spaces and bytes that are
/// not valid UTF-8 (each invalid byte on its own, as the Unicode "maximal subpart" rule resyncs).
///
/// The scan reads raw bytes with an ASCII fast path and calls `body` with slices of `text`:
/// nothing is allocated or copied.
@inlinable
public func forEachWord(in text: ByteSlice, _ body: (ByteSlice) throws -> Void) rethrows {
    guard let base = text.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
    let count = text.count
    var index = 0
    // Two tight loops, over separators then over letters, so ASCII text costs a compare or two
    // per byte; non-ASCII bytes take the decoding path.
    while true {
        while index < count {
            let byte = base[index]
            if byte < 0x80 {
                if isASCIILetter(byte) { break }
                index += 1
            } else {
                let decoded = decodeUTF8Scalar(base, index, count)
                if decoded.length > 0 && UnicodeLetters.contains(decoded.scalar) { break }
                index += max(decoded.length, 1)
            }
        }
        if index >= count { return }
        let start = index
        while index < count {
            let byte = base[index]
            if byte < 0x80 {
                if !isASCIILetter(byte) { break }
                index += 1
            } else {
                let decoded = decodeUTF8Scalar(base, index, count)
                if decoded.length == 0 || !UnicodeLetters.contains(decoded.scalar) { break }
                index += decoded.length
            }
        }
        try body(ByteSlice(start: base + start, count: index - start))
    }
}

/// A-Z or a-z.
@inlinable @inline(__always)
public func isASCIILetter(_ byte: UInt8) -> Bool {
    (byte | 0x20) &- 0x61 < 26
}

/// Decodes the non-ASCII UTF-8 sequence at `index`; `length` 0 means the byte there is invalid
/// (bad lead byte, missing or bad continuation, overlong form, surrogate, beyond U+10FFFF).
@inlinable
public func decodeUTF8Scalar(
    _ base: UnsafePointer<UInt8>, _ index: Int, _ count: Int
) -> (scalar: UInt32, length: Int) {
    let lead = base[index]
    @inline(__always) func continuation(_ offset: Int, _ low: UInt8 = 0x80, _ high: UInt8 = 0xBF) -> UInt32? {
        guard index + offset < count else { return nil }
        let byte = base[index + offset]
        return byte >= low && byte <= high ? UInt32(byte & 0x3F) : nil
    }
    switch lead {
    case 0xC2...0xDF:
        guard let c1 = continuation(1) else { return (0, 0) }
        return (UInt32(lead & 0x1F) << 6 | c1, 2)
    case 0xE0...0xEF:
        let low: UInt8 = lead == 0xE0 ? 0xA0 : 0x80
        let high: UInt8 = lead == 0xED ? 0x9F : 0xBF
        guard let c1 = continuation(1, low, high), let c2 = continuation(2) else { return (0, 0) }
        return (UInt32(lead & 0x0F) << 12 | c1 << 6 | c2, 3)
    case 0xF0...0xF4:
        let low: UInt8 = lead == 0xF0 ? 0x90 : 0x80
        let high: UInt8 = lead == 0xF4 ? 0x8F : 0xBF
        guard let c1 = continuation(1, low, high), let c2 = continuation(2), let c3 = continuation(3)
        else { return (0, 0) }
        return (UInt32(lead & 0x07) << 18 | c1 << 12 | c2 << 6 | c3, 4)
    default:
        return (0, 0)
    }
}

/// Which Unicode scalars are letters. The Basic Multilingual Plane is answered from an 8 KiB
/// bitmap built once from the standard library's Unicode tables; other planes ask the tables.
public enum UnicodeLetters {
    @usableFromInline static let bmp: UnsafeMutablePointer<UInt64> = {
        let words = UnsafeMutablePointer<UInt64>.allocate(capacity: 1024)
        words.initialize(repeating: 0, count: 1024)
        for value in 0..<0x10000 where isLetterByProperties(UInt32(value)) {
            words[value >> 6] |= 1 << UInt64(value & 63)
        }
        return words
    }()

    /// True when `scalar` is in general category Lu, Ll, Lt, Lm or Lo.
    @inlinable
    public static func contains(_ scalar: UInt32) -> Bool {
        if scalar < 0x10000 {
            return bmp[Int(scalar >> 6)] & (1 << UInt64(scalar & 63)) != 0
        }
        return isLetterByProperties(scalar)
    }

    @usableFromInline static func isLetterByProperties(_ value: UInt32) -> Bool {
        guard let scalar = Unicode.Scalar(value) else { return false }
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            return true
        default:
            return false
        }
    }
}
