import MapReduce
/// Which library inflates gzip input (`--inflater`): ISA-L's igzip, 2-3x faster, or zlib. Indexes
/// are built with zlib whichever is chosen: only zlib stops at deflate block boundaries.
package enum Inflater: String, CaseIterable, Sendable {
    case isal
    case zlib
}
