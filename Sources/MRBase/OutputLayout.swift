import MapReduce
/// Names in an output folder that more than the output layer must know.
package enum OutputLayout {
    /// The file mr puts in every output folder it makes: only such a folder is ever replaced by
    /// a run, and an input folder holding one is an earlier run's output, not data.
    package static let marker = ".mr-output"

    /// Part file `index` of an output written with `compression`: `part-00042`, `part-00042.gz`.
    package static func partFileName(_ index: Int, compression: Compression = .none) -> String {
        "part-" + zeroPadded(index) + compression.fileSuffix
    }
}
