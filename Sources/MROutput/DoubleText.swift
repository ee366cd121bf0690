import CLinuxShims
import MapReduce

/// How `mr` writes a `Double` in output and stream lines: the shortest of `%.15g`, `%.16g` and
/// `%.17g` that reads back as the same double (`0.1`, `2.5e-07`, `inf`, `nan`), so a value
/// written by one run is the value the next run reads. No allocation.
package enum DoubleText {
    package static func withShortestDigits<R>(of number: Double, _ body: (ByteSlice) throws -> R) rethrows -> R {
        try withUnsafeTemporaryAllocation(of: CChar.self, capacity: 32) { buffer in
            let length = mr_format_double(buffer.baseAddress, 32, number)
            return try body(ByteSlice(start: buffer.baseAddress, count: Int(length)))
        }
    }
}
