import MRBase

extension Compression {
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
