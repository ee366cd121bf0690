/// The values of one key, as ``Job/reduce(_:_:_:)`` receives them: each value once, streamed
/// from the map tasks' sorted outputs (never all in memory).
public struct ReduceValues: IteratorProtocol, Sequence {
    @usableFromInline let source: any ReduceValueSource

    /// Wraps the engine's merge.
    public init(_ source: any ReduceValueSource) {
        self.source = source
    }

    /// The next value of the current key, or `nil` when the key has no more.
    @inlinable
    public mutating func next() -> Int64? {
        source.nextValue()
    }

    /// Consumes the remaining values and returns their wrapping sum.
    @inlinable
    public mutating func sum() -> Int64 {
        var total: Int64 = 0
        while let value = next() { total &+= value }
        return total
    }
}

/// The engine's side of ``ReduceValues``.
public protocol ReduceValueSource: AnyObject {
    /// The next value of the current key, or `nil` at the key's end.
    func nextValue() -> Int64?
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
}

/// The engine's side of ``ReduceOutput``.
public protocol ReduceSink: AnyObject {
    /// Writes one output record.
    func write(key: ByteSlice, value: Int64)
}
