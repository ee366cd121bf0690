import MRBase

/// What one call to a ``StreamDecoder`` came to.
enum DecodeStatus {
    /// Input or output ran out: give more, or take what was written.
    case progress
    /// A unit ended (a bzip2 or xz stream, a zstd frame) with the bytes consumed; its checks passed.
    case unitEnd
    /// The data is not valid: the library's reason.
    case corrupt(String)
}

/// A decompression library as ``CompressedSource`` drives it: bzip2, zstd or xz.
protocol StreamDecoder: AnyObject {
    /// What one unit of its data is called in messages: a stream, a frame, a member, a block.
    var unitName: String { get }
    /// Decodes from `input` into `output`; returns the bytes consumed and produced, and the status.
    /// `inputEnds`: no input follows this (xz wants to be told to finish).
    func decode(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer,
                inputEnds: Bool) -> (consumed: Int, produced: Int, status: DecodeStatus)
    /// Gets ready for the next unit after ``DecodeStatus/unitEnd`` (a bzip2 stream after another).
    func startNextUnit() throws
}
