import MapReduce
/// How far a running attempt is: records done, and where in which file its map reads.
package struct TaskProgress: Sendable {
    package var records: Int64 = 0
    package var fileIndex = -1
    package var line: Int64 = 0
    package var offset: Int64 = -1

    package init(records: Int64 = 0, fileIndex: Int = -1, line: Int64 = 0, offset: Int64 = -1) {
        self.records = records
        self.fileIndex = fileIndex
        self.line = line
        self.offset = offset
    }
}

/// "data.txt line 12", or for a line whose number is unknown (-1: the file was split at gzip
/// member starts) just the file.
package func recordLocation(_ path: String, line: Int64) -> String {
    line < 0 ? "\(path) (line number unknown: split at gzip members)" : "\(path) line \(line)"
}
