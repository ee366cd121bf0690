import MRBase
#if canImport(Glibc)
import Glibc
#endif

/// The cores the system has online (at least 1): the default worker and reducer count, and
/// what bounds a run's workers.
package func onlineCoreCount() -> Int {
    max(Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))), 1)
}

/// The machine a benchmark ran on: "2 cores, Intel(R) Xeon(R) Platinum 8488C" (the CPU model from
/// /proc/cpuinfo, when it names one).
package func machineDescription() -> String {
    let cores = onlineCoreCount()
    let info = (try? FileSystem.readFile("/proc/cpuinfo")).map { String(decoding: $0, as: UTF8.self) } ?? ""
    let model = info.split(separator: "\n").first { $0.hasPrefix("model name") }?
        .split(separator: ":", maxSplits: 1).last?.trimmingCharacters(in: " \t")
    return "\(cores) core\(cores == 1 ? "" : "s")" + (model.map { ", " + $0 } ?? "")
}
