import Foundation
import TestSupport
import XCTest

/// Jobs as files: written, compiled, cached, rebuilt, loaded in every worker; and broken ones.
final class PluginTests: TemporaryDirectoryTestCase {
    private var jobs: URL!
    private var cache: URL!
    private var input: URL!

    override func setUpWithError() throws {
        try super.setUpWithError()
        jobs = directory.appendingPathComponent("jobs")
        cache = directory.appendingPathComponent("cache")
        input = directory.appendingPathComponent("in")
        try FileManager.default.createDirectory(at: input, withIntermediateDirectories: true)
        try gzip(Data("a bb ccc dddd eeeee\nccc dddd dddd\n".utf8), to: input.appendingPathComponent("text.gz"))
    }

    private var environment: [String: String] { ["MR_JOBS_DIR": jobs.path, "MR_CACHE_DIR": cache.path] }

    private func run(_ arguments: [String]) throws -> MR.Outcome {
        try MR.run(arguments, environment: environment)
    }

    private func builtLibraries(of job: String) throws -> [String] {
        let folder = cache.appendingPathComponent("jobs")
        return ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { $0.hasPrefix(job + "-") }.sorted()
    }

    func testNewJobRunsInEveryModeAndIsRebuiltOnlyWhenEdited() throws {
        let created = try run(["new", "topwords"])
        XCTAssertEqual(created.status, 0, created.stderr)
        let file = jobs.appendingPathComponent("topwords.swift")
        XCTAssertTrue(FileManager.default.fileExists(atPath: file.path))

        // The template counts words of at least --min-length (default 6) letters.
        for mode in ["processes", "threads", "sequential"] {
            let output = directory.appendingPathComponent("out-\(mode)")
            let outcome = try run(["topwords", input.path, "--mode", mode, "--output", output.path, "--min-length", "4"])
            XCTAssertEqual(outcome.status, 0, outcome.stderr)
            XCTAssertEqual(try MR.sortedLines(output), ["dddd\t3", "eeeee\t1"], mode)
            XCTAssertTrue(outcome.stderr.contains("short words skipped     4\n"), outcome.stderr)
        }
        XCTAssertEqual(try builtLibraries(of: "topwords").count, 1, "later runs must reuse the first build")
        let listed = try run(["jobs"])
        XCTAssertTrue(listed.stderr.isEmpty, listed.stderr)

        // Edit the job: the next run rebuilds it and uses the new code.
        var source = try String(contentsOf: file, encoding: .utf8)
        source = source.replacingOccurrences(of: "output.emit(word, 1)", with: "output.emit(word, 10)")
        try source.write(to: file, atomically: true, encoding: .utf8)
        let output = directory.appendingPathComponent("out-edited")
        XCTAssertEqual(try run(["topwords", input.path, "--output", output.path, "--min-length", "4"]).status, 0)
        XCTAssertEqual(try MR.sortedLines(output), ["dddd\t30", "eeeee\t10"])
        XCTAssertEqual(try builtLibraries(of: "topwords").count, 2)
    }

    func testJobsCommandListsNameDescriptionSourceAndBuildState() throws {
        XCTAssertEqual(try run(["new", "alpha"]).status, 0)
        let before = try MR.standardOutput(["jobs"], environment: environment)
        XCTAssertEqual(before.status, 0)
        XCTAssertTrue(before.text.contains(jobs.appendingPathComponent("alpha.swift").path + " (not built; $MR_JOBS_DIR)"), before.text)
        XCTAssertEqual(try run(["alpha", input.path, "--output", directory.appendingPathComponent("o").path]).status, 0)
        let listing = try MR.standardOutput(["jobs"], environment: environment).text
        XCTAssertTrue(listing.contains("alpha"), listing)
        XCTAssertTrue(listing.contains("Count words longer than --min-length letters"), listing)
        XCTAssertTrue(listing.contains(jobs.appendingPathComponent("alpha.swift").path + " (built; $MR_JOBS_DIR)"), listing)
    }

    /// A job in `${XDG_CONFIG_HOME}/mr/jobs` is found from any folder, after the current
    /// folder's `jobs/` and before the shipped ones, and `mr jobs` says where it came from.
    func testJobsInTheUsersConfigFolderAreFoundFromAnyFolder() throws {
        let config = directory.appendingPathComponent("config")
        let configJobs = try config.appendingPathComponent("mr/jobs").creatingDirectory()
        let anywhere = try directory.appendingPathComponent("anywhere").creatingDirectory()
        let environment = ["MR_CACHE_DIR": cache.path, "XDG_CONFIG_HOME": config.path]
        try MR.standardOutput(["new", "tally"], environment: ["MR_JOBS_DIR": configJobs.path])
        let listing = try MR.standardOutput(["jobs"], environment: environment, currentDirectory: anywhere).text
        XCTAssertTrue(listing.contains(configJobs.appendingPathComponent("tally.swift").path + " (not built; your config folder)"), listing)
        let output = directory.appendingPathComponent("tallied")
        let outcome = try MR.run(["tally", input.path, "--output", output.path], environment: environment, currentDirectory: anywhere)
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        XCTAssertTrue(outcome.stderr.hasPrefix("mr tally (\(configJobs.appendingPathComponent("tally.swift").path)): done in "), outcome.stderr)
    }

    /// Without `$MR_JOBS_DIR`: `mr new` writes into the current folder's `jobs/` (creating it) and
    /// says where; that folder is searched before the shipped jobs, and a job there that hides a
    /// shipped one is listed as hiding it and named by every run that uses it.
    func testNewWritesIntoTheCurrentFoldersJobsAndRunsNameTheirJobFile() throws {
        let project = directory.appendingPathComponent("project")
        try FileManager.default.createDirectory(at: project, withIntermediateDirectories: true)
        let ownJobs = project.appendingPathComponent("jobs")
        let cacheOnly = ["MR_CACHE_DIR": cache.path]

        let created = try MR.standardOutput(["new", "mine"], environment: cacheOnly, currentDirectory: project)
        XCTAssertEqual(created.status, 0)
        let mine = ownJobs.appendingPathComponent("mine.swift").path
        XCTAssertTrue(created.text.hasPrefix("wrote \(mine)\n"), created.text)
        XCTAssertTrue(FileManager.default.fileExists(atPath: mine))

        // A wordcount of its own that counts every word twice hides the shipped one.
        let shipped = datasetsDirectory.deletingLastPathComponent().appendingPathComponent("jobs/wordcount.swift")
        let doubled = try String(contentsOf: shipped, encoding: .utf8).replacingOccurrences(of: "output.emit($0, 1)", with: "output.emit($0, 2)")
        XCTAssertTrue(doubled.contains("output.emit($0, 2)"), "the shipped wordcount no longer emits ($0, 1)")
        let own = ownJobs.appendingPathComponent("wordcount.swift")
        try doubled.write(to: own, atomically: true, encoding: .utf8)

        let listing = try MR.standardOutput(["jobs"], environment: cacheOnly, currentDirectory: project).text
        XCTAssertTrue(listing.contains(mine + " (not built; this folder's jobs/)"), listing)
        XCTAssertTrue(listing.contains(own.path + " (not built; this folder's jobs/)\n           hides " + shipped.path + "\n"), listing)
        XCTAssertTrue(listing.contains("jobs/indexer.swift"), "the shipped jobs are still found: \(listing)")
        XCTAssertTrue(listing.contains("; shipped with mr)"), listing)

        let output = directory.appendingPathComponent("counted")
        let outcome = try MR.run(["wordcount", input.path, "--output", output.path], environment: cacheOnly, currentDirectory: project)
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        XCTAssertTrue(outcome.stderr.hasPrefix("mr wordcount (\(own.path)): done in "), outcome.stderr)
        XCTAssertEqual(try MR.sortedLines(output), ["a\t2", "bb\t2", "ccc\t4", "dddd\t6", "eeeee\t2"])
    }

    /// The jobs the README and docs/jobs.md show, copied from them as a reader would, compile
    /// and give the right answer: the integer example (line lengths, in both) and the text-value
    /// example (longest lines).
    func testTheDocumentedExampleJobsRunAsWritten() throws {
        let root = datasetsDirectory.deletingLastPathComponent()
        func exampleJobs(in document: String) throws -> [String] {
            let text = try String(contentsOf: root.appendingPathComponent(document), encoding: .utf8)
            return text.components(separatedBy: "```swift\n").dropFirst().map { $0.components(separatedBy: "```")[0] }
                .filter { $0.contains("import MapReduce") }
                .map { block in  // a block indented in a list: its indent removed
                    let indent = block.prefix { $0 == " " }.count
                    return block.split(separator: "\n", omittingEmptySubsequences: false).map { String($0.dropFirst(min(indent, $0.prefix { $0 == " " }.count))) }
                        .joined(separator: "\n")
                }
        }
        let readmeJobs = try exampleJobs(in: "README.md"), guideJobs = try exampleJobs(in: "docs/jobs.md")
        XCTAssertEqual(readmeJobs.count, 1, "the README shows one example job")
        XCTAssertEqual(guideJobs.count, 2, "docs/jobs.md shows two example jobs")
        let books = try gutenbergBooksByName(gzippedInto: input)
        for (lineLengths, longestLine) in [(readmeJobs[0], guideJobs[1]), (guideJobs[0], guideJobs[1])] {
            try FileManager.default.createDirectory(at: jobs, withIntermediateDirectories: true)
            for (name, block) in [("linelengths", lineLengths), ("longestline", longestLine)] {
                XCTAssertTrue(block.contains("public static let name = \"\(name)\""), block)
                try block.write(to: jobs.appendingPathComponent(name + ".swift"), atomically: true, encoding: .utf8)
            }
            try checkExampleJobs(books: books)
            try FileManager.default.removeItem(at: directory.appendingPathComponent("lengths"))
            try FileManager.default.removeItem(at: directory.appendingPathComponent("longest"))
        }
    }

    private func checkExampleJobs(books: [(name: String, text: Data)]) throws {
        let lengths = directory.appendingPathComponent("lengths")
        XCTAssertEqual(try run(["linelengths", input.path, "--min", "10", "--output", lengths.path]).status, 0)
        var counts: [String: Int] = [:]
        for line in books.flatMap({ referenceLines($0.text) }) + referenceLines(Data("a bb ccc dddd eeeee\nccc dddd dddd\n".utf8))
        where line.count >= 10 {
            counts[String(line.count), default: 0] += 1
        }
        XCTAssertEqual(try MR.sortedLines(lengths), sortedCountLines(counts))

        let longest = directory.appendingPathComponent("longest")
        XCTAssertEqual(try run(["longestline", input.path, "--output", longest.path]).status, 0)
        var expected = ["text.gz\ta bb ccc dddd eeeee"]
        for book in books {
            // The first of the longest lines: reduce sees a file's lines in order and keeps a
            // line only when it is strictly longer.
            let lines = referenceLines(book.text)
            let longestLine = lines.first { $0.count == lines.map(\.count).max() }!
            expected.append(book.name + "\t" + String(decoding: longestLine, as: UTF8.self))
        }
        XCTAssertEqual(try MR.sortedLines(longest), expected.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) })
    }

    func testJobWithASyntaxErrorShowsTheCompilerMessageAndExits78() throws {
        try FileManager.default.createDirectory(at: jobs, withIntermediateDirectories: true)
        try """
            import MapReduce
            public struct Broken: Job {
                public static let name = "broken"
                public static let summary = "does not compile"
                public init(options: JobOptions) {}
                public func map(_ record: Record, _ output: MapOutput) {
                    output.emit(record.bytes, 1
                }
            }
            """.write(to: jobs.appendingPathComponent("broken.swift"), atomically: true, encoding: .utf8)
        let outcome = try run(["broken", input.path])
        XCTAssertEqual(outcome.status, 78, outcome.stderr)
        XCTAssertTrue(outcome.stderr.contains("broken.swift:8:5: error: expected ')'"), outcome.stderr)
        XCTAssertTrue(outcome.stderr.contains("error:"), outcome.stderr)
    }

    func testJobThatTrapsOnARecordIsRetriedThenNamesJobTaskFileAndLine() throws {
        try FileManager.default.createDirectory(at: jobs, withIntermediateDirectories: true)
        try """
            import MapReduce
            public struct Trapper: Job {
                public static let name = "trapper"
                public static let summary = "Traps on a line holding eeeee"
                public init(options: JobOptions) {}
                public func map(_ record: Record, _ output: MapOutput) {
                    var bad = false
                    forEachWord(in: record.bytes) { if $0.count == 5 { bad = true } }
                    precondition(!bad, "this record is poison")
                    output.emit(decimal: record.bytes.count, 1)
                }
                public func reduce(_ key: ByteSlice, _ values: inout ReduceValues, _ output: ReduceOutput) {
                    output.emit(key, values.sum())
                }
            }
            """.write(to: jobs.appendingPathComponent("trapper.swift"), atomically: true, encoding: .utf8)
        let output = directory.appendingPathComponent("trapped")
        let outcome = try run(["trapper", input.path, "--workers", "2", "--output", output.path])
        XCTAssertEqual(outcome.status, 75, outcome.stderr)
        let file = input.appendingPathComponent("text.gz").path
        XCTAssertTrue(outcome.stderr.contains("job trapper: task map-00000 (split: \(file)) failed 4 times"), outcome.stderr)
        XCTAssertTrue(outcome.stderr.contains("while mapping \(file) line 1"), outcome.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: output.path))

        // Inside the coordinator (threads, sequential) the trap ends the run, but it says where,
        // as a worker process does, and exits 75; the next run removes the work folder left.
        for mode in ["threads", "sequential"] {
            let inProcess = try run(["trapper", input.path, "--mode", mode, "--output", output.path])
            XCTAssertEqual(inProcess.status, 75, inProcess.stderr)
            XCTAssertTrue(inProcess.stderr.contains("mr: job trapper, task map-00000: job code crashed (signal 4) on \(file) line 1;"), inProcess.stderr)
            XCTAssertNotNil(workDirectory(forOutput: output))
        }
        let next = try MR.run(["wordcount", input.path, "--output", output.path], environment: ["MR_CACHE_DIR": cache.path])
        XCTAssertEqual(next.status, 0, next.stderr)
        XCTAssertNil(workDirectory(forOutput: output))
    }

    func testUnknownJobSuggestsTheNearestName() throws {
        let outcome = try MR.run(["ngram", input.path])
        XCTAssertEqual(outcome.status, 64)
        XCTAssertTrue(outcome.stderr.contains("no job named 'ngram'"), outcome.stderr)
        XCTAssertTrue(outcome.stderr.contains("Did you mean 'ngrams'?"), outcome.stderr)
    }

    func testJobOptionsAppearInHelpAndBadValuesAreUsageErrors() throws {
        let (status, help) = try MR.standardOutput(["ngrams", "--help"])
        XCTAssertEqual(status, 0)
        XCTAssertTrue(help.contains("OPTIONS OF NGRAMS:") && help.contains("--n <value>") && help.contains("(default: 2)"), help)

        let bad = try MR.run(["ngrams", input.path, "--n", "zero", "--output", directory.appendingPathComponent("o").path])
        XCTAssertEqual(bad.status, 64, bad.stderr)
        XCTAssertTrue(bad.stderr.contains("--n must be an integer"), bad.stderr)
        let missing = try MR.run(["grep", input.path, "--output", directory.appendingPathComponent("o").path])
        XCTAssertEqual(missing.status, 64, missing.stderr)
        XCTAssertTrue(missing.stderr.contains("needs --pattern"), missing.stderr)
    }
}
