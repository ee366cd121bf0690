/// Splits text into words: maximal runs of Unicode letters (general categories Lu, Ll, Lt, Lm, Lo)
/// in UTF-8. Everything else separates words: digits, marks, punctuation, spaces and bytes that are
/// not valid UTF-8 (each invalid byte on its own, as the Unicode "maximal subpart" rule resyncs).
///
/// The scan classifies 64 bytes at a time into a bitmask of letters (8 ASCII bytes per step with
/// word arithmetic; non-ASCII bytes are decoded) and walks the mask's 0-1 and 1-0 transitions, so
/// finding a word costs no mispredicted branch per byte or per word. `body` gets slices of
/// `text`: nothing is allocated or copied.
@inlinable
public func forEachWord(in text: ByteSlice, _ body: (ByteSlice) throws -> Void) rethrows {
    guard let base = text.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
    let count = text.count
    var scan = LetterScan()
    var blockStart = 0
    var inWord = false
    var wordStart = 0
    while blockStart < count {
        let letters = scan.letterMask(base, blockStart, count)
        var transitions = letters ^ (letters << 1 | scan.previousLetterBit)
        scan.previousLetterBit = letters >> 63
        // Positions stay below `count`: no overflow checks in the per-word loop.
        while transitions != 0 {
            let position = blockStart &+ transitions.trailingZeroBitCount
            transitions &= transitions &- 1
            if inWord {
                try body(ByteSlice(start: base + wordStart, count: position &- wordStart))
            } else {
                wordStart = position
            }
            inWord.toggle()
        }
        blockStart &+= 64
    }
    if inWord { try body(ByteSlice(start: base + wordStart, count: count - wordStart)) }
}

/// The state of ``forEachWord(in:_:)`` between 64-byte blocks.
@usableFromInline
struct LetterScan {
    /// Whether the last byte of the previous block is part of a letter (0 or 1).
    @usableFromInline var previousLetterBit: UInt64 = 0
    /// Letter bits of the next block's first bytes: a letter that began in this block ends there.
    @usableFromInline var carried: UInt64 = 0
    /// Bytes before this offset are classified (a multi-byte letter can reach into later bytes).
    @usableFromInline var classifiedUntil = 0
    /// ``UnicodeLetters``' bitmap, fetched at the first non-ASCII byte: each fetch of the lazy
    /// global is a call to `swift_once`, and one per scalar was 1 % of wordcount's time on the
    /// man pages.
    @usableFromInline var letterBitmap: UnsafeMutablePointer<UInt64>? = nil

    @inlinable init() {}

    /// Bit `i` set when byte `blockStart + i` belongs to a letter, for the block's up to 64 bytes.
    @inlinable @inline(__always)
    mutating func letterMask(_ base: UnsafePointer<UInt8>, _ blockStart: Int, _ count: Int) -> UInt64 {
        // Nearly every block of a line is ASCII text. When its 64 bytes lie in one memory page
        // (so reading past the text's end cannot fault), they are read as 8 words without a
        // branch per word, and bits past the end are cleared.
        if carried == 0 && UInt(bitPattern: base + blockStart) & 4095 <= 4096 - 64 {
            let block = UnsafeRawPointer(base + blockStart)
            @inline(__always) func word(_ index: Int) -> UInt64 {
                UInt64(littleEndian: block.loadUnaligned(fromByteOffset: 8 * index, as: UInt64.self))
            }
            let (w0, w1, w2, w3, w4, w5, w6, w7) = (word(0), word(1), word(2), word(3), word(4), word(5), word(6), word(7))
            if (w0 | w1 | w2 | w3 | w4 | w5 | w6 | w7) & 0x8080_8080_8080_8080 == 0 {
                let mask = asciiLetterBits(w0) | asciiLetterBits(w1) << 8 | asciiLetterBits(w2) << 16
                    | asciiLetterBits(w3) << 24 | asciiLetterBits(w4) << 32 | asciiLetterBits(w5) << 40
                    | asciiLetterBits(w6) << 48 | asciiLetterBits(w7) << 56
                let valid = count - blockStart
                return valid >= 64 ? mask : mask & ~(~0 << UInt64(valid))
            }
        }
        var mask = carried
        carried = 0
        let blockEnd = min(blockStart + 64, count)
        var chunk = blockStart
        while chunk < blockEnd {
            let length = min(8, blockEnd - chunk)
            let word = loadZeroPadded(base + chunk, length)
            if word & 0x8080_8080_8080_8080 == 0 {
                mask |= asciiLetterBits(word) << UInt64(chunk - blockStart)
            } else {
                mask |= classifyMixed(base, from: max(chunk, classifiedUntil), to: chunk + length, blockStart, count)
            }
            chunk += 8
        }
        return mask
    }

    /// Letter bits of bytes `from..<to` when some are not ASCII; a letter that runs past the
    /// block leaves its remaining bits in `carried`.
    @inlinable
    mutating func classifyMixed(_ base: UnsafePointer<UInt8>, from: Int, to: Int, _ blockStart: Int, _ count: Int) -> UInt64 {
        var mask: UInt64 = 0
        var position = from
        let bitmap = letterBitmap ?? UnicodeLetters.bmp
        letterBitmap = bitmap
        while position < to {
            let byte = base[position]
            if byte < 0x80 {
                if isASCIILetter(byte) { mask |= 1 << UInt64(position - blockStart) }
                position += 1
                continue
            }
            let decoded = decodeUTF8Scalar(base, position, count)
            let size = max(decoded.length, 1)
            if decoded.length > 0 && UnicodeLetters.contains(decoded.scalar, bitmap: bitmap) {
                for letterByte in position..<(position + size) {
                    let bit = letterByte - blockStart
                    if bit < 64 { mask |= 1 << UInt64(bit) } else { carried |= 1 << UInt64(bit - 64) }
                }
            }
            position += size
        }
        classifiedUntil = position
        return mask
    }
}

/// The little-endian word of `length` (1-8) bytes at `pointer`, zero-padded, reading no further.
@inlinable @inline(__always)
func loadZeroPadded(_ pointer: UnsafePointer<UInt8>, _ length: Int) -> UInt64 {
    if length == 8 { return UInt64(littleEndian: UnsafeRawPointer(pointer).loadUnaligned(as: UInt64.self)) }
    var word: UInt64 = 0
    for index in 0..<length { word |= UInt64(pointer[index]) << UInt64(8 * index) }
    return word
}

/// One bit per byte of an all-ASCII word (bit `i` for byte `i`): set for A-Z and a-z. Each byte
/// is lowercased and compared with 'a' and '{' by adding offsets that carry into its top bit.
@inlinable @inline(__always)
func asciiLetterBits(_ word: UInt64) -> UInt64 {
    let lowered = word | 0x2020_2020_2020_2020
    let atLeastA = lowered &+ 0x1F1F_1F1F_1F1F_1F1F  // top bit set when >= 0x61
    let pastZ = lowered &+ 0x0505_0505_0505_0505  // top bit set when >= 0x7B
    let letters = (atLeastA & ~pastZ & 0x8080_8080_8080_8080) >> 7
    return (letters &* 0x0102_0408_1020_4080) >> 56
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
        contains(scalar, bitmap: bmp)
    }

    /// ``contains(_:)`` with the BMP bitmap already fetched.
    @inlinable
    static func contains(_ scalar: UInt32, bitmap: UnsafeMutablePointer<UInt64>) -> Bool {
        if scalar < 0x10000 {
            return bitmap[Int(scalar >> 6)] & (1 << UInt64(scalar & 63)) != 0
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
