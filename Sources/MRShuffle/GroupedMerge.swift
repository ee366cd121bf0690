import MRBase
import MRSystem
import MapReduce
#if canImport(Glibc)
import Glibc
#endif

/// A streaming k-way merge of sorted intermediate files that presents one key at a time with its
/// values: what a reduce task feeds to the job. Only one buffer per file is in memory.
package final class GroupedMerge: ValueSource {
    /// Keeps the readers alive; the merge reaches them through `readers`, unretained (an array of
    /// classes costs a retain and a release per value merged, and a write to an array property a
    /// uniqueness check).
    private let readerObjects: [IntermediateFile.Reader]
    private let readers: UnsafeMutablePointer<Unmanaged<IntermediateFile.Reader>>
    /// A tournament (loser) tree over the readers, ordered by (current key, reader index); the
    /// index breaks ties so values arrive in map-task order in every mode. `tree[0]` is the
    /// reader with the smallest key, `tree[1..<k]` the losers of the matches below the root (the
    /// readers are the leaves `k..<2k`): a reader that moves on replays only the matches on its
    /// path, one comparison a level, where a heap makes two.
    private let tree: UnsafeMutablePointer<Int>
    private let readerCount: Int
    /// Readers at their end lose every match.
    private let finished: UnsafeMutablePointer<Bool>
    private var activeCount = 0
    /// Each reader's current key's first 16 bytes as two big-endian numbers, zero-padded: most
    /// of the tree's matches are settled by them without reading the keys. (The readers' keys
    /// are neighbours in key order, so they often share their first 8 bytes: "of the ...".)
    private let prefixes: UnsafeMutablePointer<(UInt64, UInt64)>
    private var groupKey: UnsafeMutableRawPointer
    private var groupKeyCapacity = 256
    private var groupKeyLength = 0
    private var inGroup = false
    private var consumedReader: Int?
    /// A read error met while `reduce` pulled values (that API cannot throw); rethrown after it.
    private(set) var pendingError: Error?

    package init(readers: [IntermediateFile.Reader]) {
        readerObjects = readers
        self.readers = .allocate(capacity: max(readers.count, 1))
        self.readers.initialize(from: readers.map { .passUnretained($0) }, count: readers.count)
        readerCount = readers.count
        tree = .allocate(capacity: max(readers.count, 1))
        tree.initialize(repeating: -1, count: max(readers.count, 1))
        finished = .allocate(capacity: max(readers.count, 1))
        prefixes = .allocate(capacity: max(readers.count, 1))
        groupKey = .allocate(byteCount: groupKeyCapacity, alignment: 8)
        for (index, reader) in readers.enumerated() {
            prefixes[index] = KeyBytes.orderPrefixes(reader.key)
            finished[index] = reader.isAtEnd
            if !reader.isAtEnd { activeCount += 1 }
        }
        super.init()
        // Each reader enters in turn; it stops at the first match with no one waiting yet, so
        // all but one fill the tree and the last reaches the root.
        for index in 0..<readerCount { replay(from: index) }
    }

    deinit {
        groupKey.deallocate()
        readers.deallocate()
        tree.deallocate()
        finished.deallocate()
        prefixes.deallocate()
    }

    @inline(__always)
    private func key(of reader: Int) -> ByteSlice { readers[reader]._withUnsafeGuaranteedRef { $0.key } }

    /// The key of the current group; valid until ``nextGroup()``.
    package var key: ByteSlice { ByteSlice(start: groupKey, count: groupKeyLength) }

    /// Moves to the next key, skipping values the job did not read; false when all are merged.
    package func nextGroup() throws -> Bool {
        while nextValue() != nil {}
        if let pendingError { throw pendingError }
        guard activeCount > 0 else { return false }
        let key = key(of: tree[0])
        if key.count > groupKeyCapacity {
            groupKey.deallocate()
            groupKeyCapacity = key.count * 2
            groupKey = .allocate(byteCount: groupKeyCapacity, alignment: 8)
        }
        if key.count > 0 { groupKey.copyMemory(from: key.baseAddress!, byteCount: key.count) }
        groupKeyLength = key.count
        inGroup = true
        return true
    }

    /// The current value stays valid until the next call: its reader advances only then.
    package override func nextValue() -> Value? {
        advanceConsumedReader()
        guard inGroup, activeCount > 0 else {
            inGroup = false
            return nil
        }
        let top = tree[0]
        let key = key(of: top)
        guard key.count == groupKeyLength, KeyBytes.equal(groupKey, key.baseAddress, groupKeyLength) else {
            inGroup = false
            return nil
        }
        consumedReader = top
        return readers[top]._withUnsafeGuaranteedRef { $0.value }
    }

    /// Moves past the value last handed out (always the tree's winner).
    private func advanceConsumedReader() {
        guard let reader = consumedReader else { return }
        consumedReader = nil
        let atEnd: Bool
        do {
            atEnd = try readers[reader]._withUnsafeGuaranteedRef { try $0.advance(); return $0.isAtEnd }
        } catch {
            pendingError = error
            activeCount = 0
            inGroup = false
            return
        }
        if atEnd {
            finished[reader] = true
            activeCount -= 1
        } else {
            prefixes[reader] = KeyBytes.orderPrefixes(key(of: reader))
        }
        if activeCount > 0 { replay(from: reader) }
    }

    private func precedes(_ a: Int, _ b: Int) -> Bool {
        let (first, second) = (prefixes[a], prefixes[b])
        if first.0 != second.0 { return first.0 < second.0 }
        if first.1 != second.1 { return first.1 < second.1 }
        let order = bytewiseCompare(key(of: a), key(of: b))
        return order != 0 ? order < 0 : a < b
    }


    /// Whether reader `a` wins its match against `b`: a smaller key, or the same key and a
    /// smaller index; a reader at its end loses to any other.
    @inline(__always)
    private func wins(_ a: Int, over b: Int) -> Bool {
        if finished[a] != finished[b] { return finished[b] }
        return finished[a] ? a < b : precedes(a, b)
    }

    /// Plays `reader`'s matches from its leaf up: at each match the loser stays, the winner goes
    /// on, and the last winner is `tree[0]`. (While the tree is built, a match with no one
    /// waiting yet keeps the reader there.)
    private func replay(from reader: Int) {
        var winner = reader
        var node = (reader + readerCount) / 2
        while node > 0 {
            let waiting = tree[node]
            if waiting < 0 {
                tree[node] = winner
                return
            }
            if wins(waiting, over: winner) {
                tree[node] = winner
                winner = waiting
            }
            node /= 2
        }
        tree[0] = winner
    }
}
