#if canImport(Glibc)
import Glibc
#endif
import MapReduce

/// Collects a map task's output in memory. Keys are copied once into an arena, each behind a
/// varint length. With a combiner, pairs live in an open-addressing table keyed by the key bytes:
/// 16-byte slots (hash tag, key offset, value) at up to 3/4 load keep a word count's table in L2
/// cache; key bytes are compared only on a tag match, and values of equal keys are folded in place.
/// Without a combiner every pair is appended. At the end of the task the pairs of each partition
/// come out sorted by key.
final class MapOutputBuffer: MapSink {
    /// One pair; in the table, `keyOffset == emptySlot` marks a free slot.
    struct Pair {
        /// The high 32 bits of the key's hash: most mismatches are rejected without the arena.
        var tag: UInt32
        var keyOffset: UInt32
        var value: Int64
    }
    private static let emptySlot = UInt32.max

    private let combiner: Combiner?
    /// With a combiner: the open-addressing table (power-of-two size). Without: pairs in order.
    private var pairs: UnsafeMutablePointer<Pair>
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
        pairs = Self.allocatePairs(capacity, asTable: combiner != nil)
        arenaCapacity = 1 << 18
        arena = .allocate(byteCount: arenaCapacity, alignment: 8)
    }

    deinit {
        pairs.deallocate()
        arena.deallocate()
    }

    private static func allocatePairs(_ count: Int, asTable: Bool) -> UnsafeMutablePointer<Pair> {
        let pairs = UnsafeMutablePointer<Pair>.allocate(capacity: count)
        if asTable { pairs.initialize(repeating: Pair(tag: 0, keyOffset: emptySlot, value: 0), count: count) }
        return pairs
    }

    func emit(key: ByteSlice, value: Int64) {
        emitted += 1
        let hash = KeyHash.hash(key)
        let tag = UInt32(truncatingIfNeeded: hash >> 32)
        guard let combiner else {
            if pairCount == capacity { growList() }
            pairs[pairCount] = Pair(tag: tag, keyOffset: store(key), value: value)
            pairCount += 1
            return
        }
        let mask = capacity - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let pair = pairs + slot
            let offset = pair.pointee.keyOffset
            if offset == Self.emptySlot { break }
            if pair.pointee.tag == tag && storedKeyEquals(offset, key) {
                pair.pointee.value = combiner.fold(pair.pointee.value, value)
                return
            }
            slot = (slot + 1) & mask
        }
        pairs[slot] = Pair(tag: tag, keyOffset: store(key), value: value)
        pairCount += 1
        if pairCount * 4 > capacity * 3 { growTable() }
    }

    @inline(__always)
    private func storedKeyEquals(_ offset: UInt32, _ key: ByteSlice) -> Bool {
        var cursor = Int(offset)
        let length = readLength(&cursor)
        return length == key.count && bytesEqual(arena + cursor, key.baseAddress, length)
    }

    @inline(__always)
    private func readLength(_ cursor: inout Int) -> Int {
        var result = 0
        var shift = 0
        while true {
            let byte = arena.load(fromByteOffset: cursor, as: UInt8.self)
            cursor += 1
            result |= Int(byte & 0x7F) << shift
            if byte < 0x80 { return result }
            shift += 7
        }
    }

    /// Copies the key, behind its varint length, into the arena; returns its offset.
    @inline(__always)
    private func store(_ key: ByteSlice) -> UInt32 {
        let needed = key.count + 10
        if arenaUsed + needed > arenaCapacity {
            var newCapacity = arenaCapacity * 2
            while arenaUsed + needed > newCapacity { newCapacity *= 2 }
            precondition(newCapacity < Int(UInt32.max), "a map task's keys exceed 4 GiB; use a smaller --split-size")
            let larger = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 8)
            larger.copyMemory(from: arena, byteCount: arenaUsed)
            arena.deallocate()
            arena = larger
            arenaCapacity = newCapacity
        }
        let offset = arenaUsed
        arenaUsed += encodeVarint(UInt64(key.count), into: (arena + offset).assumingMemoryBound(to: UInt8.self))
        if key.count > 0 { (arena + arenaUsed).copyMemory(from: key.baseAddress!, byteCount: key.count) }
        arenaUsed += key.count
        return UInt32(offset)
    }

    private func growList() {
        let larger = UnsafeMutablePointer<Pair>.allocate(capacity: capacity * 2)
        larger.moveInitialize(from: pairs, count: pairCount)
        pairs.deallocate()
        pairs = larger
        capacity *= 2
    }

    private func growTable() {
        let old = pairs, oldCapacity = capacity
        capacity *= 2
        pairs = Self.allocatePairs(capacity, asTable: true)
        let mask = capacity - 1
        for index in 0..<oldCapacity where old[index].keyOffset != Self.emptySlot {
            var slot = Int(truncatingIfNeeded: KeyHash.hash(key(of: old[index]))) & mask
            while pairs[slot].keyOffset != Self.emptySlot { slot = (slot + 1) & mask }
            pairs[slot] = old[index]
        }
        old.deallocate()
    }

    func key(of pair: Pair) -> ByteSlice {
        var cursor = Int(pair.keyOffset)
        let length = readLength(&cursor)
        return ByteSlice(start: arena + cursor, count: length)
    }

    /// Calls `body` for each partition in order with its pairs sorted by key bytes (ties, which
    /// only occur without a combiner, keep emission order).
    func forEachPartition(count partitions: Int, _ body: (Int, [Pair]) throws -> Void) rethrows {
        // Sort (first 8 key bytes as a big-endian number, slot) items: most comparisons are
        // settled by the prefix without touching the arena.
        struct Item {
            var prefix: UInt64
            var slot: Int
        }
        var byPartition = [[Item]](repeating: [], count: partitions)
        let slots = combiner == nil ? pairCount : capacity
        for slot in 0..<slots where pairs[slot].keyOffset != Self.emptySlot {
            let key = key(of: pairs[slot])
            var prefix: UInt64 = 0
            for index in 0..<8 { prefix = prefix << 8 | UInt64(index < key.count ? key[index] : 0) }
            byPartition[Int(KeyHash.hash(key) % UInt64(partitions))].append(Item(prefix: prefix, slot: slot))
        }
        for partition in 0..<partitions {
            var items = byPartition[partition]
            byPartition[partition] = []
            items.sort { a, b in
                if a.prefix != b.prefix { return a.prefix < b.prefix }
                let order = compare(key(of: pairs[a.slot]), key(of: pairs[b.slot]))
                return order != 0 ? order < 0 : a.slot < b.slot
            }
            try body(partition, items.map { pairs[$0.slot] })
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
