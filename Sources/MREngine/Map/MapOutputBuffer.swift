#if canImport(Glibc)
import Glibc
#endif
import MapReduce

/// Collects a map task's output in memory.
///
/// With a combiner, pairs live in an open-addressing table: one 32-byte slot per distinct key,
/// holding the key itself when it is at most 16 bytes (nearly every word), so an emit costs one
/// cache line: hash, probe, compare two words, fold the value in place. Longer keys are copied to
/// an arena and the slot points at them. Without a combiner every pair is appended to the same
/// kind of slots in emission order. At the end of the task each partition's slots come out sorted
/// by key.
final class MapOutputBuffer: MapSink {
    struct Slot {
        /// High 32 bits of the key's hash.
        var tag: UInt32
        /// Key length; `emptySlot` marks a free slot.
        var length: UInt32
        var value: Int64
        /// The key's bytes, zero-padded, when it is at most 16 bytes; otherwise `word0` is the
        /// key's offset in the arena.
        var word0: UInt64
        var word1: UInt64
    }
    private static let emptySlot = UInt32.max
    private static let inlineLimit = 16
    private static let inlineKeyOffset = MemoryLayout<Slot>.offset(of: \Slot.word0)!

    private let combiner: Combiner?
    /// With a combiner: the open-addressing table (power-of-two size). Without: pairs in order.
    private var slots: UnsafeMutablePointer<Slot>
    private var capacity: Int
    private(set) var pairCount = 0
    private var arena: UnsafeMutableRawPointer
    private var arenaCapacity: Int
    private var arenaUsed = 0
    /// Pairs emitted by map, before combining.
    private(set) var emitted: Int64 = 0

    init(combiner: Combiner?) {
        self.combiner = combiner
        capacity = 1 << 12
        slots = Self.allocateSlots(capacity, asTable: combiner != nil)
        arenaCapacity = 1 << 16
        arena = .allocate(byteCount: arenaCapacity, alignment: 8)
    }

    deinit {
        slots.deallocate()
        arena.deallocate()
    }

    private static func allocateSlots(_ count: Int, asTable: Bool) -> UnsafeMutablePointer<Slot> {
        let slots = UnsafeMutablePointer<Slot>.allocate(capacity: count)
        if asTable { slots.initialize(repeating: Slot(tag: 0, length: emptySlot, value: 0, word0: 0, word1: 0), count: count) }
        return slots
    }

    func emit(key: ByteSlice, value: Int64) {
        emitted += 1
        let hash = KeyHash.hash(key)
        let tag = UInt32(truncatingIfNeeded: hash >> 32)
        let length = key.count
        var word0: UInt64 = 0, word1: UInt64 = 0
        if length <= Self.inlineLimit, let base = key.baseAddress {
            word0 = KeyHash.loadWord(base, 0, length)
            word1 = length > 8 ? KeyHash.loadWord(base, 8, length) : 0
        }
        guard let combiner else {
            if pairCount == capacity { growList() }
            slots[pairCount] = makeSlot(key, tag: tag, value: value, word0, word1)
            pairCount += 1
            return
        }
        let mask = capacity - 1
        var index = Int(truncatingIfNeeded: hash) & mask
        while true {
            let slot = slots + index
            let storedLength = slot.pointee.length
            if storedLength == Self.emptySlot { break }
            if slot.pointee.tag == tag && storedLength == UInt32(truncatingIfNeeded: length) {
                let equal = length <= Self.inlineLimit
                    ? slot.pointee.word0 == word0 && slot.pointee.word1 == word1
                    : bytesEqual(arena + Int(slot.pointee.word0), key.baseAddress, length)
                if equal {
                    slot.pointee.value = combiner.fold(slot.pointee.value, value)
                    return
                }
            }
            index = (index + 1) & mask
        }
        slots[index] = makeSlot(key, tag: tag, value: value, word0, word1)
        pairCount += 1
        if pairCount * 4 > capacity * 3 { growTable() }
    }

    @inline(__always)
    private func makeSlot(_ key: ByteSlice, tag: UInt32, value: Int64, _ word0: UInt64, _ word1: UInt64) -> Slot {
        if key.count <= Self.inlineLimit {
            return Slot(tag: tag, length: UInt32(key.count), value: value, word0: word0, word1: word1)
        }
        return Slot(tag: tag, length: UInt32(key.count), value: value, word0: UInt64(store(key)), word1: 0)
    }

    /// Copies a long key into the arena; returns its offset.
    private func store(_ key: ByteSlice) -> Int {
        if arenaUsed + key.count > arenaCapacity {
            var newCapacity = arenaCapacity * 2
            while arenaUsed + key.count > newCapacity { newCapacity *= 2 }
            let larger = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 8)
            larger.copyMemory(from: arena, byteCount: arenaUsed)
            arena.deallocate()
            arena = larger
            arenaCapacity = newCapacity
        }
        let offset = arenaUsed
        (arena + offset).copyMemory(from: key.baseAddress!, byteCount: key.count)
        arenaUsed += key.count
        return offset
    }

    private func growList() {
        let larger = UnsafeMutablePointer<Slot>.allocate(capacity: capacity * 2)
        larger.moveInitialize(from: slots, count: pairCount)
        slots.deallocate()
        slots = larger
        capacity *= 2
    }

    private func growTable() {
        let old = slots, oldCapacity = capacity
        capacity *= 2
        slots = Self.allocateSlots(capacity, asTable: true)
        let mask = capacity - 1
        for oldIndex in 0..<oldCapacity where old[oldIndex].length != Self.emptySlot {
            var index = Int(truncatingIfNeeded: KeyHash.hash(key(in: old + oldIndex))) & mask
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

    /// Calls `body(partition, key, value)` for every pair, partition by partition, in key order
    /// within each (ties, which only occur without a combiner, keep emission order).
    func forEachPairByPartition(count partitions: Int, _ body: (Int, ByteSlice, Int64) throws -> Void) rethrows {
        // Sort (first 8 key bytes as a big-endian number, slot index) items: most comparisons are
        // settled by the prefix without touching the key bytes.
        struct Item {
            var prefix: UInt64
            var index: Int
        }
        var byPartition = [[Item]](repeating: [], count: partitions)
        let used = combiner == nil ? pairCount : capacity
        for index in 0..<used where slots[index].length != Self.emptySlot {
            let key = key(in: slots + index)
            var prefix: UInt64 = 0
            for byte in 0..<8 { prefix = prefix << 8 | UInt64(byte < key.count ? key[byte] : 0) }
            byPartition[Int(KeyHash.hash(key) % UInt64(partitions))].append(Item(prefix: prefix, index: index))
        }
        for partition in 0..<partitions {
            var items = byPartition[partition]
            byPartition[partition] = []
            items.sort { a, b in
                if a.prefix != b.prefix { return a.prefix < b.prefix }
                let order = compare(key(in: slots + a.index), key(in: slots + b.index))
                return order != 0 ? order < 0 : a.index < b.index
            }
            for item in items { try body(partition, key(in: slots + item.index), slots[item.index].value) }
        }
    }
}

/// Byte equality of two ranges of `count` bytes, 8 bytes at a time: keys are short, and a call
/// to memcmp costs more than the comparison.
@inline(__always)
func bytesEqual(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer?, _ count: Int) -> Bool {
    guard let b else { return count == 0 }
    var index = 0
    while index + 8 <= count {
        if a.loadUnaligned(fromByteOffset: index, as: UInt64.self) != b.loadUnaligned(fromByteOffset: index, as: UInt64.self) {
            return false
        }
        index += 8
    }
    while index < count {
        if a.load(fromByteOffset: index, as: UInt8.self) != b.load(fromByteOffset: index, as: UInt8.self) { return false }
        index += 1
    }
    return true
}
