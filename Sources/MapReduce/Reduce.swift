#if canImport(Glibc)
import Glibc
#endif
/// A value as reduce sees it: an integer or a byte string (valid until the next value is read).
public enum Value {
    /// An integer, as `output.emit(key, 42)` emitted it.
    case int(Int64)
    /// A byte string, as `output.emit(key, text: bytes)` emitted it; valid until the next value
    /// is read: copy what you keep (`Array(bytes)`).
    case bytes(ByteSlice)
    /// A floating-point number, as `output.emit(key, double: x)` emitted it.
    case double(Double)
    /// Several `Double` values of the key already folded by the ``Combiner/tally`` combiner;
    /// ``ReduceValues/tally()`` adds them up with the rest.
    case tally(Tally.Encoded)

    /// The integer. Read from a byte string it is 0, and the engine fails the task after the
    /// reduce call, naming the key: a value read as the wrong type is a mistake, not a zero.
    @inlinable
    public var int: Int64 {
        if case .int(let value) = self { return value }
        WrongValueType.record()
        return 0
    }

    /// The floating-point number. Read from another type it is 0, and the engine fails the task
    /// after the reduce call, naming the key.
    @inlinable
    public var double: Double {
        if case .double(let value) = self { return value }
        WrongValueType.record()
        return 0
    }

    /// The byte string. Read from another type it is empty, and the engine fails the task after
    /// the reduce call, naming the key.
    @inlinable
    public var bytes: ByteSlice {
        if case .bytes(let value) = self { return value }
        WrongValueType.record()
        return ByteSlice(start: nil, count: 0)
    }
}

/// The values of one key, as ``Job/reduce(_:_:_:)`` receives them: each value once, streamed
/// from the map tasks' sorted outputs (never all in memory), in map-task order.
public struct ReduceValues: IteratorProtocol, Sequence {
    // Unretained, as ``MapOutput``'s sink (a retain and a release per key otherwise).
    @usableFromInline let source: Unmanaged<ValueSource>

    /// Wraps the engine's merge, which the engine keeps alive while this is in use.
    package init(_ source: ValueSource) {
        self.source = .passUnretained(source)
    }

    /// The next value of the current key, or `nil` when the key has no more.
    @inlinable
    public mutating func next() -> Value? {
        source._withUnsafeGuaranteedRef { $0.nextValue() }
    }

    /// Consumes the remaining values and returns the sum of the integers. A sum past Int64's
    /// range is never written: the engine fails the task with an error naming the key (exit 65).
    @inlinable
    public mutating func sum() -> Int64 {
        var total: Int64 = 0
        while let value = next() {
            let (sum, overflow) = total.addingReportingOverflow(value.int)
            if overflow { source._withUnsafeGuaranteedRef { $0.sumOverflowed = true } }
            total = sum
        }
        return total
    }

    /// Consumes the remaining values and returns their ``Tally``: count, exact sum, minimum and
    /// maximum of `Double` values, whether the ``Combiner/tally`` combiner folded some of them
    /// first or not. A value of another type is a mistake the engine reports, naming the key.
    public mutating func tally() -> Tally {
        var tally = Tally()
        while let value = next() {
            switch value {
            case .double(let number): tally.add(number)
            case .tally(let encoded): tally.add(encoded.tally)
            case .int, .bytes: WrongValueType.record()
            }
        }
        return tally
    }
}

/// The engine's side of ``ReduceValues``: a class, as ``RecordSink`` is, so that the values
/// can hold it unretained.
open class ValueSource {
    /// For the engine's subclasses.
    public init() {}

    /// Set by ``ReduceValues/sum()`` when the key's sum passed Int64's range; the engine checks
    /// it after each group and clears it.
    @usableFromInline package final var sumOverflowed = false

    /// The next value of the current key, or `nil` at the key's end.
    open func nextValue() -> Value? { fatalError("\(Self.self) does not override ValueSource.nextValue()") }
}

/// Where ``Job/reduce(_:_:_:)`` writes its output records: lines `key<TAB>value` (see
/// ``PairOutput`` for every way to emit one).
public struct ReduceOutput: PairOutput {
    // Unretained, as ``MapOutput``'s sink.
    @usableFromInline let sink: Unmanaged<RecordSink>

    /// Wraps the engine's part-file writer, which the engine keeps alive while this is in use.
    package init(_ sink: RecordSink) {
        self.sink = .passUnretained(sink)
    }

    /// Writes the line `key<TAB>value`.
    @inlinable
    public func emit(_ key: ByteSlice, _ value: Int64) {
        sink._withUnsafeGuaranteedRef { $0.emit(key: key, value: value) }
    }

    /// Writes the line `key<TAB>text`.
    @inlinable
    public func emit(_ key: ByteSlice, text: ByteSlice) {
        sink._withUnsafeGuaranteedRef { $0.emit(key: key, text: text) }
    }

    /// Writes the line `key<TAB>number`, the number in the shortest form that reads back as it.
    @inlinable
    public func emit(_ key: ByteSlice, double: Double) {
        sink._withUnsafeGuaranteedRef { $0.emit(key: key, double: double) }
    }

    /// Adds `amount` to the job's counter `name`.
    @inlinable
    public func count(_ name: String, by amount: Int64 = 1) {
        sink._withUnsafeGuaranteedRef { $0.count(name, by: amount) }
    }
}

/// Whether the reduce running on this thread read a ``Value`` as the type it is not. Kept per
/// thread (tasks run on several threads in `--mode threads`); the engine takes it after each
/// reduce call.
public enum WrongValueType {
    private static let flag: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    /// Whether any thread ever noted a mistake: a load the engine makes after every reduce call,
    /// before the per-thread flag (whose key is made lazily) is looked at.
    nonisolated(unsafe) private static var anywhere = false

    /// Notes the mistake for the engine.
    @usableFromInline
    static func record() {
        anywhere = true
        pthread_setspecific(flag, UnsafeRawPointer(bitPattern: 1))
    }

    /// Whether a value was read as the wrong type since the last call; clears it.
    package static func take() -> Bool {
        guard anywhere, pthread_getspecific(flag) != nil else { return false }
        pthread_setspecific(flag, nil)
        return true
    }
}
