#if canImport(Glibc)
import Glibc
#endif

/// How a record is cut into fields: at a separator byte (TSV and the like), or as CSV by RFC 4180
/// (fields may be quoted; a quoted field may hold the separator, line ends are not in a record,
/// and `""` inside quotes is one `"`).
public enum FieldFormat: Sendable, Equatable {
    /// Fields end at this byte; no quoting (`.separated(by: 0x09)` is TSV).
    case separated(by: UInt8)
    /// RFC 4180 CSV with this separator (usually `,`).
    case csv(separator: UInt8)

    /// Tab-separated values.
    public static let tsv = FieldFormat.separated(by: 0x09)
    /// Comma-separated values with quoting.
    public static let commaSeparated = FieldFormat.csv(separator: UInt8(ascii: ","))

    /// The format a job option names, `tsv` or `csv` (``commaSeparated``); another name is a
    /// ``JobOptionError`` naming the option.
    public init(named name: String, option: String = "format") throws {
        switch name {
        case "tsv": self = .tsv
        case "csv": self = .commaSeparated
        default: throw JobOptionError(message: "--\(option) must be tsv or csv, not '\(name)'")
        }
    }
}

/// Calls `body` with each field of `record` and its number (0 first), in order, until `body`
/// returns `false`. Nothing is allocated per record: a field is a view of the record, or, for a
/// quoted CSV field holding `""`, of a buffer on the stack it is unquoted into. The field is
/// valid during the call only. A quote that is never closed ends the record's last field.
@inlinable
public func forEachField(in record: ByteSlice, format: FieldFormat, _ body: (Int, ByteSlice) throws -> Bool) rethrows {
    switch format {
    case .separated(let separator):
        var start = 0
        var number = 0
        for index in 0...record.count where index == record.count || record[index] == separator {
            guard try body(number, ByteSlice(rebasing: record[start..<index])) else { return }
            number += 1
            start = index + 1
        }
    case .csv(let separator):
        try withUnsafeTemporaryAllocation(byteCount: max(record.count, 1), alignment: 1) { scratch in
            try forEachCSVField(in: record, separator: separator, scratch: scratch, body)
        }
    }
}

/// RFC 4180 fields of `record`; a quoted field with `""` is unquoted into `scratch`.
@usableFromInline
func forEachCSVField(in record: ByteSlice, separator: UInt8, scratch: UnsafeMutableRawBufferPointer,
                     _ body: (Int, ByteSlice) throws -> Bool) rethrows {
    let quote = UInt8(ascii: "\"")
    var index = 0
    var number = 0
    while index <= record.count {
        let field: ByteSlice
        if index < record.count && record[index] == quote {
            // Quoted: up to the closing quote; `""` is a quote. Copied only if it holds one.
            var end = index + 1
            var copied = 0
            var needsCopy = false
            while end < record.count {
                if record[end] == quote {
                    guard end + 1 < record.count && record[end + 1] == quote else { break }
                    if !needsCopy {
                        needsCopy = true
                        scratch.copyMemory(from: ByteSlice(rebasing: record[(index + 1)..<end]))
                        copied = end - index - 1
                    }
                    scratch[copied] = quote
                    copied += 1
                    end += 2
                    continue
                }
                if needsCopy {
                    scratch[copied] = record[end]
                    copied += 1
                }
                end += 1
            }
            field = needsCopy ? ByteSlice(rebasing: scratch[0..<copied]) : ByteSlice(rebasing: record[(index + 1)..<end])
            // After the closing quote, anything up to the separator is ignored (not RFC 4180).
            index = end + 1
            while index < record.count && record[index] != separator { index += 1 }
        } else {
            var end = index
            while end < record.count && record[end] != separator { end += 1 }
            field = ByteSlice(rebasing: record[index..<end])
            index = end
        }
        guard try body(number, field) else { return }
        number += 1
        index += 1  // past the separator; past the end when the record is done
    }
}

/// The field numbered `number` (0 first) of `record`, handed to `body`; `nil` if the record has
/// fewer fields.
@inlinable
public func withField<Result>(_ number: Int, of record: ByteSlice, format: FieldFormat,
                              _ body: (ByteSlice) throws -> Result) rethrows -> Result? {
    var result: Result?
    try forEachField(in: record, format: format) { index, field in
        guard index == number else { return true }
        result = try body(field)
        return false
    }
    return result
}

/// The decimal integer a field holds (an optional sign, then digits, and nothing else); `nil`
/// otherwise or past Int64's range. Allocates nothing.
@inlinable
public func parseInteger(_ field: ByteSlice) -> Int64? {
    var digits = field[...]
    let negative = digits.first == UInt8(ascii: "-")
    if negative || digits.first == UInt8(ascii: "+") { digits = digits.dropFirst() }
    guard !digits.isEmpty else { return nil }
    // Accumulated below zero, whose range reaches one further (Int64.min).
    var value: Int64 = 0
    for byte in digits {
        guard byte >= 0x30 && byte <= 0x39 else { return nil }
        let (times10, overflowA) = value.multipliedReportingOverflow(by: 10)
        let (next, overflowB) = times10.subtractingReportingOverflow(Int64(byte - 0x30))
        guard !overflowA && !overflowB else { return nil }
        value = next
    }
    if negative { return value }
    return value == .min ? nil : -value
}

/// The floating-point number a field holds (`strtod`'s syntax, the whole field); `nil` otherwise.
/// Nothing is allocated: a plain decimal (`-12.50`, digits worth less than 2^53) is read
/// directly, as its digits divided by a power of ten, both exact, so the one division rounds
/// correctly (Clinger's fast path); anything else is copied onto the stack for `strtod`.
@inlinable
public func parseDouble(_ field: ByteSlice) -> Double? {
    if let value = parsePlainDecimal(field) { return value }
    guard !field.isEmpty, field.count < 256 else { return nil }
    return withUnsafeTemporaryAllocation(of: CChar.self, capacity: field.count + 1) { text in
        for index in 0..<field.count { text[index] = CChar(bitPattern: field[index]) }
        text[field.count] = 0
        var end: UnsafeMutablePointer<CChar>?
        let value = strtod(text.baseAddress!, &end)
        return end == text.baseAddress! + field.count ? value : nil
    }
}

/// Powers of ten a double holds exactly.
@usableFromInline
let exactPowersOfTen: [Double] = (0...22).map { (0..<$0).reduce(1.0) { value, _ in value * 10 } }

/// A field of an optional sign, digits and at most one `.` among them (at least one digit),
/// whose digits read as an integer below 2^53 with at most 22 after the point; nil for
/// anything else, which ``parseDouble(_:)`` leaves to `strtod`.
@inlinable
func parsePlainDecimal(_ field: ByteSlice) -> Double? {
    var index = 0
    let negative = field.first == UInt8(ascii: "-")
    if negative || field.first == UInt8(ascii: "+") { index = 1 }
    var digits: UInt64 = 0
    var digitCount = 0
    var pointAt = -1
    while index < field.count {
        let byte = field[index]
        if byte == UInt8(ascii: ".") && pointAt < 0 {
            pointAt = digitCount
        } else if byte >= 0x30 && byte <= 0x39 {
            digits = digits &* 10 &+ UInt64(byte - 0x30)
            digitCount += 1
            if digits >= 1 << 53 { return nil }
        } else {
            return nil
        }
        index += 1
    }
    let fractionDigits = pointAt < 0 ? 0 : digitCount - pointAt
    guard digitCount > 0, fractionDigits <= 22 else { return nil }
    let magnitude = Double(digits) / exactPowersOfTen[fractionDigits]
    return negative ? -magnitude : magnitude
}

