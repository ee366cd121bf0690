#if canImport(Glibc)
import Glibc
#endif
import MapReduce

/// Collects a map task's output in memory: keys copied once into an arena, values folded by the
/// job's combiner through an open-addressing table keyed by the key bytes. Without a combiner every
/// pair is kept. At the end of the task the pairs of each partition come out sorted by key.
final class MapOutputBuffer: MapSink {
    struct Entry {
        var hash: UInt64
        var keyOffset: Int
        var keyLength: Int
        var value: Int64
    }

    private let combine: ((Int64, Int64) -> Int64)?
    private var entries: UnsafeMutablePointer<Entry>
    private var entryCapacity: Int
    private(set) var entryCount = 0
    private var arena: UnsafeMutableRawPointer
    private var arenaCapacity: Int
    private var arenaUsed = 0
    /// Open-addressing slots holding entry index + 1 (0: empty); only used with a combiner.
    private var slots: UnsafeMutablePointer<Int32>
    private var slotMask: Int
    /// Pairs emitted by map, before combining.
    private(set) var emitted: Int64 = 0

    init(combiner: Combiner?) {
        combine = combiner?.fold
        entryCapacity = 1 << 12
        entries = .allocate(capacity: entryCapacity)
        arenaCapacity = 1 << 16
        arena = .allocate(byteCount: arenaCapacity, alignment: 8)
        let slotCount = combiner == nil ? 1 : 1 << 13
        slots = .allocate(capacity: slotCount)
        slots.initialize(repeating: 0, count: slotCount)
        slotMask = slotCount - 1
    }

    deinit {
        entries.deallocate()
        arena.deallocate()
        slots.deallocate()
    }

    func emit(key: ByteSlice, value: Int64) {
        emitted += 1
        let hash = KeyHash.hash(key)
        guard let combine else {
            append(key, hash: hash, value: value)
            return
        }
        var slot = Int(truncatingIfNeeded: hash) & slotMask
        while true {
            let stored = Int(slots[slot])
            if stored == 0 { break }
            let entry = entries + (stored - 1)
            if entry.pointee.hash == hash && entry.pointee.keyLength == key.count
                && memcmp(arena + entry.pointee.keyOffset, key.baseAddress!, key.count) == 0 {
                entry.pointee.value = combine(entry.pointee.value, value)
                return
            }
            slot = (slot + 1) & slotMask
        }
        slots[slot] = Int32(entryCount + 1)
        append(key, hash: hash, value: value)
        if entryCount * 2 > slotMask { growSlots() }
    }

    private func append(_ key: ByteSlice, hash: UInt64, value: Int64) {
        if entryCount == entryCapacity {
            let larger = UnsafeMutablePointer<Entry>.allocate(capacity: entryCapacity * 2)
            larger.moveInitialize(from: entries, count: entryCount)
            entries.deallocate()
            entries = larger
            entryCapacity *= 2
        }
        if arenaUsed + key.count > arenaCapacity {
            var newCapacity = arenaCapacity * 2
            while arenaUsed + key.count > newCapacity { newCapacity *= 2 }
            let larger = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 8)
            larger.copyMemory(from: arena, byteCount: arenaUsed)
            arena.deallocate()
            arena = larger
            arenaCapacity = newCapacity
        }
        if key.count > 0 { (arena + arenaUsed).copyMemory(from: key.baseAddress!, byteCount: key.count) }
        (entries + entryCount).initialize(to: Entry(hash: hash, keyOffset: arenaUsed, keyLength: key.count, value: value))
        arenaUsed += key.count
        entryCount += 1
    }

    private func growSlots() {
        let count = (slotMask + 1) * 2
        slots.deallocate()
        slots = .allocate(capacity: count)
        slots.initialize(repeating: 0, count: count)
        slotMask = count - 1
        for index in 0..<entryCount {
            var slot = Int(truncatingIfNeeded: entries[index].hash) & slotMask
            while slots[slot] != 0 { slot = (slot + 1) & slotMask }
            slots[slot] = Int32(index + 1)
        }
    }

    func key(of entry: Entry) -> ByteSlice {
        ByteSlice(start: arena + entry.keyOffset, count: entry.keyLength)
    }

    /// Calls `body` for each partition in order with its entries sorted by key bytes (ties, which
    /// only occur without a combiner, keep emission order).
    func forEachPartition(count partitions: Int, _ body: (Int, [Entry]) throws -> Void) rethrows {
        var byPartition = [[Int32]](repeating: [], count: partitions)
        for index in 0..<entryCount {
            byPartition[Int(entries[index].hash % UInt64(partitions))].append(Int32(index))
        }
        for partition in 0..<partitions {
            var order = byPartition[partition]
            order.sort { left, right in
                let a = entries[Int(left)], b = entries[Int(right)]
                let common = min(a.keyLength, b.keyLength)
                let c = common == 0 ? 0 : memcmp(arena + a.keyOffset, arena + b.keyOffset, common)
                if c != 0 { return c < 0 }
                if a.keyLength != b.keyLength { return a.keyLength < b.keyLength }
                return left < right
            }
            try body(partition, order.map { entries[Int($0)] })
        }
    }
}
