import MapReduce

/// A job ready to run: its instance, the library workers load it from, its option values.
package struct LoadedJob: Sendable {
    package let job: any Job
    package let library: String
    /// The job's Swift file, as the run summary names it.
    package let source: String
    package let options: [String: String]

    package init(job: any Job, library: String, source: String, options: [String: String]) {
        self.job = job
        self.library = library
        self.source = source
        self.options = options
    }
}
