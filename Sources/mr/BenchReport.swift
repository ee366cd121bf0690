import MREngine

/// The results of `mr bench` and their renderings: a Markdown table, JSON, CSV and an SVG chart
/// of speedup against workers per mode, with the ideal line.
struct BenchReport {
    struct Row {
        /// What was run.
        struct Key: Hashable {
            let mode: ExecutionMode
            let workers: Int
            /// A variant of the mode's run (large gzip files: the first run, or one mapper per file).
            var variant: String? = nil

            static let firstRun = "first run, no index"
            static let oneMapperPerFile = "one mapper per file"
        }
        let key: Key
        /// Wall seconds of each round, and of the inflate-only run (same workers) just before it.
        let rounds: [Double]
        let floorRounds: [Double]
        let peakMemory: Int64

        var seconds: Double { median(rounds) }

        var mode: ExecutionMode { key.mode }
        var workers: Int { key.workers }
        var variant: String? { key.variant }
        var name: String { mode.rawValue + (variant.map { ", \($0)" } ?? "") }
    }

    let job: String
    let repeats: Int
    let reducers: Int
    /// Uncompressed input bytes.
    var bytes: Int64 = 0
    var rows: [Row] = []

    private var megabytes: Double { Double(bytes) / 1e6 }

    /// Inflate-only wall time by worker count: the median of all its runs.
    private var floor: [Int: Double] {
        Dictionary(grouping: rows, by: \.workers).mapValues { median($0.flatMap(\.floorRounds)) }
    }

    /// The median over rounds of `row`'s time against `other`'s in the same round.
    private func ratio(of row: Row, to other: Row?) -> Double? {
        guard let other, other.rounds.count == row.rounds.count else { return nil }
        return median(zip(other.rounds, row.rounds).map { $0 / $1 })
    }

    private func speedup(_ row: Row) -> Double? { ratio(of: row, to: rows.first { $0.mode == .sequential }) }
    private func efficiency(_ row: Row) -> Double? { speedup(row).map { $0 / Double(row.workers) } }
    /// Against the same mode with one worker.
    private func scaling(_ row: Row) -> Double? {
        ratio(of: row, to: rows.first { $0.mode == row.mode && $0.workers == 1 && $0.variant == nil })
    }
    private func overFloor(_ row: Row) -> Double? { median(zip(row.rounds, row.floorRounds).map { $0 / $1 }) }

    var markdown: String {
        var lines = [
            "\(job) over \(megabytes.formatted(decimals: 1)) MB uncompressed; \(repeats) rounds, each running every row once, "
                + "each row right after an inflate-only run with its workers; medians, ratios taken within a round; R = \(reducers)", "",
            "| mode | workers | wall s | MB/s | speedup vs sequential | efficiency | vs 1 worker (same mode) | x inflate-only (same workers) | peak RSS MB |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for (count, seconds) in floor.sorted(by: { $0.key < $1.key }) {
            lines.append("| inflate only | \(count) | \(seconds.formatted(decimals: 3)) | \((megabytes / seconds).formatted(decimals: 0)) | | | | 1.00 | |")
        }
        for row in rows {
            let cells = [
                row.name, String(row.workers), row.seconds.formatted(decimals: 3),
                (megabytes / row.seconds).formatted(decimals: 0), speedup(row)?.formatted(decimals: 2) ?? "",
                efficiency(row)?.formatted(decimals: 2) ?? "", scaling(row)?.formatted(decimals: 2) ?? "",
                overFloor(row)?.formatted(decimals: 2) ?? "", (Double(row.peakMemory) / 1e6).formatted(decimals: 0),
            ]
            lines.append("| " + cells.joined(separator: " | ") + " |")
        }
        lines += ["", "peak RSS: the largest worker process's; for threads and sequential, the whole process's during the run."]
        return lines.joined(separator: "\n")
    }

    var csv: String {
        var lines = ["mode,workers,wall_seconds,mb_per_second,speedup_vs_sequential,efficiency,times_inflate_only,peak_rss_bytes,vs_one_worker"]
        for (count, seconds) in floor.sorted(by: { $0.key < $1.key }) {
            lines.append("inflate-only,\(count),\(seconds),\(megabytes / seconds),,,1,,")
        }
        func cell(_ value: Double?) -> String { value.map { String($0) } ?? "" }
        for row in rows {
            lines.append("\"\(row.name)\",\(row.workers),\(row.seconds),\(megabytes / row.seconds),"
                + "\(cell(speedup(row))),\(cell(efficiency(row))),\(cell(overFloor(row))),\(row.peakMemory),\(cell(scaling(row)))")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    var json: String {
        func number(_ value: Double?) -> String { value.map { String($0) } ?? "null" }
        let floorItems = floor.sorted(by: { $0.key < $1.key }).map { "{\"workers\": \($0.key), \"wall_seconds\": \($0.value)}" }
        let rowItems = rows.map { row in
            "{\"mode\": \"\(row.mode.rawValue)\", \"variant\": \(row.variant.map { "\"\($0)\"" } ?? "null"), \"workers\": \(row.workers), \"wall_seconds\": \(row.seconds), "
                + "\"speedup_vs_sequential\": \(number(speedup(row))), \"efficiency\": \(number(efficiency(row))), "
                + "\"vs_one_worker\": \(number(scaling(row))), \"rounds_seconds\": \(row.rounds), \"inflate_only_rounds_seconds\": \(row.floorRounds), "
                + "\"times_inflate_only\": \(number(overFloor(row))), \"peak_rss_bytes\": \(row.peakMemory)}"
        }
        return """
            {"job": "\(job)", "uncompressed_bytes": \(bytes), "repeats": \(repeats), "reducers": \(reducers),
             "inflate_only": [\(floorItems.joined(separator: ", "))],
             "runs": [\(rowItems.joined(separator: ",\n  "))]}

            """
    }

    /// Speedup over sequential against workers, one line per mode, and the ideal y = x.
    var svg: String {
        let maxWorkers = max(rows.map(\.workers).max() ?? 1, 2)
        let maxSpeedup = max(Double(maxWorkers), rows.compactMap(speedup).max() ?? 1)
        let (width, height, margin) = (480.0, 320.0, 48.0)
        func x(_ workers: Double) -> Double { margin + (workers - 1) / Double(maxWorkers - 1) * (width - 2 * margin) }
        func y(_ speedup: Double) -> Double { height - margin - speedup / maxSpeedup * (height - 2 * margin) }
        var parts = [
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" font-family=\"sans-serif\" font-size=\"12\">",
            "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>",
            "<text x=\"\(Int(width / 2))\" y=\"20\" text-anchor=\"middle\">\(job): speedup over sequential</text>",
            "<line x1=\"\(x(1))\" y1=\"\(y(0))\" x2=\"\(x(Double(maxWorkers)))\" y2=\"\(y(0))\" stroke=\"black\"/>",
            "<line x1=\"\(x(1))\" y1=\"\(y(0))\" x2=\"\(x(1))\" y2=\"\(y(maxSpeedup))\" stroke=\"black\"/>",
            "<text x=\"\(Int(width / 2))\" y=\"\(Int(height - 10))\" text-anchor=\"middle\">workers</text>",
            "<line x1=\"\(x(1))\" y1=\"\(y(1))\" x2=\"\(x(Double(maxWorkers)))\" y2=\"\(y(Double(maxWorkers)))\" stroke=\"gray\" stroke-dasharray=\"4 4\"/>",
            "<text x=\"\(x(Double(maxWorkers)) - 4)\" y=\"\(y(Double(maxWorkers)) - 6)\" text-anchor=\"end\" fill=\"gray\">ideal</text>",
        ]
        for tick in 1...maxWorkers {
            parts.append("<text x=\"\(x(Double(tick)))\" y=\"\(y(0) + 16)\" text-anchor=\"middle\">\(tick)</text>")
        }
        let colors: [ExecutionMode: String] = [.processes: "#d62728", .threads: "#1f77b4", .sequential: "#2ca02c"]
        for (index, mode) in ExecutionMode.allCases.enumerated() {
            let points = rows.filter { $0.mode == mode && $0.variant == nil }.sorted { $0.workers < $1.workers }
                .compactMap { row in speedup(row).map { "\(x(Double(row.workers))),\(y($0))" } }
            guard !points.isEmpty else { continue }
            let color = colors[mode] ?? "black"
            parts.append("<polyline points=\"\(points.joined(separator: " "))\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\"/>")
            for point in points {
                let xy = point.split(separator: ",")
                parts.append("<circle cx=\"\(xy[0])\" cy=\"\(xy[1])\" r=\"3\" fill=\"\(color)\"/>")
            }
            parts.append("<text x=\"\(margin + 8)\" y=\"\(40 + 16 * index)\" fill=\"\(color)\">\(mode.rawValue)</text>")
        }
        parts.append("</svg>")
        return parts.joined(separator: "\n") + "\n"
    }

    func write(to directory: String) throws {
        try writeText(json, to: directory + "/bench.json")
        try writeText(csv, to: directory + "/bench.csv")
        try writeText(svg, to: directory + "/speedup.svg")
    }
}

/// The middle value (the upper one of an even count).
func median(_ values: [Double]) -> Double {
    values.sorted()[values.count / 2]
}
