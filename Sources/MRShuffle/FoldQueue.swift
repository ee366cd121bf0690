import MRBase
import MRSystem
import MapReduce

/// Integer pairs that a ``CombiningTable`` has hashed, and whose slots it has prefetched, but
/// has not yet folded. When the queue is full, its older half is folded in one loop: each of those
/// pairs waited at least ``batch`` emits, so its slot has arrived in cache (a table of 60,000
/// words is 4 MB, beyond L2), and the emit itself stays a short leaf: hash, prefetch, store.
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
    /// Pairs folded together, and the fewest emits a pair waits: enough to cover a miss to L3.
    static let batch = 16
    static let depth = 2 * batch
    static let longKeyLimit = 48

    private let pairs: UnsafeMutablePointer<Pair>
    /// One room of ``longKeyLimit`` bytes per place.
    private let longKeys: UnsafeMutableRawPointer
    /// The place the next pair goes.
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

    /// Full: the older half must be folded (``removeOldest(_:long:)``) before the next push.
    @inline(__always)
    var isFull: Bool { count == Self.depth }

    @inline(__always)
    func pair(at place: Int) -> Pair { pairs[place] }

    /// The copy of the long key of the pair at `place`.
    func longKey(at place: Int) -> ByteSlice {
        ByteSlice(start: longKeys + place &* Self.longKeyLimit, count: pairs[place].length)
    }

    /// The pair queued half a batch ago: a long key's slot has arrived by now.
    @inline(__always)
    var halfwayPair: Pair { pairs[(next &- Self.batch / 2) & (Self.depth - 1)] }

    /// Queues a pair whose key fits a slot; the queue must not be full.
    @inline(__always)
    mutating func push(_ pair: Pair) {
        pairs[next] = pair
        next = (next &+ 1) & (Self.depth - 1)
        count &+= 1
    }

    /// ``push(_:)`` for a pair whose key is too long for a slot, copying the key into the place's room.
    mutating func pushLong(_ key: ByteSlice, _ pair: Pair) {
        (longKeys + next &* Self.longKeyLimit).copyMemory(from: key.baseAddress!, byteCount: key.count)
        longKeyCount &+= 1
        push(pair)
    }

    /// The place of the queued pair that is `age` pushes old (0: the oldest).
    @inline(__always)
    func place(ofAge age: Int) -> Int {
        (next &+ Self.depth &- count &+ age) & (Self.depth - 1)
    }

    /// Forgets the `number` oldest pairs (once folded), of which `long` had long keys.
    @inline(__always)
    mutating func removeOldest(_ number: Int, long: Int) {
        count &-= number
        longKeyCount &-= long
    }
}
