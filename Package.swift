// swift-tools-version: 6.0
import PackageDescription

// Linux only: the engine uses renameat2, PR_SET_PDEATHSIG, pipe2 and /proc (see README,
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
        .systemLibrary(name: "CIsal", path: "Sources/CIsal", pkgConfig: "libisal",
                       providers: [.apt(["libisal-dev"]), .yum(["isa-l-devel"]), .brew(["isa-l"])]),
        // Linux system calls Swift's Glibc module does not import.
        .target(name: "CLinuxShims"),
        // The public job API: what a job in jobs/ is written against.
        .target(name: "MapReduce"),
        // The engine: inputs, tasks, intermediate files, workers, coordinator.
        .target(
            name: "MREngine",
            dependencies: ["MapReduce", "CZlib", "CIsal", "CLinuxShims"],
            // Release builds skip run-time exclusivity checks: they cost about 5 % of wordcount's
            // instructions (the spill writer's and the merge's state). Debug builds, which run the
            // tests, keep them.
            swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]
        ),
        // The command line. Exports its symbols so that job libraries (jobs/*.swift, compiled at
        // run time without a copy of MapReduce) bind to the one copy inside mr.
        .executableTarget(
            name: "mr",
            dependencies: ["MREngine", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            linkerSettings: [.unsafeFlags(["-Xlinker", "--export-dynamic"])]
        ),
        // Seeded generator of English-like text for datasets/.
        .executableTarget(name: "datagen"),
        .testTarget(name: "MREngineTests", dependencies: ["MREngine", "MapReduce"]),
        .testTarget(name: "EndToEndTests", dependencies: ["mr"]),
    ],
    swiftLanguageModes: [.v5]
)
