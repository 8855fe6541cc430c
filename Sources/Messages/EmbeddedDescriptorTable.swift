import ProtoWire

/// The descriptors of every .proto file Spindle serves, embedded at build time by
/// scripts/proto/gen-descriptors.sh (see Generated/EmbeddedDescriptors.swift), for the
/// reflection service.
public struct EmbeddedFileDescriptor: Sendable, Equatable {
    /// The path protoc knows the file by, e.g. "grpc/health/v1/health.proto".
    public let name: String
    public let package: String
    /// Files this one imports, by name.
    public let dependencies: [String]
    /// Fully qualified names (no leading dot) of what the file defines; nested messages and
    /// enums included.
    public let services: [String]
    public let messages: [String]
    public let enums: [String]
    /// The serialized FileDescriptorProto, base64.
    public let base64: String

    public init(name: String, package: String, dependencies: [String], services: [String], messages: [String],
                enums: [String], base64: String) {
        self.name = name
        self.package = package
        self.dependencies = dependencies
        self.services = services
        self.messages = messages
        self.enums = enums
        self.base64 = base64
    }

    /// The serialized FileDescriptorProto, as protoc wrote it.
    public var serializedBytes: [UInt8] { Base64.decode(base64) ?? [] }

    /// Whether this file defines `symbol`: a service, method ("pkg.Service.Method"), message or enum.
    public func defines(_ symbol: String) -> Bool {
        if services.contains(symbol) || messages.contains(symbol) || enums.contains(symbol) { return true }
        guard let dot = symbol.lastIndex(of: ".") else { return false }
        return services.contains(String(symbol[..<dot]))
    }
}

public enum EmbeddedDescriptors {
    /// The file named `name`, if embedded.
    public static func file(named name: String) -> EmbeddedFileDescriptor? {
        files.first { $0.name == name }
    }

    /// The file defining `symbol` (fully qualified, no leading dot).
    public static func file(containingSymbol symbol: String) -> EmbeddedFileDescriptor? {
        files.first { $0.defines(symbol) }
    }

    /// `file` and everything it imports, transitively, dependencies first (what reflection
    /// clients expect in a FileDescriptorResponse).
    public static func fileWithDependencies(_ file: EmbeddedFileDescriptor) -> [EmbeddedFileDescriptor] {
        var seen: Set<String> = []
        var ordered: [EmbeddedFileDescriptor] = []
        func visit(_ f: EmbeddedFileDescriptor) {
            guard seen.insert(f.name).inserted else { return }
            for dep in f.dependencies { if let d = self.file(named: dep) { visit(d) } }
            ordered.append(f)
        }
        visit(file)
        return ordered
    }

    /// Every service defined by an embedded file.
    public static var serviceNames: [String] { files.flatMap(\.services) }
}
