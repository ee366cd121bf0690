import MRBase
import MRSystem
import MapReduce
/// The job file `mr new NAME` writes: a complete, commented job that compiles and runs as is.
package enum JobTemplate {
    package static func text(name: String) -> String {
        let typeName = name.split(separator: "-").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
        return """
            import MapReduce

            /// \(typeName): counts words longer than --min-length letters. Edit map and reduce to taste.
            public struct \(typeName): Job {
                /// What you type: `mr \(name) INPUT...`.
                public static let name = "\(name)"
                /// Shown by `mr jobs` and `mr \(name) --help`.
                public static let summary = "Count words longer than --min-length letters"
                /// Options given after the inputs: `mr \(name) datasets/ --min-length 8`.
                public static let options = [JobOption("min-length", help: "Shortest word counted, in bytes", default: "6")]
                /// Values of equal keys are summed inside each map task before they are written.
                public static let combiner: Combiner? = .sum
                /// The summary lists the 10 most frequent words.
                public static let topRecordsInSummary = 10
                /// map never reads record.offset or record.lineNumber, so a gzip file of many
                /// members may be split at member starts without inflating it first.
                public static let readsLinePositions = false
                /// A line end separates words like a space, so map may get many lines at once:
                /// one call per block of lines instead of one per line.
                public static let mapsBlocksOfLines = true

                let minimumLength: Int

                public init(options: JobOptions) throws {
                    minimumLength = try options.int("min-length")
                }

                /// Called for every input line (or block of lines). Keys are views of the text: nothing is copied
                /// unless the engine keeps the key.
                public func map(_ record: Record, _ output: MapOutput) {
                    forEachWord(in: record.bytes) { word in
                        if word.count >= minimumLength {
                            output.emit(word, 1)
                        } else {
                            output.count("short words skipped")
                        }
                    }
                }

                /// Called once per word, in sorted order, with all its counts.
                public func reduce(_ key: ByteSlice, _ values: inout ReduceValues, _ output: ReduceOutput) {
                    output.emit(key, values.sum())
                }
            }

            """
    }

    /// Writes the template to `path`, refusing to overwrite an existing file.
    package static func write(name: String, to path: String) throws {
        if try FileSystem.status(path) != nil {
            throw MRError(.usage, "'\(path)' already exists; pick another name or edit that file")
        }
        try FileSystem.makeDirectories(FileSystem.parentDirectory(path))
        try FileSystem.writeFile(path, text(name: name))
    }
}
