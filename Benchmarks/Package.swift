// swift-tools-version: 6.1
// Benchmarks live in their own package so that package-benchmark stays out of the engine's
// dependency graph. Run: `cd Benchmarks && swift package benchmark`.
import Foundation
import PackageDescription

/// SwiftPM names a path dependency after its directory, so use the checkout's folder name.
let engine = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent

let package = Package(
    name: "eagle-benchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "KernelBenchmarks",
            dependencies: [
                .product(name: "EagleKernels", package: engine),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/KernelBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "ForwardBenchmarks",
            dependencies: [
                .product(name: "EagleModels", package: engine),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/ForwardBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "DecodeBenchmarks",
            dependencies: [
                .product(name: "EagleEngine", package: engine),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/DecodeBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "TokenizerBenchmarks",
            dependencies: [
                .product(name: "EagleTokenizer", package: engine),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/TokenizerBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
