/// The large buffers of a worker's map tasks, kept from one task (and one spill) to the next.
///
/// A fresh allocation of hundreds of megabytes is paid for page by page as it is first touched:
/// ngrams spent 14 % of its time in the kernel faulting in (and zeroing) the same amounts again
/// for every task's combine table and every spill's sort items. Each worker (a process, or a
/// thread of the thread pool) owns one `MapMemory`; only one task uses it at a time.
final class MapMemory {
    /// A block that only grows: its pages stay mapped once touched.
    struct Block {
        private(set) var base: UnsafeMutableRawPointer?
        private(set) var byteCount = 0

        /// At least `bytes` bytes; the contents are not kept when it has to grow.
        mutating func reserve(_ bytes: Int) -> UnsafeMutableRawPointer {
            if let base, byteCount >= bytes { return base }
            base?.deallocate()
            byteCount = max(bytes, 1)
            let grown = UnsafeMutableRawPointer.allocate(byteCount: byteCount, alignment: 64)
            base = grown
            return grown
        }

        mutating func release() {
            base?.deallocate()
            base = nil
            byteCount = 0
        }
    }

    /// The combine table (or pair list) a finished task left, taken by the next task.
    private var table: (slots: UnsafeMutableRawPointer, capacity: Int)?
    /// A spill's sort items, their copy while bucketed, and each slot's partition.
    var sortItems = Block()
    var bucketedItems = Block()
    var partitions = Block()

    init() {}

    deinit {
        table?.slots.deallocate()
        sortItems.release()
        bucketedItems.release()
        partitions.release()
    }

    /// The table a previous task left, with its capacity in slots, or nil.
    func takeTable() -> (slots: UnsafeMutableRawPointer, capacity: Int)? {
        defer { table = nil }
        return table
    }

    /// Keeps a task's table for the next task (a smaller one than already kept is freed).
    func keep(table slots: UnsafeMutableRawPointer, capacity: Int) {
        if let kept = table, kept.capacity >= capacity {
            slots.deallocate()
            return
        }
        table?.slots.deallocate()
        table = (slots, capacity)
    }
}
