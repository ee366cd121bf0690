import Foundation
import TestSupport
import XCTest

/// Corrupt, odd and unreadable input: by default the job stops naming the file (and, for gzip,
/// the compressed byte offset) with status 65 or 66; with --skip-bad-input the rest of the file
/// is skipped, a warning and a counter say so, and the job completes.
final class BadInputTests: TemporaryDirectoryTestCase {
    private var good: URL!
    private let goodText = Data("alpha beta\nbeta gamma\n".utf8)

    override func setUpWithError() throws {
        try super.setUpWithError()
        good = directory.appendingPathComponent("good.txt.gz")
        try gzip(goodText, to: good)
    }

    /// A gzip file of many lines, from which the corrupt variants are cut.
    private func sampleGzip() throws -> Data {
        // Distinct words (digits spelled as letters), so intermediate files are large too.
        let letters = Array("abcdefghij")
        let text = (0..<20_000).map { "line w\(String(String($0).map { letters[$0.wholeNumberValue!] })) of the sample\n" }.joined()
        let file = directory.appendingPathComponent("sample.gz")
        try gzip(Data(text.utf8), to: file)
        return try Data(contentsOf: file)
    }

    /// The bad file stops a run; with --skip-bad-input it counts once and its first `kept` lines
    /// (all of them where only the trailer is damaged) are still counted. The same with either
    /// inflater.
    private func check(_ name: String, _ bytes: Data, message: String, kept: Int? = nil,
                       file: StaticString = #filePath, line: UInt = #line) throws {
        let bad = directory.appendingPathComponent(name)
        try bytes.write(to: bad)
        for inflater in ["isal", "zlib"] {
            try check(bad, message: message, kept: kept, inflater: inflater, file: file, line: line)
        }
    }

    private func check(_ bad: URL, message: String, kept: Int?, inflater: String, file: StaticString, line: UInt) throws {
        let output = directory.appendingPathComponent("out-\(bad.lastPathComponent)-\(inflater)")
        let stopped = try MR.run(["wordcount", good.path, bad.path, "--output", output.path, "--inflater", inflater])
        XCTAssertEqual(stopped.status, 65, stopped.stderr, file: file, line: line)
        XCTAssertTrue(stopped.stderr.contains("\(bad.path): \(message)"), stopped.stderr, file: file, line: line)
        XCTAssertTrue(stopped.stderr.contains("at compressed byte offset "), stopped.stderr, file: file, line: line)
        XCTAssertFalse(FileManager.default.fileExists(atPath: output.path), file: file, line: line)

        let skipped = try MR.run(["wordcount", good.path, bad.path, "--output", output.path, "--skip-bad-input", "--inflater", inflater])
        XCTAssertEqual(skipped.status, 0, skipped.stderr, file: file, line: line)
        XCTAssertTrue(skipped.stderr.contains("bad input files skipped 1\n"), skipped.stderr, file: file, line: line)
        XCTAssertTrue(skipped.stderr.contains("warning   skipped the rest of \(bad.path): \(message)"), skipped.stderr, file: file, line: line)
        let lines = try MR.sortedLines(output)
        for expected in ["alpha\t1", "beta\t2", "gamma\t1"] {
            XCTAssertTrue(lines.contains(expected), "\(expected) missing", file: file, line: line)
        }
        if let kept {
            XCTAssertTrue(skipped.stderr.contains("(kept the \(kept) lines of the file before the damage)"), skipped.stderr, file: file, line: line)
            XCTAssertTrue(lines.contains("sample\t\(kept)"), "the \(kept) lines before the damage are counted", file: file, line: line)
        }
    }

    func testTruncatedGzip() throws {
        let sample = try sampleGzip()
        try check("truncated.gz", sample.prefix(sample.count / 2), message: "truncated gzip data")
    }

    func testGarbageNamedGz() throws {
        try check("garbage.gz", Data((0..<5000).map { UInt8(truncatingIfNeeded: $0 &* 7919) }), message: "corrupt gzip data (incorrect header check)")
    }

    func testCRCMismatch() throws {
        var sample = try sampleGzip()
        sample[sample.count - 8] ^= 0xFF  // the trailer's CRC-32
        try check("crc.gz", sample, message: "corrupt gzip data (incorrect data check)", kept: 20_000)
    }

    /// Zeros after the last member (tape blocks) are padding, as `gzip -d` reads them, also when
    /// the file is indexed; anything else after a member is not.
    func testZeroPaddingAfterTheLastMemberIsAcceptedAndOtherTrailingBytesAreNot() throws {
        let sample = try sampleGzip()
        let padded = directory.appendingPathComponent("padded.gz")
        try (sample + Data(count: 10_240)).write(to: padded)
        XCTAssertEqual(try runProgram(["gzip", "-dc", padded.path]), try runProgram(["gzip", "-dc", directory.appendingPathComponent("sample.gz").path]))
        for inflater in ["isal", "zlib"] {
            let output = directory.appendingPathComponent("padded-\(inflater)")
            let run = try MR.succeed(["wordcount", padded.path, "--inflater", inflater, "--output", output.path])
            XCTAssertTrue(try MR.sortedLines(output).contains("sample\t20000"), run.stderr)
        }
        // The index builder (what a first run over a large .gz uses) reads it the same way.
        XCTAssertTrue(try MR.standardOutput(["index", padded.path]).text.contains("1 gzip member"))
        try check("trailing.gz", sample + Data(count: 100) + Data("x".utf8), message: "data that is neither gzip nor zero padding after a member",
                  kept: 20_000)
    }

    func testZeroByteGz() throws {
        try check("empty.gz", Data(), message: "empty file, not gzip data")
    }

    /// A line of 80 MB is held whole when --max-line allows it, and is bad input past the
    /// default 64 MiB (exit 65 naming the file and the line's offset, or skipped and counted).
    func testLineOf80MegabytesNeedsMaxLineAndNULBytesAreOrdinaryInput() throws {
        let long = directory.appendingPathComponent("long.txt")
        FileManager.default.createFile(atPath: long.path, contents: nil)
        let handle = try FileHandle(forWritingTo: long)
        handle.write(Data("before\nfirst ".utf8))
        let spaces = Data(repeating: 0x20, count: 1 << 20)
        for _ in 0..<80 { handle.write(spaces) }
        handle.write(Data(" last\nnext a\u{0}b\u{0}\u{0}c\n".utf8))
        try handle.close()
        let output = directory.appendingPathComponent("out")
        try MR.succeed(["wordcount", long.path, "--output", output.path, "--split-size", "64M", "--max-line", "96M"])
        XCTAssertEqual(try MR.sortedLines(output), ["a\t1", "b\t1", "before\t1", "c\t1", "first\t1", "last\t1", "next\t1"])

        let refused = try MR.run(["wordcount", long.path, "--output", output.path, "--split-size", "64M"])
        XCTAssertEqual(refused.status, 65, refused.stderr)
        let message = "\(long.path): the line at byte 7 of the file is longer than --max-line (67108864 bytes)"
        XCTAssertTrue(refused.stderr.contains(message), refused.stderr)
        let skipped = try MR.succeed(["wordcount", long.path, "--output", output.path, "--split-size", "64M", "--skip-bad-input"])
        XCTAssertTrue(skipped.stderr.contains("warning   skipped the rest of " + message), skipped.stderr)
        XCTAssertTrue(skipped.stderr.contains("bad input files skipped 1\n"), skipped.stderr)
        // The long line's split loses the rest of its piece; the lines of the next split stay.
        XCTAssertEqual(try MR.sortedLines(output), ["a\t1", "b\t1", "before\t1", "c\t1", "next\t1"])
    }

    func testMissingPathAndDirectoryWithoutInputFiles() throws {
        let missing = try MR.run(["wordcount", directory.appendingPathComponent("nothing-here").path])
        XCTAssertEqual(missing.status, 66)
        XCTAssertTrue(missing.stderr.contains("input '\(directory.appendingPathComponent("nothing-here").path)' does not exist"), missing.stderr)
        let empty = directory.appendingPathComponent("empty-dir")
        try FileManager.default.createDirectory(at: empty.appendingPathComponent(".hidden"), withIntermediateDirectories: true)
        let none = try MR.run(["wordcount", empty.path])
        XCTAssertEqual(none.status, 66)
        XCTAssertTrue(none.stderr.contains("holds no input files"), none.stderr)
    }

    func testUnreadableFileAsAnOrdinaryUser() throws {
        try requireRoot("runs mr as user nobody (setpriv) to read a file root could read")
        // Root reads any file, so the run is made as the unprivileged user `nobody`.
        // Sticky, as /tmp is: nobody may write here, and mr trusts it above its cache folder.
        try FileManager.default.setAttributes([.posixPermissions: 0o1777], ofItemAtPath: directory.path)
        let secret = directory.appendingPathComponent("secret.txt")
        try Data("hidden words\n".utf8).write(to: secret)
        try FileManager.default.setAttributes([.posixPermissions: 0o000], ofItemAtPath: secret.path)
        let cache = directory.appendingPathComponent("cache")  // made by nobody's mr, private to nobody
        // mr, the job API module beside it and the job file, from folders `nobody` can read
        // whatever the checkout's permissions (a clone into a mktemp folder is 0700).
        let bin = try directory.appendingPathComponent("bin/Modules").creatingDirectory().deletingLastPathComponent()
        let built = MR.executable.deletingLastPathComponent()
        for file in ["mr", "Modules/MapReduce.swiftmodule"] {
            try FileManager.default.copyItem(at: built.appendingPathComponent(file), to: bin.appendingPathComponent(file))
        }
        let jobs = try directory.appendingPathComponent("jobs").creatingDirectory()
        try FileManager.default.copyItem(atPath: "jobs/wordcount.swift", toPath: jobs.appendingPathComponent("wordcount.swift").path)
        func runAsNobody(_ extra: [String]) throws -> MR.Outcome {
            let output = directory.appendingPathComponent("out-\(extra.count)")
            return try MR.run(["--", bin.appendingPathComponent("mr").path, "wordcount", good.path, secret.path, "--output", output.path] + extra,
                              environment: ["MR_CACHE_DIR": cache.path, "HOME": directory.path, "MR_JOBS_DIR": jobs.path],
                              program: "/usr/bin/setpriv", prefix: ["--reuid=65534", "--regid=65534", "--clear-groups"])
        }
        let stopped = try runAsNobody([])
        XCTAssertEqual(stopped.status, 66, stopped.stderr)
        XCTAssertTrue(stopped.stderr.contains("cannot read input '\(secret.path)': Permission denied"), stopped.stderr)
        let skipped = try runAsNobody(["--skip-bad-input"])
        XCTAssertEqual(skipped.status, 0, skipped.stderr)
        XCTAssertTrue(skipped.stderr.contains("warning   skipped unreadable input '\(secret.path)'"), skipped.stderr)
        XCTAssertTrue(skipped.stderr.contains("bad input files skipped 1\n"), skipped.stderr)
        XCTAssertEqual(try MR.sortedLines(directory.appendingPathComponent("out-1")), ["alpha\t1", "beta\t2", "gamma\t1"])
    }

    func testFullDiskFailsNamingThePathAndLeavesNoOutput() throws {
        // A 16 KiB file-size limit makes the first large intermediate file fail like a full disk.
        let big = directory.appendingPathComponent("big.gz")
        try sampleGzip().write(to: big)
        let output = directory.appendingPathComponent("out")
        let outcome = try MR.run(["-c", "ulimit -f 16; exec \"$0\" \"$@\"", MR.executable.path, "wordcount", big.path,
                                  "--output", output.path, "--reducers", "1"], program: "/bin/sh", prefix: [])
        XCTAssertEqual(outcome.status, 74, outcome.stderr)
        XCTAssertTrue(outcome.stderr.contains("cannot write '"), outcome.stderr)
        XCTAssertTrue(outcome.stderr.contains("File too large"), outcome.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: output.path))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.contains(".mr-work-") }
        XCTAssertEqual(leftovers, [], "temporary files left behind")
    }
}
