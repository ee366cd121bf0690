import MapReduce
/// The wire encoding of a task's report and of an attempt's assignment: how workers send them
/// to the coordinator, and how the output journal keeps reports.
extension WireWriter {
    /// A task's report: how a worker sends it, and how the journal keeps it.
    package mutating func write(_ report: TaskReport) {
        let c = report.counters
        for value in [c.inputRecords, c.inputBytes, c.mapOutputRecords, c.combineOutputRecords,
                      c.spills, c.reduceGroups, c.outputRecords] { write(value) }
        write(report.jobCounters.count)
        for (name, value) in report.jobCounters {
            write(name)
            write(value)
        }
        write(report.peakMemory)
        write(Int64((report.spillSeconds * 1e6).rounded()))
        write(Int64((report.mergeSeconds * 1e6).rounded()))
        write(report.pieceChecksums.count)
        for piece in report.pieceChecksums {
            write(piece.fileIndex)
            write(piece.start)
            write(piece.length)
            write(UInt64(piece.crc))
        }
        write(report.warnings.count)
        for warning in report.warnings { write(warning) }
        write(report.skippedFiles.count)
        for file in report.skippedFiles { write(file) }
        write(report.topRecords.count)
        for record in report.topRecords {
            write(bytes: record.key)
            write(record.value)
        }
        write(report.mapOutput != nil)
        if let place = report.mapOutput {
            write(place.log)
            write(place.spillEnds.count)
            for end in place.spillEnds { write(end) }
        }
    }

    package mutating func write(_ assignment: TaskAssignment) {
        write(UInt64(assignment.task.kind.rawValue))
        write(assignment.task.index)
        write(assignment.attempt)
    }
}

extension WireReader {
    package mutating func readReport() throws -> TaskReport {
        var report = TaskReport()
        report.counters = Counters(
            inputRecords: try readInt64(), inputBytes: try readInt64(),
            mapOutputRecords: try readInt64(), combineOutputRecords: try readInt64(),
            spills: try readInt64(), reduceGroups: try readInt64(), outputRecords: try readInt64())
        for _ in 0..<(try readInt()) { report.jobCounters[try readString()] = try readInt64() }
        report.peakMemory = try readInt64()
        report.spillSeconds = Double(try readInt64()) / 1e6
        report.mergeSeconds = Double(try readInt64()) / 1e6
        report.pieceChecksums = try (0..<readInt()).map { _ in
            PieceChecksum(fileIndex: try readInt(), start: try readInt64(), length: try readInt64(),
                          crc: UInt32(truncatingIfNeeded: try readUInt()))
        }
        report.warnings = try (0..<readInt()).map { _ in try readString() }
        report.skippedFiles = try (0..<readInt()).map { _ in try readInt() }
        report.topRecords = try (0..<readInt()).map { _ in
            TopRecord(key: try readBytes(), value: try readInt64())
        }
        if try readBool() {
            report.mapOutput = MapOutputPlace(log: try readString(), spillEnds: try (0..<readInt()).map { _ in try readInt64() })
        }
        return report
    }

    package mutating func readAssignment() throws -> TaskAssignment {
        guard let kind = TaskKind(rawValue: UInt8(truncatingIfNeeded: try readUInt())) else {
            throw MRError(.internal, "unknown task kind from peer")
        }
        return TaskAssignment(task: TaskID(kind: kind, index: try readInt()), attempt: try readInt())
    }
}
