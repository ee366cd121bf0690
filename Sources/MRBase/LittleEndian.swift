import MapReduce
/// The unsigned number stored little-endian in `bytes` (at most 8 of them): how the engine's own
/// files and frames store fixed-size integers.
package func littleEndianValue<Bytes: BidirectionalCollection>(_ bytes: Bytes) -> UInt64 where Bytes.Element == UInt8 {
    bytes.reversed().reduce(0) { $0 << 8 | UInt64($1) }
}
