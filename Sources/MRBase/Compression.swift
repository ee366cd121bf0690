
/// How a file is compressed: an input, told by its first bytes, or an output (`--compress-output`).
package enum Compression: String, Sendable, CaseIterable {
    case none, gzip, bzip2, zstd, xz

    /// The file name suffix of the format (`.gz`, `.bz2`, `.zst`, `.xz`; none for plain text).
    package var fileSuffix: String {
        switch self {
        case .none: ""
        case .gzip: ".gz"
        case .bzip2: ".bz2"
        case .zstd: ".zst"
        case .xz: ".xz"
        }
    }

    /// What a file's name says, before its first bytes are read.
    package init(fileName: String) {
        self = Self.allCases.first { $0 != .none && fileName.hasSuffix($0.fileSuffix) } ?? .none
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
}
