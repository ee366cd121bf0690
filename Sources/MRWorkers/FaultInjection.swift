import MRBase
import MRInput
import MROutput
import MRShuffle
import MRSystem
import MapReduce
#if canImport(Glibc)
import Glibc
#endif

/// Makes worker processes crash or stall on purpose, for tests and demos (like the crash app of
/// MIT 6.5840's MapReduce lab): `MR_FAULTS="crash=0.3,stall=0.05,seed=7"`. Each attempt draws,
/// from the seed, the task and the attempt number, whether it crashes (SIGKILL to itself) or
/// stalls (sleeps `stall-seconds`, default 3600, while its heartbeat goes on) and after how many
/// records. `task=map-00001` limits faults to one task, `first-attempt-only` to first attempts.
/// Only worker processes read it: a crash in threads mode would end the whole run.
struct FaultInjection: Sendable {
    enum Action: Sendable { case none, crash, stall }

    let crashProbability: Double
    let stallProbability: Double
    let seed: UInt64
    let stallSeconds: UInt32
    /// Only first attempts misbehave (to show that backups rescue stragglers).
    let firstAttemptOnly: Bool
    /// Only this task misbehaves (e.g. "map-00001").
    let onlyTask: String?

    static func fromEnvironment() -> FaultInjection? {
        guard let text = environmentValue("MR_FAULTS") else { return nil }
        var settings: [String: String] = [:]
        for item in text.split(separator: ",") {
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            settings[parts[0]] = parts.count > 1 ? parts[1] : "1"
        }
        return FaultInjection(
            crashProbability: Double(settings["crash"] ?? "") ?? 0,
            stallProbability: Double(settings["stall"] ?? "") ?? 0,
            seed: UInt64(settings["seed"] ?? "") ?? 1,
            stallSeconds: UInt32(settings["stall-seconds"] ?? "") ?? 3600,
            firstAttemptOnly: settings["first-attempt-only"] != nil,
            onlyTask: settings["task"])
    }

    /// What this attempt does, and after how many records (or groups).
    func plan(for assignment: TaskAssignment) -> (action: Action, afterRecords: Int64) {
        if firstAttemptOnly && assignment.attempt > 1 { return (.none, .max) }
        if let onlyTask, onlyTask != assignment.task.description { return (.none, .max) }
        var state = seed &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(assignment.task.kind.rawValue) << 40
            &+ UInt64(assignment.task.index) << 8 &+ UInt64(assignment.attempt)
        func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        let draw = Double(next() >> 11) / Double(1 << 53)
        let after = Int64(next() % 2048)
        if draw < crashProbability { return (.crash, after) }
        if draw < crashProbability + stallProbability { return (.stall, after) }
        return (.none, .max)
    }

    func perform(_ action: Action) {
        switch action {
        case .none: return
        case .crash: kill(getpid(), SIGKILL)
        case .stall: sleep(stallSeconds)
        }
    }
}
