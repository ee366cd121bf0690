import Foundation
import MapReduce
@testable import MRShuffle
import TestSupport
import XCTest

/// Reduce's k-way merge: for every number of runs, some of them empty, it hands out each key
/// once in bytewise order with its values in run order (map-task order), as a sort of all the
/// pairs by key, then run, then place in the run would.
final class GroupedMergeTests: XCTestCase {
    func testEveryNumberOfRunsMergesToTheSortedPairsWithValuesInRunOrder() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("merge-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var state: UInt64 = 42
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        // Keys sharing long prefixes (so the merge's 16-byte prefixes often tie) and short ones.
        let keys = (0..<60).map { number -> [UInt8] in
            number % 3 == 0 ? Array("k\(number)".utf8) : Array("a shared prefix of twenty bytes \(number % 7) \(number)".utf8)
        }
        for runCount in [1, 2, 3, 5, 8, 13, 31, 32, 33, 64] {
            var expected: [(key: [UInt8], run: Int, place: Int)] = []
            var readers: [IntermediateFile.Reader] = []
            for run in 0..<runCount {
                let path = "\(folder)/run-\(runCount)-\(run)"
                let writer = try IntermediateFile.Writer(path: path)
                // Every fourth run is empty; the others hold a sorted sample of the keys, a key at most once.
                let chosen = run % 4 == 3 ? [] : Set((0..<next(40)).map { _ in keys[next(keys.count)] }).sorted { $0.lexicographicallyPrecedes($1) }
                for (place, key) in chosen.enumerated() {
                    try key.withUnsafeBytes { try writer.append(key: $0, value: .int(Int64(run * 1000 + place))) }
                    expected.append((key, run, place))
                }
                try writer.finish()
                readers.append(try IntermediateFile.Reader(path: path))
            }
            expected.sort { $0.key != $1.key ? $0.key.lexicographicallyPrecedes($1.key) : $0.run < $1.run }
            var merged: [(key: [UInt8], run: Int, place: Int)] = []
            let merge = GroupedMerge(readers: readers)
            var previous: [UInt8]?
            while try merge.nextGroup() {
                let key = Array(merge.key)
                if let previous { XCTAssertTrue(previous.lexicographicallyPrecedes(key), "\(runCount) runs: keys out of order or repeated") }
                previous = key
                while let value = merge.nextValue() { merged.append((key, Int(value.int / 1000), Int(value.int % 1000))) }
            }
            XCTAssertEqual(merged.map(\.key), expected.map(\.key), "\(runCount) runs")
            XCTAssertEqual(merged.map(\.run), expected.map(\.run), "\(runCount) runs: values in run order")
            XCTAssertEqual(merged.map(\.place), expected.map(\.place), "\(runCount) runs")
        }
    }
}
