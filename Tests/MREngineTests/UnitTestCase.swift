import Foundation
import MapReduce
@testable import MRSystem
import TestSupport
import XCTest

/// A test case with a fresh temporary folder, and a shell to make test files with the system's
/// tools (gzip).
class UnitTestCase: TemporaryDirectoryTestCase {
    /// Runs `script` with /bin/sh (the system's gzip makes the test files), feeding it `input`.
    func shell(_ script: String, input: Data = Data()) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", script]
        let pipe = Pipe()
        process.standardInput = pipe
        try process.run()
        pipe.fileHandleForWriting.write(input)
        try pipe.fileHandleForWriting.close()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, script)
    }
}
