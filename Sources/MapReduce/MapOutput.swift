/// Where ``Job/map(_:_:)`` sends its key-value pairs (see ``PairOutput`` for every way to emit
/// one).
public struct MapOutput: PairOutput {
    // Unretained: the engine keeps its sink alive for the whole task. Held strongly, the sink
    // cost two atomic reference-count operations per line (map's closures capture the output).
    @usableFromInline let sink: Unmanaged<RecordSink>

    /// Wraps the engine's collector, which the engine keeps alive while this is in use.
    package init(_ sink: RecordSink) {
        self.sink = .passUnretained(sink)
    }

    /// Emits `key` with an integer value. The key is copied if the engine keeps it.
    @inlinable
    public func emit(_ key: ByteSlice, _ value: Int64) {
        sink._withUnsafeGuaranteedRef { $0.emit(key: key, value: value) }
    }

    /// Emits `key` with a byte-string value (both copied if kept).
    @inlinable
    public func emit(_ key: ByteSlice, text: ByteSlice) {
        sink._withUnsafeGuaranteedRef { $0.emit(key: key, text: text) }
    }

    /// Emits `key` with a floating-point value: reduce reads it with `value.double`, or, folded
    /// by the ``Combiner/tally`` combiner, with `values.tally()`.
    @inlinable
    public func emit(_ key: ByteSlice, double: Double) {
        sink._withUnsafeGuaranteedRef { $0.emit(key: key, double: double) }
    }

    /// Adds `amount` to the job's counter `name`; counters are summed over tasks and shown in
    /// the run summary.
    @inlinable
    public func count(_ name: String, by amount: Int64 = 1) {
        sink._withUnsafeGuaranteedRef { $0.count(name, by: amount) }
    }
}

/// The engine's side of ``MapOutput`` and ``ReduceOutput``: collects, combines and partitions
/// what map emits, or writes what reduce emits. A class rather than a protocol so that the
/// outputs can hold it unretained and call it with no reference counting; the engine's sinks
/// override every method.
open class RecordSink {
    /// For the engine's subclasses.
    public init() {}

    /// Receives one pair with an integer value; `key` is valid only during the call.
    open func emit(key: ByteSlice, value: Int64) { Self.notOverridden() }
    /// Receives one pair with a byte-string value; both are valid only during the call.
    open func emit(key: ByteSlice, text: ByteSlice) { Self.notOverridden() }
    /// Receives one pair with a floating-point value.
    open func emit(key: ByteSlice, double: Double) { Self.notOverridden() }
    /// Adds to a job counter.
    open func count(_ name: String, by amount: Int64) { Self.notOverridden() }

    private static func notOverridden(_ method: StaticString = #function) -> Never {
        fatalError("\(Self.self) does not override RecordSink.\(method)")
    }
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
