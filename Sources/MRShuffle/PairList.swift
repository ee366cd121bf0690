import MRBase
import MRSystem
import MapReduce

/// The map buffer of a job without a combiner: every pair, in emission order, sorted by key when
/// a spill is written (equal keys keep emission order). Keys of at most 16 bytes live in their
/// entry; longer keys and text values live in the arena.
final class PairList: MapOutputBuffer {
    struct Entry {
        enum Kind: UInt32 { case integer, text, double }
        var kind: Kind
        var keyLength: UInt32
        /// The integer value, the bits of a Double, or the text value's offset in the arena
        /// (behind its length).
        var value: Int64
        /// The key's bytes, zero-padded, when it is at most 16 bytes; otherwise `word0` is its
        /// offset in the arena.
        var word0: UInt64
        var word1: UInt64
    }
    private static let inlineKeyOffset = MemoryLayout<Entry>.offset(of: \Entry.word0)!
    private var entries: UnsafeMutablePointer<Entry>
    private var capacity: Int
    private var count = 0

    override init(spills: SpillWriter, memoryBudget: Int, memory: MapMemory) {
        if let kept = memory.table.take() {
            capacity = kept.byteCount / MemoryLayout<Entry>.stride
            entries = kept.base.bindMemory(to: Entry.self, capacity: capacity)
        } else {
            capacity = 1 << 12
            entries = .allocate(capacity: capacity)
        }
        super.init(spills: spills, memoryBudget: memoryBudget, memory: memory)
        fitKeptArena()
    }

    deinit {
        memory.table.keep(UnsafeMutableRawPointer(entries), byteCount: capacity * MemoryLayout<Entry>.stride)
    }

    override var pairCount: Int { count }
    override var slotCapacity: Int { capacity }
    override var slotBytes: Int { capacity * MemoryLayout<Entry>.stride }

    override func emit(key: ByteSlice, value: Int64) {
        append(key, kind: .integer) { _ in value }
    }

    override func emit(key: ByteSlice, text: ByteSlice) {
        append(key, kind: .text) { arena in Int64(arena.store(text, withLength: true)) }
    }

    override func emit(key: ByteSlice, double: Double) {
        append(key, kind: .double) { _ in Int64(bitPattern: double.bitPattern) }
    }

    @inline(__always)
    private func append(_ key: ByteSlice, kind: Entry.Kind, value: (inout ByteArena) -> Int64) {
        emitted &+= 1
        if spillPending { spill() }
        if count == capacity { makeRoom() }
        var entry = Entry(kind: kind, keyLength: UInt32(key.count), value: 0, word0: 0, word1: 0)
        if key.count <= SlotTable.inlineLimit {
            (entry.word0, entry.word1) = KeyBytes.words(key)
        } else {
            entry.word0 = UInt64(arena.store(key, withLength: false))
        }
        entry.value = value(&arena)
        entries[count] = entry
        count += 1
        checkArenaGrowth()
    }

    /// Before appending to a full list: grow it if the budget allows, else spill it.
    private func makeRoom() {
        if wouldExceedBudget(allocating: 2 * capacity, slotStride: MemoryLayout<Entry>.stride) { return spill() }
        let larger = UnsafeMutablePointer<Entry>.allocate(capacity: capacity * 2)
        larger.moveInitialize(from: entries, count: count)
        entries.deallocate()
        entries = larger
        capacity *= 2
    }

    override func removeAll() { count = 0 }

    private func key(at index: Int) -> ByteSlice {
        let length = Int(entries[index].keyLength)
        if length <= SlotTable.inlineLimit {
            return ByteSlice(start: UnsafeRawPointer(entries + index) + Self.inlineKeyOffset, count: length)
        }
        return arena.bytes(at: Int(entries[index].word0), count: length)
    }

    private func value(at index: Int) -> Value {
        let entry = entries[index]
        return switch entry.kind {
        case .integer: .int(entry.value)
        case .text: .bytes(arena.lengthPrefixedBytes(at: Int(entry.value)))
        case .double: .double(Double(bitPattern: UInt64(bitPattern: entry.value)))
        }
    }

    /// Equal keys keep emission order.
    override func forEachPairByPartition(count partitions: Int, _ body: (Int, ByteSlice, Value) throws -> Void) rethrows {
        try SpillSorter(memory: memory).forEachSorted(
            slots: count, partitions: partitions,
            partition: { index in Int(KeyHash.hash(key(at: index)) % UInt64(partitions)) },
            item: { index in
                let key = key(at: index)
                let (prefix0, prefix1) = KeyBytes.orderPrefixes(key)
                return SortItem(prefix0: prefix0, prefix1: prefix1, value: 0, location: index, length: key.count)
            },
            tieBreak: { a, b in
                let order = bytewiseCompare(key(at: a.location), key(at: b.location))
                return order != 0 ? order < 0 : a.location < b.location
            }
        ) { partition, item in
            try body(partition, key(at: item.location), value(at: item.location))
        }
    }
}
