/// What ``MapOutput`` and ``ReduceOutput`` share: a pair is emitted with a key of bytes or a
/// `String`, and an integer, a `Double` or a text value, in any combination.
///
/// ```swift
/// output.emit(word, 1)                    // bytes and an integer
/// output.emit("total", double: 2.5)       // a String key and a Double
/// output.emit(key, text: "a, b")          // a String value
/// output.emit(decimal: line.count, 1)     // the decimal digits of a number as key
/// ```
/// A `String` is passed as its UTF-8 bytes, without a copy when it is native (as literals and
/// strings built in Swift are).
public protocol PairOutput {
    /// Emits `key` with an integer value.
    func emit(_ key: ByteSlice, _ value: Int64)
    /// Emits `key` with a byte-string value.
    func emit(_ key: ByteSlice, text: ByteSlice)
    /// Emits `key` with a floating-point value.
    func emit(_ key: ByteSlice, double: Double)
}

extension PairOutput {
    /// Emits a `String` key with an integer value.
    @inlinable
    public func emit(_ key: String, _ value: Int64) {
        withBytes(of: key) { emit($0, value) }
    }

    /// Emits a `String` key with a floating-point value.
    @inlinable
    public func emit(_ key: String, double: Double) {
        withBytes(of: key) { emit($0, double: double) }
    }

    /// Emits a `String` key with a `String` value.
    @inlinable
    public func emit(_ key: String, text: String) {
        withBytes(of: key) { key in withBytes(of: text) { emit(key, text: $0) } }
    }

    /// Emits `key` with a `String` value.
    @inlinable
    public func emit(_ key: ByteSlice, text: String) {
        withBytes(of: text) { emit(key, text: $0) }
    }

    /// Emits a `String` key with a byte-string value.
    @inlinable
    public func emit(_ key: String, text: ByteSlice) {
        withBytes(of: key) { emit($0, text: text) }
    }

    /// Emits the decimal text of `number` as key, e.g. to group by a length or a year.
    @inlinable
    public func emit(decimal number: Int, _ value: Int64) {
        withDecimalDigits(of: Int64(number)) { emit($0, value) }
    }
}

/// Calls `body` with the UTF-8 bytes of `string` (made contiguous first if it is not).
@inlinable
func withBytes<R>(of string: String, _ body: (ByteSlice) throws -> R) rethrows -> R {
    var string = string
    return try string.withUTF8 { try body(ByteSlice($0)) }
}
