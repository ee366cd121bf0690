import MapReduce

/// A job ready to run: its instance, the library workers load it from, its option values.
package struct LoadedJob: Sendable {
    package let job: any Job
    package let library: String
    /// The job's Swift file, as the run summary names it.
    package let source: String
    package let options: [String: String]
    /// Which step of the library's job this is (0: the job itself; see `Job.nextSteps`).
    package let step: Int

    package init(job: any Job, library: String, source: String, options: [String: String], step: Int = 0) {
        self.job = job
        self.library = library
        self.source = source
        self.options = options
        self.step = step
    }

    /// Whether map output is folded by a combiner (so the `combine output records` counter means
    /// something).
    package var combines: Bool { job.combining != nil && !type(of: job).isMapOnly }

    /// Step `number` of this job, with the same library, source and options.
    package func step(_ number: Int) throws -> LoadedJob {
        let entry = type(of: job)
        return LoadedJob(job: try entry.step(number).init(options: JobOptions(options)), library: library, source: source,
                         options: options, step: number)
    }
}
