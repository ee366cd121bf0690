import MRBase

/// A gzip ``InflateStream`` as a ``StreamDecoder``: member after member, for the readers that
/// cannot seek (standard input of `mr stream map`); files are read by ``GzipSource``, which can
/// also start at access points.
final class GzipDecoder: StreamDecoder {
    let unitName = "member"
    private let stream: InflateStream

    init(inflater: Inflater) throws {
        stream = try inflater.stream(.gzip)
    }

    func decode(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer,
                inputEnds: Bool) -> (consumed: Int, produced: Int, status: DecodeStatus) {
        guard let inputBase = input.baseAddress, let outputBase = output.baseAddress else { return (0, 0, .progress) }
        stream.setInput(inputBase.assumingMemoryBound(to: UInt8.self), count: input.count)
        stream.setOutput(outputBase.assumingMemoryBound(to: UInt8.self), count: output.count)
        let status: DecodeStatus = switch stream.inflate() {
        case .progress: .progress
        case .streamEnd: .unitEnd
        case .corrupt(let reason): .corrupt(reason)
        }
        return (input.count - stream.inputLeft, output.count - stream.outputLeft, status)
    }

    func startNextUnit() throws {
        stream.reset(.gzip)
    }
}
