import MRBase
import MRSystem
import MapReduce
/// A job's Swift file: where it is, and what can be read from it without compiling it.
package struct JobSource: Sendable {
    /// The name users type: the file name without `.swift`.
    package let name: String
    /// From the root, so that messages and run summaries name the file wherever they are read.
    package let path: String
    package let text: String

    package init(path: String) throws {
        self.path = FileSystem.absolutePath(path)
        name = String(FileSystem.lastComponent(path).dropLast(".swift".count))
        guard path.hasSuffix(".swift") else {
            throw MRError(.usage, "a job file must end in .swift: '\(path)'")
        }
        guard let bytes = try? FileSystem.readFile(path) else {
            throw MRError(.noInput, "cannot read job file '\(path)'")
        }
        text = String(decoding: bytes, as: UTF8.self)
    }

    /// The one type declared to conform to `Job` or `MapOnlyJob` (`struct Name: Job`), for the generated entry
    /// point; a file declaring none or several is rejected with a message.
    package func jobTypeName() throws -> String {
        let declaration = try Regex(#"(?m)^\s*(?:public\s+|final\s+)*(?:struct|class|enum)\s+(\w+)\s*:\s*([^{]*)\{"#)
        var names: [String] = []
        for match in text.matches(of: declaration) {
            guard let name = match.output[1].substring, let inherited = match.output[2].substring else { continue }
            let conformances = inherited.split(separator: ",").map { $0.trimmingCharacters(in: " \n\t") }
            if conformances.contains(where: { ["Job", "MapOnlyJob", "MapReduce.Job", "MapReduce.MapOnlyJob"].contains($0) }) {
                names.append(String(name))
            }
        }
        guard names.count == 1 else {
            throw MRError(.jobDoesNotCompile, names.isEmpty
                ? "\(path): no type conforms to Job; declare one, e.g. `public struct \(name.prefix(1).uppercased() + name.dropFirst()): Job { ... }`"
                : "\(path): several types conform to Job (\(names.joined(separator: ", "))); keep one job per file")
        }
        return names[0]
    }

    /// The job's `summary`, read from the source (`mr jobs` lists jobs without compiling them).
    package var summary: String {
        let pattern = try? Regex(#"static\s+(?:let|var)\s+summary\s*(?::\s*String\s*)?=\s*"([^"]*)""#)
        guard let pattern, let match = text.firstMatch(of: pattern), let summary = match.output[1].substring else {
            return "(no summary)"
        }
        return String(summary)
    }
}
