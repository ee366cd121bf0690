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
    /// Binary min-heap of reader indices ordered by (current key, reader index); the index breaks
    /// ties so values arrive in map-task order in every mode.
    private let heap: UnsafeMutablePointer<Int>
    private var heapCount = 0
    /// Each reader's current key's first 16 bytes as two big-endian numbers, zero-padded: most
    /// comparisons of the heap are settled by them without reading the keys. (The readers'
    /// keys are neighbours in key order, so they often share their first 8 bytes: "of the ...".)
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
        heap = .allocate(capacity: max(readers.count, 1))
        prefixes = .allocate(capacity: max(readers.count, 1))
        groupKey = .allocate(byteCount: groupKeyCapacity, alignment: 8)
        for (index, reader) in readers.enumerated() {
            prefixes[index] = KeyBytes.orderPrefixes(reader.key)
            if !reader.isAtEnd {
                heap[heapCount] = index
                heapCount += 1
            }
        }
        super.init()
        for index in stride(from: heapCount / 2 - 1, through: 0, by: -1) { siftDown(index) }
    }

    deinit {
        groupKey.deallocate()
        readers.deallocate()
        heap.deallocate()
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
        guard heapCount > 0 else { return false }
        let key = key(of: heap[0])
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
        guard inGroup, heapCount > 0 else {
            inGroup = false
            return nil
        }
        let top = heap[0]
        let key = key(of: top)
        guard key.count == groupKeyLength, KeyBytes.equal(groupKey, key.baseAddress, groupKeyLength) else {
            inGroup = false
            return nil
        }
        consumedReader = top
        return readers[top]._withUnsafeGuaranteedRef { $0.value }
    }

    /// Moves past the value last handed out (always the heap's top).
    private func advanceConsumedReader() {
        guard let reader = consumedReader else { return }
        consumedReader = nil
        let atEnd: Bool
        do {
            atEnd = try readers[reader]._withUnsafeGuaranteedRef { try $0.advance(); return $0.isAtEnd }
        } catch {
            pendingError = error
            heapCount = 0
            inGroup = false
            return
        }
        if atEnd {
            heapCount -= 1
            heap[0] = heap[heapCount]
        } else {
            prefixes[reader] = KeyBytes.orderPrefixes(key(of: reader))
        }
        if heapCount > 0 { siftDown(0) }
    }

    private func precedes(_ a: Int, _ b: Int) -> Bool {
        let (first, second) = (prefixes[a], prefixes[b])
        if first.0 != second.0 { return first.0 < second.0 }
        if first.1 != second.1 { return first.1 < second.1 }
        let order = KeyBytes.compare(key(of: a), key(of: b))
        return order != 0 ? order < 0 : a < b
    }


    private func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            if left >= heapCount { return }
            var child = left
            if left + 1 < heapCount && precedes(heap[left + 1], heap[left]) { child = left + 1 }
            if !precedes(heap[child], heap[parent]) { return }
            (heap[parent], heap[child]) = (heap[child], heap[parent])
            parent = child
        }
    }
}
