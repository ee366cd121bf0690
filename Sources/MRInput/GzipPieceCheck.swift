import MRBase
import MRSystem
import MapReduce
import CZlib

extension GzipIndex {
    /// Checks each single-member gzip file read in pieces: the CRC-32s of its pieces, joined with
    /// crc32_combine, must equal the CRC-32 in its trailer (and their lengths its size).
    package static func checkPieces(of indexes: [Int: GzipIndex], splits: [Split], files: [InputEntry],
                            against checksums: [PieceChecksum]) throws {
        for (fileIndex, index) in indexes {
            let expected = splits.filter { $0.pieces.first?.fileIndex == fileIndex }.count
            let pieces = checksums.filter { $0.fileIndex == fileIndex }.sorted { $0.start < $1.start }
            // Skipped when a piece was skipped as bad input, or when the trailer is only the last
            // member's (zlib checks every member it reads from its start).
            guard pieces.count == expected, index.members == 1, index.stamp.trailer.count == 8 else { continue }
            var crc: uLong = 0
            var length: Int64 = 0
            for piece in pieces {
                crc = crc32_combine(crc, uLong(piece.crc), off_t(piece.length))
                length += piece.length
            }
            let trailer = index.stamp.trailer
            let storedCRC = UInt32(littleEndianValue(trailer[0..<4]))
            let storedSize = UInt32(littleEndianValue(trailer[4..<8]))
            guard UInt32(truncatingIfNeeded: crc) == storedCRC && UInt32(truncatingIfNeeded: length) == storedSize else {
                let path = files[fileIndex].path
                throw MRError(.badInput, "\(path): the CRC-32 of its pieces does not match its gzip trailer (corrupt data, or a wrong index); delete its .mrindex and run again")
            }
        }
    }
}
