import Foundation
import TestSupport
import XCTest

/// What counts as input: gzip members, plain text, empty files, directories, many small files.
final class InputTests: TemporaryDirectoryTestCase {
    private func wordcount(_ inputs: [URL], _ extra: [String] = []) throws -> (lines: [String], stderr: String) {
        let output = directory.appendingPathComponent("out-\(UUID().uuidString)")
        let outcome = try MR.succeed(["wordcount"] + inputs.map(\.path) + ["--output", output.path] + extra)
        return (try MR.sortedLines(output), outcome.stderr)
    }

    func testConcatenatedTwoMemberGzipIsReadWhole() throws {
        let first = directory.appendingPathComponent("first.gz")
        let second = directory.appendingPathComponent("second.gz")
        try gzip(Data("alpha beta\n".utf8), to: first)
        try gzip(Data("beta gamma\ngamma\n".utf8), to: second)
        let both = directory.appendingPathComponent("both.txt.gz")
        try (try Data(contentsOf: first) + Data(contentsOf: second)).write(to: both)
        XCTAssertEqual(try wordcount([both]).lines, ["alpha\t1", "beta\t2", "gamma\t2"])
    }

    func testPlainTextAndEmptyFiles() throws {
        let plain = directory.appendingPathComponent("words.txt")
        try Data("one two\ntwo\n".utf8).write(to: plain)
        let empty = directory.appendingPathComponent("empty.txt")
        try Data().write(to: empty)
        let emptyGzip = directory.appendingPathComponent("empty.txt.gz")
        try gzip(Data(), to: emptyGzip)
        XCTAssertEqual(try wordcount([plain, empty, emptyGzip]).lines, ["one\t1", "two\t2"])
        let onlyEmpty = try wordcount([empty])
        XCTAssertEqual(onlyEmpty.lines, [])
        XCTAssertTrue(onlyEmpty.stderr.contains("input records           0\n"), onlyEmpty.stderr)
    }

    func testDirectoriesAreRecursedAndHiddenFilesSkipped() throws {
        let root = directory.appendingPathComponent("tree")
        let nested = root.appendingPathComponent("a/b")
        try FileManager.default.createDirectory(at: nested, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: root.appendingPathComponent(".hidden"), withIntermediateDirectories: true)
        try Data("top\n".utf8).write(to: root.appendingPathComponent("top.txt"))
        try gzip(Data("deep deep\n".utf8), to: nested.appendingPathComponent("deep.gz"))
        try Data("secret\n".utf8).write(to: root.appendingPathComponent(".secret.txt"))
        try Data("secret\n".utf8).write(to: root.appendingPathComponent(".hidden/x.txt"))
        XCTAssertEqual(try wordcount([root]).lines, ["deep\t2", "top\t1"])
    }

    /// Names that are not UTF-8 (legal on Linux) are read, found in a folder or given as an
    /// argument, and shown as `\xNN` where a job sees them.
    func testFilesWhoseNamesAreNotUTF8AreReadNotDropped() throws {
        let root = directory.appendingPathComponent("latin1")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try Data("alpha beta\n".utf8).write(to: root.appendingPathComponent("good.txt"))
        func create(_ name: [UInt8], in folder: URL, _ text: String) throws {
            let path = Array(folder.path.utf8) + [0x2F] + name + [0]
            let fd = path.withUnsafeBufferPointer { open(UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self), O_WRONLY | O_CREAT, 0o644) }
            XCTAssertGreaterThanOrEqual(fd, 0)
            XCTAssertEqual(text.utf8.count, Array(text.utf8).withUnsafeBytes { write(fd, $0.baseAddress, $0.count) })
            close(fd)
        }
        try create(Array("caf".utf8) + [0xE9, 0x2E, 0x74, 0x78, 0x74], in: root, "alpha gamma\n")  // "café.txt" in Latin-1
        try create([0x61, 0x72, 0x67, 0xFE], in: directory, "delta\n")
        let output = directory.appendingPathComponent("out")
        // Foundation passes arguments as UTF-8, so a shell passes the argument's raw bytes.
        let outcome = try MR.run(["-c", "exec \"$0\" wordcount latin1 \"$(printf 'arg\\376')\" --output out", MR.executable.path],
                                 program: "/bin/sh", currentDirectory: directory)
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        XCTAssertEqual(try MR.sortedLines(output), ["alpha\t2", "beta\t1", "delta\t1", "gamma\t1"])

        let grep = try MR.run(["grep", root.path, "--pattern", "gamma", "--output", directory.appendingPathComponent("found").path])
        XCTAssertEqual(grep.status, 0, grep.stderr)
        XCTAssertEqual(try MR.sortedLines(directory.appendingPathComponent("found")), ["caf\\\\xE9.txt:1\talpha gamma"])
    }

    /// A name holding the byte 0xE9 and one holding the text `\xE9` stay two documents, and the
    /// run report keeps a path's bytes exactly (in the same escaping).
    func testNamesThatAreNotUTF8StayByteExactInOutputAndReport() throws {
        let root = try directory.appendingPathComponent("names").creatingDirectory()
        let latin1 = Array(root.path.utf8) + Array("/caf".utf8) + [0xE9] + [0]
        let fd = latin1.withUnsafeBufferPointer { open(UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self), O_WRONLY | O_CREAT, 0o644) }
        XCTAssertEqual(write(fd, "one\n", 4), 4)
        close(fd)
        try Data("two\n".utf8).write(to: root.appendingPathComponent("caf\\xE9"))
        // The output folder's name ends in the byte 0xFE: a shell passes it as it is.
        // (Foundation cannot open such a path, so the shell renames it afterwards.)
        let outcome = try MR.run(["-c", "\"$0\" indexer names --output \"$(printf 'out\\376')\" && mv \"$(printf 'out\\376')\" renamed",
                                  MR.executable.path], program: "/bin/sh", currentDirectory: directory)
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        let folder = "renamed"
        let lines = try MR.sortedLines(directory.appendingPathComponent(folder))
        // The job sees `caf\xE9` and `caf\\xE9`; indexer escapes a backslash in a name, and the
        // output escapes it once more: 4 and 8 backslashes, two names.
        let backslashes = { (count: Int) in String(repeating: "\\", count: count) }
        XCTAssertEqual(lines, ["one\t1 caf\(backslashes(4))xE9", "two\t1 caf\(backslashes(8))xE9"])
        let report = try MR.report(directory.appendingPathComponent(folder))
        let written = try XCTUnwrap(report["outputDirectory"] as? String)
        XCTAssertTrue(written.hasSuffix("out\\xFE"), written)
    }

    func testTwoThousandTinyFilesArePackedIntoAHandfulOfMapTasks() throws {
        let root = directory.appendingPathComponent("tiny")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        // Each file exactly 1,000 bytes: a unique word, then digits (separators) up to the size.
        // With 256,000-byte splits, 256 files fill a split: ceil(2000 / 256) = 8 map tasks.
        let letters = Array("abcdefghij")
        var expected: [String] = []
        for index in 0..<2000 {
            let word = "w" + String(String(index).map { letters[$0.wholeNumberValue!] })
            let text = word + " " + String(repeating: "7", count: 1000 - word.utf8.count - 2) + "\n"
            try Data(text.utf8).write(to: root.appendingPathComponent("f\(index).txt"))
            expected.append(word + "\t1")
        }
        let result = try wordcount([root], ["--split-size", "256000", "--reducers", "4"])
        XCTAssertTrue(result.stderr.contains("tasks     8 map, 4 reduce"), result.stderr)
        XCTAssertTrue(result.stderr.contains("2000 files"), result.stderr)
        XCTAssertEqual(result.lines, expected.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) })
    }

    func testPlainFileSplitsAtEveryEdgeGiveTheSameCounts() throws {
        // Lines of varied length with multi-byte letters, cut into splits of many sizes: edges
        // fall inside lines, at line ends and inside UTF-8 sequences.
        var text = ""
        for index in 0..<300 { text += String(repeating: "ä\(index % 7)wörd ", count: index % 11) + "end\n" }
        let file = directory.appendingPathComponent("lines.txt")
        try Data(text.utf8).write(to: file)
        let whole = try wordcount([file], ["--split-size", "1G"]).lines
        for size in ["97", "1000", "4099"] {
            XCTAssertEqual(try wordcount([file], ["--split-size", size, "--reducers", "3"]).lines, whole, "split size \(size)")
        }
        XCTAssertEqual(whole, referenceWordCount([Data(text.utf8)]))
    }
}

extension InputTests {
    /// Links among input folders: a loop is bad input naming the link (skipped and counted with
    /// --skip-bad-input), never followed 40 levels deep; a folder reached twice is read once.
    func testSymbolicLinkLoopsAreBadInputAndAFolderReachedTwiceIsReadOnce() throws {
        let input = directory.appendingPathComponent("linked")
        let folder = input.appendingPathComponent("a")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data("hello links\n".utf8).write(to: folder.appendingPathComponent("x.txt"))
        try FileManager.default.createSymbolicLink(atPath: folder.appendingPathComponent("loop").path, withDestinationPath: "..")
        try FileManager.default.createSymbolicLink(atPath: input.appendingPathComponent("b").path, withDestinationPath: "a")
        let output = directory.appendingPathComponent("out")

        let stopped = try MR.run(["wordcount", input.path, "--output", output.path])
        XCTAssertEqual(stopped.status, 65, stopped.stderr)
        XCTAssertTrue(stopped.stderr.contains("input '\(folder.path)/loop' is a symbolic link to a folder that contains it (a loop)"), stopped.stderr)

        try FileManager.default.createSymbolicLink(atPath: input.appendingPathComponent("self").path, withDestinationPath: "self")
        let skipped = try MR.succeed(["wordcount", input.path, "--output", output.path, "--skip-bad-input"])
        XCTAssertEqual(try MR.sortedLines(output), ["hello\t1", "links\t1"], "the folder is read once")
        XCTAssertTrue(skipped.stderr.contains("bad input files skipped 2\n"), skipped.stderr)
        XCTAssertTrue(skipped.stderr.contains("skipped input '\(folder.path)/loop' is a symbolic link to a folder that contains it"), skipped.stderr)
        XCTAssertTrue(skipped.stderr.contains("\(input.path)/self"), skipped.stderr)
        XCTAssertTrue(skipped.stderr.contains("skipped '\(input.path)/b': the same folder as '\(folder.path)', read once"), skipped.stderr)
    }
}
