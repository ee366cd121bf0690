import Foundation
import TestSupport
import XCTest

/// Runs the `mr` binary built beside the test bundle and reads what it leaves on disk.
enum MR {
    static var executable: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("mr")
    }

    struct Outcome {
        let status: Int32
        let stderr: String
    }

    /// Starts `mr` (or `program` with `prefix` arguments, to run mr under a wrapper) without
    /// waiting, in `currentDirectory` if given; stderr goes to `stderrFile`.
    static func start(_ arguments: [String], environment: [String: String] = [:], stderrFile: URL,
                      program: String? = nil, prefix: [String] = [], currentDirectory: URL? = nil) throws -> Process {
        let process = Process()
        process.currentDirectoryURL = currentDirectory
        process.executableURL = program.map { URL(fileURLWithPath: $0) } ?? executable
        process.arguments = prefix + arguments
        process.environment = testEnvironment(environment)
        _ = FileManager.default.createFile(atPath: stderrFile.path, contents: nil)
        process.standardError = try FileHandle(forWritingTo: stderrFile)
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// One job-library cache per test process, in the temporary folder (never the user's own):
    /// each job compiles once per test run.
    static let cache = FileManager.default.temporaryDirectory.appendingPathComponent("mr-test-cache-\(getpid())").path

    /// This process's environment with the test cache, then `environment` over it.
    private static func testEnvironment(_ environment: [String: String]) -> [String: String] {
        ProcessInfo.processInfo.environment.merging(["MR_CACHE_DIR": cache]) { $1 }.merging(environment) { $1 }
    }

    /// Runs `mr` to completion.
    @discardableResult
    static func run(_ arguments: [String], environment: [String: String] = [:],
                    program: String? = nil, prefix: [String] = [], currentDirectory: URL? = nil) throws -> Outcome {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("mr-stderr-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: log) }
        let process = try start(arguments, environment: environment, stderrFile: log, program: program, prefix: prefix,
                                currentDirectory: currentDirectory)
        process.waitUntilExit()
        return Outcome(status: process.terminationStatus, stderr: (try? String(contentsOf: log, encoding: .utf8)) ?? "")
    }

    /// Runs `mr` and fails the test unless it exits 0.
    @discardableResult
    static func succeed(_ arguments: [String], environment: [String: String] = [:],
                        file: StaticString = #filePath, line: UInt = #line) throws -> Outcome {
        let outcome = try run(arguments, environment: environment)
        XCTAssertEqual(outcome.status, 0, "mr \(arguments.joined(separator: " ")) failed:\n\(outcome.stderr)", file: file, line: line)
        return outcome
    }

    /// Runs `mr` and returns what it printed on stdout.
    static func standardOutput(_ arguments: [String], environment: [String: String] = [:],
                               currentDirectory: URL? = nil) throws -> (status: Int32, text: String) {
        let process = Process()
        process.currentDirectoryURL = currentDirectory
        process.executableURL = executable
        process.arguments = arguments
        process.environment = testEnvironment(environment)
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }

    /// The run report (JSON) a successful run wrote into `directory/_SUCCESS`.
    static func report(_ directory: URL) throws -> [String: Any] {
        let data = try Data(contentsOf: directory.appendingPathComponent("_SUCCESS"))
        return try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any], "_SUCCESS is not a JSON object")
    }

    /// The part files of an output directory, by name.
    static func parts(_ directory: URL) throws -> [String: Data] {
        var parts: [String: Data] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: directory.path) where name.hasPrefix("part-") {
            parts[name] = try Data(contentsOf: directory.appendingPathComponent(name))
        }
        return parts
    }

    /// All output lines of a directory, sorted bytewise, after checking that `_SUCCESS` is there
    /// and, for reduce output (`keysUnique`), that each part file is sorted by unique keys.
    static func sortedLines(_ directory: URL, keysUnique: Bool = true,
                            file: StaticString = #filePath, line: UInt = #line) throws -> [String] {
        XCTAssertTrue(FileManager.default.fileExists(atPath: directory.appendingPathComponent("_SUCCESS").path),
                      "no _SUCCESS in \(directory.path)", file: file, line: line)
        var all: [String] = []
        for (name, data) in try parts(directory) {
            let lines = String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
            let keys = lines.map { Array($0.prefix { $0 != "\t" }.utf8) }
            XCTAssertTrue(!keysUnique || zip(keys, keys.dropFirst()).allSatisfy { $0.lexicographicallyPrecedes($1) },
                          "\(name) is not sorted by key with unique keys", file: file, line: line)
            all += lines
        }
        return all.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
    }
}

/// A test case with a fresh temporary `directory` and the eight books gzipped in `books` inside it.
class BooksTestCase: TemporaryDirectoryTestCase {
    var books: URL!

    override func setUpWithError() throws {
        try super.setUpWithError()
        books = try directory.appendingPathComponent("books").creatingDirectory()
        _ = try gutenbergBooks(gzippedInto: books)
    }
}

/// The work directory beside `output` of a running (or killed) job, if there is one.
func workDirectory(forOutput output: URL) -> URL? {
    let parent = output.deletingLastPathComponent()
    let prefix = "." + output.lastPathComponent + ".mr-work-"
    let work = (try? FileManager.default.contentsOfDirectory(atPath: parent.path))?.first { $0.hasPrefix(prefix) }
    return work.map { parent.appendingPathComponent($0) }
}

/// Entries of `folder` inside the work directory of the job whose output is `output`.
func workEntries(forOutput output: URL, in folder: String = "") -> [String] {
    guard let work = workDirectory(forOutput: output) else { return [] }
    return (try? FileManager.default.contentsOfDirectory(atPath: work.appendingPathComponent(folder).path)) ?? []
}

/// Entries of the attempts folder of a running job whose output is `output`.
func runningAttempts(forOutput output: URL) -> [String] {
    workEntries(forOutput: output, in: "attempts")
}

/// The tasks the running job whose output is `output` has committed, as its journal lists them.
func journaledTasks(forOutput output: URL) -> [String] {
    guard let work = workDirectory(forOutput: output),
          let journal = try? String(contentsOf: work.appendingPathComponent("journal"), encoding: .utf8) else { return [] }
    return journal.split(separator: "\n").compactMap { $0.split(separator: " ").first.map(String.init) }
}

/// Whether an attempt of a task whose name starts with `prefix` (`map-`, `reduce-00000`) has
/// started in the running job whose output is `output`. A reduce attempt, or a map-only job's
/// map attempt, makes its part file in the attempts folder as it starts; a map attempt of a job
/// with reducers appends to its worker's map output log (`maps-...`), made by the worker's first
/// map task: `map-` then stands for any map attempt.
func attemptStarted(_ prefix: String, forOutput output: URL) -> Bool {
    runningAttempts(forOutput: output).contains { $0.hasPrefix(prefix) }
        || prefix == "map-" && workEntries(forOutput: output).contains { $0.hasPrefix("maps-") }
}
