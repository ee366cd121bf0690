import Foundation
import TestSupport
import XCTest

/// Mistakes in a job fail loudly instead of exiting 0 with wrong output.
final class JobMistakeTests: TemporaryDirectoryTestCase {
    /// A reduce that writes its key reversed: `ab` then `b` come out as `ba` then `b`, out of
    /// order. Part files promise sorted keys, so the run fails naming both keys.
    func testAReduceThatWritesKeysOutOfOrderFailsTheRun() throws {
        let job = directory.appendingPathComponent("reversed.swift")
        try """
            import MapReduce
            public struct Reversed: Job {
                public static let name = "reversed"
                public static let summary = "Each word reversed, with its count"
                public init(options: JobOptions) {}
                public func map(_ record: Record, _ output: MapOutput) {
                    forEachWord(in: record.bytes) { output.emit($0, 1) }
                }
                public func reduce(_ key: ByteSlice, _ values: inout ReduceValues, _ output: ReduceOutput) {
                    Array(key.reversed()).withUnsafeBytes { output.emit($0, values.sum()) }
                }
            }
            """.write(to: job, atomically: true, encoding: .utf8)
        let input = directory.appendingPathComponent("in.txt")
        try Data("ab b ab\n".utf8).write(to: input)
        for mode in ["processes", "sequential"] {
            let output = directory.appendingPathComponent("out-\(mode)")
            let outcome = try MR.run([job.path, input.path, "--reducers", "1", "--mode", mode, "--output", output.path])
            XCTAssertEqual(outcome.status, 75, outcome.stderr)
            XCTAssertTrue(outcome.stderr.contains("reduce wrote key 'b' after 'ba', so its output would not be sorted"), outcome.stderr)
            XCTAssertFalse(FileManager.default.fileExists(atPath: output.path))
        }
        let streamed = try MR.run(["-c", "printf 'ab\\t1\\nb\\t1\\n' | \"$0\" stream reduce \"$1\"", MR.executable.path, job.path],
                                  program: "/bin/sh")
        XCTAssertNotEqual(streamed.status, 0, streamed.stderr)
        XCTAssertTrue(streamed.stderr.contains("reduce wrote key 'b' after 'ba'"), streamed.stderr)
    }

    /// `reduce` with `values` not `inout`: not the protocol's reduce, and there is no default to
    /// fall back on, so the job does not compile (exit 78, the compiler's message shown) instead of
    /// running and writing nothing.
    func testAReduceWithAMisspelledSignatureDoesNotCompile() throws {
        let job = directory.appendingPathComponent("misspelled.swift")
        try """
            import MapReduce
            public struct Misspelled: Job {
                public static let name = "misspelled"
                public static let summary = "A reduce that is not the protocol's"
                public init(options: JobOptions) {}
                public func map(_ record: Record, _ output: MapOutput) { output.emit(record.bytes, 1) }
                public func reduce(_ key: ByteSlice, _ values: ReduceValues, _ output: ReduceOutput) {
                    var values = values
                    output.emit(key, values.sum())
                }
            }
            """.write(to: job, atomically: true, encoding: .utf8)
        let input = directory.appendingPathComponent("in.txt")
        try Data("a\n".utf8).write(to: input)
        let outcome = try MR.run([job.path, input.path, "--output", directory.appendingPathComponent("out").path])
        XCTAssertEqual(outcome.status, 78, outcome.stderr)
        XCTAssertTrue(outcome.stderr.contains("does not conform to protocol 'Job'"), outcome.stderr)
        XCTAssertTrue(outcome.stderr.contains("misspelled.swift:2:"), outcome.stderr)
    }

    /// Text values summed as integers: not zeros, an error naming the key.
    func testAValueReadAsTheWrongTypeFailsNamingTheKey() throws {
        let job = directory.appendingPathComponent("textsum.swift")
        try """
            import MapReduce
            public struct TextSum: Job {
                public static let name = "textsum"
                public static let summary = "Sums values that are text"
                public init(options: JobOptions) {}
                public func map(_ record: Record, _ output: MapOutput) { output.emit(record.bytes, text: record.bytes) }
                public func reduce(_ key: ByteSlice, _ values: inout ReduceValues, _ output: ReduceOutput) {
                    output.emit(key, values.sum())
                }
            }
            """.write(to: job, atomically: true, encoding: .utf8)
        let input = directory.appendingPathComponent("in.txt")
        try Data("apple\npear\n".utf8).write(to: input)
        for mode in ["processes", "threads"] {
            let outcome = try MR.run([job.path, input.path, "--mode", mode, "--reducers", "1",
                                      "--output", directory.appendingPathComponent("out-\(mode)").path])
            XCTAssertEqual(outcome.status, 75, outcome.stderr)
            XCTAssertTrue(outcome.stderr.contains("reduce read a value of key 'apple' as the wrong type"), outcome.stderr)
        }
    }

    /// A job found by its file's name must go by it: `jobs/tally.swift` declaring `counts` is one
    /// clear error, not a run whose output folder and summary say another name.
    func testAJobWhoseNameIsNotItsFileNameIsAnError() throws {
        let jobs = try directory.appendingPathComponent("jobs").creatingDirectory()
        XCTAssertEqual(try MR.standardOutput(["new", "tally"], environment: ["MR_JOBS_DIR": jobs.path]).status, 0)
        let file = jobs.appendingPathComponent("tally.swift")
        let text = try String(contentsOf: file, encoding: .utf8).replacingOccurrences(of: "name = \"tally\"", with: "name = \"counts\"")
        try text.write(to: file, atomically: true, encoding: .utf8)
        let input = directory.appendingPathComponent("in.txt")
        try Data("some words here\n".utf8).write(to: input)
        let outcome = try MR.run(["tally", input.path, "--output", directory.appendingPathComponent("out").path],
                                 environment: ["MR_JOBS_DIR": jobs.path])
        XCTAssertEqual(outcome.status, 78, outcome.stderr)
        XCTAssertTrue(outcome.stderr.contains("\(file.path) declares the job 'counts', but mr finds a job by its file's name"), outcome.stderr)
    }
}
