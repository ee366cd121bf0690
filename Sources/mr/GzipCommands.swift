import ArgumentParser
import MREngine

/// `mr index FILE.gz`: builds the access-point index that lets one large gzip file be split.
struct IndexCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "index",
        abstract: "Build the index that splits a large single-member .gz across workers (saved as FILE.gz.mrindex).")

    @Argument(help: "Gzip files.")
    var files: [String]

    @Option(help: "Uncompressed bytes between access points, e.g. 4M.")
    var span: ByteCount = ByteCount(argument: "4M")!

    func validate() throws {
        try span.check("--span", within: (32 << 10)...(1 << 40))
    }

    func run() throws {
        for file in files {
            let index = try GzipIndex.build(path: file, span: span.bytes)
            let location = try index.save(besides: file, cacheDirectory: cacheDirectory())
            print("\(file): \(members(index)), \(index.points.count) access points over \(index.uncompressedSize) uncompressed bytes -> \(location)")
        }
    }
}

/// `mr inspect FILE.gz`: what mr knows about a gzip file's layout.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show a .gz file's gzip members (found without inflating), index state and access points.")

    @Argument(help: "Gzip files.")
    var files: [String]

    func run() throws {
        for file in files {
            guard let entry = try InputCatalog.files(for: [file]).first, entry.isGzip, entry.path == file else {
                throw MRError(.usage, "'\(file)' is not a .gz file; mr inspect reads gzip files")
            }
            switch try GzipMembers.splitPoints(path: file, size: entry.size, spacing: 1) {
            case nil:
                print("\(file): no member start found after the first (one gzip member, as far as a scan can tell)")
            case let (starts, .blockSizes)?:
                print("\(file): BGZF, \(starts.count + 1) blocks (sizes read from their headers)")
            case let (starts, .scanned)?:
                print("\(file): \(starts.count + 1) gzip members found by scanning (checked by the map task reading across each start)")
            }
            guard let (index, location) = GzipIndex.load(for: file, cacheDirectory: cacheDirectory()) else {
                print("\(file): no valid index (none yet, or stale or damaged); `mr index \(file)` builds one")
                continue
            }
            print("\(file): \(members(index)), \(index.uncompressedSize) bytes uncompressed; index \(location), valid")
            for (number, point) in index.points.enumerated() {
                print("  point \(number): uncompressed \(point.uncompressedOffset), compressed \(point.compressedOffset)")
            }
        }
    }
}

/// "1 gzip member", "37 gzip members".
private func members(_ index: GzipIndex) -> String {
    "\(index.members) gzip member\(index.members == 1 ? "" : "s")"
}
