import MapReduce

/// A job ready to run: its instance, the library workers load it from, its option values.
public struct LoadedJob: Sendable {
    public let job: any Job
    public let library: String
    /// The job's Swift file, as the run summary names it.
    public let source: String
    public let options: [String: String]

    public init(job: any Job, library: String, source: String, options: [String: String]) {
        self.job = job
        self.library = library
        self.source = source
        self.options = options
    }
}
