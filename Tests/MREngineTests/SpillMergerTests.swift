import Foundation
import MapReduce
@testable import MRShuffle
import TestSupport
import XCTest

/// Reduce's merge with a bounded fan-in: merging in passes keeps every pair, in key order, with
/// each key's values in the order of the runs.
final class SpillMergerTests: XCTestCase {
    func testPassesOfSmallFanInKeepEveryValueInRunOrder() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("merger-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // 11 runs; run r holds keys "a", "b" (r even) and "c" with the value r.
        var runs: [IntermediateFile.Segment] = []
        for run in 0..<11 {
            let path = "\(folder)/spill-\(run)"
            let writer = try IntermediateFile.Writer(path: path)
            for key in ["a", "b", "c"] where key != "b" || run % 2 == 0 {
                try Array(key.utf8).withUnsafeBytes { try writer.append(key: $0, value: .int(Int64(run))) }
            }
            try writer.finish()
            runs.append(IntermediateFile.Segment(path: path, partition: 0))
        }
        let merged = try SpillMerger.reduce(runs, fanIn: 3, scratch: folder + "/scratch")
        XCTAssertLessThanOrEqual(merged.count, 3)
        let merge = GroupedMerge(readers: try merged.map { try IntermediateFile.Reader($0) })
        var groups: [String: [Int64]] = [:]
        var order: [String] = []
        while try merge.nextGroup() {
            let key = String(decoding: merge.key, as: UTF8.self)
            order.append(key)
            while let value = merge.nextValue() { groups[key, default: []].append(value.int) }
        }
        XCTAssertEqual(order, ["a", "b", "c"])
        XCTAssertEqual(groups["a"], Array(0...10))
        XCTAssertEqual(groups["b"], [0, 2, 4, 6, 8, 10])
        XCTAssertEqual(groups["c"], Array(0...10))
        // Only the last pass's runs remain in the scratch folder; the inputs are untouched.
        XCTAssertTrue(runs.allSatisfy { FileManager.default.fileExists(atPath: $0.path) })
    }
}
