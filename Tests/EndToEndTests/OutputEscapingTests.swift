import Foundation
import TestSupport
import XCTest

/// Output lines parse back whatever the data: one tab per line, and tabs, newlines, carriage
/// returns and backslashes inside keys and values escaped (`\t`, `\n`, `\r`, `\\`).
final class OutputEscapingTests: TemporaryDirectoryTestCase {
    private var input: URL!
    /// File name -> its text.
    private let files: [String: String] = [
        "tab\there.txt": "shared alpha\n",
        "new\nline.txt": "shared beta\n",
        "com,ma.txt": "shared gamma\n",
        "back\\slash.txt": "shared delta\twith a tab\r\n",
        "plain.txt": "alpha only\n",
    ]

    override func setUpWithError() throws {
        try super.setUpWithError()
        input = try directory.appendingPathComponent("in").creatingDirectory()
        for (name, text) in files { try Data(text.utf8).write(to: input.appendingPathComponent(name)) }
    }

    /// The lines of every part file, each split at its one tab and unescaped.
    private func records(_ output: URL) throws -> [(key: String, value: String)] {
        var records: [(String, String)] = []
        for (_, data) in try MR.parts(output) {
            for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
                let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
                XCTAssertEqual(fields.count, 2, "not one tab: \(line)")
                records.append((unescape(fields[0], also: []), unescape(fields[1], also: [])))
            }
        }
        return records
    }

    /// Undoes `\\` and `\t`, `\n`, `\r`; with `also`, `\X` for each X in it too.
    private func unescape<S: StringProtocol>(_ text: S, also: Set<Character>) -> String {
        var result = ""
        var escaping = false
        for character in text {
            if escaping {
                switch character {
                case "t": result.append("\t")
                case "n": result.append("\n")
                case "r": result.append("\r")
                case "\\": result.append("\\")
                default:
                    XCTAssertTrue(also.contains(character), "unknown escape \\\(character) in \(text)")
                    result.append(character)
                }
                escaping = false
            } else if character == "\\" {
                escaping = true
            } else {
                result.append(character)
            }
        }
        XCTAssertFalse(escaping, "a lone backslash ends \(text)")
        return result
    }

    /// The indexer's list split at commas that are not escaped, each name unescaped.
    private func names(_ list: Substring) -> [String] {
        var names: [String] = []
        var current = ""
        var escaping = false
        for character in list {
            if escaping { current.append(character); escaping = false }
            else if character == "\\" { escaping = true }
            else if character == "," { names.append(current); current = "" }
            else { current.append(character) }
        }
        names.append(current)
        return names
    }

    func testTheIndexersListsSplitBackIntoTheFileNames() throws {
        let output = directory.appendingPathComponent("index")
        try MR.succeed(["indexer", input.path, "--output", output.path])
        var index: [String: [String]] = [:]
        for (key, value) in try records(output) {
            let space = try XCTUnwrap(value.firstIndex(of: " "))
            let documents = names(value[value.index(after: space)...])
            XCTAssertEqual(Int(value[..<space]), documents.count, value)
            index[key] = documents
        }
        var expected: [String: Set<String>] = [:]
        for (name, text) in files {
            for word in referenceWords(Data(text.utf8)) { expected[word, default: []].insert(name) }
        }
        XCTAssertEqual(index.mapValues(Set.init), expected)
        XCTAssertEqual(index["shared"].map(Set.init), ["tab\there.txt", "new\nline.txt", "com,ma.txt", "back\\slash.txt"])
    }

    func testGrepLinesKeepTheirTabsAndFileNamesEscaped() throws {
        let output = directory.appendingPathComponent("grep")
        try MR.succeed(["grep", input.path, "--pattern", "shared", "--output", output.path])
        let found = try records(output).map { "\($0.key)=\($0.value)" }.sorted()
        let expected = files.filter { $0.value.hasPrefix("shared") }.map { name, text in
            // The record is the line without its terminator (\n, or \r\n).
            "\(name):1=" + text.replacingOccurrences(of: "\r\n", with: "").replacingOccurrences(of: "\n", with: "")
        }.sorted()
        XCTAssertEqual(found, expected)
    }
}
