// swift-tools-version:6.0
// libFuzzer targets for Spindle's parsers and decoders: one executable per target, each
// built against the main package's modules. Build and run with scripts/fuzz.sh; this package
// is never part of the main `swift build` / `swift test`.
//
// Adding a target: put its main.swift in Targets/<name>/ (call `fuzz { bytes in ... }`), add
// <name> to `targets` below, and seeds in corpus/<name>/ (scripts/fuzz.sh picks up the rest).
import PackageDescription

let targets = [
    "protowire", "messages", "deframer", "jwt", "expression", "cron", "tz", "storage", "snapshot",
    "events", "workflow", "workflow-proto", "http-response", "http-request", "proto-json", "yaml",
]

// The main package's settings, so the targets are written to the same rules.
let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "SpindleFuzz",
    dependencies: [.package(name: "Spindle", path: "..")],
    targets: [
        // LLVMFuzzerRunDriver, from the libFuzzer that -sanitize=fuzzer links in.
        .systemLibrary(name: "CFuzzer"),
        .target(name: "FuzzSupport", dependencies: ["CFuzzer"], swiftSettings: strict),
        // Writes corpus/<target>/ seeds made by the code itself (segments, snapshots, events).
        .executableTarget(name: "fuzz-seeds", dependencies: [.product(name: "SpindleFuzzable", package: "Spindle")],
                          path: "Seeds", swiftSettings: strict),
    ] + targets.map { name in
        .executableTarget(name: "fuzz-\(name)",
                          dependencies: ["FuzzSupport", .product(name: "SpindleFuzzable", package: "Spindle")],
                          path: "Targets/\(name)", swiftSettings: strict)
    }
)
