// swift-tools-version:6.0
// Spindle: a workflow orchestration server speaking gRPC over HTTP/2.
// No Swift package dependencies: the toolchain plus nghttp2, OpenSSL and zlib from Debian.
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "Spindle",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "spindle", targets: ["spindle"]),
        // For the fuzz package in fuzz/ (its own Package.swift, built with -sanitize=fuzzer).
        .library(name: "SpindleFuzzable", targets: ["ProtoWire", "Messages", "Gzip", "RPC", "Storage", "Engine",
                                                    "Effects", "Services", "Crypto", "HTTP1",
                                                    "ProtoJSON", "SpindleCLI"]),
    ],
    targets: [
        // C libraries (Debian: libnghttp2-dev, libssl-dev, zlib1g-dev), with tiny shims for macros.
        .systemLibrary(name: "CNghttp2", pkgConfig: "libnghttp2", providers: [.apt(["libnghttp2-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // Linux calls Swift's Glibc module does not export (eventfd, pidfd, pipe2, ...).
        .systemLibrary(name: "CLinux"),

        // Layers, bottom up. Each imports only layers below it.
        .target(name: "ProtoWire", swiftSettings: strict),
        // Day numbers <-> Gregorian dates, for the scheduler and the JSON Timestamp form. No deps.
        .target(name: "CivilDate", swiftSettings: strict),
        .target(name: "Messages", dependencies: ["ProtoWire"], swiftSettings: strict),
        // The JSON tree (parser, printer) and proto3 JSON <-> protobuf, for the HTTP face and the CLI.
        .target(name: "ProtoJSON", dependencies: ["Messages", "ProtoWire", "CivilDate"], swiftSettings: strict),
        .target(name: "Gzip", dependencies: ["CZlib"], swiftSettings: strict),
        .target(name: "Crypto", dependencies: ["COpenSSL"], swiftSettings: strict),
        // Counters, gauges, histograms; Prometheus text. No deps, so every layer can record.
        .target(name: "Metrics", swiftSettings: strict),
        .target(name: "RPC", dependencies: ["ProtoWire", "Gzip", "Metrics"], swiftSettings: strict),
        .target(name: "HTTP2", dependencies: ["CNghttp2", "COpenSSL", "RPC", "HTTP1"], swiftSettings: strict),
        // HTTP/1.1 request parsing as a pure state machine (no deps: fuzzable over bytes).
        .target(name: "HTTP1", swiftSettings: strict),
        .target(name: "Storage", dependencies: ["Crypto", "Metrics"], swiftSettings: strict),
        .target(name: "Engine", dependencies: ["Storage", "Crypto", "Metrics", "CivilDate"], swiftSettings: strict),
        // Step runners with side effects (HTTP, subprocesses, LLM calls) on dedicated threads.
        .target(name: "Effects", dependencies: ["Engine", "COpenSSL", "CLinux"], swiftSettings: strict),
        .target(name: "Services", dependencies: ["RPC", "Messages", "ProtoWire", "Crypto", "Engine"], swiftSettings: strict),
        // The HTTP/1.1 face: JSON routes, SSE, gRPC-Web, /metrics, the dashboard's files; calls the RPC runtime.
        .target(name: "Gateway", dependencies: ["RPC", "Messages", "ProtoWire", "ProtoJSON"], swiftSettings: strict),
        // The client commands (spindle workflow/run/approvals/schedule ...): gRPC over HTTP2's client.
        .target(name: "SpindleCLI", dependencies: ["HTTP2", "RPC", "Messages", "ProtoWire", "ProtoJSON", "CLinux"], swiftSettings: strict),
        .executableTarget(name: "spindle", dependencies: ["HTTP2", "RPC", "Services", "Messages", "Engine", "Effects", "SpindleCLI",
                                                          "Gateway", "Metrics"],
                          swiftSettings: strict),

        .testTarget(name: "ProtoWireTests", dependencies: ["ProtoWire"], swiftSettings: strict),
        .testTarget(name: "MessagesTests", dependencies: ["Messages", "ProtoWire"],
                    resources: [.copy("Golden")], swiftSettings: strict),
        .testTarget(name: "RPCTests", dependencies: ["RPC", "Gzip", "ProtoWire"], swiftSettings: strict),
        .testTarget(name: "HTTP2Tests", dependencies: ["HTTP2", "RPC"], swiftSettings: strict),
        .testTarget(name: "StorageTests", dependencies: ["Storage", "Crypto"], swiftSettings: strict),
        .testTarget(name: "EngineTests", dependencies: ["Engine", "Crypto", "CivilDate"], swiftSettings: strict),
        .testTarget(name: "EffectsTests", dependencies: ["Effects", "Engine"], swiftSettings: strict),
        .testTarget(name: "HTTP1Tests", dependencies: ["HTTP1"], swiftSettings: strict),
        .testTarget(name: "GatewayTests", dependencies: ["Gateway", "ProtoJSON"], swiftSettings: strict),
        .testTarget(name: "ProtoJSONTests", dependencies: ["ProtoJSON", "Messages"], exclude: ["Golden"], swiftSettings: strict),
        .testTarget(name: "SpindleCLITests", dependencies: ["SpindleCLI", "Messages", "ProtoJSON", "RPC"], swiftSettings: strict),
        .testTarget(name: "ServicesTests", dependencies: ["Services", "RPC", "Crypto", "Engine", "Messages"], swiftSettings: strict),
        // Writes to a store until killed: the storage crash tests SIGKILL it at random moments.
        .executableTarget(name: "spindle-storage-torture", dependencies: ["Storage"], swiftSettings: strict),
    ]
)
