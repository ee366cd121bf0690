/// Where ``Job/map(_:_:)`` sends its key-value pairs.
public struct MapOutput {
    @usableFromInline let sink: any MapSink

    /// Wraps the engine's collector.
    public init(_ sink: any MapSink) {
        self.sink = sink
    }

    /// Emits `key` with an integer value. The key is copied if the engine keeps it.
    @inlinable
    public func emit(_ key: ByteSlice, _ value: Int64) {
        sink.emit(key: key, value: value)
    }

    /// Emits `key` with a byte-string value (both copied if kept).
    @inlinable
    public func emit(_ key: ByteSlice, text: ByteSlice) {
        sink.emit(key: key, text: text)
    }

    /// Emits the decimal text of `number` as key, e.g. to group by a length or a year.
    @inlinable
    public func emit(decimal number: Int, _ value: Int64) {
        withDecimalDigits(of: Int64(number)) { sink.emit(key: $0, value: value) }
    }

    /// Adds `amount` to the job's counter `name`; counters are summed over tasks and shown in
    /// the run summary.
    @inlinable
    public func count(_ name: String, by amount: Int64 = 1) {
        sink.count(name, by: amount)
    }
}

/// The engine's side of ``MapOutput``: collects, combines and partitions what map emits.
public protocol MapSink: AnyObject {
    /// Receives one pair with an integer value; `key` is valid only during the call.
    func emit(key: ByteSlice, value: Int64)
    /// Receives one pair with a byte-string value; both are valid only during the call.
    func emit(key: ByteSlice, text: ByteSlice)
    /// Adds to a job counter.
    func count(_ name: String, by amount: Int64)
}

/// Calls `body` with the decimal digits of `number` in a stack buffer (no allocation).
@inlinable
public func withDecimalDigits<R>(of number: Int64, _ body: (ByteSlice) throws -> R) rethrows -> R {
    try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { buffer in
        var magnitude = number.magnitude
        var start = 20
        repeat {
            start -= 1
            buffer[start] = UInt8(truncatingIfNeeded: magnitude % 10) &+ 48
            magnitude /= 10
        } while magnitude != 0
        if number < 0 {
            start -= 1
            buffer[start] = UInt8(ascii: "-")
        }
        return try body(ByteSlice(start: buffer.baseAddress! + start, count: 20 - start))
    }
}
