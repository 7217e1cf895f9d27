// swift-tools-version:6.1
import PackageDescription

let settings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    // A request crosses several of these modules (front end, HTTP, application, runtime); release builds
    // let the optimizer inline and specialize across them as it did when they were one module.
    .unsafeFlags(["-cross-module-optimization"], .when(configuration: .release)),
]

/// The model runtime and its reference tests are compiled optimized in debug builds too: they are numeric
/// loops (model parsing, tree walks, SHAP) that run about ten times slower unoptimized, which made them most
/// of `swift test`'s time; the tests then check the code as it ships.
let optimized = settings + [.unsafeFlags(["-O"], .when(configuration: .debug))]

let package = Package(
    name: "sibyl",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "sibyl", targets: ["sibyl"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/vapor/sql-kit", from: "3.36.0"),
        .package(url: "https://github.com/vapor/sqlite-kit", from: "4.5.2"),
        .package(url: "https://github.com/vapor/postgres-kit", from: "2.17.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
    ],
    targets: [
        .target(name: "SibylCore", swiftSettings: settings),
        .target(name: "CSibylKernels"),
        .target(
            name: "SibylRuntime", dependencies: ["SibylCore", "CSibylKernels", .product(name: "SwiftProtobuf", package: "swift-protobuf")],
            swiftSettings: optimized),
        // The readers of untrusted request bytes that need no HTTP framework (multipart, v2 tensors, Prediction
        // One's body), so that they build and are fuzzed without the server.
        .target(name: "SibylWire", dependencies: ["SibylCore", "SibylRuntime"], swiftSettings: settings),
        .target(
            name: "SibylStore",
            dependencies: [
                "SibylCore",
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "SQLiteKit", package: "sqlite-kit"),
                .product(name: "PostgresKit", package: "postgres-kit"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: settings
        ),
        .target(
            name: "SibylContainers",
            dependencies: [
                "SibylCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: settings
        ),
        // The application: every operation and its rules, who may do it, the routing table, the usage counts
        // and the change feed; no HTTP framework (HummingbirdBcrypt is only bcrypt).
        .target(
            name: "SibylApp",
            dependencies: [
                "SibylCore", "SibylRuntime", "SibylStore", "SibylContainers", "SibylWire",
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: settings
        ),
        // What every HTTP front end shares: the request contexts and identity middleware, errors as answers,
        // the JSON body reader, client addresses.
        .target(
            name: "SibylHTTP",
            dependencies: [
                "SibylApp", "SibylCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: settings
        ),
        // The web console: server-rendered pages over SibylApp's operations.
        // The front ends, each turning HTTP into calls of SibylApp: the data plane (native, v2 and Prediction
        // One's call), the management API, the deployment API compatible with the vendor's and its proxy,
        // and Prediction One's developer API.
        .target(
            name: "SibylDataPlane",
            dependencies: [
                "SibylApp", "SibylCore", "SibylHTTP", "SibylRuntime", "SibylWire",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: settings
        ),
        .target(
            name: "SibylManagementAPI",
            dependencies: ["SibylApp", "SibylCore", "SibylHTTP", "SibylWire", .product(name: "Hummingbird", package: "hummingbird")],
            swiftSettings: settings
        ),
        .target(
            name: "SibylDeploymentAPI",
            dependencies: [
                "SibylApp", "SibylContainers", "SibylCore", "SibylHTTP",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: settings
        ),
        .target(
            name: "SibylDeveloperAPI",
            dependencies: ["SibylApp", "SibylCore", "SibylHTTP", .product(name: "Hummingbird", package: "hummingbird")],
            swiftSettings: settings
        ),
        // openapi.yaml, compiled in, served as /openapi.json.
        .target(name: "SibylContract", dependencies: ["SibylCore", .product(name: "Yams", package: "Yams")], swiftSettings: settings),
        .target(
            name: "SibylConsole",
            dependencies: [
                "SibylApp", "SibylContainers", "SibylCore", "SibylHTTP", "SibylRuntime", "SibylWire",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: settings
        ),
        .target(
            name: "SibylServer",
            dependencies: [
                "SibylApp", "SibylConsole", "SibylContainers", "SibylContract", "SibylCore", "SibylDataPlane", "SibylDeploymentAPI",
                "SibylDeveloperAPI", "SibylHTTP", "SibylManagementAPI", "SibylRuntime", "SibylStore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: settings
        ),
        .executableTarget(
            name: "sibyl",
            dependencies: [
                "SibylApp", "SibylServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: settings
        ),
        .executableTarget(
            name: "RuntimeBenchmark", dependencies: ["SibylCore", "SibylRuntime"], path: "Benchmarks/RuntimeBenchmark",
            swiftSettings: settings),
        .executableTarget(
            name: "ModelMemory", dependencies: ["SibylCore", "SibylRuntime"], path: "Benchmarks/ModelMemory",
            swiftSettings: settings),
        // The fuzz targets' bodies (Fuzz/): an ordinary library, so that `swift test` runs each over its seeds and
        // past crashes; libFuzzer's driver below runs them for real.
        .target(
            name: "SibylFuzzTargets", dependencies: ["SibylCore", "SibylRuntime", "SibylWire"], path: "Fuzz/SibylFuzzTargets",
            swiftSettings: settings),
        .testTarget(name: "SibylCoreTests", dependencies: ["SibylCore"], swiftSettings: settings),
        .testTarget(name: "SibylWireTests", dependencies: ["SibylCore", "SibylRuntime", "SibylWire"], swiftSettings: settings),
        .testTarget(name: "SibylFuzzTests", dependencies: ["SibylCore", "SibylRuntime", "SibylFuzzTargets"], swiftSettings: settings),
        .testTarget(
            name: "SibylRuntimeTests", dependencies: ["SibylRuntime", .product(name: "SwiftProtobuf", package: "swift-protobuf")],
            swiftSettings: optimized),
        // Test databases: a temporary SQLite file, or a fresh database on the PostgreSQL server that
        // SIBYL_TEST_POSTGRES names.
        .target(
            name: "SibylTestDatabases",
            dependencies: [
                "SibylCore", "SibylStore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/SibylTestDatabases", swiftSettings: settings),
        .testTarget(
            name: "SibylStoreTests",
            dependencies: ["SibylStore", "SibylTestDatabases", .product(name: "SQLKit", package: "sql-kit")], swiftSettings: settings),
        .testTarget(
            name: "SibylContainersTests",
            dependencies: [
                "SibylContainers",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: settings
        ),
        .testTarget(
            name: "SibylServerTests",
            dependencies: [
                "SibylApp", "SibylConsole", "SibylCore", "SibylDataPlane", "SibylHTTP", "SibylRuntime", "SibylServer", "SibylContainers",
                "SibylTestDatabases", "SibylWire",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: settings
        ),
    ]
)

// libFuzzer's driver (scripts/fuzz.sh): it calls into libFuzzer, which only `-sanitize=fuzzer` links in, so it
// is part of the package only when SIBYL_FUZZ=1.
if Context.environment["SIBYL_FUZZ"] == "1" {
    package.products.append(.executable(name: "sibyl-fuzz", targets: ["SibylFuzz"]))
    package.targets.append(
        .executableTarget(name: "SibylFuzz", dependencies: ["SibylFuzzTargets"], path: "Fuzz/SibylFuzz", swiftSettings: settings))
}
