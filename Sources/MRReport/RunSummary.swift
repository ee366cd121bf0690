import MRBase
import MRInput
import MRSystem
import MapReduce
/// The end-of-run report printed on stderr.
package enum RunSummary {
    /// `output`, when given, says where the output went instead of the output folder (a
    /// temporary one, gone once the run is over).
    package static func text(_ result: RunResult, job: LoadedJob, options: RunOptions, output: String? = nil) -> String {
        let compressed = result.files.reduce(Int64(0)) { $0 + $1.size }
        // "8 files (6 gzip, 2 zstd)": how many of each compression.
        let byCompression = Compression.allCases.filter { $0 != .none }.compactMap { compression in
            let count = result.files.filter { $0.compression == compression }.count
            return count > 0 ? "\(count) \(compression.name)" : nil
        }
        let megabytes = Double(result.counters.inputBytes) / 1e6
        let rate = result.wallSeconds > 0 ? megabytes / result.wallSeconds : 0
        let workers = result.workers
        var lines = [
            "mr \(type(of: job.job).name) (\(job.source)): done in \(result.wallSeconds.formatted(decimals: 3)) s, \(rate.formatted(decimals: 1)) MB/s of uncompressed input",
            "  inputs    \(result.files.count) files (\(byCompression.isEmpty ? "none compressed" : byCompression.joined(separator: ", "))), \(mb(compressed)) on disk, \(mb(result.counters.inputBytes)) uncompressed",
        ]
        let gzipSplits = [
            (result.indexedFiles, "split at saved access points"),
            (result.memberSplitFiles, "split at gzip member, zstd frame, xz or bzip2 block starts"),
            (result.relayedFiles, "inflated once while mapping, index saved for later runs"),
        ].filter { $0.0 > 0 }
        if !gzipSplits.isEmpty {
            lines.append("  splits    " + gzipSplits.map { "\($0.0) large file\($0.0 == 1 ? "" : "s") \($0.1)" }.joined(separator: "; "))
        }
        for reason in result.unsplittable { lines.append("  one task  " + reason) }
        lines += [
            "  tasks     \(result.mapTasks) map, \(result.reduceTasks) reduce; mode \(options.mode.rawValue), \(workers) worker\(workers == 1 ? "" : "s")"
                + (result.failedAttempts > 0 ? "; \(result.failedAttempts) failed attempt\(result.failedAttempts == 1 ? "" : "s") re-run" : ""),
            "  attempts  \(result.attempts) started, \(result.failedAttempts) failed, \(result.backups) backups of stragglers; \(result.commits) tasks committed"
                + (result.resumedTasks > 0 ? ", \(result.resumedTasks) reused from the killed run" : ""),
            "  memory    peak resident \(mb(result.peakWorkerMemory)) " + (options.mode == .processes ? "per worker process" : "for the whole process"),
            "  counters",
        ]
        for (name, value) in result.counters.named(combinerRan: job.combines) {
            lines.append("    " + name + String(repeating: " ", count: 24 - name.count) + String(value))
        }
        for (name, value) in result.jobCounters.sorted(by: { $0.key < $1.key }) {
            lines.append("    " + name + String(repeating: " ", count: max(24 - name.count, 1)) + String(value))
        }
        if !result.topRecords.isEmpty {
            lines.append("  top \(result.topRecords.count)")
            for record in result.topRecords {
                lines.append("    " + String(decoding: record.key, as: UTF8.self) + "\t" + String(record.value))
            }
        }
        for warning in result.warnings.sorted() { lines.append("  warning   " + warning) }
        let lastPart = OutputLayout.partFileName(max(result.partFiles - 1, 0), compression: result.outputCompression)
        lines.append("  output    " + (output ?? "\(result.outputDirectory)/\(OutputLayout.partFileName(0, compression: result.outputCompression)) .. \(lastPart), then _SUCCESS"))
        return lines.joined(separator: "\n") + "\n"
    }

    private static func mb(_ bytes: Int64) -> String {
        (Double(bytes) / 1e6).formatted(decimals: 1) + " MB"
    }
}
