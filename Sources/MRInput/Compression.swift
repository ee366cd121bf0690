import MRBase

/// How an input file is compressed, told by its first bytes (``InputFormat``).
package enum Compression: String, Sendable, CaseIterable {
    case none, gzip, bzip2, zstd, xz

    /// What a file's name says (`.gz`, `.bz2`, `.zst`, `.xz`), before its first bytes are read.
    package init(fileName: String) {
        let suffixes: [(String, Compression)] = [(".gz", .gzip), (".bz2", .bzip2), (".zst", .zstd), (".xz", .xz)]
        self = suffixes.first { fileName.hasSuffix($0.0) }?.1 ?? .none
    }

    /// The format's name in messages and the run summary.
    package var name: String { rawValue }

    /// How many bytes of text one compressed byte is taken to hold, to weigh a file before it
    /// is read: on the low side of what text gives (man pages: gzip -6 6.0, bzip2 -9 8.9,
    /// zstd -3 8.3, xz -6 12.2), in the proportions of those figures.
    package var expansion: Int64 {
        switch self {
        case .none: 1
        case .gzip: 3
        case .bzip2, .zstd: 4
        case .xz: 6
        }
    }

    /// The format's decoder (gzip's inflating with `inflater`).
    func decoder(inflater: Inflater) throws -> StreamDecoder {
        switch self {
        case .gzip: try GzipDecoder(inflater: inflater)
        case .bzip2: try Bzip2Decoder()
        case .zstd: try ZstdDecoder()
        case .xz: try XzDecoder()
        case .none: preconditionFailure("plain text has no decoder")
        }
    }
}
