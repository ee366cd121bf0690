import Foundation
import MapReduce
@testable import MREngine
import XCTest

/// The engine's parts on their own: no processes, no CLI.
final class EngineTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("mr-unit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    /// Runs `script` with /bin/sh (the system's gzip makes the test files), feeding it `input`.
    private func shell(_ script: String, input: Data = Data()) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", script]
        let pipe = Pipe()
        process.standardInput = pipe
        try process.run()
        pipe.fileHandleForWriting.write(input)
        try pipe.fileHandleForWriting.close()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, script)
    }

    private func words(_ text: [UInt8]) -> [String] {
        var found: [String] = []
        text.withUnsafeBytes { forEachWord(in: $0) { found.append(String(decoding: $0, as: UTF8.self)) } }
        return found
    }

    // Reference: the standard library's UTF-8 parser (maximal-subpart errors) and Unicode
    // properties, byte by byte.
    private func referenceWords(_ bytes: [UInt8]) -> [String] {
        var words: [String] = [], current: [UInt8] = []
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        func endWord() {
            if !current.isEmpty { words.append(String(decoding: current, as: UTF8.self)) }
            current = []
        }
        parsing: while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded):
                let scalar = Unicode.UTF8.decode(encoded)
                switch scalar.properties.generalCategory {
                case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
                    current += Array(encoded)
                default: endWord()
                }
            case .error: endWord()
            case .emptyInput: break parsing
            }
        }
        endWord()
        return words
    }

    func testWordsAreRunsOfUnicodeLetters() {
        XCTAssertEqual(words(Array("Hello, wörld! ß-straße 42abc λόγος мир 数据".utf8)),
                       ["Hello", "wörld", "ß", "straße", "abc", "λόγος", "мир", "数据"])
        XCTAssertEqual(words(Array("e\u{301}x".utf8)), ["e", "x"])  // a combining mark separates
        XCTAssertEqual(words([0x61, 0xC0, 0x80, 0x62]), ["a", "b"])  // overlong encoding is invalid
        XCTAssertEqual(words([0x61, 0xF4, 0x90, 0x80, 0x80, 0x62]), ["a", "b"])  // beyond U+10FFFF
        XCTAssertEqual(words([0xF0, 0x90, 0x90, 0x80]), ["\u{10400}"])  // astral letter (Deseret)
        XCTAssertEqual(words([0xE4, 0xB8]), [])  // truncated sequence at the end
    }

    func testWordsMatchTheStandardLibrarysDecoderOnRandomBytes() {
        // Lengths up to 300 put words across 8- and 64-byte boundaries.
        let pieces: [[UInt8]] = ["a", "Zebra", "x", " ", "  ", ",", "-", "7", "é", "λόγος", "数", "\u{10400}", "e\u{301}",
                                 "\u{2028}", "ǅ"].map { Array($0.utf8) } + [[0xC0], [0x80], [0xE4, 0xB8], [0xF4, 0x90], [0xFF]]
        var random = SystemRandomNumberGenerator()
        for _ in 0..<3_000 {
            var bytes: [UInt8] = []
            let target = Int.random(in: 0...300, using: &random)
            while bytes.count < target { bytes += pieces.randomElement(using: &random)! }
            XCTAssertEqual(words(bytes), referenceWords(bytes), "\(bytes)")
        }
    }

    func testWordsEndWhereTheTextEndsWhenLettersFollowInMemory() {
        // A line is a slice of a larger buffer: the bytes after it (here letters, or a non-ASCII
        // byte) may be read in the same page but must not join its last word.
        let text = Array("The quick brown fox jumps over the lazy dog and keeps on running far away, ".utf8)
        let buffer = text + [0xC3, 0xA9] + text + text
        buffer.withUnsafeBytes { all in
            for start in 0..<66 {
                for count in 0...140 {
                    let slice = UnsafeRawBufferPointer(rebasing: all[start..<(start + count)])
                    var found: [String] = []
                    forEachWord(in: slice) { found.append(String(decoding: $0, as: UTF8.self)) }
                    XCTAssertEqual(found, referenceWords(Array(slice)), "bytes \(start)..<\(start + count)")
                }
            }
        }
    }

    func testKeyHashMatchesItsDocumentedDefinition() {
        // Values from an independent Python implementation of the definition in KeyHash.swift.
        func hash(_ text: String) -> UInt64 { Array(text.utf8).withUnsafeBytes { KeyHash.hash($0) } }
        XCTAssertEqual(hash(""), 0)
        XCTAssertEqual(hash("the"), 0x038e_767e_d641_1ba9)
        XCTAssertEqual(hash("abcdefgh"), 0x5cf2_124c_90c0_0bba)
        XCTAssertEqual(hash("Straße und λόγος"), 0xcefd_380c_bac8_17a6)
        // Keys that end at a page followed by an inaccessible page: the short tail is loaded
        // without touching the next page.
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let mapping = mmap(nil, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)!
        defer { munmap(mapping, 2 * page) }
        XCTAssertEqual(mprotect(mapping + page, page, PROT_NONE), 0)
        for text in ["a", "the", "seven!!", "abcdefghi", "Straße und λόγος"] {
            let bytes = Array(text.utf8)
            let start = mapping + page - bytes.count
            start.copyMemory(from: bytes, byteCount: bytes.count)
            XCTAssertEqual(KeyHash.hash(ByteSlice(start: start, count: bytes.count)), hash(text), text)
        }
    }

    func testIntermediateFileRoundTripsAndDetectsDamage() throws {
        let path = directory.appendingPathComponent("part").path
        let writer = try IntermediateFile.Writer(path: path)
        let long = "long" + String(repeating: "x", count: 100_000)
        let pairs: [(String, Value?)] = [("", .int(0)), ("a", .int(-1)), ("a", nil), ("b", .int(Int64.max)),
                                         (long, .int(Int64.min)), (long, nil)]
        func describe(_ value: Value) -> String {
            switch value {
            case .int(let number): "int \(number)"
            case .bytes(let text): "text " + String(decoding: text, as: UTF8.self)
            }
        }
        // nil stands for a text value: the key itself reversed, long ones included.
        var expected: [String] = []
        for (key, value) in pairs {
            let text = Array(key.utf8.reversed())
            try Array(key.utf8).withUnsafeBytes { keyBytes in
                try text.withUnsafeBytes { textBytes in
                    let actual = value ?? .bytes(textBytes)
                    try writer.append(key: keyBytes, value: actual)
                    expected.append(key + " " + describe(actual))
                }
            }
        }
        try writer.finish()

        let reader = try IntermediateFile.Reader(path: path, capacity: 64)
        var read: [String] = []
        while !reader.isAtEnd {
            read.append(String(decoding: reader.key, as: UTF8.self) + " " + describe(reader.value))
            try reader.advance()
        }
        XCTAssertEqual(read, expected)

        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        bytes[6] ^= 0x01
        try bytes.write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try {
            let damaged = try IntermediateFile.Reader(path: path)
            while !damaged.isAtEnd { try damaged.advance() }
        }())
    }

    func testOneRunFileHoldsEveryPartitionBehindAnIndex() throws {
        let path = directory.appendingPathComponent("run").path
        let writer = try IntermediateFile.Writer(path: path, partitions: 5)
        // Partitions 0, 2 and 4 stay empty; 1 and 3 hold pairs.
        let pairs: [Int: [(String, Int64)]] = [1: [("apple", 1), ("pear", 2)], 3: [("fig", 3)]]
        for (partition, partitionPairs) in pairs.sorted(by: { $0.key < $1.key }) {
            try writer.startPartition(partition)
            for (key, value) in partitionPairs {
                try Array(key.utf8).withUnsafeBytes { try writer.append(key: $0, value: .int(value)) }
            }
        }
        try writer.finish()
        func read(_ partition: Int) throws -> [String] {
            let reader = try IntermediateFile.Reader(path: path, partition: partition, capacity: 16)
            var read: [String] = []
            while !reader.isAtEnd {
                read.append(String(decoding: reader.key, as: UTF8.self) + "=\(reader.value.int)")
                try reader.advance()
            }
            return read
        }
        XCTAssertEqual(try (0..<5).map(read), [[], ["apple=1", "pear=2"], [], ["fig=3"], []])
        XCTAssertThrowsError(try read(5), "no such partition")

        // A damaged index, or a damaged segment, is an error, not fewer pairs.
        let original = try Data(contentsOf: URL(fileURLWithPath: path))
        for offset in [original.count - 20, 6] {
            var bytes = original
            bytes[offset] ^= 0x01
            try bytes.write(to: URL(fileURLWithPath: path))
            XCTAssertThrowsError(try read(1), "byte \(offset) flipped")
        }
    }

    func testMapOutputRunsAreSortedBytewiseAndSumEveryKeyWithAndWithoutSpills() throws {
        // Keys around the 16 bytes a slot holds and the 48 the queue holds (equal first 16 bytes,
        // trailing NUL bytes, the empty key) among thousands of others, so that the bucketed sort
        // of a large spill runs.
        var keys: [[UInt8]] = [[], [0], Array("ab".utf8), Array("ab".utf8) + [0], Array("ab".utf8) + [0, 0]]
        let base = Array("abcdefghijklmnop".utf8)  // 16 bytes
        // 16, 17, 18, 17, 36, 48 and 49 bytes: the longest queued key (48) and one past it.
        for extra in ["", "q", "qr", "\u{0}", "qrstuvwxyz0123456789", String(repeating: "x", count: 32), String(repeating: "y", count: 33)] {
            keys.append(base + Array(extra.utf8))
        }
        keys.append(Array(base.prefix(15)))
        var state: UInt64 = 3
        for _ in 0..<6_000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1
            let length = Int(state >> 59)  // 0-31 bytes over a 4-letter alphabet: many shared prefixes
            keys.append((0..<length).map { UInt8(97 + (state >> UInt64(2 * $0)) & 3) })
        }
        var expected: [[UInt8]: Int64] = [:]
        for budget in [64 << 20, 200 << 10] {
            let output = directory.appendingPathComponent("map-\(budget)").path
            try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
            let buffer = MapOutputBuffer(combiner: .sum, partitions: 1, directory: output, memoryBudget: budget)
            expected = [:]
            for round in 1...3 {
                for key in keys {
                    key.withUnsafeBytes { buffer.emit(key: $0, value: Int64(round)) }
                    expected[key, default: 0] += Int64(round)
                }
            }
            try buffer.finish()
            var sums: [[UInt8]: Int64] = [:]
            for run in try FileManager.default.contentsOfDirectory(atPath: output) {
                let reader = try IntermediateFile.Reader(path: output + "/" + run)
                var previous: [UInt8]?
                while !reader.isAtEnd {
                    let key = Array(reader.key)
                    if let previous { XCTAssertTrue(previous.lexicographicallyPrecedes(key), "\(previous) before \(key) in \(run)") }
                    previous = key
                    guard case .int(let value) = reader.value else { return XCTFail("text value") }
                    sums[key, default: 0] += value
                    try reader.advance()
                }
            }
            XCTAssertEqual(sums, expected, "budget \(budget)")
            if budget < 1 << 20 { XCTAssertGreaterThan(buffer.runsWritten, 1) } else { XCTAssertEqual(buffer.runsWritten, 1) }

            // Reduce's merge of the runs: one group per key, in strict bytewise order (its heap
            // compares 16-byte key prefixes first; the keys share long prefixes and end in NULs).
            let runs = try FileManager.default.contentsOfDirectory(atPath: output).sorted()
            let merge = GroupedMerge(readers: try runs.map { try IntermediateFile.Reader(path: output + "/" + $0) })
            var merged: [[UInt8]: Int64] = [:]
            var previous: [UInt8]?
            while try merge.nextGroup() {
                let key = Array(merge.key)
                if let previous { XCTAssertTrue(previous.lexicographicallyPrecedes(key), "\(previous) before \(key) merged") }
                previous = key
                while let value = merge.nextValue() {
                    guard case .int(let number) = value else { return XCTFail("text value") }
                    merged[key, default: 0] += number
                }
            }
            XCTAssertEqual(merged, expected, "merged, budget \(budget)")
        }
    }

    func testSpillSortOrdersItemsAsTheStandardSortDoes() {
        // Few distinct prefixes, so that ties go to the tie-break (here: by location); inputs
        // sorted, reversed, constant and random; quicksort, insertion sort and (with a split
        // limit of 0 or 1) heapsort.
        var state: UInt64 = 11
        func random(_ bound: UInt64) -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1442695040888963407
            return (state >> 33) % bound
        }
        func before(_ a: SortItem, _ b: SortItem) -> Bool {
            (a.prefix0, a.prefix1, a.location) < (b.prefix0, b.prefix1, b.location)
        }
        for count in [0, 1, 2, 3, 16, 17, 18, 100, 1000, 5000] {
            for pattern in 0..<4 {
                let items = (0..<count).map { index -> SortItem in
                    let rank: UInt64 = pattern == 0 ? UInt64(index) : pattern == 1 ? UInt64(count - index) : pattern == 2 ? 7 : random(9)
                    return SortItem(prefix0: rank / 3, prefix1: rank % 3 == 0 ? random(2) : rank % 3, value: 0,
                                    location: Int(random(1_000_000)) * 8192 + index, length: 0)
                }
                let expected = items.sorted(by: before)
                for splitLimit in [nil, 0, 1] {
                    var sorted = items
                    sorted.withUnsafeMutableBufferPointer {
                        introsort($0.baseAddress ?? UnsafeMutablePointer(bitPattern: 8)!, count: count, splitLimit: splitLimit) {
                            $0.location < $1.location
                        }
                    }
                    XCTAssertEqual(sorted.map(\.location), expected.map(\.location), "count \(count), pattern \(pattern), limit \(String(describing: splitLimit))")
                }
            }
        }
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

    func testLineReaderGivesEachLineToExactlyOneSplit() throws {
        let text = "first\r\nsecond line\n\nfourth\nlast without newline"
        let path = directory.appendingPathComponent("lines.txt").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        let size = Int64(text.utf8.count)
        for splitSize in 1...size {
            var lines: [String] = []
            var start: Int64 = 0
            while start < size {
                let end = min(start + splitSize, size)
                let source = try PlainFileSource(path: path, from: max(start - 1, 0))
                let firstLine = start > 0 ? try countNewlines(in: path, before: start - 1) + 1 : 1
                try LineReader(capacity: 4).forEachLine(of: source, from: max(start - 1, 0), skippingFirstLine: start > 0,
                                                         end: end, firstLineNumber: firstLine) { line, _, number in
                    lines.append("\(number) " + String(decoding: line, as: UTF8.self))
                }
                start = end
            }
            XCTAssertEqual(lines, ["1 first", "2 second line", "3 ", "4 fourth", "5 last without newline"], "split size \(splitSize)")
        }
    }

    func testSplitPlannerPacksSmallFilesAndCutsLargeOnes() {
        let files = (0..<10).map { InputEntry(path: "f\($0)", name: "f\($0)", size: 100, isGzip: false) }
            + [InputEntry(path: "big", name: "big", size: 1000, isGzip: false),
               InputEntry(path: "z.gz", name: "z.gz", size: 50, isGzip: true)]
        let splits = SplitPlanner.splits(for: files, targetSize: 300)
        // f0-f2 | f3-f5 | f6-f8 | f9 + big[0,200) | big[200,500) | big[500,800) | big[800,1000) | z.gz
        // (z.gz weighs 150 as gzip inflates about threefold: it does not fit beside 200 bytes).
        XCTAssertEqual(splits.map { $0.pieces.count }, [3, 3, 3, 2, 1, 1, 1, 1])
        // Every byte of every file is in exactly one piece.
        for (index, file) in files.enumerated() {
            let pieces = splits.flatMap(\.pieces).filter { $0.fileIndex == index }
            guard !file.isGzip else {
                XCTAssertEqual(pieces.map(\.kind), [.wholeGzip])
                continue
            }
            let ranges = pieces.compactMap { piece -> (Int64, Int64)? in
                guard case .plainRange(let start, let end) = piece.kind else { return nil }
                return (start, end)
            }
            XCTAssertEqual(ranges.count, pieces.count, "plain files are cut into ranges")
            XCTAssertEqual(ranges.first?.0, 0)
            XCTAssertEqual(ranges.last?.1, file.size)
            XCTAssertTrue(zip(ranges, ranges.dropFirst()).allSatisfy { $0.1 == $1.0 })
        }
    }

    func testTaskTableRunsReducesAfterMapsAndGivesUpAfterMaxAttempts() {
        var table = TaskTable(mapTasks: 2, reduceTasks: 1, maxAttempts: 2)
        let map0 = table.nextAssignment(now: 0)!
        let map1 = table.nextAssignment(now: 0)!
        XCTAssertEqual([map0.task.description, map1.task.description], ["map-00000", "map-00001"])
        XCTAssertNil(table.nextAssignment(now: 0), "reduce must wait for every map")
        XCTAssertTrue(table.succeeded(map0, now: 1).commit)
        XCTAssertTrue(table.failed(map1, retryable: true))
        let retry = table.nextAssignment(now: 1)!
        XCTAssertEqual(retry, TaskAssignment(task: map1.task, attempt: 2))
        XCTAssertFalse(table.failed(retry, retryable: true), "two attempts were allowed")

        var second = TaskTable(mapTasks: 1, reduceTasks: 1, maxAttempts: 4)
        let only = second.nextAssignment(now: 0)!
        XCTAssertFalse(second.failed(only, retryable: false), "bad input is not retried")
        var third = TaskTable(mapTasks: 1, reduceTasks: 1, maxAttempts: 4)
        XCTAssertTrue(third.succeeded(third.nextAssignment(now: 0)!, now: 1).commit)
        let reduce = third.nextAssignment(now: 1)!
        XCTAssertEqual(reduce.task.kind, .reduce)
        XCTAssertTrue(third.succeeded(reduce, now: 2).commit)
        XCTAssertFalse(third.succeeded(reduce, now: 2).commit, "a task commits once")
        XCTAssertTrue(third.isFinished)
    }

    func testTaskTableBacksUpAStragglerAndCommitsTheFirstCopyOnly() {
        var table = TaskTable(mapTasks: 3, reduceTasks: 0, maxAttempts: 4, backupAfter: 2)
        let a = table.nextAssignment(now: 0, backups: true)!
        let b = table.nextAssignment(now: 0, backups: true)!
        XCTAssertTrue(table.succeeded(a, now: 1).commit)
        let c = table.nextAssignment(now: 1, backups: true)!
        XCTAssertTrue(table.succeeded(c, now: 2).commit)
        // b has run 2.5 s: past 2 s and 1.5x the median of 1 s.
        XCTAssertNil(table.nextAssignment(now: 1.4, backups: true), "not slow yet")
        let backup = table.nextAssignment(now: 2.5, backups: true)!
        XCTAssertEqual(backup, TaskAssignment(task: b.task, attempt: 2))
        XCTAssertNil(table.nextAssignment(now: 9, backups: true), "one backup per task")
        let decision = table.succeeded(backup, now: 3)
        XCTAssertTrue(decision.commit)
        XCTAssertEqual(decision.cancel, [b], "the original is to be stopped")
        table.cancelled(b)
        XCTAssertFalse(table.succeeded(b, now: 4).commit)
        XCTAssertTrue(table.isFinished)
        XCTAssertEqual(table.backupsStarted, 1)
        XCTAssertEqual(table.failures(of: b.task), 0)
    }

    func testTaskTableHoldsWithheldMapTasksUntilReleasedAndBacksNothingUpMeanwhile() {
        var table = TaskTable(mapTasks: 3, reduceTasks: 1, maxAttempts: 4, backupAfter: 1, withheld: [1, 2])
        let first = table.nextAssignment(now: 0, backups: true)!
        XCTAssertEqual(first.task.index, 0)
        XCTAssertNil(table.nextAssignment(now: 50, backups: true), "withheld tasks wait, and no backup takes their worker")
        table.release(mapTask: 2)
        XCTAssertEqual(table.nextAssignment(now: 50, backups: true)?.task.index, 2)
        XCTAssertTrue(table.markCommitted(TaskID(kind: .map, index: 1)))  // committed by a killed run
        table.release(mapTask: 1)
        XCTAssertNil(table.nextAssignment(now: 50), "a committed task is not queued by its release")
        XCTAssertTrue(table.isCommitted(TaskID(kind: .map, index: 1)))
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

    func testJournalKeepsCommittedTasksAndIgnoresATornLastLine() throws {
        let journal = Journal(path: directory.appendingPathComponent("journal").path)
        var report = TaskReport()
        report.counters.inputRecords = 42
        report.jobCounters = ["skipped": 3]
        report.topRecords = [TopRecord(key: Array("the".utf8), value: 7)]
        try journal.record(TaskID(kind: .map, index: 3), report)
        try journal.record(TaskID(kind: .reduce, index: 1), TaskReport())
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: journal.path))
        try handle.seekToEnd()
        handle.write(Data("map-00004 0a0b".utf8))  // killed while appending
        try handle.close()
        let entries = journal.entries()
        XCTAssertEqual(entries.map(\.task.description), ["map-00003", "reduce-00001"])
        XCTAssertEqual(entries.first?.report, report)
    }
}
