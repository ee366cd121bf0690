import MapReduce

/// Aggregates a column of a table by another (`SELECT key, agg(value) GROUP BY key`): lines of
/// TSV or CSV (RFC 4180), columns numbered from 1. Values are integers (exact, Int64) or, with
/// `--type float`, floating-point numbers whose sum and mean are exact until rounded once, so
/// the output is the same on any number of workers. A line whose value does not parse, or that
/// has too few columns, is counted as skipped, not guessed.
///
///     mr groupby sales.csv --format csv --key 2 --value 5 --agg mean
public struct GroupBy: Job {
    public static let name = "groupby"
    public static let summary = "A column aggregated by another: --key N --value N --agg sum|min|max|count|mean (TSV or CSV)"
    public static let options = [
        JobOption("key", help: "The column grouped by, from 1", default: "1"),
        JobOption("value", help: "The column aggregated, from 1 (not read for count)", default: "2"),
        JobOption("agg", help: "sum, min, max, count or mean (mean reads floats)", default: "sum"),
        JobOption("type", help: "int or float: how values are read", default: "int"),
        JobOption("format", help: "tsv or csv", default: "tsv"),
    ]
    public static let readsLinePositions = false

    enum Aggregate: String { case sum, min, max, count, mean }

    let keyColumn: Int
    let valueColumn: Int
    let aggregate: Aggregate
    let readsFloats: Bool
    let format: FieldFormat

    public init(options: JobOptions) throws {
        keyColumn = try options.int("key") - 1
        valueColumn = try options.int("value") - 1
        guard keyColumn >= 0, valueColumn >= 0 else { throw JobOptionError(message: "--key and --value count columns from 1") }
        guard let aggregate = Aggregate(rawValue: try options.string("agg")) else {
            throw JobOptionError(message: "--agg must be sum, min, max, count or mean, not '\(try options.string("agg"))'")
        }
        self.aggregate = aggregate
        switch try options.string("type") {
        case "int": readsFloats = aggregate == .mean
        case "float": readsFloats = aggregate != .count
        case let other: throw JobOptionError(message: "--type must be int or float, not '\(other)'")
        }
        format = try FieldFormat(named: options.string("format"))
    }

    /// Each aggregate folds inside the map tasks too: integers by their own rule, floats into a
    /// tally (count, exact sum, minimum, maximum).
    public var combining: Combiner? {
        if readsFloats { return .tally }
        return switch aggregate {
        case .sum, .count, .mean: .sum
        case .min: .minimum
        case .max: .maximum
        }
    }

    public func map(_ record: Record, _ output: MapOutput) {
        if readsFloats {
            read(record, output, parseDouble) { output.emit($0, double: $1) }
        } else {
            read(record, output, aggregate == .count ? { _ in 1 } : parseInteger) { output.emit($0, $1) }
        }
    }

    /// Reads the key and value columns in one pass over the line and emits them, or counts the
    /// line as skipped: its value does not parse (or is missing), or it has no key column.
    private func read<Number>(_ record: Record, _ output: MapOutput, _ parse: (ByteSlice) -> Number?,
                              _ emit: (ByteSlice, Number) -> Void) {
        let line = record.bytes
        let lastColumn = aggregate == .count ? keyColumn : max(keyColumn, valueColumn)
        // The key is copied: a quoted CSV field is valid only while it is handed over.
        withUnsafeTemporaryAllocation(byteCount: max(line.count, 1), alignment: 1) { keyCopy in
            var keyLength: Int?
            var value: Number?
            forEachField(in: line, format: format) { index, field in
                if index == keyColumn {
                    if let base = field.baseAddress { keyCopy.baseAddress!.copyMemory(from: base, byteCount: field.count) }
                    keyLength = field.count
                }
                if index == valueColumn || (aggregate == .count && index == keyColumn) { value = parse(field) }
                return index < lastColumn
            }
            guard let value else { return output.count(readsFloats ? "lines skipped (no number value)" : "lines skipped (no integer value)") }
            guard let keyLength else { return output.count("lines skipped (too few columns)") }
            emit(ByteSlice(rebasing: keyCopy[..<keyLength]), value)
        }
    }

    public func reduce(_ key: ByteSlice, _ values: inout ReduceValues, _ output: ReduceOutput) {
        if readsFloats {
            let tally = values.tally()
            let result = switch aggregate {
            case .sum: tally.sum
            case .min: tally.minimum
            case .max: tally.maximum
            case .mean, .count: tally.mean
            }
            return output.emit(key, double: result)
        }
        switch aggregate {
        case .sum, .count, .mean:
            output.emit(key, values.sum())
        case .min, .max:
            var best = aggregate == .min ? Int64.max : Int64.min
            while let value = values.next() { best = aggregate == .min ? min(best, value.int) : max(best, value.int) }
            output.emit(key, best)
        }
    }
}
