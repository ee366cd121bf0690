import MRBase
import MRSystem
import MapReduce
/// The large buffers of a worker's map tasks, kept from one task (and one spill) to the next, and
/// the log their outputs are appended to.
///
/// A fresh allocation of hundreds of megabytes is paid for page by page as it is first touched:
/// ngrams spent 14 % of its time in the kernel faulting in (and zeroing) the same amounts again
/// for every task's combine table and every spill's sort items. Each worker (a process, or a
/// thread of the thread pool) owns one `MapMemory`; only one task uses it at a time.
package final class MapMemory {
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

    /// A block a finished task hands to the next one: the larger of two is kept.
    struct Handover {
        private var kept: (base: UnsafeMutableRawPointer, byteCount: Int)?

        /// The kept block, if any; it is the caller's from now on.
        mutating func take() -> (base: UnsafeMutableRawPointer, byteCount: Int)? {
            defer { kept = nil }
            return kept
        }

        /// Keeps `base` for the next task, or frees it if a larger block is kept.
        mutating func keep(_ base: UnsafeMutableRawPointer, byteCount: Int) {
            if let kept, kept.byteCount >= byteCount {
                base.deallocate()
                return
            }
            kept?.base.deallocate()
            kept = (base, byteCount)
        }

        mutating func release() {
            kept?.base.deallocate()
            kept = nil
        }
    }

    /// The combine table (or pair list) and the arena of long keys and text values that the
    /// last task left: the next starts with them at the size they reached.
    var table = Handover()
    var arena = Handover()
    /// A spill's sort items, their copy while bucketed, the bucket counters, and each slot's
    /// partition.
    var sortItems = Block()
    var bucketedItems = Block()
    var bucketCounters = Block()
    var partitions = Block()
    /// The log this worker's map outputs are appended to, made by its first map task; dropped
    /// when an attempt fails (what its writer holds is then unknown): the next makes another.
    package var outputLog: MapOutputLog?
    /// The text of the relayed piece being mapped (see `RelayedPieceSource`), with room for a
    /// piece of the usual size from the start: growing copies, and faults in new pages.
    package let relayText = GrowingBuffer(capacity: Int(RunLimits.largestRelayedPiece) * 3 / 2)

    package init() {}

    deinit {
        table.release()
        arena.release()
        sortItems.release()
        bucketedItems.release()
        bucketCounters.release()
        partitions.release()
    }
}
