// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "mr",
    platforms: [.macOS(.v15)],
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
        // Linux system calls Swift's Glibc module does not import.
        .target(name: "CLinuxShims"),
        // The public job API: what a job in jobs/ is written against.
        .target(name: "MapReduce"),
        // The engine: inputs, tasks, intermediate files, workers, coordinator.
        .target(
            name: "MREngine",
            dependencies: ["MapReduce", "CZlib", "CLinuxShims"]
        ),
        // Jobs shipped with mr, compiled in until jobs are loaded as plugins.
        .target(name: "Jobs", dependencies: ["MapReduce"], path: "jobs"),
        .executableTarget(
            name: "mr",
            dependencies: ["MREngine", "Jobs", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        // Seeded generator of English-like text for datasets/.
        .executableTarget(name: "datagen"),
        .testTarget(name: "MREngineTests", dependencies: ["MREngine", "MapReduce", "Jobs"]),
        .testTarget(name: "EndToEndTests", dependencies: ["mr"]),
    ],
    swiftLanguageModes: [.v5]
)
