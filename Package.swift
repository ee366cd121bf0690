// swift-tools-version: 6.0
import PackageDescription

// Release builds skip run-time exclusivity checks: they cost about 5 % of wordcount's instructions
// (the spill writer's and the merge's state). Debug builds, which run the tests, keep them.
let engineSettings: [SwiftSetting] = [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]

// Linux only: the engine uses renameat2, PR_SET_PDEATHSIG, pipe2, memfd_create and /proc (see README,
// "Requirements"); CLinuxShims stops a build elsewhere with that message.
let package = Package(
    name: "mr",
    products: [
        .executable(name: "mr", targets: ["mr"]),
        .library(name: "MapReduce", targets: ["MapReduce"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // zlib from the system (zlib1g-dev).
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", providers: [.apt(["zlib1g-dev"])]),
        // ISA-L's igzip from the system (libisal-dev): inflate 2-3x zlib's speed, CRC-32 with
        // carry-less multiplies.
        .systemLibrary(name: "CBzip2", path: "Sources/CBzip2", providers: [.apt(["libbz2-dev"])]),
        .systemLibrary(name: "CZstd", path: "Sources/CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        .systemLibrary(name: "CLzma", path: "Sources/CLzma", pkgConfig: "liblzma", providers: [.apt(["liblzma-dev"])]),
        .systemLibrary(name: "CIsal", path: "Sources/CIsal", pkgConfig: "libisal",
                       providers: [.apt(["libisal-dev"]), .yum(["isa-l-devel"]), .brew(["isa-l"])]),
        // OpenSSL's libcrypto from the system (libssl-dev), for SHA-256: reviewed code, with no
        // build cost (swift-crypto would build BoringSSL from source on every clean clone).
        .systemLibrary(name: "CCrypto", path: "Sources/CCrypto", pkgConfig: "libcrypto",
                       providers: [.apt(["libssl-dev"]), .yum(["openssl-devel"]), .brew(["openssl"])]),
        // Linux system calls Swift's Glibc module does not import.
        .target(name: "CLinuxShims"),
        // The public job API: what a job in jobs/ is written against.
        .target(name: "MapReduce"),
        // The engine, in layers whose arrows point down only (docs/architecture.md; the
        // Scripts/check-layers.py run by `make test` fails on any other):
        //   MREngine  >  MRWorkers MRReport MRStreaming  >  MRShuffle MROutput MRInput MRPlugins
        //   >  MRSystem  >  MRBase  >  MapReduce
        // The shared vocabulary: task ids, plans, reports, counters, errors, the wire encoding.
        .target(name: "MRBase", dependencies: ["MapReduce"], swiftSettings: engineSettings),
        // The POSIX, zlib and ISA-L edge: files, processes, signals, checksums, paths as bytes.
        .target(name: "MRSystem", dependencies: ["MRBase", "CIsal", "CLinuxShims", "CCrypto"], swiftSettings: engineSettings),
        // Input files, planning and splits, the gzip reader and index, the line reader.
        .target(name: "MRInput", dependencies: ["MRBase", "MRSystem", "MapReduce", "CZlib", "CIsal", "CBzip2", "CZstd", "CLzma", "CLinuxShims"], swiftSettings: engineSettings),
        // The data path between map and reduce: map output buffers, spills, the intermediate
        // file format, the streaming merge.
        .target(name: "MRShuffle", dependencies: ["MRBase", "MRSystem", "MapReduce", "CLinuxShims"], swiftSettings: engineSettings),
        // Part files, field escaping, the journal and the output folder's commit.
        .target(name: "MROutput", dependencies: ["MRBase", "MRSystem", "MapReduce", "CZlib", "CZstd", "CLinuxShims"], swiftSettings: engineSettings),
        // Job files: finding, compiling, checking and loading them; packages for clusters.
        .target(name: "MRPlugins", dependencies: ["MRBase", "MRSystem", "MapReduce"], swiftSettings: engineSettings),
        // `mr stream`: a job's steps as Hadoop Streaming executables.
        .target(name: "MRStreaming", dependencies: ["MRBase", "MRSystem", "MRInput", "MROutput", "MapReduce"], swiftSettings: engineSettings),
        // What a run tells its user: the progress line, the summary, the JSON report.
        .target(name: "MRReport", dependencies: ["MRBase", "MRSystem", "MRInput", "MapReduce"], swiftSettings: engineSettings),
        // Running tasks: the task runner, worker processes, threads, the messages between them.
        .target(name: "MRWorkers", dependencies: ["MRBase", "MRSystem", "MRInput", "MRShuffle", "MROutput", "MapReduce", "CLinuxShims"],
                swiftSettings: engineSettings),
        // The coordinator (plan, map phase, reduce phase, commit) over all of the above, which it
        // re-exports for the command line.
        .target(name: "MREngine",
                dependencies: ["MRBase", "MRSystem", "MRInput", "MRShuffle", "MROutput", "MRPlugins", "MRStreaming", "MRReport", "MRWorkers", "MapReduce"],
                swiftSettings: engineSettings),
        // The command line. Exports its symbols so that job libraries (jobs/*.swift, compiled at
        // run time without a copy of MapReduce) bind to the one copy inside mr.
        .executableTarget(
            name: "mr",
            dependencies: ["MREngine", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            linkerSettings: [.unsafeFlags(["-Xlinker", "--export-dynamic"])]
        ),
        // Seeded generator of English-like text for datasets/.
        .executableTarget(name: "datagen"),
        // What both test targets share: temporary folders, reference tools and data, processes.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "MREngineTests", dependencies: ["TestSupport", "MREngine", "MRBase", "MRSystem", "MRInput", "MRShuffle", "MROutput", "MRPlugins",
                                                          "MRStreaming", "MRReport", "MRWorkers", "MapReduce"]),
        .testTarget(name: "EndToEndTests", dependencies: ["mr", "TestSupport"]),
    ],
    swiftLanguageModes: [.v5]
)
