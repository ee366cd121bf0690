import Foundation
@testable import MRBase
@testable import MRSystem
import TestSupport
import XCTest

/// The engine's CRC-32 is gzip's: the standard check value, chained over pieces, and equal to the
/// trailer gzip writes.
final class ChecksumTests: XCTestCase {
    private func crc(_ bytes: [UInt8], from start: UInt32 = 0) -> UInt32 {
        bytes.withUnsafeBytes { checksum(start, $0.baseAddress!, $0.count) }
    }

    func testCheckValueChainingAndGzipsTrailer() throws {
        XCTAssertEqual(crc(Array("123456789".utf8)), 0xCBF4_3926)
        let text = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) }
        XCTAssertEqual(crc(Array(text[40_000...]), from: crc(Array(text[..<40_000]))), crc(text))

        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        gzip.arguments = ["gzip", "-c", "-n"]
        let input = Pipe(), output = Pipe()
        gzip.standardInput = input
        gzip.standardOutput = output
        try gzip.run()
        input.fileHandleForWriting.write(Data(text))
        try input.fileHandleForWriting.close()
        let compressed = Array(output.fileHandleForReading.readDataToEndOfFile())
        gzip.waitUntilExit()
        XCTAssertEqual(UInt32(littleEndianValue(compressed[(compressed.count - 8)..<(compressed.count - 4)])), crc(text))
    }
}
