import MRBase
import MRSystem
import MapReduce
/// Sorts a spill's items in place by their two key prefixes, then, where both are equal, by
/// `tieBreak` (which must make the order total): quicksort on the median of three, insertion
/// sort for short ranges, heapsort where a range has been split too often (so never quadratic).
/// Not stable, which a total order does not need.
///
/// A spill sorts up to 65,536 buckets of items. The standard library's `sort(by:)` is a merge
/// sort that allocates a scratch buffer on every call and calls the comparator through a
/// closure. Here the prefix comparison is inlined and the closure is only called on ties (keys
/// sharing their first 16 bytes). `splitLimit` (tests) overrides how often a range may be split
/// before it is heapsorted.
package func introsort(_ items: UnsafeMutablePointer<SortItem>, count: Int, splitLimit: Int? = nil,
               tieBreak: (SortItem, SortItem) -> Bool) {
    guard count > 1 else { return }
    @inline(__always) func precedes(_ a: SortItem, _ b: SortItem) -> Bool {
        if a.prefix0 != b.prefix0 { return a.prefix0 < b.prefix0 }
        if a.prefix1 != b.prefix1 { return a.prefix1 < b.prefix1 }
        return tieBreak(a, b)
    }
    // Ranges still to sort, with the splits each may still take. The smaller side of every
    // split is pushed last and taken first, so at most log2(count) ranges wait at once.
    let depthLimit = splitLimit ?? 2 * (Int.bitWidth - count.leadingZeroBitCount)
    withUnsafeTemporaryAllocation(of: (low: Int, high: Int, depth: Int).self, capacity: Int.bitWidth + 1) { pending in
        pending[0] = (0, count, depthLimit)
        var waiting = 1
        while waiting > 0 {
            waiting -= 1
            var (low, high, depth) = pending[waiting]
            while high - low > 16 {
                if depth == 0 {
                    heapsort(items + low, count: high - low, precedes)
                    low = high
                    break
                }
                depth -= 1
                // The median of the first, middle and last element becomes the pivot at `low`;
                // the last is then no smaller than it and `low` no larger, so neither scan below
                // runs off the range.
                let middle = low + (high - low) / 2
                let last = high - 1
                if precedes(items[middle], items[low]) { items.swapAt(middle, low) }
                if precedes(items[last], items[middle]) {
                    items.swapAt(last, middle)
                    if precedes(items[middle], items[low]) { items.swapAt(middle, low) }
                }
                items.swapAt(low, middle)
                let pivot = items[low]
                var up = low, down = high
                while true {
                    repeat { up += 1 } while precedes(items[up], pivot)
                    repeat { down -= 1 } while precedes(pivot, items[down])
                    if up >= down { break }
                    items.swapAt(up, down)
                }
                items.swapAt(low, down)
                if down - low < high - down - 1 {
                    pending[waiting] = (down + 1, high, depth)
                    high = down
                } else {
                    pending[waiting] = (low, down, depth)
                    low = down + 1
                }
                waiting += 1
            }
            guard high - low > 1 else { continue }
            for index in (low + 1)..<high {
                let item = items[index]
                var hole = index
                while hole > low && precedes(item, items[hole - 1]) {
                    items[hole] = items[hole - 1]
                    hole -= 1
                }
                items[hole] = item
            }
        }
    }
}

@inline(__always)
private func heapsort(_ items: UnsafeMutablePointer<SortItem>, count: Int, _ precedes: (SortItem, SortItem) -> Bool) {
    func siftDown(_ start: Int, _ end: Int) {
        var parent = start
        while true {
            var child = 2 * parent + 1
            guard child < end else { return }
            if child + 1 < end && precedes(items[child], items[child + 1]) { child += 1 }
            guard precedes(items[parent], items[child]) else { return }
            items.swapAt(parent, child)
            parent = child
        }
    }
    for start in stride(from: count / 2 - 1, through: 0, by: -1) { siftDown(start, count) }
    for end in stride(from: count - 1, to: 0, by: -1) {
        items.swapAt(0, end)
        siftDown(0, end)
    }
}

private extension UnsafeMutablePointer {
    @inline(__always)
    func swapAt(_ i: Int, _ j: Int) {
        let kept = self[i]
        self[i] = self[j]
        self[j] = kept
    }
}
