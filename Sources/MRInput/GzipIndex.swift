import MRBase
import MRSystem
import MapReduce
#if canImport(Glibc)
import Glibc
#endif

/// Access points into a single-member gzip file, after zlib's examples/zran.c, so that pieces of
/// one large `.gz` can be inflated in parallel: at a deflate block boundary, the compressed offset
/// (and bit), the uncompressed offset, the 32 KiB of text before it (the dictionary the next
/// blocks may refer to), and how many lines came before it.
///
/// Saved as `FILE.gz.mrindex` beside the data (or in the cache folder if that is read-only),
/// read back only if this user wrote it, stamped with the file's size, modification time and 8-byte trailer: a stale or damaged index
/// is rejected and rebuilt, never trusted.
package struct GzipIndex: Sendable {
    package struct AccessPoint: Sendable {
        package let compressedOffset: Int64
        /// Bits of the byte before `compressedOffset` that belong to the next block (0-7).
        let bits: Int
        package let uncompressedOffset: Int64
        let linesBefore: Int64
        /// The 32 KiB of uncompressed text before the point (zeros before the file's start).
        let window: [UInt8]

        /// The last byte before the point: tells whether a line starts exactly here.
        var byteBefore: UInt8 { window[window.count - 1] }

        /// The file's start, read as gzip.
        static let fileStart = AccessPoint(compressedOffset: 0, bits: 0, uncompressedOffset: 0, linesBefore: 0,
                                           window: [UInt8](repeating: 0, count: windowSize))
    }

    /// What identifies the indexed file's bytes.
    struct Stamp: Equatable, Sendable {
        let size: Int64
        let modified: Int64  // nanoseconds
        let trailer: [UInt8]
    }

    static let windowSize = 32768
    /// Appended to the data file's name for the index kept beside it.
    static let fileSuffix = ".mrindex"
    /// Version 2's first point is the file's start, read as gzip; version 1's was the first
    /// block, read as raw deflate. mr reads both; an older mr finds version 2 not its own and
    /// builds its index again, rather than inflate the gzip header as deflate data.
    static let magic = Array("MRGZIDX2".utf8)
    static let firstVersionMagic = Array("MRGZIDX1".utf8)

    let stamp: Stamp
    package let points: [AccessPoint]
    package let uncompressedSize: Int64
    /// Gzip members in the file (concatenated files, BGZF blocks): the trailer's CRC-32 covers
    /// the whole text only when there is one.
    package let members: Int

    /// The stamp of the file as it is now.
    static func stamp(of path: String) throws -> Stamp {
        var info = stat()
        guard path.withPathCString({ stat($0, &info) }) == 0 else { throw MRError.system(.noInput, "read", path, errno: errno) }
        let file = try FileDescriptor.open(reading: path)
        defer { file.close() }
        var trailer = [UInt8](repeating: 0, count: 8)
        let count = try trailer.withUnsafeMutableBytes { try file.read(into: $0.baseAddress!, count: 8, at: max(Int64(info.st_size) - 8, 0)) }
        return Stamp(size: Int64(info.st_size), modified: Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec),
                     trailer: Array(trailer[0..<count]))
    }

    /// The text size the trailer of a gzip file about to be relayed states, if it is the whole
    /// text's: the trailer gives its last member's, modulo 4 GiB. So only for a file scanned for
    /// members without finding any past its start (`membersScanned`), under 256 MB (its text is
    /// then under 4 GiB at any usual ratio), whose stated text is no smaller than it.
    static func statedTextSize(of entry: InputEntry, membersScanned: Bool) -> Int64? {
        guard membersScanned, entry.size < 256 << 20, let trailer = try? stamp(of: entry.path).trailer, trailer.count == 8,
              case let stated = Int64(littleEndianValue(trailer[4..<8])), stated >= entry.size else { return nil }
        return stated
    }

    /// Inflates the whole file once with ISA-L, member after member, taking an access point about
    /// every `span` uncompressed bytes (at deflate block starts, so also inside members; the first
    /// is the file's start).
    package static func build(path: String, span: Int64) throws -> GzipIndex {
        let stamp = try stamp(of: path)
        let source = try GzipSource(path: path, inflater: .isal, blockStartSpan: span)
        // The 32 KiB before the text just read (zeros before the file's start), then that text:
        // a point's window lies inside.
        let capacity = 1 << 20
        let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: windowSize + capacity)
        buffer.initialize(repeating: 0, count: windowSize)
        defer { buffer.deallocate() }
        let text = buffer + windowSize
        var points = [AccessPoint.fileStart]
        var textRead: Int64 = 0, lines: Int64 = 0
        while case let count = try source.read(into: text, capacity: capacity), count > 0 {
            var counted = 0  // bytes of this read whose line ends are in `lines`
            for start in source.takeBlockStarts() {
                let at = Int(start.uncompressedOffset - textRead)
                lines += countNewlines(text + counted, at - counted)
                counted = at
                points.append(AccessPoint(at: start, linesBefore: lines,
                                          window: Array(UnsafeBufferPointer(start: text + at - windowSize, count: windowSize))))
            }
            lines += countNewlines(text + counted, count - counted)
            textRead += Int64(count)
            memmove(buffer, buffer + count, windowSize)  // the last 32 KiB, before the next read
        }
        return GzipIndex(stamp: stamp, points: points, uncompressedSize: textRead, members: source.membersDone)
    }

    /// Access points about a quarter of a split apart (within 256 KiB - 4 MiB), so splits can be
    /// made of a few of them.
    static func span(forSplitSize splitSize: Int64) -> Int64 {
        min(max(splitSize / 4, 256 << 10), 4 << 20)
    }

    /// The file's valid saved index, or a new one built and saved.
    package static func loadOrBuild(for path: String, span: Int64) throws -> (index: GzipIndex, location: String) {
        let cache = cacheDirectory()
        if let found = load(for: path, cacheDirectory: cache) { return found }
        let index = try build(path: path, span: span)
        return (index, try index.save(besides: path, cacheDirectory: cache))
    }

    // MARK: - Saving and loading

    /// Where the index of `path` is kept: beside it, or in the cache folder.
    static func locations(for path: String, cacheDirectory: String) -> [String] {
        let name = String(SHA256.hex(of: Array(path.utf8)).prefix(32))
        return [path + fileSuffix, "\(cacheDirectory)/gzindex/\(name)\(fileSuffix)"]
    }

    package func save(besides path: String, cacheDirectory: String) throws -> String {
        var bytes = Self.magic
        func append(_ value: Int64) { withUnsafeBytes(of: value.littleEndian) { bytes += $0 } }
        append(stamp.size)
        append(stamp.modified)
        bytes += stamp.trailer + [UInt8](repeating: 0, count: 8 - stamp.trailer.count)
        append(uncompressedSize)
        append(Int64(members))
        append(Int64(points.count))
        for point in points { Self.append(point, to: &bytes) }
        append(Int64(bytes.withUnsafeBytes { checksum(0, $0.baseAddress!, $0.count) }))
        for location in Self.locations(for: path, cacheDirectory: cacheDirectory) {
            if (try? writeBytes(bytes, to: location)) != nil { return location }
        }
        throw MRError(.io, "cannot save the index of '\(path)' beside it or in \(cacheDirectory)/gzindex")
    }

    /// Appends `point` as an index file holds it.
    static func append(_ point: AccessPoint, to bytes: inout [UInt8]) {
        for value in [point.compressedOffset, Int64(point.bits), point.uncompressedOffset, point.linesBefore] {
            withUnsafeBytes(of: value.littleEndian) { bytes += $0 }
        }
        bytes += point.window
    }

    private func writeBytes(_ bytes: [UInt8], to location: String) throws {
        try FileSystem.makeDirectories(FileSystem.parentDirectory(location), mode: 0o700)
        try bytes.withUnsafeBytes { try FileSystem.replaceFile(location, bytes: $0) }
    }

    /// Deletes the saved index of `path`, wherever it is.
    package static func remove(for path: String, cacheDirectory: String) {
        for location in locations(for: path, cacheDirectory: cacheDirectory) { FileSystem.remove(location) }
    }

    /// The saved index of `path` if one exists, is intact and matches the file as it is now.
    package static func load(for path: String, cacheDirectory: String) -> (index: GzipIndex, location: String)? {
        guard let current = try? stamp(of: path) else { return nil }
        for location in locations(for: path, cacheDirectory: cacheDirectory) {
            // Only an index this user wrote: one another user could have written is not read.
            if let bytes = try? FileSystem.readOwnFile(location), let index = decode(bytes), index.stamp == current {
                return (index, location)
            }
        }
        return nil
    }

    /// Bytes before the first access point, and of each point, in a saved index.
    private static let headerSize = magic.count + 6 * 8
    static let pointSize = 4 * 8 + windowSize

    /// Access point `number` of the index saved at `indexPath`, read alone: what a map task
    /// needs. The coordinator checked the whole index when it planned the run; this checks that
    /// the point is still the planned one (at `uncompressedOffset`) and that the data file has
    /// not changed since.
    static func point(_ number: Int, at uncompressedOffset: Int64, savedAt indexPath: String, for dataPath: String) throws -> AccessPoint {
        let changed = MRError(.internal, "the index \(indexPath) of \(dataPath) changed during the run")
        let file = try FileDescriptor.open(readingOwn: indexPath)
        defer { file.close() }
        var header = [UInt8](repeating: 0, count: headerSize)
        var record = [UInt8](repeating: 0, count: pointSize)
        guard try header.withUnsafeMutableBytes({ try file.read(into: $0.baseAddress!, count: headerSize, at: 0) }) == headerSize,
              try record.withUnsafeMutableBytes({
                  try file.read(into: $0.baseAddress!, count: pointSize, at: Int64(headerSize + number * pointSize))
              }) == pointSize,
              let fields = Self.header(header[...]), fields.stamp == (try stamp(of: dataPath)), number < fields.pointCount,
              let point = accessPoint(record[...]), point.uncompressedOffset == uncompressedOffset
        else { throw changed }
        return point
    }

    /// Parses an index file; nil if it is damaged in any way.
    package static func decode(_ bytes: [UInt8]) -> GzipIndex? {
        guard bytes.count >= headerSize + 8, let fields = header(bytes[0..<headerSize]) else { return nil }
        let body = bytes.count - 8
        let stored = bytes[body...].withUnsafeBytes { $0.loadUnaligned(as: Int64.self) }
        guard Int64(littleEndian: stored) == Int64(bytes[..<body].withUnsafeBytes { checksum(0, $0.baseAddress!, $0.count) }),
              body == headerSize + fields.pointCount * pointSize else { return nil }
        var points: [AccessPoint] = []
        for offset in stride(from: headerSize, to: body, by: pointSize) {
            guard let point = accessPoint(bytes[offset..<offset + pointSize]), point.compressedOffset <= fields.stamp.size,
                  point.uncompressedOffset <= fields.uncompressedSize,
                  point.uncompressedOffset >= (points.last?.uncompressedOffset ?? 0) else { return nil }
            points.append(point)
        }
        return GzipIndex(stamp: fields.stamp, points: points, uncompressedSize: fields.uncompressedSize, members: fields.members)
    }

    /// The fields before the access points: magic, stamp, sizes, counts; nil if they are not sane.
    private static func header(_ bytes: ArraySlice<UInt8>) -> (stamp: Stamp, uncompressedSize: Int64, members: Int, pointCount: Int)? {
        guard bytes.count == headerSize, [magic, firstVersionMagic].contains(Array(bytes.prefix(magic.count))) else { return nil }
        let size = field(bytes, magic.count), members = field(bytes, magic.count + 32), count = field(bytes, magic.count + 40)
        guard size >= 0, members >= 1, count >= 0, count < 1 << 24 else { return nil }
        let trailerStart = bytes.startIndex + magic.count + 16
        let trailer = Array(bytes[trailerStart..<trailerStart + Int(min(size, 8))])
        return (Stamp(size: size, modified: field(bytes, magic.count + 8), trailer: trailer), field(bytes, magic.count + 24),
                Int(members), Int(count))
    }

    /// One saved access point; nil if its bit count is not 0-7.
    static func accessPoint(_ bytes: ArraySlice<UInt8>) -> AccessPoint? {
        guard bytes.count == pointSize, case let bits = field(bytes, 8), (0...7).contains(bits) else { return nil }
        return AccessPoint(compressedOffset: field(bytes, 0), bits: Int(bits), uncompressedOffset: field(bytes, 16),
                           linesBefore: field(bytes, 24), window: Array(bytes.dropFirst(32)))
    }

    /// The little-endian number `offset` bytes into `bytes`.
    static func field(_ bytes: ArraySlice<UInt8>, _ offset: Int) -> Int64 {
        Int64(littleEndian: bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: Int64.self) })
    }
}

extension GzipIndex.AccessPoint {
    /// The point at a deflate block start, with the lines and the 32 KiB of text before it.
    init(at start: GzipSource.BlockStart, linesBefore: Int64, window: [UInt8]) {
        let bitsInByteBefore = (8 - start.bit % 8) % 8
        self.init(compressedOffset: (start.bit + bitsInByteBefore) / 8, bits: Int(bitsInByteBefore),
                  uncompressedOffset: start.uncompressedOffset, linesBefore: linesBefore, window: window)
    }
}
