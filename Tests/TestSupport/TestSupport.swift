import Foundation
import XCTest

// What both test targets share: temporary folders, the system's tools as independent
// references (gzip, sh), the shipped books, reference word counts, and process helpers.

/// A test case with a fresh temporary `directory`, removed afterwards.
open class TemporaryDirectoryTestCase: XCTestCase {
    package var directory: URL!

    override open func setUpWithError() throws {
        directory = try makeTemporaryDirectory()
    }

    override open func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }
}

/// Skips the test, saying why, unless it runs as root.
package func requireRoot(_ why: String) throws {
    guard geteuid() == 0 else { throw XCTSkip("needs root: \(why)") }
}

/// A fresh temporary directory per test, removed afterwards.
package func makeTemporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("mr-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// gzip -n of `data` into `destination`, by the system's gzip (an implementation not ours).
package func gzip(_ data: Data, to destination: URL) throws {
    try runProgram(["sh", "-c", "gzip -n -c > '\(destination.path)'"], input: data)
}

/// Runs a program found on PATH to completion, feeding it `input`, fails the test unless it
/// exits 0, and returns what it wrote on stdout.
@discardableResult
package func runProgram(_ arguments: [String], input: Data = Data()) throws -> Data {
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
package func gutenbergBooks(gzippedInto directory: URL) throws -> [Data] {
    try gutenbergBooksByName(gzippedInto: directory).map(\.text)
}

/// The repository's `datasets/` folder, found from this file's place in the checkout.
package let datasetsDirectory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("datasets")

/// The books with the names of their gzipped copies; the texts are inflated by the system's gzip
/// (an implementation not ours).
package func gutenbergBooksByName(gzippedInto directory: URL) throws -> [(name: String, text: Data)] {
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
package func referenceWords(_ text: Data) -> [String] {
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
package func referenceLines(_ text: Data) -> [Data] {
    var lines = text.split(separator: 0x0A, omittingEmptySubsequences: false).map { line in
        line.last == 0x0D ? Data(line.dropLast()) : Data(line)
    }
    if text.last == 0x0A { lines.removeLast() }
    return lines
}

/// `key<TAB>count` lines sorted bytewise, as mr writes them.
package func sortedCountLines(_ counts: [String: Int]) -> [String] {
    counts.map { "\($0.key)\t\($0.value)" }.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
}

/// The obviously correct word count.
package func referenceWordCount(_ texts: [Data]) -> [String] {
    var counts: [String: Int] = [:]
    for text in texts {
        for word in referenceWords(text) { counts[word, default: 0] += 1 }
    }
    return sortedCountLines(counts)
}

/// Process ids of the direct children of `pid`, whichever of its threads started them.
package func childProcesses(of pid: Int32) -> [Int32] {
    let threads = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
    return threads.flatMap { thread -> [Int32] in
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/task/\(thread)/children", encoding: .utf8) else { return [] }
        return text.split(separator: " ").compactMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }
}

/// True while `pid` exists and is not a zombie.
package func isRunning(_ pid: Int32) -> Bool {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let close = stat.lastIndex(of: ")") else { return false }
    return !stat[stat.index(close, offsetBy: 2)...].hasPrefix("Z")
}

/// Polls `condition` every 10 ms until it holds; fails the test after `seconds`.
package func waitUntil(_ what: String, seconds: Double = 60, _ condition: () throws -> Bool) rethrows {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try condition() { return }
        usleep(10_000)
    }
    XCTFail("timed out waiting until \(what)")
}

/// Every process below `pid`, found through /proc.
package func descendants(of pid: Int32) -> [Int32] {
    childProcesses(of: pid).flatMap { [$0] + descendants(of: $0) }
}

extension URL {
    /// Creates the directory (and parents) and returns it.
    package func creatingDirectory() throws -> URL {
        try FileManager.default.createDirectory(at: self, withIntermediateDirectories: true)
        return self
    }
}
