@testable import MRSystem
import TestSupport
import XCTest

/// The peak memory a worker reports, read from /proc/self/status lines of every width.
final class PeakMemoryTests: XCTestCase {
    func testVmHWMIsReadAtEveryWidth() {
        // The kernel's format: "VmHWM:\t%8lu kB", so 8 digits or more leave no space after the tab.
        let cases: [(String, Int64)] = [
            ("VmHWM:\t     512 kB", 512), ("VmHWM:\t   37632 kB", 37_632), ("VmHWM:\t12345678 kB", 12_345_678),
            ("VmHWM:\t123456789 kB", 123_456_789),
        ]
        for (line, kilobytes) in cases {
            let status = "Name:\tmr\nVmPeak:\t 9999999 kB\n\(line)\nVmRSS:\t    1000 kB\n"
            XCTAssertEqual(peakMemory(inStatus: status), kilobytes * 1024, line)
        }
        XCTAssertEqual(peakMemory(inStatus: "Name:\tmr\n"), 0)
        XCTAssertGreaterThan(processPeakMemory(), 0, "this process's own figure")
    }
}
