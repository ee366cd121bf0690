import MapReduce

/// An inverted index: for each word, how many documents contain it and their sorted names
/// (`zeal<TAB>2 pg-frankenstein.txt.gz,pg-tom_sawyer.txt.gz`). A document is an input file, named
/// by its path relative to the input argument it was found under. A comma or backslash inside a
/// name is written `\,` or `\\`, so the list splits at the other commas (mr then escapes the
/// line as it escapes every output line).
public struct Indexer: Job {
    public static let name = "indexer"
    public static let summary = "For each word, the number and sorted names of the documents containing it"
    /// Each (word, document) pair is kept once per map task.
    public static let combiner: Combiner? = .distinct
    public static let readsLinePositions = false
    /// Words never span lines: map takes many lines at a time.
    public static let mapsBlocksOfLines = true

    public init(options: JobOptions) {}

    public func map(_ record: Record, _ output: MapOutput) {
        var document = record.file.name
        document.withUTF8 { name in
            forEachWord(in: record.bytes) { output.emit($0, text: ByteSlice(name)) }
        }
    }

    public func reduce(_ key: ByteSlice, _ values: inout ReduceValues, _ output: ReduceOutput) {
        var documents = Set<[UInt8]>()
        while let value = values.next() { documents.insert(Array(value.bytes)) }
        let names = documents.sorted { $0.lexicographicallyPrecedes($1) }
        var line = Array(String(names.count).utf8) + [UInt8(ascii: " ")]
        for (index, name) in names.enumerated() {
            if index > 0 { line.append(UInt8(ascii: ",")) }
            for byte in name {
                if byte == UInt8(ascii: ",") || byte == UInt8(ascii: "\\") { line.append(UInt8(ascii: "\\")) }
                line.append(byte)
            }
        }
        line.withUnsafeBytes { output.emit(key, text: $0) }
    }
}
