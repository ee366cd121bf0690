import Foundation
@testable import MRBase
@testable import MRSystem
@testable import MRInput
@testable import MRWorkers
import TestSupport
import XCTest

/// The messages between coordinator and workers: every kind survives encoding, framing and
/// decoding, whatever pieces the pipe delivers it in; a short or unknown frame is an error.
final class MessagesTests: XCTestCase {
    /// Frames fed to an assembler in pieces of `piece` bytes, and the bodies it cut.
    private func reassembled(_ frames: [[UInt8]], piece: Int) -> [[UInt8]] {
        var assembler = FrameAssembler()
        var bodies: [[UInt8]] = []
        let stream = frames.flatMap { $0 }
        for start in stride(from: 0, to: stream.count, by: piece) {
            stream[start..<min(start + piece, stream.count)].withUnsafeBytes { assembler.append($0) }
            while let body = assembler.nextFrame() { bodies.append(body) }
        }
        return bodies
    }

    private var report: TaskReport {
        var report = TaskReport()
        report.counters = Counters(inputRecords: 12, inputBytes: 345, mapOutputRecords: 6, combineOutputRecords: 5, spills: 2,
                                   reduceGroups: 0, outputRecords: 0)
        report.jobCounters = ["words": 99, "short words skipped": -1]
        report.topRecords = [TopRecord(key: Array("the".utf8), value: Int64.max)]
        report.warnings = ["skipped the rest of caf\u{10FFE9}.gz: truncated"]
        report.skippedFiles = [3]
        report.peakMemory = 1 << 40
        report.pieceChecksums = [PieceChecksum(fileIndex: 1, start: 0, length: 4096, crc: 0xDEAD_BEEF)]
        return report
    }

    func testEveryWorkerMessageSurvivesFramingInAnyPieces() throws {
        let assignment = TaskAssignment(task: TaskID(kind: .reduce, index: 7), attempt: 3)
        let messages: [WorkerMessage] = [
            .finished(assignment, .success(report)),
            .finished(assignment, .failure(TaskFailure(retryable: false, error: MRError(.badInput, "bad\tinput\n")))),
            .crashed(fileIndex: 2, line: -1),
            .progress(TaskProgress(records: 1 << 33, fileIndex: 0, line: 17, offset: 4096)),
            .handedOn(mapTask: 1 << 20),
        ]
        let frames = messages.map { $0.encoded() }
        for piece in [1, 2, 3, 7, 64, 1 << 20] {
            let bodies = reassembled(frames, piece: piece)
            XCTAssertEqual(bodies.count, messages.count, "pieces of \(piece)")
            let decoded = try bodies.map(WorkerMessage.decode)
            guard case .finished(let a, .success(let r)) = decoded[0], a == assignment, r == report else {
                return XCTFail("a report did not survive: \(decoded[0])")
            }
            guard case .finished(_, .failure(let failure)) = decoded[1], !failure.retryable, failure.error.kind == .badInput,
                  failure.error.message == "bad\tinput\n" else { return XCTFail("a failure did not survive: \(decoded[1])") }
            guard case .crashed(2, -1) = decoded[2] else { return XCTFail("a crash did not survive: \(decoded[2])") }
            guard case .progress(let progress) = decoded[3], progress.records == 1 << 33, progress.line == 17, progress.offset == 4096 else {
                return XCTFail("progress did not survive: \(decoded[3])")
            }
            guard case .handedOn(1 << 20) = decoded[4] else { return XCTFail("a hand-on did not survive: \(decoded[4])") }
        }
    }

    func testThePlanAndAnAssignmentSurviveFraming() throws {
        let files = [InputEntry(path: "/data/caf\u{10FFE9}.gz", name: "caf\u{10FFE9}.gz", size: 10, compression: .gzip,
                                indexPath: "/data/caf\u{10FFE9}.gz.mrindex", identity: "1:2:10:3.4")]
        let splits = [Split(pieces: [InputPiece(fileIndex: 0, kind: .indexed(point: 1, start: 5, end: .max)),
                                     InputPiece(fileIndex: 0, kind: .betweenUnits(start: 0, end: 7)),
                                     InputPiece(fileIndex: 0, kind: .relayed(number: 3, of: 9, textSize: 1 << 40)),
                                     InputPiece(fileIndex: 0, kind: .relayed(number: 4, of: 9, textSize: nil))])]
        var plan = RunPlan(jobName: "wordcount", jobLibrary: "/lib.so", jobOptions: ["n": "3", "pattern": ""], isMapOnly: false,
                           skipBadInput: true, memoryPerWorker: 1 << 29, maxLineLength: 1 << 26, inflater: .zlib, files: files,
                           splits: splits, reducers: 4, workDirectory: "/work")
        plan.indexSpan = 3 << 20
        plan.relayInflatesAside = true
        let assignment = TaskAssignment(task: TaskID(kind: .map, index: 0), attempt: 2)
        let bodies = reassembled([CoordinatorMessage.plan(plan).encoded(), CoordinatorMessage.assign(assignment).encoded()], piece: 5)
        guard case .plan(let decoded) = try CoordinatorMessage.decode(bodies[0]) else { return XCTFail("not a plan") }
        XCTAssertEqual(decoded.jobOptions, plan.jobOptions)
        XCTAssertEqual(decoded.files.map(\.path), files.map(\.path))
        XCTAssertEqual(decoded.files.map(\.identity), files.map(\.identity))
        XCTAssertEqual(decoded.files.map(\.indexPath), files.map(\.indexPath))
        XCTAssertEqual(decoded.files.map(\.compression), files.map(\.compression))
        XCTAssertEqual(decoded.splits, splits)
        XCTAssertEqual(decoded.inflater, .zlib)
        XCTAssertEqual(decoded.reducers, 4)
        XCTAssertEqual(decoded.indexSpan, 3 << 20)
        XCTAssertTrue(decoded.relayInflatesAside)
        guard case .assign(let decodedAssignment) = try CoordinatorMessage.decode(bodies[1]) else { return XCTFail("not an assignment") }
        XCTAssertEqual(decodedAssignment, assignment)
    }

    func testAShortOrUnknownMessageIsAnErrorNotAGuess() {
        var assembler = FrameAssembler()
        let frame = WorkerMessage.crashed(fileIndex: 1, line: 2).encoded()
        frame.dropLast().withUnsafeBytes { assembler.append($0) }
        XCTAssertNil(assembler.nextFrame(), "a frame is handed out only once whole")
        let body = Array(frame.dropFirst(4))
        XCTAssertThrowsError(try WorkerMessage.decode(Array(body.dropLast())))
        XCTAssertThrowsError(try WorkerMessage.decode([9]))
        XCTAssertThrowsError(try CoordinatorMessage.decode([7]))
    }
}
