import Foundation
@testable import MRSystem
import TestSupport
import XCTest

/// The digest that guards the job cache, against FIPS 180-4's examples and the system's sha256sum.
final class SHA256Tests: XCTestCase {
    func testPublishedExamples() {
        XCTAssertEqual(SHA256.hex(of: []), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(SHA256.hex(of: Array("abc".utf8)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(SHA256.hex(of: Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)),
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    /// Fed in pieces of every size, whole blocks and partial ones, the digest is the one-shot one.
    func testPiecewiseUpdatesGiveTheOneShotDigest() {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<5_000).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let whole = SHA256.hex(of: bytes)
        for trial in 0..<50 {
            var hasher = SHA256()
            var offset = 0
            while offset < bytes.count {
                let size = min(bytes.count - offset, trial % 5 == 0 ? 64 : Int.random(in: 0...150, using: &generator))
                hasher.update(bytes[offset..<offset + size])
                offset += size
            }
            let digest = hasher.finish().map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
            XCTAssertEqual(digest, whole, "trial \(trial)")
        }
        var fromSequence = SHA256()
        fromSequence.update(bytes.lazy.map { $0 })  // not contiguous
        XCTAssertEqual(fromSequence.finish().map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined(), whole)
    }

    /// Every length around the 64-byte block and its 56-byte padding edge, against sha256sum.
    func testEveryLengthAroundTheBlockEdgesMatchesSha256sum() throws {
        var generator = SystemRandomNumberGenerator()
        for length in [1, 55, 56, 57, 63, 64, 65, 119, 120, 128, 1000, 100_003] {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("sha-\(UUID().uuidString)")
            try Data(bytes).write(to: file)
            defer { try? FileManager.default.removeItem(at: file) }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["sha256sum", file.path]
            let pipe = Pipe()
            process.standardOutput = pipe
            try process.run()
            let expected = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).prefix(64)
            process.waitUntilExit()
            XCTAssertEqual(SHA256.hex(of: bytes), String(expected), "length \(length)")
        }
    }
}
