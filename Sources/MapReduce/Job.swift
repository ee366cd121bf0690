/// A view of bytes owned by the engine, valid only for the duration of the call it is passed to.
///
/// Keys and records are handed to jobs as slices of the engine's buffers so that the hot loop
/// copies nothing; the engine copies a key only when it has to keep it.
public typealias ByteSlice = UnsafeRawBufferPointer

/// A map-reduce job: what `mr <name> INPUT...` runs.
///
/// The engine calls ``map(_:_:)`` once per input line, folds the values emitted for equal keys with
/// the ``combiner`` inside each map task, routes every key to one of R partitions, and calls
/// ``reduce(_:_:_:)`` once per key, in bytewise key order, with all of the key's values. A map-only
/// job (``isMapOnly``) skips all that: what map emits goes straight to the output.
///
/// One instance serves every task in a process, possibly on several threads at once, so a job
/// keeps no mutable state. A job lives in one Swift file in `jobs/`; `mr` compiles and loads it.
///
/// ```swift
/// import MapReduce
///
/// public struct LineLengths: Job {
///     public static let name = "linelengths"
///     public static let summary = "How many lines have each length"
///     public static let combiner: Combiner? = .sum
///     public init(options: JobOptions) {}
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
    /// One line saying what the job computes, shown by `mr jobs` and `mr NAME --help`.
    static var summary: String { get }
    /// The job's own command-line options (`mr ngrams data/ --n 3`), delivered to every worker.
    static var options: [JobOption] { get }
    /// Folds integer values of one key inside a map task; `nil` sends every emitted pair to reduce.
    static var combiner: Combiner? { get }
    /// True for a job without reduce (a ``MapOnlyJob``): map's pairs are written, in input order,
    /// as the output.
    static var isMapOnly: Bool { get }
    /// How many output records with the largest values the run summary lists (0: none).
    static var topRecordsInSummary: Int { get }
    /// False for a job whose map never reads ``Record/offset`` or ``Record/lineNumber``. `mr` may
    /// then split a gzip file of many members (concatenated `.gz` files, BGZF) at member starts
    /// found without inflating it, where a line's place in the file is unknown; reading either
    /// there stops the worker with a message.
    static var readsLinePositions: Bool { get }
    /// True for a job whose map treats a line end like any other separator (counting words, not
    /// n-grams within a line) and declares `readsLinePositions = false`: a record may then hold
    /// many whole lines, each ending in `\n` or `\r\n` (the file's last line perhaps in neither),
    /// so that map is called once per block of lines instead of once per line. `input records`
    /// still counts lines, and --max-line still refuses a longer line.
    static var mapsBlocksOfLines: Bool { get }

    /// Creates the job with its option values (each declared option has one, possibly its default).
    init(options: JobOptions) throws

    /// Called once per input line (without its line terminator).
    func map(_ record: Record, _ output: MapOutput) throws

    /// Called once per distinct key, in bytewise order, with every value emitted for it. Every
    /// job that reduces declares it: there is no default, so a misspelled signature is a compile
    /// error, not a job that silently writes nothing. A job without reduce is a ``MapOnlyJob``.
    func reduce(_ key: ByteSlice, _ values: inout ReduceValues, _ output: ReduceOutput) throws

    /// The combiner this job, with its options, uses: ``combiner`` unless the job's options
    /// choose one (a group-by whose `--agg` is `sum` or `max`). Requirements are added
    /// last: an incremental debug build once kept the engine's calls at the old witness-table
    /// places after one was inserted among the others (a clean build was right).
    var combining: Combiner? { get }
    /// The steps that run after this job, in order, each over the output of the one before
    /// (mrjob's `steps()`): `mr NAME` runs them all as one job and writes only the last step's
    /// output. Each step is a ``JobStep`` in the same file and gets the same options.
    static var nextSteps: [any JobStep.Type] { get }
}

/// A step of a multi-step job after its first (see ``Job/nextSteps``): a job of its own, which
/// reads the output lines of the step before (`key<TAB>value`, escaped as mr writes them) and is
/// named after the job it belongs to.
public protocol JobStep: Job {}

extension JobStep {
    /// Named after its type: steps are run through their job, never by name.
    public static var name: String { String(describing: Self.self).lowercased() }
    /// Said by the job the step belongs to.
    public static var summary: String { "a step of a multi-step job" }
}

extension Job {
    /// Step `number` of this job: itself for 0, else its ``nextSteps``.
    public static func step(_ number: Int) -> any Job.Type {
        number == 0 ? Self.self : nextSteps[number - 1]
    }
}

/// A job without reduce: what map emits is the output, written in input order (one part file per
/// map task). Declaring it is what makes a job map-only; it needs no `reduce`.
///
/// ```swift
/// public struct Shout: MapOnlyJob {
///     public static let name = "shout"
///     public static let summary = "Every line, upper-cased"
///     public init(options: JobOptions) {}
///     public func map(_ record: Record, _ output: MapOutput) {
///         var line = String(decoding: record.bytes, as: UTF8.self).uppercased()
///         line.withUTF8 { output.emit(ByteSlice($0), text: ByteSlice(start: nil, count: 0)) }
///     }
/// }
/// ```
public protocol MapOnlyJob: Job {}

extension MapOnlyJob {
    /// A map-only job has no reduce phase.
    public static var isMapOnly: Bool { true }

    /// Never called: a map-only job has no reduce phase.
    public func reduce(_ key: ByteSlice, _ values: inout ReduceValues, _ output: ReduceOutput) throws {}
}

/// The defaults a job need not declare.
extension Job {
    /// No options of its own.
    public static var options: [JobOption] { [] }
    /// No combiner: every emitted pair goes to reduce.
    public static var combiner: Combiner? { nil }
    /// The type's ``combiner``.
    public var combining: Combiner? { Self.combiner }
    /// One step: the job itself.
    public static var nextSteps: [any JobStep.Type] { [] }
    /// A job has a reduce unless it is a ``MapOnlyJob``.
    public static var isMapOnly: Bool { false }
    /// The summary lists no top records.
    public static var topRecordsInSummary: Int { 0 }
    /// Map may read a record's offset and line number (so member-start splitting is off).
    public static var readsLinePositions: Bool { true }
    /// One line per record.
    public static var mapsBlocksOfLines: Bool { false }
}

/// A command-line option a job declares: `--NAME VALUE`, given after the inputs
/// (`mr ngrams datasets/ --n 3`) and listed by `mr NAME --help`.
///
/// ```swift
/// public static let options = [JobOption("n", help: "Words per n-gram", default: "2")]
/// ```
public struct JobOption: Sendable {
    /// The option's name, without the dashes.
    public let name: String
    /// One line for `mr NAME --help`.
    public let help: String
    /// The value used when the option is not given; `nil` makes the option required.
    public let defaultValue: String?

    /// Declares `--name`; a `nil` default makes it required.
    public init(_ name: String, help: String, default defaultValue: String?) {
        self.name = name
        self.help = help
        self.defaultValue = defaultValue
    }
}

/// The values of a job's options, as given on the command line or defaulted.
public struct JobOptions: Sendable {
    /// Each declared option's value, by name.
    public let values: [String: String]

    /// The values, as the engine gathers them (tests may make their own).
    public init(_ values: [String: String]) {
        self.values = values
    }

    /// The option's text.
    public func string(_ name: String) throws -> String {
        guard let value = values[name] else { throw JobOptionError(message: "missing option --\(name)") }
        return value
    }

    /// The option's value as an integer.
    public func int(_ name: String) throws -> Int {
        let text = try string(name)
        guard let value = Int(text) else { throw JobOptionError(message: "--\(name) must be an integer, not '\(text)'") }
        return value
    }
}

/// A bad option value, reported to the user as a usage error.
public struct JobOptionError: Error, CustomStringConvertible {
    /// What is wrong with the value, for the user: "--n must be at least 1".
    public let message: String
    /// A bad value; thrown from ``Job/init(options:)`` it becomes a usage error (exit 64).
    public init(message: String) { self.message = message }
    /// The message.
    public var description: String { message }
}

/// What a compiled job file hands `mr`: its job type. `mr` generates the entry point that
/// creates one, so a job file holds only the job.
public final class JobEntry {
    /// The job the library holds.
    public let jobType: any Job.Type

    /// Wraps the job's type (in the generated entry point).
    public init(_ jobType: any Job.Type) {
        self.jobType = jobType
    }
}

/// An associative, commutative fold of the values of one key, applied inside each map task so
/// that far fewer pairs are written, sorted and merged. `sum`, `minimum`, `maximum` and `custom`
/// fold integer values; `tally` folds `Double` values; `distinct` keeps each distinct text value
/// of a key once.
public enum Combiner: Sendable {
    /// Adds values, as counting jobs need. A sum past Int64's range fails the run (exit 65)
    /// naming the key, never a wrapped number.
    case sum
    /// Keeps the smallest value.
    case minimum
    /// Keeps the largest value.
    case maximum
    /// Any other fold of the value accumulated so far and one more value.
    case custom(@Sendable (_ accumulated: Int64, _ value: Int64) -> Int64)
    /// Keeps each distinct (key, text value) pair once.
    case distinct
    /// Folds `Double` values (`emit(key, double: x)`) into a ``Tally``: count, exact sum,
    /// minimum and maximum, read in reduce with `values.tally()`. The sum is exact until read,
    /// so the output is the same on 1 or N workers.
    case tally
}
