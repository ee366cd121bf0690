import MRBase
import MRInput
import MROutput
import MRShuffle
import MRSystem
import MapReduce
#if canImport(Glibc)
import Glibc
#endif

/// Sends and receives length-prefixed frames over pipes.
enum FrameChannel {
    /// Writes a whole frame; false if the reader is gone (EPIPE).
    static func send(_ frame: [UInt8], to fd: Int32) -> Bool {
        frame.withUnsafeBytes { raw in
            var sent = 0
            while sent < raw.count {
                let n = retryingInterrupts { write(fd, raw.baseAddress! + sent, raw.count - sent) }
                if n <= 0 { return false }
                sent += n
            }
            return true
        }
    }

    /// Reads one frame, blocking; nil at end of stream.
    static func receive(from fd: Int32) -> [UInt8]? {
        var header = [UInt8](repeating: 0, count: 4)
        guard readExactly(fd, &header) else { return nil }
        let length = Int(littleEndianValue(header))
        var body = [UInt8](repeating: 0, count: length)
        guard readExactly(fd, &body) else { return nil }
        return body
    }

    private static func readExactly(_ fd: Int32, _ bytes: inout [UInt8]) -> Bool {
        let count = bytes.count
        return bytes.withUnsafeMutableBytes { raw in
            var got = 0
            while got < count {
                let n = retryingInterrupts { read(fd, raw.baseAddress! + got, count - got) }
                if n <= 0 { return false }
                got += n
            }
            return true
        }
    }
}

/// Collects bytes arriving on a non-blocking read and cuts them into frames.
struct FrameAssembler {
    private var pending: [UInt8] = []

    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        pending.append(contentsOf: bytes)
    }

    /// The next complete frame's body, if one has fully arrived.
    mutating func nextFrame() -> [UInt8]? {
        guard pending.count >= 4 else { return nil }
        let length = Int(littleEndianValue(pending[0..<4]))
        guard pending.count >= 4 + length else { return nil }
        let body = Array(pending[4..<4 + length])
        pending.removeFirst(4 + length)
        return body
    }
}
