import CLinuxShims
import Foundation
import MapReduce
@testable import MRBase
@testable import MRSystem
@testable import MRInput
import TestSupport
import XCTest

/// The gzip reader (with each inflater) and the gzip index.
final class GzipTests: UnitTestCase {
    /// The member scan's search for `1F 8B 08` finds it first, wherever it lies (the start, the
    /// last three bytes), past near misses, and finds nothing where it is absent.
    func testTheMemberMagicIsFoundWhereverItLies() {
        let magic: [UInt8] = [0x1F, 0x8B, 8]
        var haystack = [UInt8](repeating: 0x1F, count: 1000)  // the first byte everywhere
        for index in stride(from: 1, to: haystack.count, by: 3) { haystack[index] = 0x8B }  // near misses: 1F 8B 1F
        func find(_ bytes: [UInt8]) -> Int? {
            bytes.withUnsafeBytes { raw in
                magic.withUnsafeBufferPointer { needle in
                    mr_find_three_bytes(raw.baseAddress, UInt(raw.count), needle.baseAddress).map { raw.baseAddress!.distance(to: UnsafeRawPointer($0)) }
                }
            }
        }
        XCTAssertNil(find(haystack))
        XCTAssertNil(find(Array(magic.prefix(2))))
        for at in [0, 1, 500, 997] {
            var planted = haystack
            planted.replaceSubrange(at..<at + 3, with: magic)
            if at != 997 { planted.replaceSubrange(997..<1000, with: magic) }  // a later one is not the first
            XCTAssertEqual(find(planted), at)
        }
    }

    /// The planner looks for a second member only so far past the first split point: further
    /// on, the file is taken for one member (and relayed); `mr inspect` looks to the end.
    func testTheFirstMemberStartIsLookedForOnlyWithinReach() throws {
        let (path, texts) = try fourMembers()
        let size = Int64(try Data(contentsOf: URL(fileURLWithPath: path)).count)
        let compressedFirst = Int64(try Data(contentsOf: URL(fileURLWithPath: path)).count) * Int64(texts[0].count)
            / Int64(texts.map(\.count).reduce(0, +))  // about where the second member starts
        let everywhere = try XCTUnwrap(GzipMembers.splitPoints(path: path, size: size, spacing: 1))
        XCTAssertEqual(everywhere.starts.count, 3)
        XCTAssertNil(try GzipMembers.splitPoints(path: path, size: size, spacing: 1, reach: compressedFirst / 4))
        XCTAssertEqual(try GzipMembers.splitPoints(path: path, size: size, spacing: 1, reach: 2 * compressedFirst)?.starts,
                       everywhere.starts, "once one is found, the rest are looked for to the end")
    }

    func testGzipSourceReadsEveryMemberAndNamesTheOffsetOfDamage() throws {
        let path = directory.appendingPathComponent("two.gz").path
        try shell("printf 'one\\n' | gzip -n > \(path) && printf 'two\\n' | gzip -n >> \(path)")
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: 3, alignment: 1)  // tiny: many calls
        defer { buffer.deallocate() }
        let truncated = directory.appendingPathComponent("cut.gz").path
        try Data(try Data(contentsOf: URL(fileURLWithPath: path)).prefix(30)).write(to: URL(fileURLWithPath: truncated))
        for inflater in Inflater.allCases {
            let source = try GzipSource(path: path, inflater: inflater)
            var text: [UInt8] = []
            while case let count = try source.read(into: buffer, capacity: 3), count > 0 {
                text += UnsafeRawBufferPointer(start: buffer, count: count)
            }
            XCTAssertEqual(String(decoding: text, as: UTF8.self), "one\ntwo\n", "\(inflater)")

            let cut = try GzipSource(path: truncated, inflater: inflater)
            XCTAssertThrowsError(try { while try cut.read(into: buffer, capacity: 3) > 0 {} }()) { error in
                XCTAssertEqual((error as? MRError)?.kind, .badInput)
                XCTAssertTrue("\(error)".contains("cut.gz") && "\(error)".contains("truncated"), "\(inflater): \(error)")
            }
        }
    }

    func testGzipIndexRoundTripsAndRejectsEveryDamagedCopy() throws {
        let path = directory.appendingPathComponent("text.gz").path
        // Words from a simple generator: text that compresses like prose, into many deflate blocks.
        var state: UInt64 = 7
        var text = ""
        for _ in 0..<40_000 {
            for word in 0..<6 {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                let length = 3 + Int((state >> 60) % 6)
                for letter in 0..<length {
                    let code = 97 + UInt8((state >> UInt64(8 * letter + 8)) % 26)
                    text.unicodeScalars.append(UnicodeScalar(code))
                }
                text += word == 5 ? "\n" : " "
            }
        }
        try shell("gzip -n -c > '\(path)'", input: Data(text.utf8))

        let index = try GzipIndex.build(path: path, span: 64 << 10)
        XCTAssertEqual(index.members, 1)
        XCTAssertGreaterThan(index.points.count, 4)
        XCTAssertEqual(index.uncompressedSize, Int64(text.utf8.count))
        let location = try index.save(besides: path, cacheDirectory: directory.path)
        let bytes = try FileSystem.readFile(location)
        let loaded = try XCTUnwrap(GzipIndex.load(for: path, cacheDirectory: directory.path))
        XCTAssertEqual(loaded.index.points.map(\.uncompressedOffset), index.points.map(\.uncompressedOffset))

        // Version 2: the first point is the file's start, read as gzip. An mr that knows only
        // version 1 (whose first point was the first deflate block, read raw) must not take it
        // for its own, or it would inflate the gzip header as deflate data.
        XCTAssertEqual(Array(bytes.prefix(8)), Array("MRGZIDX2".utf8))
        XCTAssertEqual(index.points[0].compressedOffset, 0)
        // A version 1 index is still read: its first point, at the deflate data after the
        // 10-byte header `gzip -n` writes, gives the text from the start.
        var firstVersion = Array("MRGZIDX1".utf8) + bytes[8..<(bytes.count - 8)]
        let firstPointOffset = 8 + 6 * 8
        withUnsafeBytes(of: Int64(10).littleEndian) { firstVersion.replaceSubrange(firstPointOffset..<firstPointOffset + 8, with: $0) }
        let sum = Int64(firstVersion.withUnsafeBytes { checksum(0, $0.baseAddress!, $0.count) })
        withUnsafeBytes(of: sum.littleEndian) { firstVersion += $0 }
        let firstVersionIndex = try XCTUnwrap(GzipIndex.decode(firstVersion))
        XCTAssertEqual(firstVersionIndex.points[0].compressedOffset, 10)
        let start = UnsafeMutableRawPointer.allocate(byteCount: 100, alignment: 1)
        defer { start.deallocate() }
        for inflater in Inflater.allCases {
            let count = try GzipSource(path: path, inflater: inflater, from: firstVersionIndex.points[0]).read(into: start, capacity: 100)
            XCTAssertEqual(Array(UnsafeRawBufferPointer(start: start, count: count)), Array(text.utf8.prefix(100)), "\(inflater)")
        }

        // Every point inflates to the text that follows it.
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: 100, alignment: 1)
        defer { buffer.deallocate() }
        let utf8 = Array(text.utf8)
        for inflater in Inflater.allCases {
            for point in index.points {
                let count = try GzipSource(path: path, inflater: inflater, from: point).read(into: buffer, capacity: 100)
                let start = Int(point.uncompressedOffset)
                XCTAssertEqual(Array(UnsafeRawBufferPointer(start: buffer, count: count)), Array(utf8[start..<min(start + 100, utf8.count)]),
                               "\(inflater), point at \(start)")
            }
        }
        // From a point to the member's end, over its trailer, and on through a second member:
        // ISA-L reads ahead of the deflate data's end, and must give those bytes back.
        let twoMembers = directory.appendingPathComponent("two-members.gz").path
        try shell("cat '\(path)' > '\(twoMembers)' && printf 'after\\n' | gzip -n >> '\(twoMembers)'")
        for inflater in Inflater.allCases {
            for point in index.points {
                let source = try GzipSource(path: twoMembers, inflater: inflater, from: point)
                var rest: [UInt8] = []
                while case let count = try source.read(into: buffer, capacity: 100), count > 0 {
                    rest += UnsafeRawBufferPointer(start: buffer, count: count)
                }
                XCTAssertEqual(rest, Array(utf8[Int(point.uncompressedOffset)...]) + Array("after\n".utf8),
                               "\(inflater), point at \(point.uncompressedOffset)")
            }
        }
        // A flipped byte anywhere, or a cut, makes the index unreadable rather than wrong.
        for offset in stride(from: 0, to: bytes.count, by: 997) {
            var damaged = bytes
            damaged[offset] ^= 0x20
            XCTAssertNil(GzipIndex.decode(damaged), "flipped byte \(offset) went unnoticed")
        }
        XCTAssertNil(GzipIndex.decode(Array(bytes.dropLast(9))))
    }

    /// The index is taken by ISA-L, which cannot be asked to stop between deflate blocks: every
    /// point it finds must hold the window and line count of the text before it, in every member
    /// of a file whose members carry long header fields (a name and a comment longer than the
    /// steps the builder feeds) and include an empty one.
    func testEveryAccessPointHoldsTheTextAndLinesBeforeItAcrossMembersAndLongHeaders() throws {
        let (path, texts) = try fourMembers()
        let whole = texts.flatMap { $0 }
        let index = try GzipIndex.build(path: path, span: 16 << 10)
        XCTAssertEqual(index.members, 4)
        XCTAssertEqual(index.uncompressedSize, Int64(whole.count))
        // ISA-L is seen between blocks only now and then (a point comes some blocks after it is due).
        XCTAssertGreaterThanOrEqual(index.points.filter { $0.uncompressedOffset > Int64(texts[0].count) }.count, 2,
                                    "points in later members: \(index.points.map(\.uncompressedOffset)), members end at \(texts.map(\.count))")
        try checkPoints(of: index, path: path, whole: whole)
    }

    /// A first run's tasks relay the file: each piece starts where the one before ended (inflated
    /// beside the reading or before it), and together they read the text once, each with its
    /// own CRC-32, and leave an index as good as a whole inflate's. Damage ends the text where it begins: the piece that
    /// meets it reads up to it, the pieces after it are empty, and no index is made.
    func testRelayedPiecesReadTheTextOnceAndLeaveAnIndexOrStopAtDamage() throws {
        let (path, texts) = try fourMembers()
        let whole = texts.flatMap { $0 }
        let size = Int64(try Data(contentsOf: URL(fileURLWithPath: path)).count)
        let truncated = directory.appendingPathComponent("cut.gz").path
        try Data(try Data(contentsOf: URL(fileURLWithPath: path)).prefix(Int(size) * 6 / 10)).write(to: URL(fileURLWithPath: truncated))
        let buffer = GrowingBuffer(capacity: 4096)  // small: it grows while a piece is inflated
        let scratch = UnsafeMutableRawPointer.allocate(byteCount: 1 << 16, alignment: 1)
        defer { scratch.deallocate() }
        // Shares of the compressed bytes, or of the text when its size is known.
        for (file, pieces, textSize) in [(path, 5, nil), (path, 5, Int64(whole.count)), (truncated, 4, Int64(whole.count))] {
            let work = directory.appendingPathComponent("work-\(pieces)-\(textSize ?? 0)").path
            try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
            var read: [UInt8] = [], handedOn = 0, emptyPieces = 0
            var damage: MRError?
            for piece in 0..<pieces {
                let source = try RelayedPieceSource(path: file, size: Int64(try Data(contentsOf: URL(fileURLWithPath: file)).count),
                                                    textSize: textSize, fileIndex: 0, piece: piece, of: pieces, workDirectory: work, span: 16 << 10,
                                                    buffer: buffer, aside: piece % 2 == 0, handOn: { handedOn += 1 })
                var text: [UInt8] = []
                do {
                    while case let count = try source.read(into: scratch, capacity: 1 << 16), count > 0 {
                        text += UnsafeRawBufferPointer(start: scratch, count: count)
                    }
                } catch let error as MRError {
                    damage = error
                }
                let (crc, pieceLength) = try source.pieceChecksum()
                XCTAssertEqual(handedOn, piece + 1, "the baton is left before the piece is done")
                let length = Int(pieceLength)
                if length == 0 { emptyPieces += 1 }
                if damage == nil { XCTAssertEqual(Int(source.start.uncompressedOffset), read.count, "piece \(piece) starts where the last ended") }
                let own = Array(text.prefix(length))
                XCTAssertEqual(crc, own.withUnsafeBytes { checksum(0, $0.baseAddress ?? UnsafeRawPointer(scratch), $0.count) })
                read += own
            }
            let index = try GzipIndex.relayed(file, fileIndex: 0, pieces: pieces, workDirectory: work)
            if file == path {
                XCTAssertNil(damage)
                XCTAssertTrue(read == whole, "the pieces hold the text once: \(read.count) bytes of \(whole.count)")
                let index = try XCTUnwrap(index)
                XCTAssertEqual(index.members, 4)
                XCTAssertEqual(index.uncompressedSize, Int64(whole.count))
                XCTAssertGreaterThanOrEqual(index.points.count, pieces - emptyPieces, "each piece's start is a point")
                XCTAssertGreaterThan(pieces - emptyPieces, 1, "the text is relayed, not read by one piece")
                try checkPoints(of: index, path: path, whole: whole)
            } else {
                XCTAssertTrue(damage?.message.contains("truncated gzip data") == true, "\(String(describing: damage))")
                XCTAssertTrue(read.count < whole.count && read == Array(whole.prefix(read.count)), "the text before the damage")
                XCTAssertNil(index, "no index for a damaged file")
            }
        }
    }

    /// A gzip file of four members (one empty) whose headers carry long fields (a name and a
    /// comment longer than the steps ISA-L is fed while a block start is wanted), and their texts.
    private func fourMembers() throws -> (path: String, texts: [[UInt8]]) {
        var texts: [[UInt8]] = []
        var state: UInt64 = 11
        for lines in [36_000, 0, 28_000, 48_000] {
            var text: [UInt8] = []
            for _ in 0..<lines {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                for letter in 0..<(4 + Int(state >> 59)) { text.append(97 + UInt8((state >> UInt64(2 * letter)) % 26)) }
                text.append(state >> 63 == 0 ? 0x20 : 0x0A)
            }
            texts.append(text)
        }
        let path = directory.appendingPathComponent("members.gz").path
        let longName = String(repeating: "a-long-file-name-", count: 12)
        for (number, text) in texts.enumerated() {
            let part = directory.appendingPathComponent(number == 0 ? longName : "part\(number)").path
            try Data(text).write(to: URL(fileURLWithPath: part))
            // gzip keeps the first part's long name in its header; Python adds a long comment.
            try shell(number == 0 ? "gzip -c '\(part)' >> '\(path)'"
                      : "python3 -c 'import sys,zlib; d=sys.stdin.buffer.read(); c=zlib.compressobj(6, 8, -15); body=c.compress(d)+c.flush(); "
                        + "sys.stdout.buffer.write(bytes([31,139,8,16,0,0,0,0,0,3])+b\"c\"*300+b\"\\0\"+body+(zlib.crc32(d)).to_bytes(4,\"little\")+len(d).to_bytes(4,\"little\"))' < '\(part)' >> '\(path)'")
        }
        let unzipped = directory.appendingPathComponent("unzipped").path
        try shell("gzip -dc '\(path)' > '\(unzipped)'")
        XCTAssertEqual(Array(try Data(contentsOf: URL(fileURLWithPath: unzipped))), texts.flatMap { $0 }, "the file as gzip reads it")
        return (path, texts)
    }

    /// Every point of `index` holds the window and line count of the text before it, and each
    /// inflater reads on from it.
    private func checkPoints(of index: GzipIndex, path: String, whole: [UInt8]) throws {
        XCTAssertEqual(index.points.first?.uncompressedOffset, 0)
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: 100, alignment: 1)
        defer { buffer.deallocate() }
        var previous: Int64 = -1
        for point in index.points {
            let offset = Int(point.uncompressedOffset)
            XCTAssertGreaterThan(point.uncompressedOffset, previous)
            previous = point.uncompressedOffset
            let before = [UInt8](repeating: 0, count: max(0, GzipIndex.windowSize - offset)) + whole[max(0, offset - GzipIndex.windowSize)..<offset]
            XCTAssertEqual(point.window, before, "window of the point at \(offset)")
            XCTAssertEqual(point.linesBefore, Int64(whole[..<offset].filter { $0 == 0x0A }.count), "lines before \(offset)")
            for inflater in Inflater.allCases {
                let count = try GzipSource(path: path, inflater: inflater, from: point).read(into: buffer, capacity: 100)
                XCTAssertEqual(Array(UnsafeRawBufferPointer(start: buffer, count: count)), Array(whole[offset..<min(offset + 100, whole.count)]),
                               "\(inflater), point at \(offset)")
            }
        }
    }
}
