import MapReduce

/// Aggregates a column of a table by another (`SELECT key, agg(value) GROUP BY key`): lines of
/// TSV or CSV (RFC 4180), columns numbered from 1. A line whose value is not an integer, or that
/// has too few columns, is counted as skipped, not guessed.
///
///     mr groupby sales.csv --format csv --key 2 --value 5 --agg sum
public struct GroupBy: Job {
    public static let name = "groupby"
    public static let summary = "A column aggregated by another: --key N --value N --agg sum|min|max|count (TSV or CSV)"
    public static let options = [
        JobOption("key", help: "The column grouped by, from 1", default: "1"),
        JobOption("value", help: "The column aggregated, from 1 (integers; not read for count)", default: "2"),
        JobOption("agg", help: "sum, min, max or count", default: "sum"),
        JobOption("format", help: "tsv or csv", default: "tsv"),
    ]
    public static let readsLinePositions = false

    enum Aggregate: String { case sum, min, max, count }

    let keyColumn: Int
    let valueColumn: Int
    let aggregate: Aggregate
    let format: FieldFormat

    public init(options: JobOptions) throws {
        keyColumn = try options.int("key") - 1
        valueColumn = try options.int("value") - 1
        guard keyColumn >= 0, valueColumn >= 0 else { throw JobOptionError(message: "--key and --value count columns from 1") }
        guard let aggregate = Aggregate(rawValue: try options.string("agg")) else {
            throw JobOptionError(message: "--agg must be sum, min, max or count, not '\(try options.string("agg"))'")
        }
        self.aggregate = aggregate
        switch try options.string("format") {
        case "tsv": format = .tsv
        case "csv": format = .commaSeparated
        case let other: throw JobOptionError(message: "--format must be tsv or csv, not '\(other)'")
        }
    }

    /// Each aggregate folds inside the map tasks too.
    public var combining: Combiner? {
        switch aggregate {
        case .sum, .count: .sum
        case .min: .minimum
        case .max: .maximum
        }
    }

    public func map(_ record: Record, _ output: MapOutput) {
        var value: Int64?
        if aggregate == .count {
            value = 1
        } else {
            value = withField(valueColumn, of: record.bytes, format: format) { parseInteger($0) } ?? nil
        }
        guard let value else { return output.count("lines skipped (no integer value)") }
        let found = withField(keyColumn, of: record.bytes, format: format) { key in output.emit(key, value) }
        if found == nil { output.count("lines skipped (too few columns)") }
    }

    public func reduce(_ key: ByteSlice, _ values: inout ReduceValues, _ output: ReduceOutput) {
        switch aggregate {
        case .sum, .count:
            output.emit(key, values.sum())
        case .min, .max:
            var best = aggregate == .min ? Int64.max : Int64.min
            while let value = values.next() { best = aggregate == .min ? min(best, value.int) : max(best, value.int) }
            output.emit(key, best)
        }
    }
}
