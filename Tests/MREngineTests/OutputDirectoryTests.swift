import Foundation
@testable import MRBase
@testable import MRSystem
@testable import MROutput
import TestSupport
import XCTest

/// The output folder's commit: at every point of its sequence (staged `_SUCCESS`, the atomic
/// exchange, the clean-up) a failure or a crash leaves either the whole old output or the whole
/// new one, never a mix, and a folder holding `_SUCCESS` is always complete.
final class OutputDirectoryTests: TemporaryDirectoryTestCase {
    private var output: String { directory.appendingPathComponent("out").path }

    /// Prepares a run of the output whose staged copy holds `part`.
    private func stagedRun(_ part: String) throws -> OutputDirectory {
        let run = try OutputDirectory.prepare(output, fingerprint: "plan", resume: false)
        try FileSystem.writeFile(run.staged + "/part-00000", part)
        return run
    }

    /// The output folder's files and their contents.
    private func contents() throws -> [String: String] {
        var found: [String: String] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: output) {
            found[name] = try String(contentsOfFile: output + "/" + name, encoding: .utf8)
        }
        return found
    }

    private func commitOld() throws -> [String: String] {
        try stagedRun("old\n").commit(report: "{\"run\": 1}\n")
        return try contents()
    }

    func testAFirstCommitRenamesAndASecondExchanges() throws {
        let old = try commitOld()
        XCTAssertEqual(old, [".mr-output": "", "part-00000": "old\n", "_SUCCESS": "{\"run\": 1}\n"])
        let run = try stagedRun("new\n")
        try run.commit(report: "{\"run\": 2}\n")
        XCTAssertEqual(try contents()["part-00000"], "new\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: run.workDirectory), "the old output left with the work folder")
        XCTAssertFalse(FileManager.default.fileExists(atPath: OutputDirectory.lockPath(for: output)), "the lock is removed")
    }

    func testAFailureWritingSuccessLeavesTheOldOutput() throws {
        let old = try commitOld()
        let run = try stagedRun("new\n")
        try FileSystem.writeFile(run.staged + "/_SUCCESS", "planted")  // mr never writes over a file
        XCTAssertThrowsError(try run.commit(report: "{}")) { error in
            XCTAssertEqual((error as? MRError)?.kind, .cannotCreateOutput)
        }
        run.abandon()
        XCTAssertEqual(try contents(), old)
        XCTAssertFalse(FileManager.default.fileExists(atPath: run.workDirectory))
    }

    /// A crash after each step: the process ends holding whatever it did so far.
    func testACrashAtEachStepLeavesOneWholeOutput() throws {
        let old = try commitOld()

        let beforeExchange = try stagedRun("new\n")
        try beforeExchange.writeSuccess(report: "{\"run\": 2}\n")
        beforeExchange.lock.close()  // the process died here
        XCTAssertEqual(try contents(), old, "before the exchange the old output is whole")

        FileSystem.removeTree(beforeExchange.workDirectory)
        let afterExchange = try stagedRun("new\n")
        try afterExchange.writeSuccess(report: "{\"run\": 2}\n")
        try afterExchange.putInPlace()
        afterExchange.lock.close()  // the process died here
        XCTAssertEqual(try contents(), [".mr-output": "", "part-00000": "new\n", "_SUCCESS": "{\"run\": 2}\n"],
                       "after the exchange the new output is whole")
        let left = try String(contentsOfFile: afterExchange.staged + "/part-00000", encoding: .utf8)
        XCTAssertEqual(left, "old\n", "the old output waits in the work folder for the next run to remove")

        // The next run takes the lock (its holder is gone) and commits over it.
        FileSystem.removeTree(afterExchange.workDirectory)
        try stagedRun("third\n").commit(report: "{\"run\": 3}\n")
        XCTAssertEqual(try contents()["part-00000"], "third\n")
    }

    func testAFolderMrDidNotMakeIsNeverReplaced() throws {
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        try Data("mine\n".utf8).write(to: URL(fileURLWithPath: output + "/notes.txt"))
        XCTAssertThrowsError(try OutputDirectory.prepare(output, fingerprint: "plan", resume: false)) { error in
            XCTAssertEqual((error as? MRError)?.kind, .cannotCreateOutput)
        }
        XCTAssertEqual(try contents(), ["notes.txt": "mine\n"])
    }
}
