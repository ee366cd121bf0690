import Foundation
import TestSupport
import XCTest

/// Input is recognised by its first bytes, not its name: gzip, bzip2, zstd and xz are read
/// whatever the name, each through its own library, with damage an error naming the file; a
/// file that is not text is bad input (exit 65 naming it and what it looks like, or a counted
/// skip), never words counted in compressed bytes.
final class FormatTests: TemporaryDirectoryTestCase {
    private let text = Data("alpha beta\nbeta gamma\n".utf8)

    /// The shipped file of each format, the tool that decompresses it (the reference), and its
    /// format's name in messages.
    private let formats = [("sample-105.txt.bz2", "bzip2", "bzip2"), ("sample-106.txt.zst", "zstd", "zstd"), ("sample-107.txt.xz", "xz", "xz")]

    /// The text of a shipped file, decompressed by the format's own tool; nil (and the test
    /// says so) when the tool is missing.
    private func referenceText(_ file: String, tool: String) throws -> Data? {
        guard (try? runProgram(["sh", "-c", "command -v \(tool)"])) != nil else { return nil }
        return try runProgram(["sh", "-c", "\(tool) -dc '\(datasetsDirectory.path)/formats/\(file)'"])
    }

    /// The shipped file `name` joined to itself `copies` times, as `cat` joins files.
    private func joined(_ name: String, copies: Int) throws -> URL {
        let shipped = try Data(contentsOf: datasetsDirectory.appendingPathComponent("formats/\(name)"))
        let joined = directory.appendingPathComponent("joined-\(name)")
        try Data((0..<copies).flatMap { _ in shipped }).write(to: joined)
        return joined
    }

    /// wordcount of `file` on 1 worker and on 3 with 1 MiB splits: the run split it at unit starts
    /// (when `splits`), both outputs equal; returns them.
    private func countOnOneAndThreeWorkers(_ file: URL, splits: Bool = true) throws -> [String] {
        var outputs: [[String]] = []
        for workers in ["1", "3"] {
            let output = directory.appendingPathComponent("out-\(file.lastPathComponent)-\(workers)")
            let run = try MR.succeed(["wordcount", file.path, "--workers", workers, "--split-size", "1M", "--output", output.path])
            if splits {
                XCTAssertTrue(run.stderr.contains("1 large file split at gzip member, zstd frame, xz or bzip2 block starts"), run.stderr)
                XCTAssertFalse(run.stderr.contains("  tasks     1 map"), run.stderr)
            }
            outputs.append(try MR.sortedLines(output))
        }
        XCTAssertEqual(outputs[0], outputs[1], file.lastPathComponent)
        return outputs[0]
    }

    /// wordcount of `good` and `file`: exit 65 with `message` and no output, then with
    /// --skip-bad-input a success that counts one file skipped; returns that run and its output.
    @discardableResult
    private func refusedThenSkipped(_ file: URL, beside good: URL, saying message: String) throws -> (MR.Outcome, URL) {
        let output = directory.appendingPathComponent("out-\(file.lastPathComponent)")
        let stopped = try MR.run(["wordcount", good.path, file.path, "--output", output.path])
        XCTAssertEqual(stopped.status, 65, stopped.stderr)
        XCTAssertTrue(stopped.stderr.contains(message), stopped.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: output.path))
        let skipped = try MR.succeed(["wordcount", good.path, file.path, "--output", output.path, "--skip-bad-input"])
        XCTAssertTrue(skipped.stderr.contains("bad input files skipped 1\n"), skipped.stderr)
        return (skipped, output)
    }

    /// A split file with 40 bytes damaged at `offset`: exit 65 naming the file and the format.
    private func checkDamage(_ file: URL, at offset: Int, format: String) throws {
        var damaged = try Data(contentsOf: file)
        for index in offset..<(offset + 40) { damaged[index] ^= 0x55 }
        try damaged.write(to: file)
        let stopped = try MR.run(["wordcount", file.path, "--workers", "3", "--split-size", "1M",
                                  "--output", directory.appendingPathComponent("damaged-\(file.lastPathComponent)").path])
        XCTAssertEqual(stopped.status, 65, stopped.stderr)
        XCTAssertTrue(stopped.stderr.contains("\(file.path): corrupt \(format) data"), stopped.stderr)
    }

    func testGzipIsReadWhateverItsName() throws {
        let mislabelled = directory.appendingPathComponent("notes.txt")
        try gzip(text, to: mislabelled)
        let output = directory.appendingPathComponent("out")
        try MR.succeed(["wordcount", mislabelled.path, "--output", output.path])
        XCTAssertEqual(try MR.sortedLines(output), ["alpha\t1", "beta\t2", "gamma\t1"])
    }

    /// Each shipped file gives the word count of its text as the format's own tool decompresses
    /// it, under its name, under a neutral one, and under a name that says gzip; and through
    /// `mr stream map`, which reads compressed standard input.
    func testBzip2ZstdAndXzAreReadAsTheirText() throws {
        var checked = 0
        for (file, tool, _) in formats {
            guard let text = try referenceText(file, tool: tool) else { continue }
            let expected = referenceWordCount([text])
            let shipped = datasetsDirectory.appendingPathComponent("formats/\(file)")
            for name in [file, "logs-\(tool).log", "mislabelled-\(tool).gz"] {
                let copy = directory.appendingPathComponent(name)
                try FileManager.default.copyItem(at: shipped, to: copy)
                let output = directory.appendingPathComponent("out-\(name)")
                let run = try MR.succeed(["wordcount", copy.path, "--output", output.path])
                XCTAssertEqual(try MR.sortedLines(output), expected, name)
                XCTAssertTrue(run.stderr.contains("1 files (1 \(tool))"), run.stderr)
            }
            let mr = "'\(MR.executable.path)'"
            let streamed = try runProgram(["sh", "-c", "export MR_CACHE_DIR='\(MR.cache)'; \(mr) stream map wordcount < '\(shipped.path)'"
                + " | LC_ALL=C sort | \(mr) stream reduce wordcount"])
            XCTAssertEqual(String(decoding: streamed, as: UTF8.self).split(separator: "\n").map(String.init), expected, "stream map, \(tool)")
            checked += 1
        }
        if checked == 0 { throw XCTSkip("needs bzip2, zstd or xz on PATH for the reference texts") }
    }

    /// A file of many zstd frames (the shipped one, joined to itself as `cat` joins .zst files)
    /// is split at frame starts and gives the same counts on 1 and 3 workers; one frame is read
    /// by one task, and the run says why.
    func testAFileOfManyZstdFramesIsSplitAtFrameStarts() throws {
        let counts = try countOnOneAndThreeWorkers(try joined("sample-106.txt.zst", copies: 12))
        if let text = try referenceText("sample-106.txt.zst", tool: "zstd") {
            XCTAssertEqual(counts, referenceWordCount(Array(repeating: text, count: 12)))
            // The same text as one frame: read whole, by one task, and the summary says why. (A
            // 1 KiB window keeps zstd from finding the repeats, so the file is large enough to split.)
            let oneFrame = directory.appendingPathComponent("one-frame.zst")
            try runProgram(["sh", "-c", "zstd -q -1 --zstd=wlog=10 -c > '\(oneFrame.path)'"], input: Data((0..<40).flatMap { _ in text }))
            let output = directory.appendingPathComponent("out-one-frame")
            let run = try MR.succeed(["wordcount", oneFrame.path, "--workers", "3", "--split-size", "1M", "--output", output.path])
            XCTAssertTrue(run.stderr.contains("\(oneFrame.path) is read by one map task: it is one zstd frame"), run.stderr)
            XCTAssertEqual(try MR.sortedLines(output), referenceWordCount(Array(repeating: text, count: 40)))
        }
    }

    /// A file of many xz blocks (the shipped one's 5 blocks, joined to itself: 10 streams) is
    /// split at block starts from its indexes and gives the same counts on 1 and 3 workers; a
    /// damaged block in a split is bad input naming the file.
    func testAFileOfManyXzBlocksIsSplitAtBlockStarts() throws {
        let file = try joined("sample-107.txt.xz", copies: 10)
        let counts = try countOnOneAndThreeWorkers(file)
        if let text = try referenceText("sample-107.txt.xz", tool: "xz") {
            XCTAssertEqual(counts, referenceWordCount(Array(repeating: text, count: 10)))
        }
        try checkDamage(file, at: 700_000, format: "xz")
    }

    /// bzip2 files are split at block magics found by a bit-level scan: the shipped file joined
    /// to itself (20 streams) and, with the bzip2 tool, the same text as one stream of 100 kB
    /// blocks (starts at any bit offset) give the same counts on 1 and 3 workers.
    func testBzip2FilesAreSplitAtBlockStarts() throws {
        let file = try joined("sample-105.txt.bz2", copies: 20)
        var files = [file]
        let text = try referenceText("sample-105.txt.bz2", tool: "bzip2")
        if let text {
            let oneStream = directory.appendingPathComponent("one-stream.bz2")
            try runProgram(["sh", "-c", "bzip2 -1 -c > '\(oneStream.path)'"], input: Data((0..<20).flatMap { _ in text }))
            files.append(oneStream)
        }
        for file in files {
            let counts = try countOnOneAndThreeWorkers(file)
            if let text { XCTAssertEqual(counts, referenceWordCount(Array(repeating: text, count: 20)), file.lastPathComponent) }
        }
        try checkDamage(file, at: 1_000_000, format: "bzip2")
    }

    /// A truncated or corrupt file of each format is exit 65 naming the file and what is wrong,
    /// or, with --skip-bad-input, a counted skip.
    func testTruncatedAndCorruptFilesAreBadInputNamingTheFile() throws {
        let good = directory.appendingPathComponent("good.txt")
        try text.write(to: good)
        for (file, _, format) in formats {
            let shipped = try Data(contentsOf: datasetsDirectory.appendingPathComponent("formats/\(file)"))
            var corrupt = shipped
            for offset in stride(from: shipped.count / 2, to: shipped.count / 2 + 64, by: 1) { corrupt[offset] ^= 0x55 }
            for (name, bytes, problem) in [("truncated-\(file)", shipped.prefix(shipped.count / 2), "truncated \(format) data"),
                                           ("corrupt-\(file)", corrupt, "corrupt \(format) data")] {
                let damaged = directory.appendingPathComponent(name)
                try Data(bytes).write(to: damaged)
                try refusedThenSkipped(damaged, beside: good, saying: "\(damaged.path): \(problem)")
            }
        }
    }

    /// A whole xz file of two streams, cut inside the second: the message names a stream (the
    /// unit its decoder reads), not a block.
    func testATruncatedSecondXzStreamIsNamedAStream() throws {
        let good = directory.appendingPathComponent("good.txt")
        try text.write(to: good)
        let shipped = try Data(contentsOf: datasetsDirectory.appendingPathComponent("formats/sample-107.txt.xz"))
        let cut = directory.appendingPathComponent("two-streams-cut.xz")
        try (shipped + shipped.prefix(shipped.count / 2)).write(to: cut)
        try refusedThenSkipped(cut, beside: good, saying: "\(cut.path): truncated xz data (the file ends inside a stream)")
    }

    func testBinaryFilesAreBadInputNotWords() throws {
        var cases: [(URL, String)] = []
        let binary = directory.appendingPathComponent("image.dat")
        try Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D]).write(to: binary)
        cases.append((binary, "does not look like text (a NUL byte at offset 8)"))
        let latin = directory.appendingPathComponent("latin.txt")
        try Data((0..<400).map { UInt8($0 % 2 == 0 ? 0x61 : 0xE9) }).write(to: latin)
        cases.append((latin, "does not look like text (200 of its first 400 bytes are not UTF-8)"))
        let good = directory.appendingPathComponent("good.txt")
        try text.write(to: good)
        for (file, message) in cases {
            let (skipped, output) = try refusedThenSkipped(file, beside: good, saying: "\(file.path) \(message)")
            XCTAssertTrue(skipped.stderr.contains("skipped \(file.path): it \(message)"), skipped.stderr)
            XCTAssertEqual(try MR.sortedLines(output), ["alpha\t1", "beta\t2", "gamma\t1"])
        }
        XCTAssertGreaterThanOrEqual(cases.count, 2)
    }
}
