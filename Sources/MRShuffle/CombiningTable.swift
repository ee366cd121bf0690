import MRBase
import MRSystem
import MapReduce
#if canImport(Glibc)
import Glibc
#endif
import CLinuxShims

/// The map buffer of a job whose combiner folds integers (`.sum`, `.minimum`, `.maximum`,
/// `.custom`): a ``SlotTable`` with one slot per distinct key, its value folded in place.
///
/// An emit hashes the pair, prefetches its slot and queues it (``FoldQueue``); pairs are folded
/// a batch at a time, their slots in cache by then. Half a batch after a long key's pair was
/// queued its slot has arrived, and its stored bytes in the arena, which the fold compares, are
/// prefetched too.
final class CombiningTable: SlotTableBuffer {
    /// `Combiner`'s integer rules without their payload.
    private enum FoldRule { case sum, minimum, maximum, custom }
    private let rule: FoldRule
    /// The closure of `Combiner.custom`, kept apart so that the other rules copy no reference.
    private let customFold: (@Sendable (Int64, Int64) -> Int64)?
    private var queue = FoldQueue()

    init(_ combiner: Combiner, spills: SpillWriter, memoryBudget: Int, memory: MapMemory) {
        switch combiner {
        case .sum: (rule, customFold) = (.sum, nil)
        case .minimum: (rule, customFold) = (.minimum, nil)
        case .maximum: (rule, customFold) = (.maximum, nil)
        case .custom(let fold): (rule, customFold) = (.custom, fold)
        case .distinct, .tally: preconditionFailure("\(combiner) has its own buffer")
        }
        super.init(spills: spills, memoryBudget: memoryBudget, memory: memory)
    }

    deinit {
        queue.deallocate()
    }

    override func emit(key: ByteSlice, value: Int64) {
        emitted &+= 1
        let length = key.count
        guard !spillPending && length <= SlotTable.inlineLimit else { return emitOther(key, value: value) }
        let (word0, word1) = KeyBytes.words(key)
        let hash = SlotTable.hash(word0, word1, length)
        mr_prefetch(table.home(of: hash))
        if queue.longKeyCount > 0 { prefetchHalfwayStoredKey() }
        queue.push(FoldQueue.Pair(hash: hash, word0: word0, word1: word1, length: length, value: value))
        if queue.isFull { foldOldestBatch() }
    }

    override func emit(key: ByteSlice, text: ByteSlice) {
        emitted &+= 1
        misuse = misuse ?? "it emits text values but its combiner folds integers (use .distinct or no combiner)"
    }

    override func emit(key: ByteSlice, double: Double) {
        emitted &+= 1
        misuse = misuse ?? "it emits Double values but its combiner folds integers (use .tally or no combiner)"
    }

    /// A pair that does not take the short way: a spill due first, or a long key (queued when
    /// it fits the queue's key room, else folded now: no pair of such keys overtakes another).
    @inline(never)
    private func emitOther(_ key: ByteSlice, value: Int64) {
        if spillPending { spill() }
        let length = key.count
        if length > SlotTable.inlineLimit && length <= FoldQueue.longKeyLimit {
            let hash = KeyHash.hash(key)
            mr_prefetch(table.home(of: hash))
            prefetchHalfwayStoredKey()
            queue.pushLong(key, FoldQueue.Pair(hash: hash, word0: 0, word1: 0, length: length, value: value))
            if queue.isFull { foldOldestBatch() }
            return
        }
        let (hash, word0, word1) = SlotTable.hash(key)
        fold(hash: hash, word0, word1, length: length, key: length > SlotTable.inlineLimit ? key : nil, value: value)
    }

    /// When a long key's pair is halfway through the queue and its home slot holds a key of its
    /// tag and length, fetches that key's bytes from the arena.
    @inline(__always)
    private func prefetchHalfwayStoredKey() {
        let pair = queue.halfwayPair
        guard pair.length > SlotTable.inlineLimit, let slot = table.homeMayHold(hash: pair.hash, length: pair.length) else { return }
        mr_prefetch(arena.base + Int(slot.pointee.word0))
    }

    /// Folds the older half of the full queue, in one loop.
    @inline(never)
    private func foldOldestBatch() {
        foldOldest(FoldQueue.batch)
    }

    /// Folds the `number` oldest queued pairs and forgets them.
    @inline(__always)
    private func foldOldest(_ number: Int) {
        var long = 0
        for age in 0..<number {
            let place = queue.place(ofAge: age)
            let pair = queue.pair(at: place)
            if pair.length > SlotTable.inlineLimit {
                foldLongQueued(at: place)
                long &+= 1
            } else {
                fold(hash: pair.hash, pair.word0, pair.word1, length: pair.length, key: nil, value: pair.value)
            }
        }
        queue.removeOldest(number, long: long)
    }

    @inline(never)
    private func foldLongQueued(at place: Int) {
        let pair = queue.pair(at: place)
        fold(hash: pair.hash, 0, 0, length: pair.length, key: queue.longKey(at: place), value: pair.value)
    }

    /// Folds `value` into the slot of the key with this hash and length (given by its words when
    /// it fits a slot, `key` nil, else by `key`), creating the slot if the key is new.
    @inline(__always)
    private func fold(hash: UInt64, _ word0: UInt64, _ word1: UInt64, length: Int, key: ByteSlice?, value: Int64) {
        let (slot, found) = table.lookUp(hash: hash, word0, word1, length: length, key: key, arena: arena)
        if found {
            if rule == .sum {
                let (sum, overflow) = slot.pointee.value.addingReportingOverflow(value)
                slot.pointee.value = sum
                if overflow { noteSumOverflow(slot) }
                // A key counted more often than the one in its home slot takes that slot: a hot
                // key found a probe away costs a mispredicted branch at every emit.
                let home = table.home(of: hash)
                if slot != home && slot.pointee.value > home.pointee.value { table.exchange(slot, home) }
            } else {
                slot.pointee.value = foldedByOtherRule(slot.pointee.value, value)
            }
            return
        }
        if let key {
            table.claim(slot, hash: hash, length: length, value: value, word0: UInt64(arena.store(key, withLength: false)), word1: 0)
            checkArenaGrowth()
        } else {
            table.claim(slot, hash: hash, length: length, value: value, word0: word0, word1: word1)
        }
        growIfCrowded()
    }

    @inline(never)
    private func noteSumOverflow(_ slot: UnsafeMutablePointer<SlotTable.Slot>) {
        if sumOverflowKey == nil { sumOverflowKey = Array(table.key(at: slot - table.slots, arena: arena)) }
    }

    /// The fold of every rule but `.sum`, which ``fold(hash:_:_:length:key:value:)`` does inline.
    @inline(never)
    private func foldedByOtherRule(_ accumulated: Int64, _ value: Int64) -> Int64 {
        switch rule {
        case .sum: preconditionFailure(".sum is folded inline")
        case .minimum: min(accumulated, value)
        case .maximum: max(accumulated, value)
        case .custom: customFold!(accumulated, value)
        }
    }

    override func settle() {
        foldOldest(queue.count)
    }

    /// Each pair is all in its sort item (a long key by its arena offset), so writing it does not
    /// go back to the cache-cold slot; equal keys do not occur.
    override func forEachPairByPartition(count partitions: Int, _ body: (Int, ByteSlice, Value) throws -> Void) rethrows {
        let table = self.table, arena = self.arena
        let inlineLimit = SlotTable.inlineLimit
        try SpillSorter(memory: memory).forEachSorted(
            slots: table.capacity, partitions: partitions,
            partition: { index in
                table.isEmpty(at: index) ? nil : Int(table.keyHash(at: index, arena: arena) % UInt64(partitions))
            },
            item: { index in
                let key = table.key(at: index, arena: arena)
                let (prefix0, prefix1) = KeyBytes.orderPrefixes(key)
                let location = key.count > inlineLimit ? Int(table.slots[index].word0) : index
                return SortItem(prefix0: prefix0, prefix1: prefix1, value: table.slots[index].value, location: location, length: key.count)
            },
            prefetch: { index in
                if table.slots[index].length > inlineLimit { mr_prefetch(arena.base + Int(table.slots[index].word0)) }
            },
            prefetchItem: { item in
                if item.length > inlineLimit { mr_prefetch(arena.base + item.location) }
            },
            tieBreak: { a, b in
                // Equal first 16 bytes: a key of at most 16 bytes is a prefix of the other one.
                if a.length <= inlineLimit || b.length <= inlineLimit { return a.length < b.length }
                return bytewiseCompare(arena.bytes(at: a.location, count: a.length), arena.bytes(at: b.location, count: b.length)) < 0
            }
        ) { partition, item in
            if item.length <= inlineLimit {
                var words = (item.prefix0.bigEndian, item.prefix1.bigEndian)
                try withUnsafeBytes(of: &words) { try body(partition, ByteSlice(rebasing: $0[..<item.length]), .int(item.value)) }
            } else {
                try body(partition, arena.bytes(at: item.location, count: item.length), .int(item.value))
            }
        }
    }
}
