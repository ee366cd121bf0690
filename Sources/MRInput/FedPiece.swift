import MRBase
import MRSystem
#if canImport(Glibc)
import Glibc
#endif

/// A fed piece's file, a memory file (``FileDescriptor/makeMemoryFile(named:)``): a header, then
/// the piece's text. Its map task may start as soon as the header is written and read the text
/// while the feeder still writes it: the header, mapped shared by both, says how many bytes of
/// text are in the file so far and whether the piece is complete. A file written again for a
/// later piece holds the earlier piece's bytes past that count; they are never read.
enum FedPiece {
    /// The header's 8-byte words.
    enum Word: Int, CaseIterable {
        /// The uncompressed offset and line number at which the piece's text begins.
        case offset, line
        /// Bytes of text in the file so far.
        case textBytes
        /// A ``State``.
        case state
    }

    enum State: Int64 {
        case writing = 0, complete, abandoned
    }

    static let headerSize = Int64(Word.allCases.count * 8)
}

/// Writes a fed piece, publishing its progress to readers as its text reaches the file.
final class FedPieceWriter {
    private let writer: BufferedWriter
    private let header: SharedFileWords
    private(set) var isOpen = true

    /// Starts a piece, from the start of `file` (which may hold an earlier piece).
    init(_ file: FileDescriptor, offset: Int64, line: Int64) throws {
        let writing = try file.reopenedForWriting()
        // A small buffer: the inflater's runs of text are larger and go to write(2) uncopied.
        let writer = BufferedWriter(file: writing, capacity: 1 << 16)
        for value in [offset, line, 0, FedPiece.State.writing.rawValue] {
            try withUnsafeBytes(of: value.littleEndian) { try writer.append($0) }
        }
        try writer.flush()
        header = try SharedFileWords(writing, count: FedPiece.Word.allCases.count, writable: true)
        self.writer = writer
    }

    /// Appends text; what has reached the file is published.
    func append(_ text: UnsafeRawPointer, count: Int) throws {
        try writer.append(text, count: count)
        header.store(FedPiece.Word.textBytes.rawValue, writer.bytesInFile - FedPiece.headerSize)
    }

    /// The piece is complete: all its text is in the file. A file written again is not cut
    /// short: the header says where the text ends, and the pages past it serve later pieces.
    func finish() throws {
        try writer.flush()
        header.store(FedPiece.Word.textBytes.rawValue, writer.position - FedPiece.headerSize)
        header.store(FedPiece.Word.state.rawValue, FedPiece.State.complete.rawValue)
        isOpen = false
    }

    /// The piece will not be completed (the feeder failed): its readers stop waiting.
    func abandon() {
        header.store(FedPiece.Word.state.rawValue, FedPiece.State.abandoned.rawValue)
        isOpen = false
    }
}

/// The text of a fed piece, as its map task reads it: from a file that may still be written,
/// waiting for more when it has read all there is so far.
package final class FedPieceSource: ByteSource {
    private let file: FileDescriptor
    private let header: SharedFileWords
    private var position: Int64 = 0
    /// The uncompressed offset and line number at which the piece's text begins.
    package let offset: Int64
    package let line: Int64

    package init(path: String) throws {
        file = try FileDescriptor.open(reading: path)
        do {
            header = try SharedFileWords(file, count: FedPiece.Word.allCases.count, writable: false)
        } catch {
            file.close()
            throw error
        }
        offset = Int64(littleEndian: header.load(FedPiece.Word.offset.rawValue))
        line = Int64(littleEndian: header.load(FedPiece.Word.line.rawValue))
    }

    deinit { file.close() }

    package func read(into buffer: UnsafeMutableRawPointer, capacity: Int) throws -> Int {
        while true {
            // The state first: once it says complete, the count read after it is the final one.
            let state = header.load(FedPiece.Word.state.rawValue)
            let available = header.load(FedPiece.Word.textBytes.rawValue) - position
            if available > 0 {
                let count = try file.read(into: buffer, count: Int(min(Int64(capacity), available)),
                                          at: FedPiece.headerSize + position)
                guard count > 0 else { throw MRError(.internal, "the fed piece \(file.path) is shorter than its header says") }
                position += Int64(count)
                return count
            }
            switch FedPiece.State(rawValue: state) {
            case .complete: return 0
            case .writing: usleep(200)  // the feeder is ahead almost always; it writes 64 KiB in about 40 us
            case .abandoned, nil:
                throw MRError(.internal, "the fed piece \(file.path) was abandoned: the inflater stopped (the run's error says why)")
            }
        }
    }
}
