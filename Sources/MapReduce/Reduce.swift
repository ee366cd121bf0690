/// A value as reduce sees it: an integer or a byte string (valid until the next value is read).
public enum Value {
    case int(Int64)
    case bytes(ByteSlice)

    /// The integer, or 0 for a byte string.
    @inlinable
    public var int: Int64 {
        if case .int(let value) = self { return value }
        return 0
    }

    /// The byte string, or empty for an integer.
    @inlinable
    public var bytes: ByteSlice {
        if case .bytes(let value) = self { return value }
        return ByteSlice(start: nil, count: 0)
    }
}

/// The values of one key, as ``Job/reduce(_:_:_:)`` receives them: each value once, streamed
/// from the map tasks' sorted outputs (never all in memory), in map-task order.
public struct ReduceValues: IteratorProtocol, Sequence {
    @usableFromInline let source: any ReduceValueSource

    /// Wraps the engine's merge.
    public init(_ source: any ReduceValueSource) {
        self.source = source
    }

    /// The next value of the current key, or `nil` when the key has no more.
    @inlinable
    public mutating func next() -> Value? {
        source.nextValue()
    }

    /// Consumes the remaining values and returns the wrapping sum of the integers.
    @inlinable
    public mutating func sum() -> Int64 {
        var total: Int64 = 0
        while let value = next() { total &+= value.int }
        return total
    }
}

/// The engine's side of ``ReduceValues``.
public protocol ReduceValueSource: AnyObject {
    /// The next value of the current key, or `nil` at the key's end.
    func nextValue() -> Value?
}

/// Where ``Job/reduce(_:_:_:)`` writes its output records: lines `key<TAB>value`.
public struct ReduceOutput {
    @usableFromInline let sink: any ReduceSink

    /// Wraps the engine's part-file writer.
    public init(_ sink: any ReduceSink) {
        self.sink = sink
    }

    /// Writes the line `key<TAB>value`.
    @inlinable
    public func emit(_ key: ByteSlice, _ value: Int64) {
        sink.write(key: key, value: value)
    }

    /// Writes the line `key<TAB>text`.
    @inlinable
    public func emit(_ key: ByteSlice, text: ByteSlice) {
        sink.write(key: key, text: text)
    }

    /// Writes the line `key<TAB>text`.
    @inlinable
    public func emit(_ key: ByteSlice, text: String) {
        var text = text
        text.withUTF8 { sink.write(key: key, text: ByteSlice($0)) }
    }

    /// Adds `amount` to the job's counter `name`.
    @inlinable
    public func count(_ name: String, by amount: Int64 = 1) {
        sink.count(name, by: amount)
    }
}

/// The engine's side of ``ReduceOutput``.
public protocol ReduceSink: AnyObject {
    /// Writes one output record with an integer value.
    func write(key: ByteSlice, value: Int64)
    /// Writes one output record with a text value.
    func write(key: ByteSlice, text: ByteSlice)
    /// Adds to a job counter.
    func count(_ name: String, by amount: Int64)
}
