// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "eagle",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "EagleEngine", targets: ["EagleEngine"]),
        .library(name: "EagleModels", targets: ["EagleModels"]),
        .library(name: "EagleLoading", targets: ["EagleLoading"]),
        .library(name: "EagleKernels", targets: ["EagleKernels"]),
        .library(name: "EagleTokenizer", targets: ["EagleTokenizer"]),
        .executable(name: "eagle", targets: ["eagle"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
    ],
    targets: [
        // The system OpenBLAS (Debian: libopenblas-dev), found through pkg-config.
        .systemLibrary(
            name: "COpenBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),
        // The CBLAS shim: every matmul of the engine goes through `eagle_linear`,
        // which dispatches to OpenBLAS or to the shim's own kernels.
        .target(name: "CBLASShim", dependencies: ["COpenBLAS"]),
        .target(name: "EagleKernels", dependencies: ["CBLASShim"]),
        .target(name: "EagleLoading", dependencies: ["EagleKernels"]),
        .target(name: "EagleModels", dependencies: ["EagleKernels", "EagleLoading"]),
        .target(name: "EagleTokenizer"),
        .target(name: "EagleEngine", dependencies: [
            "EagleModels", "EagleTokenizer", .product(name: "DequeModule", package: "swift-collections"),
        ]),
        .executableTarget(
            name: "eagle",
            dependencies: [
                "EagleEngine",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "EagleKernelsTests", dependencies: ["EagleKernels"]),
        .testTarget(name: "EagleLoadingTests", dependencies: ["EagleLoading", "EagleTestSupport"]),
        .testTarget(name: "EagleTokenizerTests", dependencies: ["EagleTokenizer", "EagleTestSupport"], resources: [.copy("Fixtures")]),
        .target(name: "EagleTestSupport", dependencies: ["EagleLoading", "EagleModels"], path: "Tests/EagleTestSupport"),
        .testTarget(name: "EagleModelsTests", dependencies: ["EagleModels", "EagleTestSupport"]),
        .testTarget(name: "EagleEngineTests", dependencies: ["EagleEngine", "EagleTestSupport"]),
        // Runs the built `eagle` binary; depends on it so that it is built first.
        .testTarget(name: "EagleCLITests", dependencies: ["eagle", "EagleModels", "EagleTestSupport"]),
    ]
)
