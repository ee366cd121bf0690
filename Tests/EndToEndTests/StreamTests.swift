import Foundation
import TestSupport
import XCTest

/// `mr stream`: a job's steps as Hadoop Streaming executables, run in the pipeline that stands
/// for the framework (`zcat | mr stream map | LC_ALL=C sort | mr stream reduce`); the output
/// equals `mr JOB`'s on the same books, once sorted.
final class StreamTests: BooksTestCase {
    /// Runs `script` in sh, in the books' folder, with `$MR` the mr under test; returns stdout.
    private func shell(_ script: String) throws -> String {
        let prelude = "set -e; export MR_CACHE_DIR='\(MR.cache)'; MR='\(MR.executable.path)'; cd '\(books.path)'; "
        return String(decoding: try runProgram(["sh", "-c", prelude + script]), as: UTF8.self)
    }

    /// `mr JOB` on the books, every output line, sorted bytewise.
    private func localRun(_ arguments: [String]) throws -> [String] {
        let output = directory.appendingPathComponent("local-\(arguments.joined(separator: "-"))")
        try MR.succeed([arguments[0], books.path, "--output", output.path] + arguments.dropFirst())
        return try MR.sortedLines(output, keysUnique: !arguments.contains("grep"))
    }

    private func sortedLines(_ text: String) -> [String] {
        text.split(separator: "\n").map(String.init).sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
    }

    /// One mapper per book, as a cluster runs one per .gz file, with the file's name in the
    /// variable Hadoop sets.
    private let mapEachBook = "for f in *.gz; do zcat \"$f\" | mapreduce_map_input_file=\"$f\" \"$MR\" stream map"

    func testWordcountIndexerAndNgramsThroughSortEqualTheLocalRun() throws {
        for job in [["wordcount"], ["indexer"], ["ngrams", "--n", "3"]] {
            let step = job.joined(separator: " ")
            let streamed = try shell("\(mapEachBook) \(step) 2>/dev/null; done | LC_ALL=C sort"
                + " | \"$MR\" stream combine \(step) 2>/dev/null | \"$MR\" stream reduce \(step) 2>/dev/null")
            XCTAssertEqual(sortedLines(streamed), try localRun(job), step)
        }
    }

    /// Typed values through the stream lines: groupby's floats folded into tallies by map and
    /// combine, and join's tagged text, equal the local run.
    func testGroupByFloatsAndAJoinThroughSortEqualTheLocalRun() throws {
        var table = ""
        for number in 0..<5_000 { table += "k\(number % 37)\t\(Double(number) * 0.37 - 900.1)\tc\(number % 11)\n" }
        try Data(table.utf8).write(to: books.appendingPathComponent("table.tsv"))
        var people = ""
        for number in 0..<9 { people += "c\(number)\tperson \(number)\n" }
        try Data(people.utf8).write(to: books.appendingPathComponent("people.tsv"))
        let data = try directory.appendingPathComponent("tables").creatingDirectory()
        for name in ["table.tsv", "people.tsv"] {
            try FileManager.default.copyItem(at: books.appendingPathComponent(name), to: data.appendingPathComponent(name))
        }
        for aggregate in ["mean", "sum", "max"] {
            let step = "groupby --type float --agg \(aggregate)"
            let streamed = try shell("\"$MR\" stream map \(step) < table.tsv 2>/dev/null | LC_ALL=C sort"
                + " | \"$MR\" stream combine \(step) 2>/dev/null | \"$MR\" stream reduce \(step) 2>/dev/null")
            let output = directory.appendingPathComponent("groupby-\(aggregate)")
            try MR.succeed(["groupby", data.appendingPathComponent("table.tsv").path, "--type", "float", "--agg", aggregate, "--output", output.path])
            XCTAssertEqual(sortedLines(streamed), try MR.sortedLines(output), step)
        }
        let join = "join --left table.tsv --left-key 3"
        let streamed = try shell("for f in table.tsv people.tsv; do mapreduce_map_input_file=$f \"$MR\" stream map \(join) < $f 2>/dev/null; done"
            + " | LC_ALL=C sort | \"$MR\" stream reduce \(join) 2>/dev/null")
        let output = directory.appendingPathComponent("join")
        let joined = try MR.run(["join", "table.tsv", "people.tsv", "--left", "table.tsv", "--left-key", "3", "--output", output.path],
                                currentDirectory: data)
        XCTAssertEqual(joined.status, 0, joined.stderr)
        XCTAssertEqual(sortedLines(streamed), try MR.sortedLines(output, keysUnique: false))
        XCTAssertEqual(sortedLines(streamed).count, 5_000 / 11 * 9 + min(5_000 % 11, 9))
    }

    func testAMapOnlyJobWritesTheLocalRunsLines() throws {
        let streamed = try shell("\(mapEachBook) grep --pattern 'Baker Street' 2>/dev/null; done")
        XCTAssertEqual(sortedLines(streamed), try localRun(["grep", "--pattern", "Baker Street"]))
        XCTAssertGreaterThan(sortedLines(streamed).count, 5)
    }

    /// Counters and status go to stderr in Hadoop's reporter format.
    func testCountersGoToStderrInTheReporterFormat() throws {
        let book = "pg-metamorphosis.txt.gz"
        let lines = try shell("zcat \(book) | wc -l").trimmingCharacters(in: .whitespacesAndNewlines)
        let stderr = try shell("zcat \(book) | \"$MR\" stream map wordcount 2>&1 >/dev/null")
        XCTAssertTrue(stderr.contains("reporter:counter:mr,input records,\(lines)\n"), stderr)
        XCTAssertTrue(stderr.contains("reporter:counter:mr,map output records,"), stderr)
    }

    /// Malformed reduce input is bad input naming the line, never a wrong answer.
    func testMalformedOrUnsortedReduceInputIsRefusedWithItsLineNumber() throws {
        for (input, message) in [
            ("a\t1\nno tab here\n", "standard input line 2: not KEY<TAB>VALUE"),
            ("a\t1\nb\tseven\n", "standard input line 2: not KEY<TAB>VALUE"),
            ("a\t1\nb\t9223372036854775808\n", "standard input line 2: not KEY<TAB>VALUE"),  // past Int64: not wrapped
            ("b\t1\nc\t1\na\t1\n", "standard input line 3: its key comes before the key of the line above"),
            ("a\t1\nb\\qc\t1\n", "standard input line 2: its key has an escape the format does not define"),
            ("ab\\\t1\n", "standard input line 1: its key has an escape the format does not define"),  // a key ending in \
        ] {
            let outcome = try MR.run(["-c", "printf '\(input.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\t", with: "\\t").replacingOccurrences(of: "\n", with: "\\n"))' | \"$0\" stream reduce wordcount",
                                      MR.executable.path], program: "/bin/sh")
            XCTAssertEqual(outcome.status, 65, outcome.stderr)
            XCTAssertTrue(outcome.stderr.contains(message), outcome.stderr)
        }
    }

    /// `mr package`: unpacked into an empty folder, its mapper runs with a bare environment and
    /// loads every library from the package: the toolchain's folder is never even searched.
    func testAPackagedJobRunsWithNoToolchainOnAnySearchPath() throws {
        let archive = directory.appendingPathComponent("wordcount.tar.gz")
        let packed = try MR.run(["package", "wordcount", "--output", archive.path])
        XCTAssertEqual(packed.status, 0, packed.stderr)
        let unpacked = try directory.appendingPathComponent("node").creatingDirectory()
        let home = try directory.appendingPathComponent("empty-home").creatingDirectory()
        try runProgram(["tar", "xzf", archive.path, "-C", unpacked.path])
        let bare = "env -i PATH=/usr/bin:/bin HOME='\(home.path)'"
        let mapped = try shell("zcat pg-grimm.txt.gz | \(bare) LD_DEBUG=libs '\(unpacked.path)/mr' stream map wordcount 2>'\(directory.path)/ld.log'")
        // The same pairs (a combining table writes them in no set order).
        XCTAssertEqual(sortedLines(mapped), sortedLines(try shell("zcat pg-grimm.txt.gz | \"$MR\" stream map wordcount 2>/dev/null")))
        let loader = try String(contentsOf: directory.appendingPathComponent("ld.log"), encoding: .utf8)
        XCTAssertTrue(loader.contains("calling init: \(unpacked.path)/lib/libswiftCore.so"), loader)
        XCTAssertTrue(loader.contains("calling init: \(unpacked.path)/jobs/wordcount.so"), loader)
        XCTAssertFalse(loader.contains("lib/swift/linux"), "the toolchain's library folder was searched")
        XCTAssertTrue(loader.contains("reporter:counter:mr,input records,"), loader)
        // The whole job through the unpacked package equals the local run.
        let streamed = try shell("\(mapEachBook) wordcount 2>/dev/null; done | LC_ALL=C sort | \(bare) '\(unpacked.path)/mr' stream reduce wordcount 2>/dev/null")
        XCTAssertEqual(sortedLines(streamed), try localRun(["wordcount"]))
    }
}
