import Jobs
import MapReduce
import MREngine

/// The jobs this binary can run, found by name.
enum JobCatalog {
    static let all: [any Job.Type] = [WordCount.self]

    static var names: [String] { all.map { $0.name } }

    static func find(_ name: String) throws -> any Job.Type {
        for job in all where job.name == name { return job }
        let nearest = names.min { editDistance($0, name) < editDistance($1, name) }
        let hint = nearest.map { " Did you mean '\($0)'?" } ?? ""
        throw MRError(.usage, "no job named '\(name)'.\(hint) Jobs: \(names.joined(separator: ", ")).")
    }

    static func make(_ name: String) throws -> any Job {
        try find(name).init()
    }

    /// Levenshtein distance, to suggest the job a typo meant.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var previous = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...max(b.count, 1) where !b.isEmpty {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
