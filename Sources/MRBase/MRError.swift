import MapReduce
#if canImport(Glibc)
import Glibc
#endif
/// A failure `mr` reports to its user: a message saying what went wrong and what to do, and the
/// kind of failure, which picks the exit status (sysexits.h values, so scripts can tell them apart).
package struct MRError: Error, CustomStringConvertible, Sendable {
    package enum Kind: UInt8, Sendable {
        /// Bad command line: unknown job, bad option value.
        case usage
        /// Input that is not what it claims: corrupt gzip, unreadable records.
        case badInput
        /// An input path that does not exist or cannot be read.
        case noInput
        /// The output directory cannot be created or may not be replaced.
        case cannotCreateOutput
        /// Reading or writing files failed (disk full, permissions in the work dir).
        case io
        /// A task failed every attempt, or the job's own code failed.
        case taskFailed
        /// A job file that does not compile (or declares no job).
        case jobDoesNotCompile
        /// A file mr would load code from that someone else could have written (the job cache).
        case untrusted
        /// A bug in mr.
        case `internal`
        /// A split planned at a guessed gzip member start that is not one: the coordinator plans
        /// again without guessing (users do not see it).
        case wrongSplit

        /// The process exit status for this kind.
        package var exitStatus: Int32 {
            switch self {
            case .usage: 64
            case .badInput: 65
            case .noInput: 66
            case .cannotCreateOutput: 73
            case .io: 74
            case .taskFailed: 75
            case .untrusted: 77
            case .jobDoesNotCompile: 78
            case .internal, .wrongSplit: 70
            }
        }
    }

    package let kind: Kind
    package let message: String
    /// The errno of the failed system call behind it, if one is (``system(_:_:_:errno:)``).
    package let errorNumber: Int32?

    package init(_ kind: Kind, _ message: String, errorNumber: Int32? = nil) {
        self.kind = kind
        self.message = message
        self.errorNumber = errorNumber
    }

    package var description: String { message }
}

extension MRError {
    /// An error for a failed system call on `path`, with the system's reason.
    package static func system(_ kind: Kind, _ action: String, _ path: String, errno code: Int32) -> MRError {
        MRError(kind, "cannot \(action) '\(path)': \(systemMessage(code))", errorNumber: code)
    }
}

extension MRError {
    /// The values of one key summed past Int64's range: bad input for this job, never a wrapped
    /// number in its output.
    package static func sumOverflow<Key: Collection>(job: String, key: Key) -> MRError where Key.Element == UInt8 {
        MRError(.badInput, "job \(job): the sum of the values of key '\(String(decoding: key, as: UTF8.self))' passes the range of Int64 "
            + "(\(Int64.min) to \(Int64.max)); emit smaller values, or sum them into a wider type in reduce")
    }
}

extension MRError {
    /// A reduce that wrote a key before one it had already written: the output would not be
    /// sorted, which every part file promises, so the job fails instead.
    package static func unsortedOutput(job: String, _ keys: (key: [UInt8], after: [UInt8])) -> MRError {
        MRError(.taskFailed, "job \(job): reduce wrote key '\(String(decoding: keys.key, as: UTF8.self))' after "
            + "'\(String(decoding: keys.after, as: UTF8.self))', so its output would not be sorted; a reduce emits the key it is given "
            + "(or keys that sort after it), once per call")
    }
}

extension MRError {
    /// A reduce that read a value as the type it is not (`.int` of text, `.bytes` of an integer).
    package static func wrongValueType(job: String, key: ByteSlice) -> MRError {
        MRError(.taskFailed, "job \(job): reduce read a value of key '\(String(decoding: key, as: UTF8.self))' as the wrong type "
            + "(an integer as text, or text as an integer); switch on the Value's case, or emit one type per key")
    }
}

/// The C library's text for an errno value.
package func systemMessage(_ code: Int32) -> String {
    String(cString: strerror(code))
}
