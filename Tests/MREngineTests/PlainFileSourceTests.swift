import Foundation
@testable import MRBase
@testable import MRInput
import TestSupport
import XCTest

/// A plain input that ends before the size the run was planned with is bad input, not a short read.
final class PlainFileSourceTests: XCTestCase {
    func testAFileTruncatedWhileReadIsBadInput() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("plain-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(repeating: 0x61, count: 100_000).write(to: URL(fileURLWithPath: path))
        let source = try PlainFileSource(path: path, from: 0, plannedSize: 100_000)
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: 40_000, alignment: 8)
        defer { buffer.deallocate() }
        XCTAssertEqual(try source.read(into: buffer, capacity: 40_000), 40_000)
        XCTAssertEqual(truncate(path, 60_000), 0)
        XCTAssertEqual(try source.read(into: buffer, capacity: 40_000), 20_000)
        XCTAssertThrowsError(try source.read(into: buffer, capacity: 40_000)) { error in
            XCTAssertEqual((error as? MRError)?.kind, .badInput)
            XCTAssertTrue("\(error)".contains("\(path): ended at byte 60000 of the 100000 the run was planned with"), "\(error)")
        }
        // Read whole, the same file is fine.
        let whole = try PlainFileSource(path: path, from: 0, plannedSize: 60_000)
        var total = 0
        while case let count = try whole.read(into: buffer, capacity: 40_000), count > 0 { total += count }
        XCTAssertEqual(total, 60_000)
    }
}
