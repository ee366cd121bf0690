import MapReduce
/// Which library inflates gzip input (`--inflater`): ISA-L's igzip, 2-3x faster, or zlib. Indexes
/// are built with ISA-L whichever is chosen (see `GzipIndex.build`); both read from their points.
package enum Inflater: String, CaseIterable, Sendable {
    case isal
    case zlib
}
