import MapReduce

/// Integer pairs that a ``CombiningTable`` has hashed, and whose slots it has prefetched, but
/// has not yet folded: each is folded a few emits after it arrives, so the table's cache misses
/// (a table of 60,000 words is 4 MB, beyond L2) overlap with map scanning the next words instead
/// of stalling it.
///
/// A key too long for a slot (up to ``longKeyLimit`` bytes) is queued as a copy, since map may
/// reuse its bytes: a quarter of ngrams' pairs, which missed the cache unqueued.
struct FoldQueue {
    struct Pair {
        var hash: UInt64
        /// The key's words when it fits a slot; a longer key is in the queue's key room.
        var word0: UInt64
        var word1: UInt64
        var length: Int
        var value: Int64
    }
    /// Enough emits to cover a miss to L3 (wordcount: 8 cut 15 % of wall time, 16 a little more).
    static let depth = 16
    static let longKeyLimit = 48

    private let pairs: UnsafeMutablePointer<Pair>
    /// One room of ``longKeyLimit`` bytes per place.
    private let longKeys: UnsafeMutableRawPointer
    /// The place the next pair goes: when the queue is full, its oldest pair's.
    private(set) var next = 0
    private(set) var count = 0
    /// How many queued pairs have long keys: without any, the table looks at no long key's slot.
    private(set) var longKeyCount = 0

    init() {
        pairs = .allocate(capacity: Self.depth)
        pairs.initialize(repeating: Pair(hash: 0, word0: 0, word1: 0, length: 0, value: 0), count: Self.depth)
        longKeys = .allocate(byteCount: Self.depth * Self.longKeyLimit, alignment: 64)
    }

    func deallocate() {
        pairs.deallocate()
        longKeys.deallocate()
    }

    @inline(__always)
    var isFull: Bool { count == Self.depth }

    @inline(__always)
    func pair(at place: Int) -> Pair { pairs[place] }

    /// The copy of the long key of the pair at `place`.
    func longKey(at place: Int) -> ByteSlice {
        ByteSlice(start: longKeys + place &* Self.longKeyLimit, count: pairs[place].length)
    }

    /// The pair queued half the queue's depth ago: a long key's slot has arrived by now.
    @inline(__always)
    var halfwayPair: Pair { pairs[(next &- Self.depth / 2) & (Self.depth - 1)] }

    /// Queues a pair whose key fits a slot at ``next``; when the queue is full, its oldest pair
    /// (there) must have been folded.
    @inline(__always)
    mutating func push(_ pair: Pair) {
        takeNextPlace()
        pairs[next] = pair
        next = (next &+ 1) & (Self.depth - 1)
    }

    /// ``push(_:)`` for a pair whose key is too long for a slot, copying the key into the place's room.
    mutating func pushLong(_ key: ByteSlice, _ pair: Pair) {
        takeNextPlace()
        (longKeys + next &* Self.longKeyLimit).copyMemory(from: key.baseAddress!, byteCount: key.count)
        longKeyCount &+= 1
        pairs[next] = pair
        next = (next &+ 1) & (Self.depth - 1)
    }

    @inline(__always)
    private mutating func takeNextPlace() {
        if count < Self.depth {
            count &+= 1
        } else if pairs[next].length > SlotTable.inlineLimit {
            longKeyCount &-= 1
        }
    }

    /// The place of the queued pair that is `age` pushes old (0: the oldest).
    func place(ofAge age: Int) -> Int {
        (next &+ Self.depth &- count &+ age) & (Self.depth - 1)
    }

    /// Forgets every queued pair (once folded).
    mutating func removeAll() {
        count = 0
        longKeyCount = 0
    }
}
