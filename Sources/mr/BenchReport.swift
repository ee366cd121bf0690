import MREngine

/// The results of `mr bench` and their renderings: a Markdown table, JSON, CSV and an SVG chart
/// (`BenchChart.swift`).
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
        /// Wall seconds of each round, and of the inflate-only runs (same workers) just before
        /// it: with ISA-L, as the job inflates, and with zlib.
        let rounds: [Double]
        let floorRounds: [Double]
        let zlibFloorRounds: [Double]
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

    /// What the input is and the machine it ran on, for the chart's title.
    var data = ""
    var machine = ""

    var megabytes: Double { Double(bytes) / 1e6 }

    /// Inflate-only wall time by worker count: the median of all its runs (ISA-L, then zlib).
    var floor: [Int: Double] {
        Dictionary(grouping: rows, by: \.workers).mapValues { median($0.flatMap(\.floorRounds)) }
    }
    var zlibFloor: [Int: Double] {
        Dictionary(grouping: rows, by: \.workers).mapValues { median($0.flatMap(\.zlibFloorRounds)) }
    }

    /// The median over rounds of `times[i] / others[i]`, round by round; nil unless both have
    /// a time for every round.
    private func medianRatio(_ times: [Double]?, over others: [Double]?) -> Double? {
        guard let times, let others, others.count == times.count, !times.isEmpty else { return nil }
        return median(zip(times, others).map { $0 / $1 })
    }

    func speedup(_ row: Row) -> Double? { medianRatio(rows.first { $0.mode == .sequential }?.rounds, over: row.rounds) }
    private func efficiency(_ row: Row) -> Double? { speedup(row).map { $0 / Double(row.workers) } }
    /// Against the same mode with one worker.
    private func scaling(_ row: Row) -> Double? {
        medianRatio(rows.first { $0.mode == row.mode && $0.workers == 1 && $0.variant == nil }?.rounds, over: row.rounds)
    }
    /// A variant's time over the same mode and workers without it: the first run over the run
    /// with the index, one mapper a file over split files.
    private func overPlainRun(_ row: Row) -> Double? {
        guard row.variant != nil else { return nil }
        return medianRatio(row.rounds, over: rows.first { $0.mode == row.mode && $0.workers == row.workers && $0.variant == nil }?.rounds)
    }
    private func overFloor(_ row: Row) -> Double? { medianRatio(row.rounds, over: row.floorRounds) }
    private func overZlibFloor(_ row: Row) -> Double? { medianRatio(row.rounds, over: row.zlibFloorRounds) }

    /// Two tables, each line at most 100 columns: what each run took, then its ratios.
    var markdown: String {
        var lines = [
            "\(job) over \(megabytes.formatted(decimals: 1)) MB uncompressed; R = \(reducers); \(repeats) rounds, each running",
            "every row once, each row right after inflate-only runs (ISA-L, zlib) with its workers;",
            "medians, ratios taken within a round.", "",
            "| run | workers | wall s | MB/s | peak RSS MB |",
            "|---|---|---|---|---|",
        ]
        for (name, floors) in [("inflate only, ISA-L", floor), ("inflate only, zlib", zlibFloor)] {
            for (count, seconds) in floors.sorted(by: { $0.key < $1.key }) {
                lines.append("| \(name) | \(count) | \(seconds.formatted(decimals: 3)) | \((megabytes / seconds).formatted(decimals: 0)) | |")
            }
        }
        for row in rows {
            lines.append("| \(row.name) | \(row.workers) | \(row.seconds.formatted(decimals: 3)) | "
                + "\((megabytes / row.seconds).formatted(decimals: 0)) | \((Double(row.peakMemory) / 1e6).formatted(decimals: 0)) |")
        }
        lines += ["", "| run | workers | vs sequential | efficiency | vs 1 worker | x ISA-L | x zlib | x plain run |",
                  "|---|---|---|---|---|---|---|---|"]
        for row in rows {
            let ratios = [speedup(row), efficiency(row), scaling(row), overFloor(row), overZlibFloor(row), overPlainRun(row)]
            lines.append("| \(row.name) | \(row.workers) | " + ratios.map { $0?.formatted(decimals: 2) ?? "" }.joined(separator: " | ") + " |")
        }
        lines += ["", "vs 1 worker: against the same mode with one worker. x ISA-L, x zlib: wall time over inflating",
                  "the same files with the same workers, that library and nothing else (the floor). x plain run:",
                  "a variant's time over the same mode and workers without it (the first run over the run with",
                  "the index). peak RSS: the largest worker process's; for threads and sequential, the whole",
                  "process's during the run."]
        return lines.joined(separator: "\n")
    }

    var csv: String {
        var lines = ["mode,workers,wall_seconds,mb_per_second,speedup_vs_sequential,efficiency,times_inflate_only,peak_rss_bytes,vs_one_worker,times_inflate_only_zlib,times_plain_run"]
        for (count, seconds) in floor.sorted(by: { $0.key < $1.key }) {
            lines.append("inflate-only,\(count),\(seconds),\(megabytes / seconds),,,1,,,,")
        }
        for (count, seconds) in zlibFloor.sorted(by: { $0.key < $1.key }) {
            lines.append("inflate-only-zlib,\(count),\(seconds),\(megabytes / seconds),,,,,,1,")
        }
        func cell(_ value: Double?) -> String { value.map { String($0) } ?? "" }
        for row in rows {
            lines.append("\"\(row.name)\",\(row.workers),\(row.seconds),\(megabytes / row.seconds),"
                + "\(cell(speedup(row))),\(cell(efficiency(row))),\(cell(overFloor(row))),\(row.peakMemory),\(cell(scaling(row))),"
                + "\(cell(overZlibFloor(row))),\(cell(overPlainRun(row)))")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `bench.json`: every round's times, as `Codable` types encoded by `JSONEncoder`.
    var json: String {
        struct Floor: Encodable {
            let workers: Int
            let wall_seconds: Double
        }
        struct Run: Encodable {
            let mode: String
            let variant: String?
            let workers: Int
            let wall_seconds: Double
            let speedup_vs_sequential: Double?
            let efficiency: Double?
            let vs_one_worker: Double?
            let rounds_seconds: [Double]
            let inflate_only_rounds_seconds: [Double]
            let times_inflate_only: Double?
            let times_inflate_only_zlib: Double?
            let times_plain_run: Double?
            let inflate_only_zlib_rounds_seconds: [Double]
            let peak_rss_bytes: Int64
        }
        struct Document: Encodable {
            let job: String
            let mr_version: String
            let uncompressed_bytes: Int64
            let repeats: Int
            let reducers: Int
            let inflate_only: [Floor]
            let inflate_only_zlib: [Floor]
            let runs: [Run]
        }
        let document = Document(
            job: job, mr_version: Version.mr, uncompressed_bytes: bytes, repeats: repeats, reducers: reducers,
            inflate_only: floor.sorted { $0.key < $1.key }.map { Floor(workers: $0.key, wall_seconds: $0.value) },
            inflate_only_zlib: zlibFloor.sorted { $0.key < $1.key }.map { Floor(workers: $0.key, wall_seconds: $0.value) },
            runs: rows.map { row in
                Run(mode: row.mode.rawValue, variant: row.variant, workers: row.workers, wall_seconds: row.seconds,
                    speedup_vs_sequential: speedup(row), efficiency: efficiency(row), vs_one_worker: scaling(row),
                    rounds_seconds: row.rounds, inflate_only_rounds_seconds: row.floorRounds, times_inflate_only: overFloor(row),
                    times_inflate_only_zlib: overZlibFloor(row), times_plain_run: overPlainRun(row), inflate_only_zlib_rounds_seconds: row.zlibFloorRounds,
                    peak_rss_bytes: row.peakMemory)
            })
        return JSONText.encode(document)
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
