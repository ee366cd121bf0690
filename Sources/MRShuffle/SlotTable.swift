import MRBase
import MRSystem
import MapReduce
#if canImport(Glibc)
import Glibc
#endif

/// The open-addressing hash table of the buffers that fold pairs by key: one 32-byte slot per
/// distinct key, at most 3/4 full, its size a power of two.
///
/// A key of at most 16 bytes (nearly every word) lives in its slot, so a lookup costs one cache
/// line: hash, probe, compare two words. A longer key lives in the buffer's ``ByteArena``; its
/// slot keeps the key's offset there and its ``KeyHash``, so that growing the table and
/// partitioning a spill do not read the key again.
struct SlotTable {
    struct Slot {
        /// The high 32 bits of the key's table hash.
        var tag: UInt32
        /// Key length; `SlotTable.emptyLength` marks a free slot.
        var length: UInt32
        /// What the buffer folds (or, in ``DistinctTable``, where the key ends in the stored bytes).
        var value: Int64
        /// The key's bytes, zero-padded, when it is at most 16 bytes; otherwise `word0` is its
        /// offset in the arena and `word1` its ``KeyHash``.
        var word0: UInt64
        var word1: UInt64
    }
    static let inlineLimit = 16
    private static let emptyLength = UInt32.max
    private static let emptySlot = Slot(tag: 0, length: emptyLength, value: 0, word0: 0, word1: 0)
    private static let inlineKeyOffset = MemoryLayout<Slot>.offset(of: \Slot.word0)!
    private static let initialCapacity = 1 << 12

    private(set) var slots: UnsafeMutablePointer<Slot>
    private(set) var capacity: Int
    /// Keys held.
    private(set) var count = 0

    /// Starts with the block a previous task kept (at the size its table reached), else small.
    init(kept: (base: UnsafeMutableRawPointer, byteCount: Int)?) {
        if let kept {
            capacity = kept.byteCount / MemoryLayout<Slot>.stride
            slots = kept.base.assumingMemoryBound(to: Slot.self)
            slots.update(repeating: Self.emptySlot, count: capacity)
        } else {
            capacity = Self.initialCapacity
            slots = Self.allocateEmpty(capacity)
        }
    }

    /// Hands the block to the worker's next task.
    func keep(in memory: MapMemory) {
        memory.table.keep(UnsafeMutableRawPointer(slots), byteCount: byteCount)
    }

    var byteCount: Int { Self.byteCount(capacity) }
    static func byteCount(_ capacity: Int) -> Int { capacity * MemoryLayout<Slot>.stride }

    /// Slots aligned to a cache line: at malloc's 16-byte alignment every other 32-byte slot
    /// straddles two lines, and the prefetch of its first line leaves its key words to miss.
    private static func allocateEmpty(_ count: Int) -> UnsafeMutablePointer<Slot> {
        let slots = UnsafeMutableRawPointer.allocate(byteCount: byteCount(count), alignment: 64)
            .bindMemory(to: Slot.self, capacity: count)
        slots.initialize(repeating: emptySlot, count: count)
        return slots
    }

    /// The hash of a key held inline: one full-width multiply of its two words (as in wyhash).
    /// Only the table uses it; partitions come from the stable ``KeyHash`` when a spill is written,
    /// once per distinct key instead of once per emit.
    @inline(__always)
    static func hash(_ word0: UInt64, _ word1: UInt64, _ length: Int) -> UInt64 {
        let product = (word0 ^ 0xA076_1D64_78BD_642F)
            .multipliedFullWidth(by: word1 ^ 0xE703_7ED1_A0B4_28DB ^ UInt64(truncatingIfNeeded: length))
        return product.high ^ product.low
    }

    /// The table hash of any key: ``hash(_:_:_:)`` of its words when it fits a slot, else its ``KeyHash``.
    @inline(__always)
    static func hash(_ key: ByteSlice) -> (hash: UInt64, word0: UInt64, word1: UInt64) {
        guard key.count <= inlineLimit else { return (KeyHash.hash(key), 0, 0) }
        let (word0, word1) = KeyBytes.words(key)
        return (hash(word0, word1, key.count), word0, word1)
    }

    /// The slot a key of this hash starts probing at (to prefetch it).
    @inline(__always)
    func home(of hash: UInt64) -> UnsafeMutablePointer<Slot> {
        slots + (Int(truncatingIfNeeded: hash) & (capacity &- 1))
    }

    /// Whether the slot at `hash`'s home holds a key of that hash's tag and this length: a long
    /// key's likely slot, whose stored bytes are then worth prefetching.
    @inline(__always)
    func homeMayHold(hash: UInt64, length: Int) -> UnsafeMutablePointer<Slot>? {
        let slot = home(of: hash)
        let matches = slot.pointee.length == UInt32(truncatingIfNeeded: length) && slot.pointee.tag == UInt32(truncatingIfNeeded: hash >> 32)
        return matches ? slot : nil
    }

    /// The slot of the key with this hash and length, given by its words when it fits a slot
    /// (`key` nil) or else by its bytes; when the key is new, the empty slot where it belongs
    /// (`found` false), to be filled with ``claim(_:hash:length:value:word0:word1:)``.
    @inline(__always)
    func lookUp(hash: UInt64, _ word0: UInt64, _ word1: UInt64, length: Int, key: ByteSlice?,
                arena: ByteArena) -> (slot: UnsafeMutablePointer<Slot>, found: Bool) {
        // Tag and length side by side, compared as one word (little-endian: the tag is the low half).
        let wanted = hash >> 32 | UInt64(truncatingIfNeeded: length) << 32
        let mask = capacity &- 1
        var index = Int(truncatingIfNeeded: hash) & mask
        while true {
            let slot = slots + index
            let head = UnsafeRawPointer(slot).load(as: UInt64.self)
            if head == wanted {
                let equal = key == nil
                    ? slot.pointee.word0 == word0 && slot.pointee.word1 == word1
                    : KeyBytes.equal(arena.base + Int(slot.pointee.word0), key!.baseAddress, length)
                if equal { return (slot, true) }
            } else if UInt32(truncatingIfNeeded: head >> 32) == Self.emptyLength {
                return (slot, false)
            }
            index = (index &+ 1) & mask
        }
    }

    /// Fills the empty slot ``lookUp(hash:_:_:length:key:arena:)`` returned with a new key: its
    /// words, or, for a long key, its arena offset (the hash is kept in `word1`).
    @inline(__always)
    mutating func claim(_ slot: UnsafeMutablePointer<Slot>, hash: UInt64, length: Int, value: Int64,
                        word0: UInt64, word1: UInt64) {
        slot.pointee = Slot(tag: UInt32(truncatingIfNeeded: hash >> 32), length: UInt32(truncatingIfNeeded: length),
                            value: value, word0: word0, word1: length <= Self.inlineLimit ? word1 : hash)
        count &+= 1
    }

    /// Swaps the keys of `slot` and of `home`, the slot where its key's probe starts. Lookups still
    /// find both: every slot from `home` to `slot` is occupied (the probe passed them), so the key
    /// moved out of `home` stays within the unbroken run that starts at its own home.
    @inline(__always)
    func exchange(_ slot: UnsafeMutablePointer<Slot>, _ home: UnsafeMutablePointer<Slot>) {
        swap(&slot.pointee, &home.pointee)
    }

    /// Past 3/4 full: time to grow (or spill).
    @inline(__always)
    var isCrowded: Bool { count &* 4 > capacity &* 3 }

    /// Doubles the table, moving every key to its place in the larger one.
    mutating func grow() {
        let old = slots, oldCapacity = capacity
        capacity *= 2
        slots = Self.allocateEmpty(capacity)
        let mask = capacity - 1
        for oldIndex in 0..<oldCapacity where old[oldIndex].length != Self.emptyLength {
            var index = Int(truncatingIfNeeded: Self.hash(of: old[oldIndex])) & mask
            while slots[index].length != Self.emptyLength { index = (index + 1) & mask }
            slots[index] = old[oldIndex]
        }
        old.deallocate()
    }

    /// The table hash of the key in `slot`.
    private static func hash(of slot: Slot) -> UInt64 {
        let length = Int(slot.length)
        return length <= inlineLimit ? hash(slot.word0, slot.word1, length) : slot.word1
    }

    /// Empties every slot, keeping the block.
    mutating func removeAll() {
        slots.update(repeating: Self.emptySlot, count: capacity)
        count = 0
    }

    func isEmpty(at index: Int) -> Bool { slots[index].length == Self.emptyLength }

    /// The key of the slot at `index`, in the slot itself or in the arena.
    func key(at index: Int, arena: ByteArena) -> ByteSlice {
        let slot = slots + index
        let length = Int(slot.pointee.length)
        if length <= Self.inlineLimit {
            return ByteSlice(start: UnsafeRawPointer(slot) + Self.inlineKeyOffset, count: length)
        }
        return arena.bytes(at: Int(slot.pointee.word0), count: length)
    }

    /// The stable ``KeyHash`` of the key at `index` (kept in the slot for a long key).
    func keyHash(at index: Int, arena: ByteArena) -> UInt64 {
        slots[index].length > UInt32(Self.inlineLimit) ? slots[index].word1 : KeyHash.hash(key(at: index, arena: arena))
    }
}
