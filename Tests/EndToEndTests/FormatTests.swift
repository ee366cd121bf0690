import Foundation
import TestSupport
import XCTest

/// Input is recognised by its first bytes, not its name: gzip is read whatever its name, and a
/// compression mr does not read, or a file that is not text, is bad input (exit 65 naming it and
/// what it looks like, or a counted skip), never words counted in compressed bytes.
final class FormatTests: TemporaryDirectoryTestCase {
    private let text = Data("alpha beta\nbeta gamma\n".utf8)

    func testGzipIsReadWhateverItsName() throws {
        let mislabelled = directory.appendingPathComponent("notes.txt")
        try gzip(text, to: mislabelled)
        let output = directory.appendingPathComponent("out")
        try MR.succeed(["wordcount", mislabelled.path, "--output", output.path])
        XCTAssertEqual(try MR.sortedLines(output), ["alpha\t1", "beta\t2", "gamma\t1"])
    }

    func testOtherCompressionsAndBinaryFilesAreBadInputNotWords() throws {
        var cases: [(URL, String)] = []
        for (tool, format) in [("bzip2", "bzip2"), ("xz", "xz"), ("zstd", "zstd")] {
            guard (try? runProgram(["sh", "-c", "command -v \(tool)"])) != nil else { continue }
            let file = directory.appendingPathComponent("logs-\(tool).log")  // the name says nothing
            try runProgram(["sh", "-c", "\(tool) -c > '\(file.path)'"], input: text)
            cases.append((file, "is \(format)-compressed data, which mr does not read yet"))
        }
        let binary = directory.appendingPathComponent("image.dat")
        try Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D]).write(to: binary)
        cases.append((binary, "does not look like text (a NUL byte at offset 8)"))
        let latin = directory.appendingPathComponent("latin.txt")
        try Data((0..<400).map { UInt8($0 % 2 == 0 ? 0x61 : 0xE9) }).write(to: latin)
        cases.append((latin, "does not look like text (200 of its first 400 bytes are not UTF-8)"))
        let good = directory.appendingPathComponent("good.txt")
        try text.write(to: good)
        for (file, message) in cases {
            let output = directory.appendingPathComponent("out-\(file.lastPathComponent)")
            let stopped = try MR.run(["wordcount", good.path, file.path, "--output", output.path])
            XCTAssertEqual(stopped.status, 65, stopped.stderr)
            XCTAssertTrue(stopped.stderr.contains("\(file.path) \(message)"), stopped.stderr)
            XCTAssertFalse(FileManager.default.fileExists(atPath: output.path))
            let skipped = try MR.succeed(["wordcount", good.path, file.path, "--output", output.path, "--skip-bad-input"])
            XCTAssertTrue(skipped.stderr.contains("bad input files skipped 1\n"), skipped.stderr)
            XCTAssertTrue(skipped.stderr.contains("skipped \(file.path): it \(message)"), skipped.stderr)
            XCTAssertEqual(try MR.sortedLines(output), ["alpha\t1", "beta\t2", "gamma\t1"])
        }
        XCTAssertGreaterThanOrEqual(cases.count, 2)
    }
}
