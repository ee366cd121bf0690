import MRBase
import MRSystem
import MapReduce

/// The map buffer of a job whose combiner is `.tally`: a ``SlotTable`` with one slot per distinct
/// key, whose value is the offset of the key's ``CompactTally`` in the arena, where each `Double`
/// emitted for the key is added in place.
final class TallyTable: SlotTableBuffer {
    /// Where a tally is encoded for a spill.
    private let encoded = UnsafeMutableRawPointer.allocate(byteCount: Tally.maxEncodedSize, alignment: 8)

    deinit {
        encoded.deallocate()
    }

    override func emit(key: ByteSlice, double: Double) {
        emitted &+= 1
        if spillPending { spill() }
        let length = key.count
        let isLong = length > SlotTable.inlineLimit
        let (hash, word0, word1) = SlotTable.hash(key)
        let (slot, found) = table.lookUp(hash: hash, word0, word1, length: length, key: isLong ? key : nil, arena: arena)
        if found {
            add(double, toTallyAt: slot.pointee.value)
            return
        }
        let keyOffset = isLong ? UInt64(arena.store(key, withLength: false)) : word0
        let offset = Int64(arena.reserve(MemoryLayout<CompactTally>.stride))
        tally(at: offset).initialize(to: CompactTally())
        table.claim(slot, hash: hash, length: length, value: offset, word0: keyOffset, word1: isLong ? 0 : word1)
        add(double, toTallyAt: offset)
        checkArenaGrowth()
        growIfCrowded()
    }

    @inline(__always)
    private func add(_ x: Double, toTallyAt offset: Int64) {
        if !tally(at: offset).pointee.add(x) { addToFullSum(x, tallyAt: offset) }
    }

    /// The value the compact sum cannot hold: into the key's full accumulator, made on first need.
    @inline(never)
    private func addToFullSum(_ x: Double, tallyAt offset: Int64) {
        if tally(at: offset).pointee.full < 0 {
            let full = Int64(arena.reserve(MemoryLayout<ExactSum>.stride))  // may move the arena: addresses after
            fullSum(at: full).initialize(to: ExactSum())
            tally(at: offset).pointee.full = full
            tally(at: offset).pointee.moveSum(into: &fullSum(at: full).pointee)
            checkArenaGrowth()
        }
        fullSum(at: tally(at: offset).pointee.full).pointee.add(x)
    }

    override func emit(key: ByteSlice, value: Int64) {
        emitted &+= 1
        misuse = misuse ?? "it emits integer values but its combiner, .tally, folds Double values (emit(key, double:))"
    }

    override func emit(key: ByteSlice, text: ByteSlice) {
        emitted &+= 1
        misuse = misuse ?? "it emits text values but its combiner, .tally, folds Double values (emit(key, double:))"
    }

    private func tally(at offset: Int64) -> UnsafeMutablePointer<CompactTally> {
        arena.address(at: Int(offset)).assumingMemoryBound(to: CompactTally.self)
    }

    private func fullSum(at offset: Int64) -> UnsafeMutablePointer<ExactSum> {
        arena.address(at: Int(offset)).assumingMemoryBound(to: ExactSum.self)
    }

    override func forEachPairByPartition(count partitions: Int, _ body: (Int, ByteSlice, Value) throws -> Void) rethrows {
        let table = self.table, arena = self.arena
        try SpillSorter(memory: memory).forEachSorted(
            slots: table.capacity, partitions: partitions,
            partition: { index in
                table.isEmpty(at: index) ? nil : Int(table.keyHash(at: index, arena: arena) % UInt64(partitions))
            },
            item: { index in
                let key = table.key(at: index, arena: arena)
                let (prefix0, prefix1) = KeyBytes.orderPrefixes(key)
                return SortItem(prefix0: prefix0, prefix1: prefix1, value: 0, location: index, length: key.count)
            },
            tieBreak: { a, b in
                bytewiseCompare(table.key(at: a.location, arena: arena), table.key(at: b.location, arena: arena)) < 0
            }
        ) { partition, item in
            let compact = tally(at: table.slots[item.location].value).pointee
            let full = compact.full < 0 ? nil : fullSum(at: compact.full).pointee
            let length = compact.tally(fullSum: full).encode(into: encoded)
            let value = Value.tally(Tally.Encoded(checked: ByteSlice(start: encoded, count: length)))
            try body(partition, table.key(at: item.location, arena: arena), value)
        }
    }
}
