import Foundation
@testable import MRBase
@testable import MRInput
@testable import MRSystem
import TestSupport
import XCTest

/// A fed piece is read by its map task while the feeder still writes it: the reader gets exactly
/// the piece's text, waiting when it catches up, never reading an earlier piece's bytes left in a
/// memory file written again, and stops when the feeder gives the piece up.
final class FedPieceTests: XCTestCase {
    private var slot: FileDescriptor!

    override func setUpWithError() throws {
        slot = try FileDescriptor.makeMemoryFile(named: "test-piece")
    }

    override func tearDown() {
        slot.close()
    }

    /// A piece started in the slot with `text` written so far.
    private func startPiece(_ text: [UInt8], offset: Int64 = 0, line: Int64 = 1) throws -> FedPieceWriter {
        let writer = try FedPieceWriter(slot, offset: offset, line: line)
        try writer.append(text, count: text.count)
        return writer
    }

    func testAPieceReadWhileWrittenIsExactlyItsTextEvenInAFileWrittenBefore() throws {
        // An earlier, longer piece in the same file: its bytes stay past the new piece's end.
        try startPiece([UInt8](repeating: UInt8(ascii: "x"), count: 400_000)).finish()

        var generator = SystemRandomNumberGenerator()
        let text = (0..<250_000).map { _ in UInt8.random(in: 0x20...0x7E, using: &generator) }
        let writer = try startPiece([], offset: 123_456, line: 789)
        let source = try FedPieceSource(path: slot.path)
        XCTAssertEqual(source.offset, 123_456)
        XCTAssertEqual(source.line, 789)
        let writing = Thread {
            var at = 0
            while at < text.count {
                let count = min(Int.random(in: 1...90_000), text.count - at)
                text.withUnsafeBytes { try! writer.append($0.baseAddress! + at, count: count) }
                at += count
                usleep(2_000)  // the reader catches up and must wait
            }
            try! writer.finish()
        }
        writing.start()
        let read = try readAll(source)
        XCTAssertTrue(read == text, "read \(read.count) bytes of \(text.count); the first difference at byte "
                      + "\(zip(read, text).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(read.count, text.count))")
    }

    func testAnAbandonedPieceStopsItsReaderWithAnError() throws {
        let writer = try startPiece([UInt8](repeating: UInt8(ascii: "a"), count: 70_000))
        let source = try FedPieceSource(path: slot.path)
        let giveUp = Thread {
            usleep(20_000)
            writer.abandon()
        }
        giveUp.start()
        XCTAssertThrowsError(try readAll(source)) { error in
            XCTAssertTrue((error as? MRError)?.message.contains("was abandoned") == true, "\(error)")
        }
    }

    func testStoppingTheFeederTwiceClosesItsSlotsOnce() throws {
        let own = try FileDescriptor.makeMemoryFile(named: "test-slot")
        let feeder = GzipFeeder(files: [], slots: [own], span: 1 << 20, skipBadInput: false, wake: {})
        feeder.stop()
        // The slot's descriptor number is free again: the next file opened takes it.
        let reopened = open("/dev/null", O_RDONLY | O_CLOEXEC)
        defer { close(reopened) }
        XCTAssertEqual(reopened, own.raw)
        feeder.stop()  // as after a commit that failed once the feeder had stopped
        XCTAssertNotEqual(fcntl(reopened, F_GETFD), -1, "a second stop closed a descriptor that is no longer the slot's")
    }

    private func readAll(_ source: FedPieceSource) throws -> [UInt8] {
        var all: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while case let count = try chunk.withUnsafeMutableBytes({ try source.read(into: $0.baseAddress!, capacity: $0.count) }), count > 0 {
            all += chunk[0..<count]
        }
        return all
    }
}
