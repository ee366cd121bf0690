import MRBase
import MRSystem
import MapReduce
/// Inflates a gzip file with ISA-L or zlib (``Inflater``), member after member: a file of concatenated gzip members
/// (what `cat a.gz b.gz` or bgzip make) reads as the concatenation of their contents. Started at
/// an access point of a ``GzipIndex``, it inflates raw deflate data from the middle of a member,
/// skips that member's trailer, and reads any members after it as usual. Started at a member
/// found by ``GzipMembers``, it checks that a member ends exactly at the next split's start.
/// Read with ISA-L, it can note where deflate blocks begin, for a ``GzipIndex`` (built whole, or
/// by the tasks of relayed pieces: ``RelayedPieceSource``).
package final class GzipSource: ByteSource {
    private static let inputCapacity = 1 << 18
    /// Input handed to ISA-L at a time while a block start is wanted: it returns between two
    /// blocks only when its input ends inside a block header (`mr index` of 515 MB of text:
    /// 0.31 s, against 0.26 s for inflating alone; smaller steps find the same starts).
    private static let probeStep = 64

    private let file: FileDescriptor
    private let stream: InflateStream
    private let input: UnsafeMutablePointer<UInt8>
    /// File offset of `input`'s first byte, to name where corrupt data starts.
    private var inputFileOffset: Int64 = 0
    private var inputCount = 0
    /// Bytes of `input` handed to the inflater so far (all of them but while probing).
    private var inputGiven = 0
    private var inMember = false
    package private(set) var membersDone = 0
    private var atEnd = false
    /// Damage met after some bytes of a read were inflated: those bytes are handed out first and
    /// the error is thrown by the next read, so the records before the damage are not lost.
    private var deferredError: MRError?
    /// Inside a member entered mid-way at an access point: raw deflate, no header, and the
    /// member's 8-byte trailer to skip at its end.
    private var isRaw: Bool
    private var trailerBytesToSkip = 0
    /// CRC-32 and length of the first `checksumLimit` uncompressed bytes read (a split's own
    /// range; the reader may read further to finish its last line).
    private let checksumLimit: Int64
    private(set) var checksummedBytes: Int64 = 0
    private(set) var crc: UInt32 = 0
    /// Uncompressed bytes handed out so far.
    private var produced: Int64 = 0
    /// The compressed offset where the next split starts at a member, if this source's split
    /// ends there; nil once a member was seen to end there.
    private var boundary: Int64?
    package private(set) var recordsEnd: Int64?
    /// Block starts are noted at least this many text bytes apart (nil: none are).
    private let blockStartSpan: Int64?
    private var lastBlockStart: Int64 = 0
    private var blockStarts: [BlockStart] = []
    /// The offset in the file's text where this source starts (that of its access point).
    private let textStart: Int64
    /// Where in the file's text each gzip member read to its end ended (noted with block starts).
    package private(set) var memberEnds: [Int64] = []

    /// Where a deflate block begins: its first bit in the file, and the text before it.
    package struct BlockStart {
        package let bit: Int64
        package let uncompressedOffset: Int64
    }

    /// Reads from the file's start, from an access `point`, or from the member starting at
    /// compressed offset `member` through the one ending at `boundary`.
    /// Inflating with ISA-L, `blockStartSpan` asks for block starts about that many text bytes
    /// apart (see ``takeBlockStarts()``).
    package init(path: String, inflater: Inflater, from point: GzipIndex.AccessPoint? = nil, checksumLimit: Int64 = 0,
         member: Int64 = 0, boundary: Int64? = nil, blockStartSpan: Int64? = nil) throws {
        // A point at the text's start is the file's start: its gzip header is read as usual.
        let point = point.flatMap { $0.uncompressedOffset > 0 ? $0 : nil }
        self.checksumLimit = checksumLimit
        self.boundary = boundary
        self.blockStartSpan = blockStartSpan
        textStart = point?.uncompressedOffset ?? 0
        inputFileOffset = member
        isRaw = point != nil
        stream = try inflater.stream(point == nil ? .gzip : .raw)
        file = try FileDescriptor.open(reading: path)
        input = .allocate(capacity: Self.inputCapacity)
        // Every property is set: a throw from here on runs deinit, which closes the file (a
        // close here too would close a descriptor number another thread may have reopened).
        if let point {
            inputFileOffset = point.compressedOffset
            if point.bits > 0 {
                // The point starts inside a byte: feed zlib that byte's high bits first.
                var byte: UInt8 = 0
                guard try file.read(into: &byte, count: 1, at: point.compressedOffset - 1) == 1 else {
                    throw MRError(.badInput, "\(path): shorter than its index says; delete \(path).mrindex to rebuild it")
                }
                stream.prime(bits: point.bits, of: byte)
            }
            stream.setDictionary(point.window)
            inMember = true
        }
    }

    deinit {
        input.deallocate()
        file.close()
    }

    /// Offset in the compressed file of the next byte the inflater will read.
    package var compressedOffset: Int64 {
        inputFileOffset + Int64(inputGiven - stream.inputLeft)
    }

    /// Block starts noted since the last call, in order.
    package func takeBlockStarts() -> [BlockStart] {
        defer { blockStarts = [] }
        return blockStarts
    }

    /// Refills the input buffer; false at end of file.
    private func refill() throws -> Bool {
        inputFileOffset += Int64(inputCount)
        inputCount = try file.read(into: input, count: Self.inputCapacity, at: inputFileOffset)
        inputGiven = 0
        giveInput()
        return inputCount > 0
    }

    /// Hands the inflater the bytes of `input` it has not read, or only the first `limit` of them.
    private func giveInput(limit: Int = .max) {
        let next = inputGiven - stream.inputLeft
        inputGiven = next + min(limit, inputCount - next)
        stream.setInput(input + next, count: inputGiven - next)
    }

    package func read(into buffer: UnsafeMutableRawPointer, capacity: Int) throws -> Int {
        let count = try inflate(into: buffer, capacity: capacity)
        produced += Int64(count)
        let checksummed = Int(min(Int64(count), checksumLimit - checksummedBytes))
        if checksummed > 0 {
            crc = checksum(crc, buffer, checksummed)
            checksummedBytes += Int64(checksummed)
        }
        return count
    }

    private func inflate(into buffer: UnsafeMutableRawPointer, capacity: Int) throws -> Int {
        if let deferredError { throw deferredError }
        if atEnd { return 0 }
        stream.setOutput(buffer.assumingMemoryBound(to: UInt8.self), count: capacity)
        do {
            return try inflateSome(capacity: capacity)
        } catch let error as MRError where error.kind == .badInput && stream.outputLeft < capacity {
            deferredError = error
            return capacity - stream.outputLeft
        }
    }

    /// Inflates into the output set up by `inflate` until it is full or the input ends.
    private func inflateSome(capacity: Int) throws -> Int {
        while stream.outputLeft > 0 {
            if stream.inputLeft == 0 && inputGiven < inputCount { giveInput() }
            if stream.inputLeft == 0 {
                guard try refill() else {
                    if inMember || trailerBytesToSkip > 0 { throw corrupt("truncated gzip data (the file ends inside a member)") }
                    if membersDone == 0 { throw corrupt("empty file, not gzip data") }
                    atEnd = true
                    break
                }
            }
            if trailerBytesToSkip > 0 {
                let skipped = min(trailerBytesToSkip, stream.inputLeft)
                stream.skipInput(skipped)
                trailerBytesToSkip -= skipped
                continue
            }
            if !inMember {
                // Zeros after the last member are padding (tape blocks), as gzip -d reads them;
                // anything else there must be a member.
                if membersDone > 0 && input[inputGiven - stream.inputLeft] == 0 {
                    guard try file.holdsOnlyZeros(from: compressedOffset) else { throw corrupt("data that is neither gzip nor zero padding after a member") }
                    atEnd = true
                    break
                }
                // A new member starts here: after the first, the inflater needs a reset to read its header.
                if membersDone > 0 { stream.reset(.gzip) }
                inMember = true
            }
            let probing = blockStartSpan.map { produced + Int64(capacity - stream.outputLeft) - lastBlockStart >= $0 } ?? false
            if probing { giveInput(limit: Self.probeStep) }
            let status = stream.inflate()
            if probing, let bits = stream.bitsPastBlockBoundary {
                lastBlockStart = produced + Int64(capacity - stream.outputLeft)
                blockStarts.append(BlockStart(bit: 8 * compressedOffset - Int64(bits), uncompressedOffset: textStart + lastBlockStart))
            }
            switch status {
            case .progress:
                continue
            case .streamEnd:
                inMember = false
                membersDone += 1
                if blockStartSpan != nil { memberEnds.append(textStart + produced + Int64(capacity - stream.outputLeft)) }
                if let boundary, compressedOffset >= boundary {
                    try reachedBoundary(boundary, uncompressed: produced + Int64(capacity - stream.outputLeft))
                }
                if isRaw {  // raw deflate stops before the member's CRC-32 and size
                    isRaw = false
                    trailerBytesToSkip = 8
                    let readAhead = stream.takeBackReadAhead()
                    if readAhead > 0 {
                        // Read again from the deflate data's end (the bytes taken may span buffers).
                        inputFileOffset = compressedOffset - Int64(readAhead)
                        inputCount = 0
                        inputGiven = 0
                        stream.setInput(input, count: 0)
                    }
                }
            case .corrupt(let reason):
                throw corrupt("corrupt gzip data (\(reason))")
            }
        }
        return capacity - stream.outputLeft
    }

    /// A member ended at or past the next split's start: exactly there, the split's records end
    /// with the line that starts there (the next split skips its first line); past it, the next
    /// split's start was a false member start, and the plan is wrong.
    private func reachedBoundary(_ boundary: Int64, uncompressed: Int64) throws {
        guard compressedOffset == boundary else {
            throw MRError(.wrongSplit, "a gzip member start guessed by scanning did not hold (\(file.path): compressed byte \(boundary) lies inside a member)")
        }
        self.boundary = nil
        recordsEnd = uncompressed + 1
    }

    private func corrupt(_ what: String) -> MRError {
        MRError(.badInput, "\(file.path): \(what) at compressed byte offset \(compressedOffset); re-download or recompress the file, or remove it from the input")
    }
}
