/// One input line, as ``Job/map(_:_:)`` receives it.
public struct Record {
    /// The line's bytes, without `\n` or `\r\n` (for a job that ``Job/mapsBlocksOfLines``, whole
    /// lines with their line ends). Valid only during the `map` call.
    public let bytes: ByteSlice
    /// Byte offset of the line's first byte in the uncompressed file.
    public var offset: Int64 {
        if knownOffset < 0 { Self.positionUnknown() }
        return knownOffset
    }
    /// 1-based number of the line in its file.
    public var lineNumber: Int64 {
        if knownLineNumber < 0 { Self.positionUnknown() }
        return knownLineNumber
    }
    private let knownOffset: Int64
    private let knownLineNumber: Int64
    // unowned(unsafe): the engine keeps the file alive for the whole task; a strong reference
    // would cost two atomic reference-count operations per line.
    private unowned(unsafe) let source: InputFile

    /// The input file the line comes from.
    public var file: InputFile { source }

    /// Creates a record; the engine does this, tests may too. A negative offset and line number
    /// say that the line's place in its file is unknown (see ``Job/readsLinePositions``).
    public init(bytes: ByteSlice, offset: Int64, lineNumber: Int64, file: InputFile) {
        self.bytes = bytes
        self.knownOffset = offset
        self.knownLineNumber = lineNumber
        self.source = file
    }

    @inline(never)
    private static func positionUnknown() -> Never {
        fatalError("this job reads a record's offset or line number but declares readsLinePositions = false; remove that declaration")
    }
}

/// An input file as jobs see it.
public final class InputFile: Sendable {
    /// The path as found on disk, in mr's name escaping: a backslash is written `\\` and a byte
    /// that is not UTF-8 `\xNN`, so two files never get the same path (the escaping is
    /// reversible).
    public let path: String
    /// The path relative to the input argument it was found under (the file name for a file
    /// given directly): a stable name for the document whatever directory `mr` runs in. Escaped
    /// as ``path`` is.
    public let name: String

    /// Creates an input file description.
    public init(path: String, name: String) {
        self.path = path
        self.name = name
    }
}
