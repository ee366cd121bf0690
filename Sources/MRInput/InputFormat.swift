import MRBase
import MRSystem

/// What an input file holds, told by its first bytes rather than its name: compressed data
/// (gzip, bzip2, zstd or xz: read whatever the name), text, or something that is not text.
package enum InputFormat: Equatable {
    case compressed(Compression)
    case text
    /// Not text: what it looks like, and what to do, for the message.
    case notText(what: String, fix: String)

    /// The sample the decision is made on: the file's first 64 KiB.
    static let sampleSize = 1 << 16

    /// The format of the file at `path` (`size` bytes).
    package static func of(_ path: String, size: Int64) throws -> InputFormat {
        let file = try FileDescriptor.open(reading: path)
        defer { file.close() }
        var sample = [UInt8](repeating: 0, count: Int(min(Int64(sampleSize), size)))
        let count = try sample.withUnsafeMutableBytes { try file.read(into: $0.baseAddress!, count: $0.count, at: 0) }
        return of(sample: sample[0..<count], whole: Int64(count) >= size)
    }

    /// The format of a file that starts with `sample` (all of it when `whole`).
    static func of(sample: ArraySlice<UInt8>, whole: Bool) -> InputFormat {
        let bytes = Array(sample)
        func starts(_ magic: [UInt8]) -> Bool { bytes.starts(with: magic) }
        if starts([0x1F, 0x8B]) { return .compressed(.gzip) }
        if starts(Array("BZh".utf8)), bytes.count > 3, (0x31...0x39).contains(bytes[3]) { return .compressed(.bzip2) }
        if ZstdFrames.startsFrame(sample) { return .compressed(.zstd) }
        if starts([0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00]) { return .compressed(.xz) }
        if let nul = bytes.firstIndex(of: 0) {
            return .notText(what: "does not look like text (a NUL byte at offset \(nul)), so it is not read as records",
                               fix: "leave it out of the input")
        }
        let invalid = invalidUTF8Bytes(bytes, cutAtEnd: !whole)
        if invalid * 100 > bytes.count {
            return .notText(what: "does not look like text (\(invalid) of its first \(bytes.count) bytes are not UTF-8), so it is not read as records",
                               fix: "leave it out of the input")
        }
        return .text
    }

    /// Bytes of `bytes` that are not part of a well-formed UTF-8 sequence; a sequence cut short
    /// at the end does not count when the sample itself was cut (`cutAtEnd`).
    static func invalidUTF8Bytes(_ bytes: [UInt8], cutAtEnd: Bool) -> Int {
        var invalid = 0
        var index = 0
        while index < bytes.count {
            if let (_, length) = PathBytes.scalar(in: bytes, at: index) {
                index += length
                continue
            }
            if cutAtEnd && index + PathBytes.sequenceLength(bytes[index]) > bytes.count
                && bytes[(index + 1)...].allSatisfy({ $0 & 0xC0 == 0x80 }) { break }
            invalid += 1
            index += 1
        }
        return invalid
    }
}
