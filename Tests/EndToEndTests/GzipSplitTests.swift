import Foundation
import TestSupport
import XCTest

/// One large single-member .gz split across mappers at the access points of its index.
final class GzipSplitTests: TemporaryDirectoryTestCase {
    /// The eight books `copies` times over, as one gzip member; returns it and its text.
    @discardableResult
    private func bigGzip(copies: Int) throws -> (file: URL, text: Data) {
        let books = try gutenbergBooks(gzippedInto: directory.appendingPathComponent("books-\(copies)", isDirectory: true).creatingDirectory())
        var text = Data()
        for _ in 0..<copies { for book in books { text += book } }
        let file = directory.appendingPathComponent("big.txt.gz")
        try gzip(text, to: file)
        return (file, text)
    }

    /// The map tasks of the run that wrote `output`, from its report.
    private func mapTasks(_ output: URL) throws -> Int {
        (try MR.report(output)["tasks"] as? [String: Int])?["map"] ?? -1
    }

    func testA100MegabyteGzipSplitAtAccessPointsGivesTheUnsplitOutput() throws {
        let big = try bigGzip(copies: 32).file  // 105 MB of text
        let whole = directory.appendingPathComponent("whole")
        _ = try MR.succeed(["wordcount", big.path, "--split-size", "1G", "--reducers", "3", "--output", whole.path])
        XCTAssertEqual(try mapTasks(whole), 1)
        XCTAssertFalse(FileManager.default.fileExists(atPath: big.path + ".mrindex"), "no index is needed for one split")

        let indexed = try MR.standardOutput(["index", big.path, "--span", "300K"])
        XCTAssertEqual(indexed.status, 0)
        XCTAssertTrue(indexed.text.contains("access points over 105635328 uncompressed bytes"), indexed.text)
        // Split sizes that group the access points differently: piece edges fall inside lines,
        // inside words and (the text has é, ß, Greek) inside multi-byte letters.
        for size in ["1M", "3M", "7M"] {
            let output = directory.appendingPathComponent("split-\(size)")
            let outcome = try MR.succeed(["wordcount", big.path, "--split-size", size, "--reducers", "3", "--output", output.path])
            XCTAssertGreaterThan(try mapTasks(output), 10, outcome.stderr)
            XCTAssertEqual(try MR.parts(output), try MR.parts(whole), "split size \(size)")
        }
        try checkGrepLinesMatchWhole(big, splitSize: "2M")
    }

    /// grep's file:line output from a split run equals the unsplit run's: records of every piece
    /// carry the line numbers of the whole file.
    private func checkGrepLinesMatchWhole(_ file: URL, splitSize: String) throws {
        let grepWhole = directory.appendingPathComponent("grep-whole")
        try MR.succeed(["grep", file.path, "--pattern", "Baker Street", "--split-size", "1G", "--output", grepWhole.path])
        let grepSplit = directory.appendingPathComponent("grep-split-\(splitSize)")
        let run = try MR.succeed(["grep", file.path, "--pattern", "Baker Street", "--split-size", splitSize, "--output", grepSplit.path])
        XCTAssertGreaterThan(try mapTasks(grepSplit), 4, run.stderr)
        XCTAssertEqual(try MR.sortedLines(grepSplit, keysUnique: false), try MR.sortedLines(grepWhole, keysUnique: false))
    }

    func testFirstRunRelaysPiecesFromTaskToTaskAndSavesTheIndex() throws {
        let (big, text) = try bigGzip(copies: 4)  // 13 MB of text
        let index = big.path + ".mrindex"
        let expected = referenceWordCount([text])
        var relayedOutput: URL!
        for mode in ["processes", "threads"] {
            try? FileManager.default.removeItem(atPath: index)
            relayedOutput = directory.appendingPathComponent("relayed-\(mode)")
            let run = try MR.succeed(["wordcount", big.path, "--split-size", "1M", "--mode", mode, "--workers", "2",
                                      "--reducers", "3", "--output", relayedOutput.path])
            XCTAssertTrue(run.stderr.contains("1 large file inflated once while mapping"), run.stderr)
            XCTAssertGreaterThan(try mapTasks(relayedOutput), 8, run.stderr)
            XCTAssertEqual(try MR.sortedLines(relayedOutput), expected, mode)
            XCTAssertTrue(FileManager.default.fileExists(atPath: index), "the relayed run saves the index")
            let left = try FileManager.default.contentsOfDirectory(atPath: relayedOutput.path).filter { !$0.hasPrefix("part-") }
            XCTAssertEqual(Set(left), ["_SUCCESS", ".mr-output"], "no baton is left behind")
        }
        // Workers that crash while inflating or mapping relayed pieces: a re-run attempt starts
        // from the same baton and leaves the same one, so nothing changes.
        try FileManager.default.removeItem(atPath: index)
        let crashed = directory.appendingPathComponent("relayed-crashed")
        let chaos = try MR.succeed(["wordcount", big.path, "--split-size", "1M", "--workers", "2", "--reducers", "3",
                                    "--max-attempts", "30", "--output", crashed.path],
                                   environment: ["MR_FAULTS": "crash=0.3,seed=5"])
        XCTAssertTrue(chaos.stderr.contains("inflated once while mapping") && chaos.stderr.contains("failed attempt"), chaos.stderr)
        XCTAssertEqual(try MR.parts(crashed), try MR.parts(relayedOutput))

        let later = directory.appendingPathComponent("later")
        let run = try MR.succeed(["wordcount", big.path, "--split-size", "1M", "--reducers", "3", "--output", later.path])
        XCTAssertTrue(run.stderr.contains("1 large file split at saved access points"), run.stderr)
        XCTAssertEqual(try MR.parts(later), try MR.parts(relayedOutput))

        // The same for relayed pieces (the index is removed, so the split run is a first run).
        try FileManager.default.removeItem(atPath: index)
        try checkGrepLinesMatchWhole(big, splitSize: "1M")
    }

    func testResumeAfterARelayedRunWasKilledReusesItsTasks() throws {
        let (big, text) = try bigGzip(copies: 4)
        let output = directory.appendingPathComponent("resumed")
        let arguments = ["wordcount", big.path, "--split-size", "1M", "--workers", "2", "--output", output.path]
        let coordinator = try MR.start(arguments, environment: ["MR_TEST_TASK_DELAY_MS": "300"],
                                       stderrFile: directory.appendingPathComponent("log"))
        // Killed once some tasks committed: the next pieces start from the batons the killed run left.
        waitUntil("two map tasks committed") { journaledTasks(forOutput: output).filter { $0.hasPrefix("map-") }.count >= 2 }
        kill(coordinator.processIdentifier, SIGKILL)
        coordinator.waitUntilExit()
        XCTAssertFalse(FileManager.default.fileExists(atPath: big.path + ".mrindex"), "killed before its last piece")
        let resumed = try MR.succeed(arguments + ["--resume"])
        XCTAssertTrue(resumed.stderr.contains("reused from the killed run"), resumed.stderr)
        XCTAssertTrue(resumed.stderr.contains("inflated once while mapping"), resumed.stderr)
        XCTAssertEqual(try MR.sortedLines(output), referenceWordCount([text]))
        XCTAssertTrue(FileManager.default.fileExists(atPath: big.path + ".mrindex"), "the resumed run saves the index")

        // Killed once the index is saved (after the last piece is inflated): the index now
        // exists, but the killed run's work was done under the relayed plan, so resuming takes
        // that plan again instead of starting over.
        try FileManager.default.removeItem(atPath: big.path + ".mrindex")
        try FileManager.default.removeItem(at: output)
        let second = try MR.start(arguments, environment: ["MR_TEST_TASK_DELAY_MS": "300"],
                                  stderrFile: directory.appendingPathComponent("log2"))
        waitUntil("the index is saved") { FileManager.default.fileExists(atPath: big.path + ".mrindex") }
        kill(second.processIdentifier, SIGKILL)
        second.waitUntilExit()
        let again = try MR.succeed(arguments + ["--resume"])
        XCTAssertTrue(again.stderr.contains("reused from the killed run"), again.stderr)
        XCTAssertTrue(again.stderr.contains("inflated once while mapping"), again.stderr)
        XCTAssertEqual(try MR.sortedLines(output), referenceWordCount([text]))
    }

    func testDamageFoundByTheInflaterStopsTheRunOrIsSkipped() throws {
        let (big, _) = try bigGzip(copies: 4)
        let bytes = try Data(contentsOf: big)
        let truncated = directory.appendingPathComponent("truncated.txt.gz")
        try bytes.prefix(bytes.count * 6 / 10).write(to: truncated)
        let output = directory.appendingPathComponent("out")
        let stopped = try MR.run(["wordcount", truncated.path, "--split-size", "1M", "--workers", "2", "--output", output.path])
        XCTAssertEqual(stopped.status, 65, stopped.stderr)
        XCTAssertTrue(stopped.stderr.contains("\(truncated.path): truncated gzip data"), stopped.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: output.path))

        let skipped = try MR.run(["wordcount", truncated.path, "--split-size", "1M", "--workers", "2", "--skip-bad-input",
                                  "--output", output.path])
        XCTAssertEqual(skipped.status, 0, skipped.stderr)
        XCTAssertTrue(skipped.stderr.contains("bad input files skipped 1\n"), skipped.stderr)
        XCTAssertTrue(skipped.stderr.contains("warning   skipped the rest of \(truncated.path): truncated gzip data"), skipped.stderr)
        // What came before the damage is counted: "the" about 60 % as often as in the whole text.
        let whole = directory.appendingPathComponent("whole")
        try MR.succeed(["wordcount", big.path, "--split-size", "1G", "--output", whole.path])
        func count(_ word: String, _ output: URL) throws -> Int {
            Int(try MR.sortedLines(output).first { $0.hasPrefix(word + "\t") }!.split(separator: "\t")[1])!
        }
        let fraction = Double(try count("the", output)) / Double(try count("the", whole))
        XCTAssertTrue((0.5...0.7).contains(fraction), "\(fraction)")
    }

    func testStaleIndexIsRebuiltAndDamagedIndexIsNotTrusted() throws {
        let big = try bigGzip(copies: 2).file
        let index = URL(fileURLWithPath: big.path + ".mrindex")
        let first = directory.appendingPathComponent("first")
        let run = try MR.succeed(["wordcount", big.path, "--split-size", "1M", "--output", first.path])
        XCTAssertGreaterThan(try mapTasks(first), 3, run.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: index.path), "the first run saves the index beside the data")
        // The index beside the data is not input when its directory is: same counts as the file alone.
        let viaDirectory = directory.appendingPathComponent("via-directory")
        let folder = try directory.appendingPathComponent("folder").creatingDirectory()
        try FileManager.default.copyItem(at: big, to: folder.appendingPathComponent("big.txt.gz"))
        try FileManager.default.copyItem(at: index, to: folder.appendingPathComponent("big.txt.gz.mrindex"))
        try MR.succeed(["wordcount", folder.path, "--split-size", "1M", "--output", viaDirectory.path])
        XCTAssertEqual(try MR.sortedLines(viaDirectory), try MR.sortedLines(first))

        // Rewrite the data: the old index no longer matches and must not be used.
        let staleIndex = try Data(contentsOf: index)
        let newText = try bigGzip(copies: 3).text
        let expected = referenceWordCount([newText])
        let rewritten = directory.appendingPathComponent("rewritten")
        try MR.succeed(["wordcount", big.path, "--split-size", "1M", "--output", rewritten.path])
        XCTAssertEqual(try MR.sortedLines(rewritten), expected)
        XCTAssertNotEqual(try Data(contentsOf: index), staleIndex, "the stale index was rebuilt")

        // Damage the (new) index: it is rejected, rebuilt, and the output is still right.
        var bytes = try Data(contentsOf: index)
        bytes[bytes.count / 2] ^= 0x55
        try bytes.write(to: index)
        let damaged = directory.appendingPathComponent("damaged")
        try MR.succeed(["wordcount", big.path, "--split-size", "1M", "--output", damaged.path])
        XCTAssertEqual(try MR.sortedLines(damaged), expected)
        XCTAssertNotEqual(try Data(contentsOf: index), bytes, "the damaged index was rebuilt")
        let inspect = try MR.standardOutput(["inspect", big.path])
        XCTAssertTrue(inspect.text.contains(": 1 gzip member,") && inspect.text.contains("valid"), inspect.text)
    }
}

extension GzipSplitTests {
    /// Checks a file of many gzip members. wordcount and a whole-line counter read no line
    /// positions: they are split at member starts on their first run (no index is written), with
    /// the unsplit output and the independent line counts. grep reads line numbers: its first run
    /// is fed and saves the index, its next splits at it, each with the unsplit file:line output.
    /// Returns `mr inspect`'s report.
    private func checkMemberFile(_ file: URL, text: Data, splitSize: String) throws -> String {
        let name = file.lastPathComponent
        let whole = directory.appendingPathComponent("whole-\(name)")
        _ = try MR.succeed(["wordcount", file.path, "--split-size", "1G", "--reducers", "3", "--output", whole.path])
        XCTAssertEqual(try mapTasks(whole), 1)
        for mode in ["processes", "threads", "sequential"] {
            let split = directory.appendingPathComponent("members-\(mode)-\(name)")
            let outcome = try MR.succeed(["wordcount", file.path, "--split-size", splitSize, "--reducers", "3", "--mode", mode,
                                          "--output", split.path])
            XCTAssertTrue(outcome.stderr.contains("1 large file split at gzip member, zstd frame, xz or bzip2 block starts"), outcome.stderr)
            XCTAssertGreaterThan(try mapTasks(split), 4, outcome.stderr)
            XCTAssertEqual(try MR.parts(split), try MR.parts(whole), mode)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: file.path + ".mrindex"), "member splits need no index")

        let lines = directory.appendingPathComponent("lines-\(name)")
        let counted = try MR.succeed(["run", try lineCountJob().path, file.path, "--split-size", splitSize, "--output", lines.path])
        XCTAssertTrue(counted.stderr.contains("split at gzip member, zstd frame, xz or bzip2 block starts"), counted.stderr)
        var expected: [String: Int] = [:]
        for line in referenceLines(text) { expected[String(decoding: line, as: UTF8.self), default: 0] += 1 }
        XCTAssertEqual(try MR.sortedLines(lines), sortedCountLines(expected), "every line once, none cut at member edges")

        let grepWhole = directory.appendingPathComponent("grep-whole-\(name)")
        try MR.succeed(["grep", file.path, "--pattern", "Baker Street", "--split-size", "1G", "--output", grepWhole.path])
        for (run, how) in [("first", "inflated once while mapping"), ("later", "split at saved access points")] {
            let grepSplit = directory.appendingPathComponent("grep-\(run)-\(name)")
            let outcome = try MR.succeed(["grep", file.path, "--pattern", "Baker Street", "--split-size", splitSize, "--output", grepSplit.path])
            XCTAssertTrue(outcome.stderr.contains(how), outcome.stderr)
            XCTAssertEqual(try MR.sortedLines(grepSplit, keysUnique: false), try MR.sortedLines(grepWhole, keysUnique: false), run)
        }
        return try MR.standardOutput(["inspect", file.path]).text
    }

    /// A job counting whole lines that declares it reads no line positions.
    private func lineCountJob() throws -> URL {
        let file = directory.appendingPathComponent("linecount.swift")
        try """
            import MapReduce
            public struct LineCount: Job {
                public static let name = "linecount"
                public static let summary = "How often each whole line occurs"
                public static let combiner: Combiner? = .sum
                public static let readsLinePositions = false
                public init(options: JobOptions) {}
                public func map(_ record: Record, _ output: MapOutput) { output.emit(record.bytes, 1) }
                public func reduce(_ key: ByteSlice, _ values: inout ReduceValues, _ output: ReduceOutput) {
                    output.emit(key, values.sum())
                }
            }
            """.write(to: file, atomically: true, encoding: .utf8)
        return file
    }

    /// `pieces` gzipped one by one and concatenated into `name`.
    private func concatenatedMembers(_ pieces: [Data], name: String) throws -> URL {
        let file = directory.appendingPathComponent(name)
        var joined = Data()
        for piece in pieces {
            let member = directory.appendingPathComponent("member.gz")
            try gzip(piece, to: member)
            joined += try Data(contentsOf: member)
        }
        try joined.write(to: file)
        return file
    }

    func testConcatenatedMembersAreSplitAtMemberStartsWithoutInflating() throws {
        let text = try bigGzip(copies: 2).text
        // 37 members of uneven size, cut anywhere (inside lines and letters).
        let chunk = text.count / 37 + 1
        let anywhere = try concatenatedMembers(stride(from: 0, to: text.count, by: chunk).map { text[$0..<min($0 + chunk, text.count)] },
                                               name: "anywhere.gz")
        let report = try checkMemberFile(anywhere, text: text, splitSize: "512K")
        XCTAssertTrue(report.contains(": 37 gzip members found by scanning") && report.contains(": 37 gzip members,"), report)
        // 23 members each starting a line: the line at a split's edge belongs to the split before.
        var pieces: [Data] = []
        var start = text.startIndex
        while start < text.endIndex {
            var end = min(start + text.count / 23, text.endIndex)
            while end < text.endIndex && text[end - 1] != 0x0A { end += 1 }
            pieces.append(text[start..<end])
            start = end
        }
        _ = try checkMemberFile(try concatenatedMembers(pieces, name: "at-lines.gz"), text: text, splitSize: "512K")
    }

    func testBGZFFileIsSplitAtItsBlocks() throws {
        let text = try bigGzip(copies: 2).text
        let plain = directory.appendingPathComponent("plain.txt")
        try text.write(to: plain)
        // A BGZF writer (blocks of at most 64 KiB, each a gzip member with a BC extra field
        // giving its size, then the empty end-of-file block), since bgzip is not assumed present.
        let file = directory.appendingPathComponent("blocks.bgz.gz")
        try runProgram(["python3", "-c", """
            import struct, sys, zlib
            data = open(sys.argv[1], 'rb').read()
            with open(sys.argv[2], 'wb') as out:
                for i in range(0, len(data), 65280):
                    chunk = data[i:i + 65280]
                    c = zlib.compressobj(6, zlib.DEFLATED, -15)
                    body = c.compress(chunk) + c.flush()
                    out.write(struct.pack('<BBBBIBBHBBHH', 31, 139, 8, 4, 0, 0, 255, 6, 66, 67, 2, len(body) + 25))
                    out.write(body + struct.pack('<II', zlib.crc32(chunk), len(chunk)))
                out.write(bytes.fromhex('1f8b08040000000000ff0600424302001b0003000000000000000000'))
            """, plain.path, file.path])
        let blocks = (text.count + 65279) / 65280 + 1
        let report = try checkMemberFile(file, text: text, splitSize: "512K")
        XCTAssertTrue(report.contains(": BGZF, \(blocks) blocks") && report.contains(": \(blocks) gzip members,"), report)
    }

    /// A gzip file stored (level 0) inside a member passes every check a scan can make; the run
    /// finds out while reading, says so, and runs again without guessed member starts.
    func testAFalseMemberStartFoundByScanningIsCaughtAndTheRunRedone() throws {
        let text = try bigGzip(copies: 1).text
        let file = directory.appendingPathComponent("nested.gz")
        let plain = directory.appendingPathComponent("nested.txt")
        try text.write(to: plain)
        try runProgram(["python3", "-c", """
            import gzip, sys
            text = open(sys.argv[1], 'rb').read()
            inner = gzip.compress(text[:2000], 6)
            nested = text[:500000] + inner + text[500000:1500000]
            with open(sys.argv[2], 'wb') as out:
                out.write(gzip.compress(nested, 0))
                for i in range(1500000, len(text), 900000):
                    out.write(gzip.compress(text[i:i + 900000], 6))
            open(sys.argv[1], 'wb').write(nested + text[1500000:])
            """, plain.path, file.path])
        let whole = directory.appendingPathComponent("whole")
        try MR.succeed(["wordcount", plain.path, "--split-size", "1G", "--reducers", "3", "--output", whole.path])
        let split = directory.appendingPathComponent("split")
        let outcome = try MR.succeed(["wordcount", file.path, "--split-size", "1M", "--reducers", "3", "--output", split.path])
        XCTAssertTrue(outcome.stderr.contains("a gzip member start guessed by scanning did not hold"), outcome.stderr)
        XCTAssertTrue(outcome.stderr.contains("inflated once while mapping"), outcome.stderr)
        XCTAssertEqual(try MR.parts(split), try MR.parts(whole))
    }

    /// A job that reads line numbers while declaring it does not is stopped with the reason.
    func testReadingLinePositionsAfterDeclaringNotFailsTheJob() throws {
        let text = try bigGzip(copies: 2).text
        let chunk = text.count / 9 + 1
        let file = try concatenatedMembers(stride(from: 0, to: text.count, by: chunk).map { text[$0..<min($0 + chunk, text.count)] },
                                           name: "members.gz")
        let job = directory.appendingPathComponent("liar.swift")
        try """
            import MapReduce
            public struct Liar: Job {
                public static let name = "liar"
                public static let summary = "Reads line numbers but says it does not"
                public static let readsLinePositions = false
                public init(options: JobOptions) {}
                public func map(_ record: Record, _ output: MapOutput) { output.emit(decimal: Int(record.lineNumber % 10), 1) }
                public func reduce(_ key: ByteSlice, _ values: inout ReduceValues, _ output: ReduceOutput) {
                    output.emit(key, values.sum())
                }
            }
            """.write(to: job, atomically: true, encoding: .utf8)
        let output = directory.appendingPathComponent("liar-output")
        let outcome = try MR.run(["run", job.path, file.path, "--split-size", "1M", "--output", output.path])
        XCTAssertEqual(outcome.status, 75, outcome.stderr)
        XCTAssertTrue(outcome.stderr.contains("declares readsLinePositions = false"), outcome.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: output.path))
    }
}
