import MRBase
import MRSystem
import MapReduce

/// The bytes a map buffer keeps beside its slots: keys longer than a slot holds, text values
/// behind their varint length, and the tallies of a `.tally` combiner. It grows by doubling and is emptied, not freed, by a spill.
struct ByteArena {
    private(set) var base: UnsafeMutableRawPointer
    private(set) var capacity: Int
    private var used = 0

    private static let initialCapacity = 1 << 16

    /// Starts with the block a previous task kept, else with a small one.
    init(kept: (base: UnsafeMutableRawPointer, byteCount: Int)?) {
        (base, capacity) = kept ?? (.allocate(byteCount: Self.initialCapacity, alignment: 8), Self.initialCapacity)
    }

    /// Gives the block back to a small one (the kept block would pass the memory budget).
    mutating func shrink() {
        base.deallocate()
        capacity = Self.initialCapacity
        base = .allocate(byteCount: capacity, alignment: 8)
    }

    /// Hands the block to the worker's next task.
    func keep(in memory: MapMemory) {
        memory.arena.keep(base, byteCount: capacity)
    }

    /// Copies `bytes` in, behind their varint length when `withLength`; returns their offset.
    mutating func store(_ bytes: ByteSlice, withLength: Bool) -> Int {
        let needed = bytes.count + Varint.maxLength
        if used + needed > capacity { grow(toHold: needed) }
        let offset = used
        if withLength {
            used += Varint.encode(UInt64(bytes.count), into: (base + offset).assumingMemoryBound(to: UInt8.self))
        }
        if bytes.count > 0 { (base + used).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count) }
        used += bytes.count
        return offset
    }

    /// Room for `byteCount` bytes at an 8-byte-aligned offset, which it returns (the bytes are
    /// not cleared). Pointers into the arena move when it grows: keep the offset.
    mutating func reserve(_ byteCount: Int) -> Int {
        let offset = (used + 7) & ~7
        if offset + byteCount > capacity { grow(toHold: offset - used + byteCount) }
        used = offset + byteCount
        return offset
    }

    /// The arena's memory at `offset`, valid until it next grows.
    func address(at offset: Int) -> UnsafeMutableRawPointer { base + offset }

    private mutating func grow(toHold needed: Int) {
        var newCapacity = capacity * 2
        while used + needed > newCapacity { newCapacity *= 2 }
        let larger = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 8)
        larger.copyMemory(from: base, byteCount: used)
        base.deallocate()
        base = larger
        capacity = newCapacity
    }

    /// The `count` bytes stored at `offset` without a length.
    func bytes(at offset: Int, count: Int) -> ByteSlice {
        ByteSlice(start: base + offset, count: count)
    }

    /// The bytes stored at `offset` behind their length.
    func lengthPrefixedBytes(at offset: Int) -> ByteSlice {
        // The varint is the one `store` wrote: it ends within its 10 bytes.
        var cursor = offset
        let length = Int(Varint.decode(base, cursor: &cursor, end: cursor + Varint.maxLength)!)
        return ByteSlice(start: base + cursor, count: length)
    }

    /// Forgets every stored byte, keeping the block.
    mutating func removeAll() { used = 0 }
}
