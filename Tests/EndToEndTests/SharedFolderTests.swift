import Foundation
import TestSupport
import XCTest

/// mr run as root on folders another user can write: no file outside what mr owns is ever
/// written, truncated or trusted, whatever that user planted there.
final class SharedFolderTests: TemporaryDirectoryTestCase {
    /// A folder owned by `nobody` (uid 65534) that anyone may write.
    private var shared: URL!
    /// Files the hostile user points links at; they must stay byte-identical.
    private var victim: URL!
    private var victimFolder: URL!
    private let precious = Data("precious, owned by root\n".utf8)

    override func setUpWithError() throws {
        try super.setUpWithError()
        shared = directory.appendingPathComponent("shared")
        try FileManager.default.createDirectory(at: shared, withIntermediateDirectories: true)
        victim = directory.appendingPathComponent("victim.txt")
        try precious.write(to: victim)
        victimFolder = try directory.appendingPathComponent("victim-folder").creatingDirectory()
    }

    private func shareWithNobody() throws {
        try TestSupport.requireRoot("the test gives a folder to user nobody and runs mr as root in it")
        try runProgram(["chown", "65534:65534", shared.path])
        try runProgram(["chmod", "0777", shared.path])
    }

    /// A symbolic link at `name` in the shared folder, as the hostile user would plant it.
    private func plant(_ name: String, pointingAt target: URL) throws {
        let link = shared.appendingPathComponent(name)
        try? FileManager.default.removeItem(at: link)
        try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: target.path)
        _ = lchown(link.path, 65534, 65534)
    }

    private func assertVictimsUntouched(file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(try Data(contentsOf: victim), precious, "a file outside mr's own was written", file: file, line: line)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: victimFolder.path), [], "a file was created through a link",
                       file: file, line: line)
    }

    /// The pid the kernel hands out next, as a hostile user can read it.
    private func nextPid() throws -> Int {
        Int(try String(contentsOfFile: "/proc/sys/kernel/ns_last_pid", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines))! + 1
    }

    func testLinksPlantedForEveryNameMrCreatesAreNeverFollowed() throws {
        try shareWithNobody()
        let books = try gutenbergBooks(gzippedInto: try directory.appendingPathComponent("books").creatingDirectory())
        let text = Data((0..<3).flatMap { _ in books.joined() })  // 10 MB: large enough to be split
        let big = shared.appendingPathComponent("big.txt.gz")
        try gzip(text, to: big)
        let output = shared.appendingPathComponent("out")
        let run = ["wordcount", big.path, "--split-size", "1M", "--workers", "2", "--output", output.path]

        // The index, its temporary file for the next pids, the lock, the work folder.
        try plant("big.txt.gz.mrindex", pointingAt: victim)
        let first = try nextPid()
        for pid in first..<first + 300 {
            try plant("big.txt.gz.mrindex.tmp-\(pid)", pointingAt: victim)
            try plant(".out.mr-work-\(pid)", pointingAt: victimFolder)
        }
        try plant(".out.mr-lock", pointingAt: victim)
        let locked = try MR.run(run)
        XCTAssertEqual(locked.status, 73, locked.stderr)
        XCTAssertTrue(locked.stderr.contains("\(shared.path)/.out.mr-lock") && locked.stderr.contains("symbolic link"), locked.stderr)
        try assertVictimsUntouched()

        try FileManager.default.removeItem(at: shared.appendingPathComponent(".out.mr-lock"))
        try MR.succeed(run)
        XCTAssertEqual(try MR.sortedLines(output), referenceWordCount([text]))
        try assertVictimsUntouched()
        let index = try FileManager.default.attributesOfItem(atPath: big.path + ".mrindex")
        XCTAssertEqual(index[.type] as? FileAttributeType, .typeRegular, "the planted link is replaced by mr's own index")
        XCTAssertFalse(FileManager.default.fileExists(atPath: shared.appendingPathComponent(".out.mr-lock").path), "the lock is removed")

        // `mr index` over a planted index link.
        try FileManager.default.removeItem(atPath: big.path + ".mrindex")
        try plant("big.txt.gz.mrindex", pointingAt: victim)
        try MR.succeed(["index", big.path])
        try assertVictimsUntouched()

        // An index beside the data that another user wrote is not read: the run inflates the
        // file itself (and replaces the index with its own).
        try runProgram(["chown", "65534:65534", big.path + ".mrindex"])
        let untrusted = try MR.succeed(run)
        XCTAssertTrue(untrusted.stderr.contains("inflated once while mapping"), untrusted.stderr)
        XCTAssertEqual(try MR.sortedLines(output), referenceWordCount([text]))
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: big.path + ".mrindex")[.ownerAccountID] as? Int, 0)

        // `mr new` into a jobs folder where the job's file is a link to a place that does not exist yet.
        let jobs = try shared.appendingPathComponent("jobs").creatingDirectory()
        try runProgram(["chown", "65534:65534", jobs.path])
        try FileManager.default.createSymbolicLink(atPath: jobs.appendingPathComponent("evil.swift").path,
                                                   withDestinationPath: victimFolder.appendingPathComponent("created.swift").path)
        let new = try MR.run(["new", "evil"], environment: ["MR_JOBS_DIR": jobs.path])
        XCTAssertEqual(new.status, 73, new.stderr)
        XCTAssertTrue(new.stderr.contains(jobs.appendingPathComponent("evil.swift").path), new.stderr)
        try assertVictimsUntouched()

        // `mr package --output` at a planted link.
        try plant("job.tar.gz", pointingAt: victim)
        try MR.succeed(["package", "wordcount", "--output", shared.appendingPathComponent("job.tar.gz").path])
        try assertVictimsUntouched()
        let archive = try FileManager.default.attributesOfItem(atPath: shared.appendingPathComponent("job.tar.gz").path)
        XCTAssertEqual(archive[.type] as? FileAttributeType, .typeRegular)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: shared.path).filter { $0.contains(".tmp-") && !$0.hasPrefix("big") }, [],
                       "no temporary file of mr's is left")
    }

    func testTheOutputLockIsRemovedAndALeftOverOneNeverBlocks() throws {
        let input = directory.appendingPathComponent("in.txt")
        try Data("to be or not to be\n".utf8).write(to: input)
        let output = shared.appendingPathComponent("out")
        let lock = shared.appendingPathComponent(".out.mr-lock")
        try MR.succeed(["wordcount", input.path, "--output", output.path])
        XCTAssertFalse(FileManager.default.fileExists(atPath: lock.path), "the lock file is removed at the end of the run")

        // Left by a run that was killed: no process holds it.
        try Data("99999999".utf8).write(to: lock)
        try MR.succeed(["wordcount", input.path, "--output", output.path])
        XCTAssertEqual(try MR.sortedLines(output), ["be\t2", "not\t1", "or\t1", "to\t2"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: lock.path))

        try TestSupport.requireRoot("leaves a lock file owned by another user")
        try Data("1".utf8).write(to: lock)
        try runProgram(["chown", "65534:65534", lock.path])
        let refused = try MR.run(["wordcount", input.path, "--output", output.path])
        XCTAssertEqual(refused.status, 73, refused.stderr)
        XCTAssertTrue(refused.stderr.contains("'\(lock.path)': it belongs to user 65534"), refused.stderr)
        XCTAssertEqual(try Data(contentsOf: lock), Data("1".utf8), "another user's lock file is left as it is")
    }

    /// SIGKILL of mr while the compiler runs: the compiler and every process it started die with
    /// it (before the library is written), and the next run removes the build folder left behind.
    func testKillingMrWhileItCompilesAJobStopsTheCompiler() throws {
        let cache = directory.appendingPathComponent("cache")
        let input = directory.appendingPathComponent("in.txt")
        try Data("to be or not to be\n".utf8).write(to: input)
        let arguments = ["wordcount", input.path, "--output", directory.appendingPathComponent("out").path]
        let environment = ["MR_CACHE_DIR": cache.path]
        let mr = try MR.start(arguments, environment: environment, stderrFile: directory.appendingPathComponent("log"))
        var compiler: [Int32] = []
        waitUntil("the Swift compiler runs") {
            compiler = descendants(of: mr.processIdentifier)
            return compiler.contains { (try? String(contentsOfFile: "/proc/\($0)/comm", encoding: .utf8))?.hasPrefix("swift-frontend") == true }
        }
        kill(mr.processIdentifier, SIGKILL)
        mr.waitUntilExit()
        waitUntil("every process the compile started has ended") { !compiler.contains(where: isRunning) }
        let jobs = cache.appendingPathComponent("jobs")
        let left = try FileManager.default.contentsOfDirectory(atPath: jobs.path)
        XCTAssertEqual(left.count, 1, "\(left)")
        let built = try FileManager.default.contentsOfDirectory(atPath: jobs.appendingPathComponent(left[0]).path)
        XCTAssertFalse(built.contains("libjob.so"), "the compiler ran on after mr was killed: \(built)")

        try MR.succeed(arguments, environment: environment)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: jobs.path).filter { $0.hasPrefix(".") }, [],
                       "the abandoned build folder is removed")
    }
}
