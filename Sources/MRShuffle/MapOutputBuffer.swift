import MRBase
import MRSystem
import MapReduce

/// Collects a map task's output in memory, in one of four ways chosen by the job's combiner:
/// ``CombiningTable`` folds integer values per key, ``TallyTable`` folds `Double` values per key,
/// ``DistinctTable`` keeps each distinct text value of a key once, ``PairList`` keeps every pair
/// in emission order. This base holds what
/// they share: the counters, the ``ByteArena``, the memory budget and the spills.
///
/// The buffer keeps to a memory budget: when it would outgrow it, it spills what it holds as a
/// sorted spill (see ``SpillWriter``) and starts empty; the last spill is written by ``finish()``.
/// Reduce merges all spills of all map tasks, streaming.
package class MapOutputBuffer: RecordSink {
    /// The buffer for `combiner`, spilling into `log` (see ``SpillWriter``).
    package static func make(combiner: Combiner?, partitions: Int, log: MapOutputLog, memoryBudget: Int,
                     memory: MapMemory = MapMemory()) -> MapOutputBuffer {
        let spills = SpillWriter(log: log, partitions: partitions)
        return switch combiner {
        case nil: PairList(spills: spills, memoryBudget: memoryBudget, memory: memory)
        case .distinct?: DistinctTable(spills: spills, memoryBudget: memoryBudget, memory: memory)
        case .tally?: TallyTable(spills: spills, memoryBudget: memoryBudget, memory: memory)
        case let rule?: CombiningTable(rule, spills: spills, memoryBudget: memoryBudget, memory: memory)
        }
    }

    /// Pairs emitted by map, before combining.
    package final var emitted: Int64 = 0
    /// The job's counters.
    package private(set) final var counters: [String: Int64] = [:]
    /// A misuse found while map ran (the sink cannot throw into job code); reported after it.
    package final var misuse: String?
    /// The first key whose `.sum` passed Int64's range; reported after map, as `misuse` is.
    package final var sumOverflowKey: [UInt8]?
    /// Long keys and text values.
    final var arena: ByteArena
    /// The buffer is full and may not grow: spill before the next pair.
    final var spillPending = false
    final let memory: MapMemory
    private final var spills: SpillWriter
    private final let memoryBudget: Int
    /// The arena's size when the budget was last checked.
    private final var checkedArenaCapacity: Int
    /// A write error met while spilling inside `emit` (which cannot throw); rethrown by `finish`.
    private final var spillError: Error?

    /// Seconds spent sorting and writing spills.
    package private(set) final var spillSeconds = 0.0
    /// Spills written so far, and the pairs in them.
    package final var spillsWritten: Int { spills.spillsWritten }
    package final var pairsWritten: Int64 { spills.pairsWritten }
    /// Where the spills written so far are: the task's output, once finished.
    package final var place: MapOutputPlace { spills.place }

    init(spills: SpillWriter, memoryBudget: Int, memory: MapMemory) {
        self.spills = spills
        self.memoryBudget = memoryBudget
        self.memory = memory
        arena = ByteArena(kept: memory.arena.take())
        checkedArenaCapacity = arena.capacity
        super.init()
    }

    /// Called by each subclass once its slots exist: the kept table and arena may come from
    /// different tasks, and together they must fit the budget.
    final func fitKeptArena() {
        if arena.capacity > 1 << 16 && memoryInUse + spillMemory(slots: slotCapacity) > memoryBudget { arena.shrink() }
        checkedArenaCapacity = arena.capacity
    }

    deinit {
        arena.keep(in: memory)
    }

    package override final func count(_ name: String, by amount: Int64) {
        counters[name, default: 0] += amount
    }

    // MARK: What each kind of buffer provides

    /// Pairs held.
    var pairCount: Int { fatalError("\(Self.self) does not override pairCount") }
    /// Slots allocated (the spill sorts at most this many).
    var slotCapacity: Int { fatalError("\(Self.self) does not override slotCapacity") }
    /// Bytes held beside the arena.
    var slotBytes: Int { fatalError("\(Self.self) does not override slotBytes") }
    /// Pairs a buffer of `slotCount` slots can hold before it must grow.
    func pairLimit(slots slotCount: Int) -> Int { slotCount }
    /// Finishes what is pending before a spill is written (queued folds).
    func settle() {}
    /// Calls `body(partition, key, value)` for every pair, partition by partition, in key order
    /// within each.
    func forEachPairByPartition(count partitions: Int, _ body: (Int, ByteSlice, Value) throws -> Void) rethrows {
        fatalError("\(Self.self) does not override forEachPairByPartition")
    }
    /// Forgets every pair, keeping the allocations.
    func removeAll() { fatalError("\(Self.self) does not override removeAll") }

    // MARK: Memory budget

    /// Bytes held now.
    private final var memoryInUse: Int { slotBytes + arena.capacity }

    /// Bytes a spill of a buffer of `slotCount` slots needs beside it: two sort items per pair
    /// (the items, and a copy of one partition's while they are bucketed) and a partition number
    /// per slot.
    private final func spillMemory(slots slotCount: Int) -> Int {
        pairLimit(slots: slotCount) * 2 * MemoryLayout<SortItem>.stride + slotCount * 4
    }

    /// Whether allocating `slotCount` slots of `slotStride` bytes beside the current ones (both
    /// live while pairs move over), and then spilling them, would pass the budget.
    final func wouldExceedBudget(allocating slotCount: Int, slotStride: Int) -> Bool {
        pairCount > 0 && memoryInUse + slotCount * slotStride + spillMemory(slots: slotCount) > memoryBudget
    }

    /// After the arena may have grown: a spill is due if the buffer now passes its budget.
    @inline(__always)
    final func checkArenaGrowth() {
        guard arena.capacity != checkedArenaCapacity else { return }
        checkedArenaCapacity = arena.capacity
        if memoryInUse + spillMemory(slots: slotCapacity) > memoryBudget && pairCount > 0 { spillPending = true }
    }

    // MARK: Spills

    /// Writes what the buffer holds as one sorted spill and empties it (keeping its allocations).
    final func spill() {
        settle()
        spillPending = false
        do {
            try writeSpill()
        } catch {
            spillError = spillError ?? error
        }
        removeAll()
        arena.removeAll()
    }

    /// Writes the last spill; afterwards every partition has a segment in at least one spill.
    package final func finish() throws {
        settle()
        if let spillError { throw spillError }
        if pairCount > 0 || spills.spillsWritten == 0 { try writeSpill() }
    }

    private final func writeSpill() throws {
        let partitions = spills.partitions
        let began = monotonicSeconds()
        defer { spillSeconds += monotonicSeconds() - began }
        try spills.write { body in try forEachPairByPartition(count: partitions, body) }
    }
}
