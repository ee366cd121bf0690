import MRBase
import MRSystem
import MapReduce

/// The map buffer of a job whose combiner is `.distinct`: a ``SlotTable`` whose identity is the
/// key followed by the text value, so each distinct value of a key is kept once. The slot's value
/// says where the key ends.
final class DistinctTable: SlotTableBuffer {
    /// Where a key and a text value are joined.
    private var composite: UnsafeMutableRawPointer
    private var compositeCapacity = 256

    override init(spills: SpillWriter, memoryBudget: Int, memory: MapMemory) {
        composite = .allocate(byteCount: compositeCapacity, alignment: 8)
        super.init(spills: spills, memoryBudget: memoryBudget, memory: memory)
    }

    deinit {
        composite.deallocate()
    }

    override var slotBytes: Int { table.byteCount + compositeCapacity }

    override func emit(key: ByteSlice, text: ByteSlice) {
        emitted &+= 1
        if spillPending { spill() }
        let length = key.count + text.count
        if length > compositeCapacity {
            composite.deallocate()
            compositeCapacity = length * 2
            composite = .allocate(byteCount: compositeCapacity, alignment: 8)
        }
        if key.count > 0 { composite.copyMemory(from: key.baseAddress!, byteCount: key.count) }
        if text.count > 0 { (composite + key.count).copyMemory(from: text.baseAddress!, byteCount: text.count) }
        let joined = ByteSlice(start: composite, count: length)
        let isLong = length > SlotTable.inlineLimit
        let (hash, word0, word1) = SlotTable.hash(joined)
        let (slot, found) = table.lookUp(hash: hash, word0, word1, length: length, key: isLong ? joined : nil, arena: arena)
        if found { return }
        table.claim(slot, hash: hash, length: length, value: Int64(key.count),
                    word0: isLong ? UInt64(arena.store(joined, withLength: false)) : word0, word1: word1)
        if isLong { checkArenaGrowth() }
        growIfCrowded()
    }

    override func emit(key: ByteSlice, value: Int64) {
        emitted &+= 1
        misuse = misuse ?? "it emits integer values but its combiner, .distinct, keeps text values"
    }

    override func emit(key: ByteSlice, double: Double) {
        emitted &+= 1
        misuse = misuse ?? "it emits Double values but its combiner, .distinct, keeps text values"
    }

    /// The key and the text value stored at `index`.
    private func pair(at index: Int) -> (key: ByteSlice, text: ByteSlice) {
        let stored = table.key(at: index, arena: arena)
        let keyLength = Int(table.slots[index].value)
        return (ByteSlice(rebasing: stored[..<keyLength]), ByteSlice(rebasing: stored[keyLength...]))
    }

    /// Equal keys are ordered by text value.
    override func forEachPairByPartition(count partitions: Int, _ body: (Int, ByteSlice, Value) throws -> Void) rethrows {
        try SpillSorter(memory: memory).forEachSorted(
            slots: table.capacity, partitions: partitions,
            // The table hashed key and value together: the partition is the key's alone.
            partition: { index in table.isEmpty(at: index) ? nil : Int(KeyHash.hash(pair(at: index).key) % UInt64(partitions)) },
            item: { index in
                let key = pair(at: index).key
                let (prefix0, prefix1) = KeyBytes.orderPrefixes(key)
                return SortItem(prefix0: prefix0, prefix1: prefix1, value: 0, location: index, length: key.count)
            },
            tieBreak: { a, b in
                let left = pair(at: a.location), right = pair(at: b.location)
                let order = bytewiseCompare(left.key, right.key)
                return order != 0 ? order < 0 : bytewiseCompare(left.text, right.text) < 0
            }
        ) { partition, item in
            let (key, text) = pair(at: item.location)
            try body(partition, key, .bytes(text))
        }
    }
}
