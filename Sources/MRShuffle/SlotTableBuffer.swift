import MRBase
import MRSystem
import MapReduce

/// What the buffers that fold pairs by key share, ``CombiningTable`` and ``DistinctTable``: their
/// ``SlotTable``, kept from task to task, its accounting, and its growth within the budget.
class SlotTableBuffer: MapOutputBuffer {
    final var table: SlotTable

    override init(spills: SpillWriter, memoryBudget: Int, memory: MapMemory) {
        table = SlotTable(kept: memory.table.take())
        super.init(spills: spills, memoryBudget: memoryBudget, memory: memory)
        fitKeptArena()
    }

    deinit {
        table.keep(in: memory)
    }

    override var pairCount: Int { table.count }
    override var slotCapacity: Int { table.capacity }
    override var slotBytes: Int { table.byteCount }
    override func pairLimit(slots slotCount: Int) -> Int { slotCount / 4 * 3 }
    override func removeAll() { table.removeAll() }

    /// After a new key: past 3/4 full the table doubles, or, when the budget does not allow
    /// that, a spill is made due (at 3/4 load there is room for the pairs before it).
    @inline(__always)
    final func growIfCrowded() {
        if table.isCrowded { grow() }
    }

    @inline(never)
    private final func grow() {
        if wouldExceedBudget(allocating: 2 * table.capacity, slotStride: MemoryLayout<SlotTable.Slot>.stride) {
            spillPending = true
        } else {
            table.grow()
        }
    }
}
