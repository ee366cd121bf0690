/// Memory that only grows, kept by its owner from one use to the next: its pages, once touched,
/// are not faulted in again (a fresh allocation of tens of megabytes is paid for page by page).
/// Its contents are kept when it grows.
package final class GrowingBuffer {
    package private(set) var base: UnsafeMutableRawPointer
    package private(set) var capacity: Int

    package init(capacity: Int) {
        self.capacity = max(capacity, 1)
        base = .allocate(byteCount: self.capacity, alignment: 64)
    }

    deinit { base.deallocate() }

    /// Makes room for at least `count` bytes, keeping the first `kept`; returns the block it
    /// grew out of, if it did, for the caller to deallocate once no one reads it any more.
    package func grow(to count: Int, keeping kept: Int) -> UnsafeMutableRawPointer? {
        guard count > capacity else { return nil }
        let larger = max(count, capacity * 2)
        let grown = UnsafeMutableRawPointer.allocate(byteCount: larger, alignment: 64)
        grown.copyMemory(from: base, byteCount: kept)
        defer { (base, capacity) = (grown, larger) }
        return base
    }
}
