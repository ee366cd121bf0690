import MRBase
import MRSystem

/// A bzip2, zstd or xz file read as its text, through the format's library (``StreamDecoder``):
/// unit after unit (streams, frames), zero padding after the last one accepted as gzip's is.
/// It also reads a stream that cannot seek (standard input), in any of the four formats.
/// Started at a unit start (a zstd frame the planner found), it reads from there, and when a
/// unit ends exactly at `boundary` (the next split's start) it says where the split's records
/// end (``recordsEnd``), reading on so that the last line can be finished.
///
/// Damage is bad input naming the file, the format and the compressed byte offset; the text
/// decoded before it is handed out first, so that `--skip-bad-input` keeps those records.
package final class CompressedSource: ByteSource {
    private static let inputCapacity = 1 << 18
    private let compression: Compression
    private let decoder: StreamDecoder
    private let file: FileDescriptor
    /// Read with read(2), not at offsets: a pipe.
    private let isSequential: Bool
    private let input: UnsafeMutableRawPointer
    /// File offset of the input buffer's first byte, the bytes in it, and the bytes consumed.
    private var inputFileOffset: Int64
    private var inputCount = 0
    private var inputUsed = 0
    private var fileEnded = false
    /// Bytes consumed since the last unit ended: the file may not end among them.
    private var insideUnit = false
    /// Where the unit being read starts, for messages (libzstd reports damage at a frame's end
    /// without saying how far it read).
    private var unitStart: Int64
    private var unitsDone = 0
    private var atEnd = false
    private var produced: Int64 = 0
    private var deferredError: MRError?
    private var boundary: Int64?
    package private(set) var recordsEnd: Int64?

    /// Reads the file at `path` from compressed byte `start` (a unit start), its split ending at
    /// the unit that ends at `boundary` (nil: the file's end).
    package convenience init(path: String, compression: Compression, from start: Int64 = 0, boundary: Int64? = nil) throws {
        let file = try FileDescriptor.open(reading: path)
        let decoder: StreamDecoder
        do {
            // Part of an xz file: block by block, from its index (a stream decoder reads whole streams).
            decoder = compression == .xz && (start > 0 || boundary != nil)
                ? try XzBlockDecoder(file: file, size: try file.size(), from: start) : try compression.decoder(inflater: .zlib)
        } catch {
            file.close()
            throw error
        }
        try self.init(file: file, isSequential: false, decoder: decoder, compression: compression, from: start, boundary: boundary)
    }

    /// Reads `stream` to its end with read(2), `firstBytes` (already read from it) first.
    package convenience init(sequential stream: FileDescriptor, compression: Compression, inflater: Inflater, firstBytes: [UInt8]) throws {
        precondition(firstBytes.count <= Self.inputCapacity, "more first bytes than the input buffer holds")
        try self.init(file: stream, isSequential: true, decoder: try compression.decoder(inflater: inflater), compression: compression,
                      from: 0, boundary: nil)
        firstBytes.withUnsafeBytes { input.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        inputCount = firstBytes.count
    }

    private init(file: FileDescriptor, isSequential: Bool, decoder: StreamDecoder, compression: Compression, from start: Int64, boundary: Int64?) throws {
        self.file = file
        self.isSequential = isSequential
        self.decoder = decoder
        self.compression = compression
        inputFileOffset = start
        unitStart = start
        self.boundary = boundary
        input = .allocate(byteCount: Self.inputCapacity, alignment: 16)
    }

    deinit {
        input.deallocate()
        if !isSequential { file.close() }
    }

    private var compressedOffset: Int64 { inputFileOffset + Int64(inputUsed) }

    package func read(into buffer: UnsafeMutableRawPointer, capacity: Int) throws -> Int {
        if let deferredError { throw deferredError }
        var written = 0
        do {
            while written < capacity && !atEnd {
                if inputUsed == inputCount && !fileEnded { try refill() }
                let (consumed, made, status) = decoder.decode(
                    UnsafeRawBufferPointer(start: input + inputUsed, count: inputCount - inputUsed),
                    into: UnsafeMutableRawBufferPointer(start: buffer + written, count: capacity - written),
                    inputEnds: fileEnded)
                inputUsed += consumed
                written += made
                if consumed > 0 { insideUnit = true }
                switch status {
                case .progress:
                    if consumed == 0 && made == 0 && fileEnded && inputUsed == inputCount {
                        guard !insideUnit else { throw damaged("truncated \(compression.name) data (the file ends inside a \(unitName))") }
                        guard unitsDone > 0 else { throw damaged("no \(compression.name) data") }
                        atEnd = true
                    }
                case .unitEnd:
                    insideUnit = false
                    unitsDone += 1
                    unitStart = compressedOffset
                    if let boundary, compressedOffset >= boundary { try reachedBoundary(boundary, uncompressed: produced + Int64(written)) }
                    try afterUnit()
                case .corrupt(let reason):
                    throw damaged("corrupt \(compression.name) data (\(reason))")
                }
            }
        } catch let error as MRError where error.kind == .badInput && written > 0 {
            deferredError = error
        }
        produced += Int64(written)
        return written
    }

    private func refill() throws {
        inputFileOffset += Int64(inputCount)
        inputCount = isSequential ? try file.read(into: input, count: Self.inputCapacity)
            : try file.read(into: input, count: Self.inputCapacity, at: inputFileOffset)
        inputUsed = 0
        fileEnded = inputCount == 0
    }

    /// Whether only zero bytes follow, from the next unread one to the end.
    private func onlyZerosFollow() throws -> Bool {
        guard isSequential else { return try file.holdsOnlyZeros(from: compressedOffset) }
        while true {
            for index in inputUsed..<inputCount where input.load(fromByteOffset: index, as: UInt8.self) != 0 {
                inputUsed = index
                return false
            }
            inputUsed = inputCount
            try refill()
            if fileEnded { return true }
        }
    }

    /// After a unit: the file's end, zero padding to it, or the next unit.
    private func afterUnit() throws {
        if inputUsed == inputCount && !fileEnded { try refill() }
        if fileEnded && inputUsed == inputCount {
            atEnd = true
        } else if input.load(fromByteOffset: inputUsed, as: UInt8.self) == 0 {
            guard try onlyZerosFollow() else {
                throw damaged("data that is neither \(compression.name) nor zero padding after a \(unitName)")
            }
            atEnd = true
        } else {
            try decoder.startNextUnit()
        }
    }

    /// A unit ended at or past the next split's start: exactly there, the split's records end
    /// with the line that starts there; past it, the plan's unit start was not one.
    private func reachedBoundary(_ boundary: Int64, uncompressed: Int64) throws {
        guard compressedOffset == boundary else {
            throw MRError(.wrongSplit, "a \(compression.name) \(unitName) start planned at compressed byte \(boundary) of \(file.path) is not one")
        }
        self.boundary = nil
        recordsEnd = uncompressed + 1
    }

    private var unitName: String { decoder.unitName }

    private func damaged(_ what: String) -> MRError {
        let place = compressedOffset > unitStart ? "at compressed byte offset \(compressedOffset)"
            : "in the \(unitName) that starts at compressed byte offset \(unitStart)"
        return MRError(.badInput, "\(file.path): \(what) \(place); re-download or recompress the file, or remove it from the input")
    }
}
