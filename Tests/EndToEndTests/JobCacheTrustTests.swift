import Foundation
import TestSupport
import XCTest

/// The job cache holds code mr loads into itself: nothing another user could have written, and
/// nothing changed since mr built it, is ever loaded; a failed or interrupted compile leaves
/// nothing behind.
final class JobCacheTrustTests: TemporaryDirectoryTestCase {
    private var cache: URL!
    private var input: URL!
    /// Written by the planted library's constructor if it is ever loaded.
    private var marker: URL!

    override func setUpWithError() throws {
        try super.setUpWithError()
        cache = directory.appendingPathComponent("cache")
        input = directory.appendingPathComponent("in.txt")
        marker = directory.appendingPathComponent("planted-code-ran")
        try Data("to be or not to be\n".utf8).write(to: input)
    }

    private func wordcount(_ environment: [String: String] = [:]) throws -> MR.Outcome {
        try MR.run(["wordcount", input.path, "--output", directory.appendingPathComponent("out").path],
                   environment: ["MR_CACHE_DIR": cache.path].merging(environment) { $1 })
    }

    /// The folder of the built wordcount library in `cache`.
    private func buildFolder() throws -> URL {
        let jobs = cache.appendingPathComponent("jobs")
        let name = try XCTUnwrap(try FileManager.default.contentsOfDirectory(atPath: jobs.path).first { $0.hasPrefix("wordcount-") })
        return jobs.appendingPathComponent(name)
    }

    /// A shared library whose constructor writes `marker`: what an attacker would plant.
    private func plantedLibrary() throws -> URL {
        let source = directory.appendingPathComponent("planted.c")
        try """
            #include <stdio.h>
            __attribute__((constructor)) static void planted(void) {
                FILE *f = fopen("\(marker.path)", "w");
                if (f) { fputs("ran\\n", f); fclose(f); }
            }
            """.write(to: source, atomically: true, encoding: .utf8)
        let library = directory.appendingPathComponent("planted.so")
        try runProgram(["clang", "-shared", "-fPIC", "-o", library.path, source.path])
        return library
    }

    private func replaceLibrary(in folder: URL, with planted: URL, recordingItsDigest: Bool) throws {
        let library = folder.appendingPathComponent("libjob.so")
        try FileManager.default.removeItem(at: library)
        try FileManager.default.copyItem(at: planted, to: library)
        if recordingItsDigest {
            let digest = String(decoding: try runProgram(["sha256sum", library.path]), as: UTF8.self).prefix(64)
            try (digest + "\n").write(to: folder.appendingPathComponent("libjob.so.sha256"), atomically: false, encoding: .utf8)
        }
    }

    private func assertRefused(_ outcome: MR.Outcome, naming path: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(outcome.status, 77, outcome.stderr, file: file, line: line)
        XCTAssertTrue(outcome.stderr.contains("'\(path)'"), "the message names \(path): \(outcome.stderr)", file: file, line: line)
        XCTAssertFalse(FileManager.default.fileExists(atPath: marker.path), "the planted library ran", file: file, line: line)
    }

    func testALibraryPlantedByAnotherUserIsNeverLoaded() throws {
        try requireRoot("gives the build folder to user nobody")
        XCTAssertEqual(try wordcount().status, 0)
        let folder = try buildFolder()
        let stat = try FileManager.default.attributesOfItem(atPath: folder.path)
        XCTAssertEqual((stat[.posixPermissions] as? NSNumber)?.intValue, 0o700, "build folders are private")
        // The user nobody replaces the library with its own, digest and all, and owns the folder.
        try replaceLibrary(in: folder, with: try plantedLibrary(), recordingItsDigest: true)
        try runProgram(["chown", "-R", "65534:65534", folder.path])
        assertRefused(try wordcount(), naming: folder.path)
    }

    /// A library changed or deleted since its build, in a cache only this user can write, is
    /// damage, not an attack: it is built again (and the changed one never loaded).
    func testALibraryChangedOrDeletedSinceItsBuildIsBuiltAgain() throws {
        XCTAssertEqual(try wordcount().status, 0)
        let folder = try buildFolder()
        try replaceLibrary(in: folder, with: try plantedLibrary(), recordingItsDigest: false)
        XCTAssertEqual(try wordcount().status, 0)
        XCTAssertFalse(FileManager.default.fileExists(atPath: marker.path), "the changed library was loaded")
        for damaged in ["libjob.so", "libjob.so.sha256"] {
            try FileManager.default.removeItem(at: folder.appendingPathComponent(damaged))
            let outcome = try wordcount()
            XCTAssertEqual(outcome.status, 0, outcome.stderr)
            XCTAssertTrue(FileManager.default.fileExists(atPath: folder.appendingPathComponent(damaged).path))
        }
    }

    /// A symbolic link above the cache (`~/.cache` leading elsewhere, say) is judged by where it
    /// leads: a safe folder is used; one others can write is refused, naming it.
    func testALinkAboveTheCacheIsJudgedByWhereItLeads() throws {
        let real = try directory.appendingPathComponent("real").creatingDirectory()
        let link = directory.appendingPathComponent("link")
        try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: real.path)
        let linkedCache = link.appendingPathComponent("cache")
        XCTAssertEqual(try wordcount(["MR_CACHE_DIR": linkedCache.path]).status, 0)
        try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: real.path)
        let outcome = try wordcount(["MR_CACHE_DIR": linkedCache.path])
        assertRefused(outcome, naming: real.path)
        XCTAssertTrue(outcome.stderr.contains("is writable by group or others"), outcome.stderr)
    }

    func testACacheOthersCanWriteIsRefused() throws {
        XCTAssertEqual(try wordcount().status, 0)
        try FileManager.default.setAttributes([.posixPermissions: 0o775], ofItemAtPath: cache.path)
        let outcome = try wordcount()
        assertRefused(outcome, naming: cache.path)
        XCTAssertTrue(outcome.stderr.contains("writable by group or others"), outcome.stderr)
    }

    /// Without HOME the cache is a per-user folder under TMPDIR, made 0700 and checked the same way.
    func testWithoutHomeTheCacheIsAPrivatePerUserFolder() throws {
        let temporary = try directory.appendingPathComponent("tmp").creatingDirectory()
        let withoutHome = ["-u", "HOME", "-u", "MR_CACHE_DIR", "-u", "XDG_CACHE_HOME", "TMPDIR=" + temporary.path, MR.executable.path]
        let output = directory.appendingPathComponent("out").path
        let outcome = try MR.run(["wordcount", input.path, "--output", output], program: "/usr/bin/env", prefix: withoutHome)
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        let userCache = temporary.appendingPathComponent("mr-cache-\(geteuid())")
        let attributes = try FileManager.default.attributesOfItem(atPath: userCache.path)
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o700)

        // The same folder made beforehand by another user is refused.
        try requireRoot("gives the cache folder to user nobody")
        try FileManager.default.removeItem(at: userCache)
        try FileManager.default.createDirectory(at: userCache, withIntermediateDirectories: false)
        try runProgram(["chown", "65534:65534", userCache.path])
        assertRefused(try MR.run(["wordcount", input.path, "--output", output], program: "/usr/bin/env", prefix: withoutHome),
                      naming: userCache.path)
    }

    func testAFailedCompileLeavesNothingInTheCache() throws {
        let jobs = try directory.appendingPathComponent("jobs").creatingDirectory()
        try "import MapReduce\npublic struct Broken: Job { syntax error }\n".write(to: jobs.appendingPathComponent("broken.swift"), atomically: true, encoding: .utf8)
        let outcome = try MR.run(["broken", input.path], environment: ["MR_CACHE_DIR": cache.path, "MR_JOBS_DIR": jobs.path])
        XCTAssertEqual(outcome.status, 78, outcome.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: cache.appendingPathComponent("jobs").path), [])
    }

    /// Ctrl-C while a job compiles stops the compiler and everything it started, and removes its
    /// build folder.
    func testInterruptDuringACompileStopsTheCompilerAndRemovesItsFiles() throws {
        let jobs = try directory.appendingPathComponent("jobs").creatingDirectory()
        // A long table makes the compile take seconds, so the interrupt lands inside it.
        let table = (0..<20_000).map { "\($0)" }.joined(separator: ", ")
        let shipped = try String(contentsOf: datasetsDirectory.deletingLastPathComponent().appendingPathComponent("jobs/wordcount.swift"), encoding: .utf8)
        try (shipped + "\nlet slowToCompile: [Int64] = [\(table)]\n").write(to: jobs.appendingPathComponent("slow.swift"), atomically: true, encoding: .utf8)
        let log = directory.appendingPathComponent("stderr")
        let process = try MR.start(["slow", input.path], environment: ["MR_CACHE_DIR": cache.path, "MR_JOBS_DIR": jobs.path], stderrFile: log)
        var compiler: Int32?
        waitUntil("the compiler runs") {
            compiler = childProcesses(of: process.processIdentifier).first
            return compiler != nil
        }
        let group = try XCTUnwrap(compiler)
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        let stderr = try String(contentsOf: log, encoding: .utf8)
        XCTAssertEqual(process.terminationStatus, 130, stderr)
        XCTAssertEqual(processes(inGroup: group), [], "compiler processes left running")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: cache.appendingPathComponent("jobs").path), [])
    }

    /// Live processes whose process group is `group`.
    private func processes(inGroup group: Int32) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap(Int32.init).filter { pid in
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return false }
            let fields = stat[stat.index(close, offsetBy: 2)...].split(separator: " ")
            return fields.count > 2 && fields[0] != "Z" && Int32(fields[2]) == group
        }
    }
}
