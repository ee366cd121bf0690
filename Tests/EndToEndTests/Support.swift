import Foundation
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
        // One job-library cache per test process: each job compiles once per test run.
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("mr-test-cache-\(getpid())").path
        process.environment = ProcessInfo.processInfo.environment
            .merging(["MR_CACHE_DIR": cache]) { $1 }.merging(environment) { $1 }
        _ = FileManager.default.createFile(atPath: stderrFile.path, contents: nil)
        process.standardError = try FileHandle(forWritingTo: stderrFile)
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        return process
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
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
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
class BooksTestCase: XCTestCase {
    var directory: URL!
    var books: URL!

    override func setUpWithError() throws {
        directory = try makeTemporaryDirectory()
        books = try directory.appendingPathComponent("books").creatingDirectory()
        _ = try gutenbergBooks(gzippedInto: books)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }
}

/// A fresh temporary directory per test, removed afterwards.
func makeTemporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("mr-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// gzip -n of `data` into `destination`, by the system's gzip (an implementation not ours).
func gzip(_ data: Data, to destination: URL) throws {
    try runProgram(["sh", "-c", "gzip -n -c > '\(destination.path)'"], input: data)
}

/// Runs a program found on PATH to completion, feeding it `input`, fails the test unless it
/// exits 0, and returns what it wrote on stdout.
@discardableResult
func runProgram(_ arguments: [String], input: Data = Data()) throws -> Data {
    // The input comes from a file, so that writing it cannot block on a full stdout pipe.
    let inputFile = FileManager.default.temporaryDirectory.appendingPathComponent("mr-input-\(UUID().uuidString)")
    try input.write(to: inputFile)
    defer { try? FileManager.default.removeItem(at: inputFile) }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    process.standardInput = try FileHandle(forReadingFrom: inputFile)
    let stdout = Pipe()
    process.standardOutput = stdout
    try process.run()
    let output = stdout.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    XCTAssertEqual(process.terminationStatus, 0, arguments.prefix(2).joined(separator: " ") + " failed")
    return output
}

/// The eight Project Gutenberg books shipped in `datasets/gutenberg/`, copied into `directory`;
/// returns their plain texts.
func gutenbergBooks(gzippedInto directory: URL) throws -> [Data] {
    try gutenbergBooksByName(gzippedInto: directory).map(\.text)
}

/// The repository's `datasets/` folder, found from this file's place in the checkout.
let datasetsDirectory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("datasets")

/// The books with the names of their gzipped copies; the texts are inflated by the system's gzip
/// (an implementation not ours).
func gutenbergBooksByName(gzippedInto directory: URL) throws -> [(name: String, text: Data)] {
    let corpus = datasetsDirectory.appendingPathComponent("gutenberg")
    let names = try FileManager.default.contentsOfDirectory(atPath: corpus.path).filter { $0.hasSuffix(".txt.gz") }.sorted()
    XCTAssertEqual(names.count, 8, "expected the eight books in \(corpus.path)")
    return try names.map { name in
        let source = corpus.appendingPathComponent(name)
        try FileManager.default.copyItem(at: source, to: directory.appendingPathComponent(name))
        return (name, try runProgram(["gzip", "-dc", source.path]))
    }
}

/// The words of a text by the definition, with the standard library's decoder (invalid bytes
/// become U+FFFD, not a letter) and Unicode properties.
func referenceWords(_ text: Data) -> [String] {
    var words: [String] = []
    var word = String.UnicodeScalarView()
    for scalar in String(decoding: text, as: UTF8.self).unicodeScalars {
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            word.append(scalar)
        default:
            if !word.isEmpty { words.append(String(word)) }
            word = String.UnicodeScalarView()
        }
    }
    if !word.isEmpty { words.append(String(word)) }
    return words
}

/// A text's lines as mr defines them: split at `\n`, a trailing `\r` dropped, no empty last line.
func referenceLines(_ text: Data) -> [Data] {
    var lines = text.split(separator: 0x0A, omittingEmptySubsequences: false).map { line in
        line.last == 0x0D ? Data(line.dropLast()) : Data(line)
    }
    if text.last == 0x0A { lines.removeLast() }
    return lines
}

/// `key<TAB>count` lines sorted bytewise, as mr writes them.
func sortedCountLines(_ counts: [String: Int]) -> [String] {
    counts.map { "\($0.key)\t\($0.value)" }.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
}

/// The obviously correct word count.
func referenceWordCount(_ texts: [Data]) -> [String] {
    var counts: [String: Int] = [:]
    for text in texts {
        for word in referenceWords(text) { counts[word, default: 0] += 1 }
    }
    return sortedCountLines(counts)
}

/// Process ids of the direct children of `pid`, whichever of its threads started them.
func childProcesses(of pid: Int32) -> [Int32] {
    let threads = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
    return threads.flatMap { thread -> [Int32] in
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/task/\(thread)/children", encoding: .utf8) else { return [] }
        return text.split(separator: " ").compactMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }
}

/// True while `pid` exists and is not a zombie.
func isRunning(_ pid: Int32) -> Bool {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let close = stat.lastIndex(of: ")") else { return false }
    return !stat[stat.index(close, offsetBy: 2)...].hasPrefix("Z")
}

/// Polls `condition` every 10 ms until it holds; fails the test after `seconds`.
func waitUntil(_ what: String, seconds: Double = 60, _ condition: () throws -> Bool) rethrows {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try condition() { return }
        usleep(10_000)
    }
    XCTFail("timed out waiting until \(what)")
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
