#if canImport(Glibc)
import Glibc
#endif
import CLinuxShims
import MapReduce

/// Collects a map task's output in memory.
///
/// With a combiner, pairs live in an open-addressing table: one 32-byte slot per distinct key,
/// holding the key itself when it is at most 16 bytes (nearly every word), so an emit costs one
/// cache line: hash, probe, compare two words, fold the value in place. Longer keys are copied to
/// an arena and the slot points at them. Without a combiner every pair is appended to the same
/// kind of slots in emission order; text values go to the arena. With the `distinct` combiner the
/// table's identity is the key followed by the text value, and the slot's value says where the key
/// ends.
///
/// An integer pair is folded a few emits after it arrives: emit hashes it, prefetches its slot
/// and queues it, so the table's cache misses (a table of 60,000 words is 4 MB, beyond L2)
/// overlap with map scanning the next words instead of stalling it. A key too long for a slot
/// (up to 48 bytes) is queued as a copy, and halfway through the queue its stored bytes in the
/// arena are prefetched too, once its slot says where they are.
///
/// The buffer keeps to a memory budget: when it would outgrow it, it spills what it holds as a
/// sorted run (one intermediate file, `run-00001`, holding every partition) and starts empty; the
/// last run is written by ``finish()``. Reduce merges all runs of all map tasks, streaming.
final class MapOutputBuffer: RecordSink {
    struct Slot {
        /// In the table, the high 32 bits of the key's hash; in a list, the value's kind.
        var tag: UInt32
        /// Key length; `emptySlot` marks a free slot.
        var length: UInt32
        var value: Int64
        /// The key's bytes, zero-padded, when it is at most 16 bytes; otherwise `word0` is the
        /// key's offset in the arena and, in the table, `word1` its ``KeyHash`` (so that growing
        /// the table and partitioning a spill do not read the key again).
        var word0: UInt64
        var word1: UInt64
    }
    private static let emptySlot = UInt32.max
    private static let emptySlotValue = Slot(tag: 0, length: emptySlot, value: 0, word0: 0, word1: 0)
    private static let inlineLimit = 16
    private static let inlineKeyOffset = MemoryLayout<Slot>.offset(of: \Slot.word0)!
    /// List-mode `tag` values.
    private static let intValue: UInt32 = 0, textValue: UInt32 = 1

    /// An integer pair whose slot has been prefetched but not yet folded.
    struct QueuedPair {
        var hash: UInt64
        /// The key's words when it fits a slot; a longer key is in ``queuedKeys``.
        var word0: UInt64
        var word1: UInt64
        var length: Int
        var value: Int64
    }
    /// How many pairs wait: enough emits to cover a miss to L3 (wordcount: 8 cut 15 % of wall time, 16 a little more).
    private static let queueDepth = 16
    private let queue: UnsafeMutablePointer<QueuedPair> = {
        let queue = UnsafeMutablePointer<QueuedPair>.allocate(capacity: queueDepth)
        queue.initialize(repeating: QueuedPair(hash: 0, word0: 0, word1: 0, length: 0, value: 0), count: queueDepth)
        return queue
    }()
    /// Keys too long for a slot are queued too, up to this length, copied (map may reuse their
    /// bytes), one room per queue place: a quarter of ngrams' pairs, which missed the cache unqueued.
    private static let queuedKeyLimit = 48
    private let queuedKeys = UnsafeMutableRawPointer.allocate(byteCount: queueDepth * queuedKeyLimit, alignment: 64)
    private var queueNext = 0
    private var queued = 0
    /// How many queued pairs have long keys: without any, emit looks at no long key's slot.
    private var queuedLongKeys = 0

    /// How values of one key are folded; nil without a combiner (list mode).
    private let foldRule: FoldRule?
    /// The closure of `Combiner.custom`, kept apart so that the other rules copy no reference.
    private let customFold: (@Sendable (Int64, Int64) -> Int64)?
    /// `combiner` is `.distinct`: slots hold key + text value, `value` is the key's length.
    private let keepsDistinctText: Bool
    /// Where a key and a text value are joined for `.distinct`.
    private var composite: UnsafeMutableRawPointer
    private var compositeCapacity = 256
    /// With a combiner: the open-addressing table (power-of-two size). Without: pairs in order.
    private var slots: UnsafeMutablePointer<Slot>
    private var capacity: Int
    private(set) var pairCount = 0
    private var arena: UnsafeMutableRawPointer
    private var arenaCapacity: Int
    private var arenaUsed = 0
    /// Pairs emitted by map, before combining.
    private(set) var emitted: Int64 = 0
    /// Where runs go, how many partitions they have, and the budget that makes them.
    private let directory: String
    private let partitions: Int
    private let memoryBudget: Int
    /// Runs written so far, and the pairs in them.
    private(set) var runsWritten = 0
    private(set) var pairsWritten: Int64 = 0
    /// The table is full and may not grow: spill before the next pair.
    private var spillPending = false {
        didSet { queuesShortPairs = foldsIntegers && !spillPending }
    }
    /// The combiner folds integers (not `.distinct`, not list mode).
    private let foldsIntegers: Bool
    /// What nearly every emit meets, in one test: integers folded, no spill due.
    private var queuesShortPairs: Bool
    /// A write error met while spilling inside `emit` (which cannot throw); rethrown by `finish`.
    private var spillError: Error?
    /// The job's counters.
    private(set) var counters: [String: Int64] = [:]
    /// A misuse found while map ran (the sink cannot throw into job code); reported after it.
    private(set) var misuse: String?

    /// The worker's buffers, reused from task to task.
    private let memory: MapMemory

    init(combiner: Combiner?, partitions: Int, directory: String, memoryBudget: Int, memory: MapMemory = MapMemory()) {
        switch combiner {
        case nil: foldRule = nil
        case .sum?: foldRule = .sum
        case .minimum?: foldRule = .minimum
        case .maximum?: foldRule = .maximum
        case .distinct?: foldRule = .keepFirst
        case .custom?: foldRule = .custom
        }
        if case .custom(let fold)? = combiner { customFold = fold } else { customFold = nil }
        self.partitions = partitions
        self.directory = directory
        self.memoryBudget = memoryBudget
        keepsDistinctText = foldRule == .keepFirst
        foldsIntegers = foldRule != nil && !keepsDistinctText
        queuesShortPairs = foldsIntegers
        composite = .allocate(byteCount: compositeCapacity, alignment: 8)
        self.memory = memory
        // The sizes the previous task's table and arena reached, their pages already in memory.
        if let kept = memory.table.take() {
            capacity = kept.byteCount / MemoryLayout<Slot>.stride
            slots = kept.base.assumingMemoryBound(to: Slot.self)
            if foldRule != nil { slots.update(repeating: Self.emptySlotValue, count: capacity) }
        } else {
            capacity = 1 << 12
            slots = Self.allocateSlots(capacity, asTable: foldRule != nil)
        }
        let keptArena = memory.arena.take()
        (arena, arenaCapacity) = keptArena ?? (.allocate(byteCount: 1 << 16, alignment: 8), 1 << 16)
        super.init()
        // Kept table and arena may come from different tasks: together within the budget.
        if keptArena != nil && memoryInUse + spillMemory(slots: capacity) > memoryBudget {
            arena.deallocate()
            arenaCapacity = 1 << 16
            arena = .allocate(byteCount: arenaCapacity, alignment: 8)
        }
    }

    deinit {
        memory.table.keep(UnsafeMutableRawPointer(slots), byteCount: capacity * MemoryLayout<Slot>.stride)
        memory.arena.keep(arena, byteCount: arenaCapacity)
        composite.deallocate()
        queue.deallocate()
        queuedKeys.deallocate()
    }

    /// Slots aligned to a cache line: at malloc's 16-byte alignment every other 32-byte slot
    /// straddles two lines, and the prefetch of its first line leaves its key words to miss.
    private static func allocateSlots(_ count: Int, asTable: Bool) -> UnsafeMutablePointer<Slot> {
        let slots = UnsafeMutableRawPointer.allocate(byteCount: count * MemoryLayout<Slot>.stride, alignment: 64)
            .bindMemory(to: Slot.self, capacity: count)
        if asTable { slots.initialize(repeating: emptySlotValue, count: count) }
        return slots
    }

    override func count(_ name: String, by amount: Int64) {
        counters[name, default: 0] += amount
    }

    override func emit(key: ByteSlice, text: ByteSlice) {
        emitted += 1
        if spillPending { spill() }
        guard foldRule != nil else {
            makeRoomInList()
            var slot = makeSlot(key, tag: Self.textValue, value: 0)
            slot.value = Int64(store(text, withLength: true))
            slots[pairCount] = slot
            pairCount += 1
            return
        }
        guard keepsDistinctText else {
            misuse = misuse ?? "it emits text values but its combiner folds integers (use .distinct or no combiner)"
            return
        }
        let length = key.count + text.count
        if length > compositeCapacity {
            composite.deallocate()
            compositeCapacity = length * 2
            composite = .allocate(byteCount: compositeCapacity, alignment: 8)
        }
        if key.count > 0 { composite.copyMemory(from: key.baseAddress!, byteCount: key.count) }
        if text.count > 0 { (composite + key.count).copyMemory(from: text.baseAddress!, byteCount: text.count) }
        insert(ByteSlice(start: composite, count: length), value: Int64(key.count))
    }

    override func emit(key: ByteSlice, value: Int64) {
        emitted &+= 1
        let length = key.count
        guard queuesShortPairs && length <= Self.inlineLimit else {
            emitOther(key, value: value)
            return
        }
        let (word0, word1) = KeyBytes.words(key)
        let hash = Self.tableHash(word0, word1, length)
        mr_prefetch(slots + (Int(truncatingIfNeeded: hash) & (capacity &- 1)))
        if queuedLongKeys > 0 { prefetchHalfwayStoredKey() }
        freeNextPlace()
        queue[queueNext] = QueuedPair(hash: hash, word0: word0, word1: word1, length: length, value: value)
        queueNext = (queueNext &+ 1) & (Self.queueDepth - 1)
    }

    /// Queues a pair whose key is too long for a slot, its bytes copied into the queue place's
    /// room; kept out of ``emit(key:value:)`` so that short keys pay one test for it.
    @inline(never)
    private func queueLong(_ key: ByteSlice, value: Int64) {
        let hash = KeyHash.hash(key)
        mr_prefetch(slots + (Int(truncatingIfNeeded: hash) & (capacity &- 1)))
        prefetchHalfwayStoredKey()
        freeNextPlace()  // before its key's room takes the new key
        (queuedKeys + queueNext &* Self.queuedKeyLimit).copyMemory(from: key.baseAddress!, byteCount: key.count)
        queue[queueNext] = QueuedPair(hash: hash, word0: 0, word1: 0, length: key.count, value: value)
        queuedLongKeys &+= 1
        queueNext = (queueNext &+ 1) & (Self.queueDepth - 1)
    }

    /// Makes the next queue place free: when the queue is full, folds the oldest pair, there.
    @inline(__always)
    private func freeNextPlace() {
        if queued == Self.queueDepth { foldQueued(at: queueNext) } else { queued &+= 1 }
    }

    /// Halfway through the queue a long key's slot has arrived: if it holds a key of that hash's
    /// tag and that length, the key's bytes in the arena, which the fold compares, are fetched too.
    @inline(__always)
    private func prefetchHalfwayStoredKey() {
        let pair = queue[(queueNext &- Self.queueDepth / 2) & (Self.queueDepth - 1)]
        guard pair.length > Self.inlineLimit else { return }
        let slot = slots + (Int(truncatingIfNeeded: pair.hash) & (capacity &- 1))
        if slot.pointee.length == UInt32(truncatingIfNeeded: pair.length) && slot.pointee.tag == UInt32(truncatingIfNeeded: pair.hash >> 32) {
            mr_prefetch(arena + Int(slot.pointee.word0))
        }
    }

    /// Folds the pair queued at `index` into the table.
    @inline(__always)
    private func foldQueued(at index: Int) {
        let pair = queue[index]
        if pair.length > Self.inlineLimit { return foldLongQueued(at: index) }
        fold(hash: pair.hash, pair.word0, pair.word1, length: pair.length, key: nil, value: pair.value)
    }

    @inline(never)
    private func foldLongQueued(at index: Int) {
        let pair = queue[index]
        queuedLongKeys &-= 1
        fold(hash: pair.hash, 0, 0, length: pair.length,
             key: ByteSlice(start: queuedKeys + index &* Self.queuedKeyLimit, count: pair.length), value: pair.value)
    }

    /// An integer pair that is not queued: a key too long to queue, a spill due first, list mode,
    /// or a misuse.
    @inline(never)
    private func emitOther(_ key: ByteSlice, value: Int64) {
        if spillPending { spill() }
        guard foldRule != nil else {
            makeRoomInList()
            slots[pairCount] = makeSlot(key, tag: Self.intValue, value: value)
            pairCount += 1
            return
        }
        guard !keepsDistinctText else {
            misuse = misuse ?? "it emits integer values but its combiner, .distinct, keeps text values"
            return
        }
        if key.count > Self.inlineLimit && key.count <= Self.queuedKeyLimit { return queueLong(key, value: value) }
        insert(key, value: value)  // keys this long are never queued: no pair of theirs overtakes another
    }

    /// Folds every queued pair into the table.
    private func foldQueue() {
        guard queued > 0 else { return }
        for age in 0..<queued { foldQueued(at: (queueNext + Self.queueDepth - queued + age) & (Self.queueDepth - 1)) }
        queued = 0
    }

    /// Folds `value` into the slot of `key`, creating the slot if the key is new.
    @inline(__always)
    private func insert(_ key: ByteSlice, value: Int64) {
        let length = key.count
        if length <= Self.inlineLimit {
            let (word0, word1) = KeyBytes.words(key)
            fold(hash: Self.tableHash(word0, word1, length), word0, word1, length: length, key: nil, value: value)
        } else {
            fold(hash: KeyHash.hash(key), 0, 0, length: length, key: key, value: value)
        }
    }

    /// Folds `value` into the slot of the key with this hash and length: given by its words when
    /// it fits a slot (`key` nil), else by `key`.
    @inline(__always)
    private func fold(
        hash: UInt64, _ word0: UInt64, _ word1: UInt64, length: Int, key: ByteSlice?, value: Int64
    ) {
        let tag = UInt32(truncatingIfNeeded: hash >> 32)
        let mask = capacity &- 1
        var index = Int(truncatingIfNeeded: hash) & mask
        while true {
            let slot = slots + index
            let storedLength = slot.pointee.length
            if storedLength == Self.emptySlot { break }
            if slot.pointee.tag == tag && storedLength == UInt32(truncatingIfNeeded: length) {
                let equal = key == nil
                    ? slot.pointee.word0 == word0 && slot.pointee.word1 == word1
                    : KeyBytes.equal(arena + Int(slot.pointee.word0), key!.baseAddress, length)
                if equal {
                    slot.pointee.value = folded(slot.pointee.value, value)
                    return
                }
            }
            index = (index + 1) & mask
        }
        if let key {
            slots[index] = makeSlot(key, tag: tag, value: value)
            slots[index].word1 = hash
        } else {
            slots[index] = Slot(tag: tag, length: UInt32(truncatingIfNeeded: length), value: value, word0: word0, word1: word1)
        }
        pairCount &+= 1
        if pairCount &* 4 > capacity &* 3 { growTable() }
    }

    /// `Combiner`'s rules without their payload.
    private enum FoldRule { case sum, minimum, maximum, custom, keepFirst }

    @inline(__always)
    private func folded(_ accumulated: Int64, _ value: Int64) -> Int64 {
        if foldRule == .sum { return accumulated &+ value }  // a compare, not the switch's jump table
        return switch foldRule {
        case .sum?: accumulated &+ value
        case .minimum?: min(accumulated, value)
        case .maximum?: max(accumulated, value)
        case .custom?: customFold!(accumulated, value)
        case .keepFirst?, nil: accumulated
        }
    }

    /// A slot for `key`: its bytes inline when it fits, else its offset in the arena.
    @inline(__always)
    private func makeSlot(_ key: ByteSlice, tag: UInt32, value: Int64) -> Slot {
        if key.count <= Self.inlineLimit {
            let (word0, word1) = KeyBytes.words(key)
            return Slot(tag: tag, length: UInt32(key.count), value: value, word0: word0, word1: word1)
        }
        return Slot(tag: tag, length: UInt32(key.count), value: value, word0: UInt64(store(key, withLength: false)), word1: 0)
    }

    /// The table's hash of a key held inline: one full-width multiply of its two words (as in
    /// wyhash). Only the table uses it; partitions come from the stable ``KeyHash`` when a run is
    /// written, once per distinct key instead of once per emit.
    @inline(__always)
    private static func tableHash(_ word0: UInt64, _ word1: UInt64, _ length: Int) -> UInt64 {
        let product = (word0 ^ 0xA076_1D64_78BD_642F)
            .multipliedFullWidth(by: word1 ^ 0xE703_7ED1_A0B4_28DB ^ UInt64(truncatingIfNeeded: length))
        return product.high ^ product.low
    }

    /// The table's hash of the key in `slot`: ``tableHash(_:_:_:)`` when inline, else the ``KeyHash`` it keeps.
    private func tableHash(of slot: UnsafeMutablePointer<Slot>) -> UInt64 {
        let length = Int(slot.pointee.length)
        return length <= Self.inlineLimit
            ? Self.tableHash(slot.pointee.word0, slot.pointee.word1, length)
            : slot.pointee.word1
    }

    /// Copies bytes (a long key, or a text value behind its varint length) into the arena;
    /// returns their offset.
    private func store(_ bytes: ByteSlice, withLength: Bool) -> Int {
        let needed = bytes.count + 10
        if arenaUsed + needed > arenaCapacity {
            var newCapacity = arenaCapacity * 2
            while arenaUsed + needed > newCapacity { newCapacity *= 2 }
            let larger = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 8)
            larger.copyMemory(from: arena, byteCount: arenaUsed)
            arena.deallocate()
            arena = larger
            arenaCapacity = newCapacity
            if memoryInUse + spillMemory(slots: capacity) > memoryBudget && pairCount > 0 { spillPending = true }
        }
        let offset = arenaUsed
        if withLength {
            arenaUsed += Varint.encode(UInt64(bytes.count), into: (arena + offset).assumingMemoryBound(to: UInt8.self))
        }
        if bytes.count > 0 { (arena + arenaUsed).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count) }
        arenaUsed += bytes.count
        return offset
    }

    /// Before appending to a full list: spill it, or grow it if the budget allows.
    private func makeRoomInList() {
        guard pairCount == capacity else { return }
        if wouldExceedBudget(allocating: 2 * capacity) { spill() } else { growList() }
    }

    private func growList() {
        let larger = Self.allocateSlots(capacity * 2, asTable: false)
        larger.moveInitialize(from: slots, count: pairCount)
        slots.deallocate()
        slots = larger
        capacity *= 2
    }

    /// Bytes held now.
    private var memoryInUse: Int { capacity * MemoryLayout<Slot>.stride + arenaCapacity + compositeCapacity }

    /// Bytes a spill of a buffer of `slotCount` slots needs beside it: a sort item per pair (at
    /// most 3/4 of the slots of a table), a second copy of one partition's items while they are
    /// bucketed, and a partition number per slot.
    private func spillMemory(slots slotCount: Int) -> Int {
        let pairs = foldRule == nil ? slotCount : slotCount / 4 * 3
        return pairs * 2 * MemoryLayout<SortItem>.stride + slotCount * 4
    }

    /// Whether allocating a table of `slotCount` slots beside the current one (both live while
    /// pairs move over), and then spilling it, would pass the budget.
    private func wouldExceedBudget(allocating slotCount: Int) -> Bool {
        pairCount > 0 && memoryInUse + slotCount * MemoryLayout<Slot>.stride + spillMemory(slots: slotCount) > memoryBudget
    }

    private func growTable() {
        if wouldExceedBudget(allocating: 2 * capacity) {
            spillPending = true  // at 3/4 load there is room for the one pair before the spill
            return
        }
        let old = slots, oldCapacity = capacity
        capacity *= 2
        slots = Self.allocateSlots(capacity, asTable: true)
        let mask = capacity - 1
        for oldIndex in 0..<oldCapacity where old[oldIndex].length != Self.emptySlot {
            var index = Int(truncatingIfNeeded: tableHash(of: old + oldIndex)) & mask
            while slots[index].length != Self.emptySlot { index = (index + 1) & mask }
            slots[index] = old[oldIndex]
        }
        old.deallocate()
    }

    /// The key of the slot at `slot`, pointing into the slot itself or into the arena.
    private func key(in slot: UnsafeMutablePointer<Slot>) -> ByteSlice {
        let length = Int(slot.pointee.length)
        if length <= Self.inlineLimit {
            return ByteSlice(start: UnsafeRawPointer(slot) + Self.inlineKeyOffset, count: length)
        }
        return ByteSlice(start: arena + Int(slot.pointee.word0), count: length)
    }

    /// The pair a slot holds: its key and its value.
    private func pair(in slot: UnsafeMutablePointer<Slot>) -> (key: ByteSlice, value: Value) {
        let stored = key(in: slot)
        if keepsDistinctText {
            let keyLength = Int(slot.pointee.value)
            return (ByteSlice(rebasing: stored[..<keyLength]), .bytes(ByteSlice(rebasing: stored[keyLength...])))
        }
        guard foldRule == nil && slot.pointee.tag == Self.textValue else { return (stored, .int(slot.pointee.value)) }
        // The arena holds the varint this buffer wrote there: it ends within its 10 bytes.
        var cursor = Int(slot.pointee.value)
        let length = Int(Varint.decode(arena, cursor: &cursor, end: cursor + Varint.maxLength)!)
        return (stored, .bytes(ByteSlice(start: arena + cursor, count: length)))
    }

    /// Writes what the buffer holds as one sorted run and empties it (keeping its allocations).
    private func spill() {
        foldQueue()
        spillPending = false
        do {
            try writeRun()
        } catch {
            spillError = spillError ?? error
        }
        if foldRule != nil {
            slots.update(repeating: Self.emptySlotValue, count: capacity)
        }
        pairCount = 0
        arenaUsed = 0
    }

    /// Writes the last run; afterwards every partition has a segment in at least one run file.
    func finish() throws {
        foldQueue()
        if let spillError { throw spillError }
        if pairCount > 0 || runsWritten == 0 { try writeRun() }
    }

    /// One sorted intermediate file holding every partition's pairs (see ``IntermediateFile``).
    private func writeRun() throws {
        let writer = try IntermediateFile.Writer(path: directory + "/" + Self.runFilePrefix + zeroPadded(runsWritten),
                                                 partitions: partitions)
        var writerPartition = 0
        // The pairs come partition after partition; the writer is reached unretained (a retain
        // and a release per pair otherwise).
        try withExtendedLifetime(writer) {
            let current = Unmanaged.passUnretained(writer)
            try forEachPairByPartition(count: partitions) { partition, key, value in
                if partition != writerPartition {
                    try writer.startPartition(partition)
                    writerPartition = partition
                }
                try current._withUnsafeGuaranteedRef { try $0.append(key: key, value: value) }
                pairsWritten += 1
            }
        }
        try writer.finish()
        runsWritten += 1
    }

    /// The names of a map task's run files: `run-00000`, `run-00001`, ...
    static let runFilePrefix = "run-"

    /// Calls `body(partition, key, value)` for every pair, partition by partition, in key order
    /// within each; equal keys are ordered by text value under `.distinct`, else keep emission
    /// order (ties only occur without a combiner).
    private func forEachPairByPartition(count partitions: Int, _ body: (Int, ByteSlice, Value) throws -> Void) rethrows {
        let itemHoldsPair = foldRule != nil && !keepsDistinctText
        /// The key of an item that is not inline, or of any item when items do not hold pairs.
        func storedKey(_ item: SortItem) -> ByteSlice {
            itemHoldsPair ? ByteSlice(start: arena + item.location, count: item.length) : pair(in: slots + item.location).key
        }
        /// The order of items whose first 16 key bytes are equal.
        func precedesOnEqualPrefixes(_ a: SortItem, _ b: SortItem) -> Bool {
            if itemHoldsPair {
                // Equal first 16 bytes: a key of at most 16 bytes is a prefix of the other one.
                if a.length <= Self.inlineLimit || b.length <= Self.inlineLimit { return a.length < b.length }
                return KeyBytes.compare(storedKey(a), storedKey(b)) < 0
            }
            let left = pair(in: slots + a.location), right = pair(in: slots + b.location)
            var order = KeyBytes.compare(left.key, right.key)
            if order == 0 && keepsDistinctText { order = KeyBytes.compare(left.value.bytes, right.value.bytes) }
            return order != 0 ? order < 0 : a.location < b.location
        }
        try SpillSorter(memory: memory).forEachSorted(
            slots: foldRule == nil ? pairCount : capacity, partitions: partitions,
            partition: { index in
                guard slots[index].length != Self.emptySlot else { return nil }
                // A long key's hash is in its slot; under `.distinct` the table hashed key and value.
                let hash = itemHoldsPair && slots[index].length > UInt32(Self.inlineLimit)
                    ? slots[index].word1 : KeyHash.hash(pair(in: slots + index).key)
                return Int(hash % UInt64(partitions))
            },
            item: { index in
                let key = pair(in: slots + index).key
                let (prefix0, prefix1) = KeyBytes.orderPrefixes(key)
                // An integer pair is all in its item (a long key by its arena offset), so writing
                // it does not go back to the cache-cold slot.
                let location = itemHoldsPair && key.count > Self.inlineLimit ? Int(slots[index].word0) : index
                return SortItem(prefix0: prefix0, prefix1: prefix1, value: slots[index].value, location: location, length: key.count)
            },
            tieBreak: precedesOnEqualPrefixes
        ) { partition, item in
            if itemHoldsPair && item.length <= Self.inlineLimit {
                var words = (item.prefix0.bigEndian, item.prefix1.bigEndian)
                try withUnsafeBytes(of: &words) { try body(partition, ByteSlice(rebasing: $0[..<item.length]), .int(item.value)) }
            } else if itemHoldsPair {
                try body(partition, storedKey(item), .int(item.value))
            } else {
                let (key, value) = pair(in: slots + item.location)
                try body(partition, key, value)
            }
        }
    }
}
