/// A view of bytes owned by the engine, valid only for the duration of the call it is passed to.
///
/// Keys and records are handed to jobs as slices of the engine's buffers so that the hot loop
/// copies nothing; the engine copies a key only when it has to keep it.
public typealias ByteSlice = UnsafeRawBufferPointer

/// A map-reduce job: what `mr <name> INPUT...` runs.
///
/// The engine calls ``map(_:_:)`` once per input line, folds the values emitted for equal keys with
/// the ``combiner`` inside each map task, routes every key to one of R partitions, and calls
/// ``reduce(_:_:_:)`` once per key, in bytewise key order, with all of the key's values.
///
/// One instance serves every task in a process, possibly on several threads at once, so a job
/// keeps no mutable state.
///
/// ```swift
/// public struct LineLengths: Job {
///     public static let name = "linelengths"
///     public static let summary = "How many lines have each length"
///     public static let combiner: Combiner? = .sum
///     public init() {}
///     public func map(_ record: Record, _ output: MapOutput) {
///         output.emit(decimal: record.bytes.count, 1)
///     }
///     public func reduce(_ key: ByteSlice, _ values: inout ReduceValues, _ output: ReduceOutput) {
///         output.emit(key, values.sum())
///     }
/// }
/// ```
public protocol Job: Sendable {
    /// The name users type after `mr`: lowercase letters, digits and dashes.
    static var name: String { get }
    /// One line saying what the job computes, shown by `mr --help`.
    static var summary: String { get }
    /// Folds values of one key inside a map task; `nil` sends every emitted pair to reduce.
    static var combiner: Combiner? { get }
    /// How many output records with the largest values the run summary lists (0: none).
    static var topRecordsInSummary: Int { get }

    init()

    /// Called once per input line (without its line terminator).
    func map(_ record: Record, _ output: MapOutput) throws

    /// Called once per distinct key, in bytewise order, with every value emitted for it.
    func reduce(_ key: ByteSlice, _ values: inout ReduceValues, _ output: ReduceOutput) throws
}

extension Job {
    public static var combiner: Combiner? { nil }
    public static var topRecordsInSummary: Int { 0 }
}

/// An associative, commutative fold of the values of one key, applied inside each map task so
/// that far fewer pairs are written, sorted and merged.
public enum Combiner: Sendable {
    /// Adds values (wrapping on overflow), as counting jobs need.
    case sum
    /// Keeps the smallest value.
    case minimum
    /// Keeps the largest value.
    case maximum
    /// Any other fold of the value accumulated so far and one more value.
    case custom(@Sendable (_ accumulated: Int64, _ value: Int64) -> Int64)

    /// Folds `value` into `accumulated`.
    @inlinable
    public func fold(_ accumulated: Int64, _ value: Int64) -> Int64 {
        switch self {
        case .sum: accumulated &+ value
        case .minimum: Swift.min(accumulated, value)
        case .maximum: Swift.max(accumulated, value)
        case .custom(let fold): fold(accumulated, value)
        }
    }
}
