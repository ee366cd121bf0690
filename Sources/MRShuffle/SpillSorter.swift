import MRBase
import MRSystem
import MapReduce
/// A pair as a spill sorts it: the first 16 key bytes as two big-endian numbers settle nearly
/// every comparison without touching the key.
package struct SortItem {
    package var prefix0: UInt64
    package var prefix1: UInt64
    var value: Int64
    /// Where the buffer finds the pair again (a slot's index, or a long key's arena offset).
    package var location: Int
    /// The key's length.
    var length: Int
}

/// Orders a spill's pairs: by partition (a counting sort), then by key within each partition.
/// A large partition is first put into buckets by its items' first two key bytes (another
/// counting sort) and each bucket sorted on its own, in cache: one sort of millions of items
/// would move them all through memory some twenty times. The items live in the worker's
/// ``MapMemory``, kept from spill to spill.
struct SpillSorter {
    let memory: MapMemory

    /// How far ahead `prefetch` and `prefetchItem` are called: a key in the arena is a cache
    /// miss, paid while the places or items before it are handled.
    private static let lookahead = 16

    /// Sorts the pairs of `slots` candidate places: `partition(index)` is a place's partition
    /// (nil for an empty place), `item(index)` its sort item. Calls `body(partition, item)` for
    /// every pair, partition by partition, in order: by the items' prefixes, then `tieBreak`.
    /// `prefetch(index)` is called some places before `item(index)`, `prefetchItem(item)` some
    /// items before `body` gets it: to fetch what they will read.
    func forEachSorted(
        slots count: Int, partitions: Int, partition: (Int) -> Int?, item: (Int) -> SortItem,
        prefetch: (Int) -> Void = { _ in }, prefetchItem: (SortItem) -> Void = { _ in },
        tieBreak: (SortItem, SortItem) -> Bool, _ body: (Int, SortItem) throws -> Void
    ) rethrows {
        // Each pair's partition, computed once (the stable hash is the costly part of a spill).
        let partitionOf = memory.partitions.reserve(count * 4).bindMemory(to: UInt32.self, capacity: count)
        // Counters as plain buffers: a write into an array costs a uniqueness check, per pair here.
        let starts = UnsafeMutableBufferPointer<Int>.allocate(capacity: partitions + 1)
        starts.initialize(repeating: 0)
        defer { starts.deallocate() }
        for index in 0..<count {
            guard let found = partition(index) else {
                partitionOf[index] = UInt32.max
                continue
            }
            partitionOf[index] = UInt32(found)
            starts[found + 1] += 1
        }
        for partition in 0..<partitions { starts[partition + 1] += starts[partition] }
        // All items, partition after partition.
        let itemCount = starts[partitions]
        let items = memory.sortItems.reserve(itemCount * MemoryLayout<SortItem>.stride)
            .bindMemory(to: SortItem.self, capacity: itemCount)
        let next = UnsafeMutableBufferPointer<Int>.allocate(capacity: partitions)
        _ = next.initialize(fromContentsOf: starts[..<partitions])
        defer { next.deallocate() }
        for index in 0..<count where partitionOf[index] != UInt32.max {
            if index + Self.lookahead < count && partitionOf[index + Self.lookahead] != UInt32.max { prefetch(index + Self.lookahead) }
            let partition = Int(partitionOf[index])
            (items + next[partition]).initialize(to: item(index))
            next[partition] += 1
        }
        for partition in 0..<partitions {
            let sorted = sort(UnsafeMutableBufferPointer(start: items + starts[partition],
                                                         count: starts[partition + 1] - starts[partition]), tieBreak)
            for position in sorted.indices {
                if position + Self.lookahead < sorted.count { prefetchItem(sorted[position + Self.lookahead]) }
                try body(partition, sorted[position])
            }
        }
    }

    /// One partition's items in order: sorted in place, or, when many, bucketed into a second
    /// block and sorted there.
    private func sort(_ items: UnsafeMutableBufferPointer<SortItem>,
                      _ tieBreak: (SortItem, SortItem) -> Bool) -> UnsafeMutableBufferPointer<SortItem> {
        guard items.count >= 4096 else {
            if let base = items.baseAddress { introsort(base, count: items.count, tieBreak: tieBreak) }
            return items
        }
        let counters = memory.bucketCounters.reserve(2 * 65537 * MemoryLayout<Int>.stride)
            .bindMemory(to: Int.self, capacity: 2 * 65537)
        let bucketStarts = UnsafeMutableBufferPointer(start: counters, count: 65537)
        let nextInBucket = UnsafeMutableBufferPointer(start: counters + 65537, count: 65536)
        bucketStarts.update(repeating: 0)
        for item in items { bucketStarts[Int(item.prefix0 >> 48) + 1] += 1 }
        for bucket in 1...65536 { bucketStarts[bucket] += bucketStarts[bucket - 1] }
        _ = nextInBucket.update(fromContentsOf: bucketStarts[..<65536])
        let bucketed = memory.bucketedItems.reserve(items.count * MemoryLayout<SortItem>.stride)
            .bindMemory(to: SortItem.self, capacity: items.count)
        for item in items {
            let bucket = Int(item.prefix0 >> 48)
            (bucketed + nextInBucket[bucket]).initialize(to: item)
            nextInBucket[bucket] += 1
        }
        for bucket in 0..<65536 where bucketStarts[bucket + 1] - bucketStarts[bucket] > 1 {
            introsort(bucketed + bucketStarts[bucket], count: bucketStarts[bucket + 1] - bucketStarts[bucket], tieBreak: tieBreak)
        }
        return UnsafeMutableBufferPointer(start: bucketed, count: items.count)
    }
}
