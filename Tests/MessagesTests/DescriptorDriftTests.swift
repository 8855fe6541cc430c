import Foundation
import Messages
import ProtoWire
import Testing

/// Schema drift: every message, field, oneof and enum value that protoc sees in proto/ must
/// have an exact counterpart in the Swift field tables, and vice versa.
struct DescriptorDriftTests {
    typealias FDP = GoogleProtobuf.FileDescriptorProto
    typealias DP = GoogleProtobuf.DescriptorProto

    static func descriptorSet() throws -> GoogleProtobuf.FileDescriptorSet {
        try GoogleProtobuf.FileDescriptorSet(serializedBytes: Repo.goldenBytes("descriptors.pb"))
    }

    /// descriptor.proto is implemented as a subset: only the Swift → proto direction is checked.
    static let subsetFiles: Set<String> = ["google/protobuf/descriptor.proto"]

    /// Swift tables use grpc.reflection.v1 names for both reflection packages.
    static func canonicalTypeName(_ name: String?) -> String? {
        name?.replacingOccurrences(of: ".grpc.reflection.v1alpha.", with: ".grpc.reflection.v1.")
    }

    static let swiftMessages: [String: any SchemaMessage.Type] = {
        var table: [String: any SchemaMessage.Type] = [:]
        for t in MessageRegistry.all { for n in [t.protoName] + t.aliasNames { table[n] = t } }
        return table
    }()

    static let swiftEnums: [String: any SchemaEnum.Type] = {
        var table: [String: any SchemaEnum.Type] = [:]
        for t in MessageRegistry.enums { for n in [t.protoName] + t.aliasNames { table[n] = t } }
        return table
    }()

    /// Every message (by full name, no leading dot) in the set, with its file.
    static func allMessages(_ set: GoogleProtobuf.FileDescriptorSet) -> [(file: String, name: String, message: DP)] {
        var out: [(String, String, DP)] = []
        func walk(_ m: DP, _ scope: String, _ file: String) {
            let full = scope + (m.name ?? "")
            out.append((file, full, m))
            for n in m.nestedType { walk(n, full + ".", file) }
        }
        for f in set.file {
            for m in f.messageType { walk(m, (f.package ?? "") + ".", f.name ?? "") }
        }
        return out
    }

    @Test func everyProtoMessageMatchesItsSwiftFieldTable() throws {
        let set = try Self.descriptorSet()
        let messages = Self.allMessages(set)
        let byName = Dictionary(messages.map { ($0.name, $0.message) }, uniquingKeysWith: { a, _ in a })
        var checked = 0
        for (file, name, message) in messages where message.options?.mapEntry != true {
            let subset = Self.subsetFiles.contains(file)
            guard let swift = Self.swiftMessages[name] else {
                if !subset { Issue.record("\(file): message \(name) has no Swift type in MessageRegistry") }
                continue
            }
            checked += 1
            compare(name, message, swift.fields, subset: subset, entries: byName)
        }
        #expect(checked >= MessageRegistry.all.count, "some registry types were never matched")
    }

    func compare(_ name: String, _ message: DP, _ table: [FieldInfo], subset: Bool, entries: [String: DP]) {
        for field in message.field {
            let number = Int(field.number ?? 0)
            guard let swift = table.first(where: { $0.number == number }) else {
                if !subset { Issue.record("\(name).\(field.name ?? "?") (\(number)) missing from the Swift field table") }
                continue
            }
            let label = "\(name).\(field.name ?? "?")"
            #expect(swift.name == field.name, "\(label): Swift name \(swift.name)")
            #expect(swift.type.rawValue == field.type?.rawValue, "\(label): type \(swift.type) vs \(String(describing: field.type))")
            #expect(swift.label.rawValue == field.label?.rawValue, "\(label): label \(swift.label)")
            if field.type?.rawValue == FieldType.message.rawValue || field.type?.rawValue == FieldType.enumeration.rawValue {
                #expect(swift.typeName == Self.canonicalTypeName(field.typeName), "\(label): type_name \(swift.typeName ?? "nil")")
            }
            let oneof = field.oneofIndex.map { message.oneofDecl[Int($0)].name ?? "" }
            #expect(swift.oneof == oneof, "\(label): oneof \(swift.oneof ?? "nil") vs \(oneof ?? "nil")")
            #expect(swift.proto3Optional == (field.proto3Optional ?? false), "\(label): proto3_optional")
            let entry = field.typeName.flatMap { entries[String($0.dropFirst())] }
            if let entry, entry.options?.mapEntry == true {
                let key = entry.field.first { $0.number == 1 }
                let value = entry.field.first { $0.number == 2 }
                #expect(swift.mapKey?.rawValue == key?.type?.rawValue, "\(label): map key type")
                #expect(swift.mapValue?.rawValue == value?.type?.rawValue, "\(label): map value type")
                #expect(swift.mapValueTypeName == Self.canonicalTypeName(value?.typeName), "\(label): map value type_name")
            } else {
                #expect(swift.mapKey == nil && swift.mapValue == nil, "\(label): Swift says map, proto does not")
            }
        }
        for swift in table where !message.field.contains(where: { Int($0.number ?? 0) == swift.number }) {
            Issue.record("\(name).\(swift.name) (\(swift.number)) is in the Swift field table but not in the proto")
        }
    }

    @Test func everySwiftTypeExistsInTheProtos() throws {
        let names = Set(Self.allMessages(try Self.descriptorSet()).map(\.name))
        for t in MessageRegistry.all {
            for n in [t.protoName] + t.aliasNames {
                #expect(names.contains(n), "Swift type \(t) claims \(n), which no .proto defines")
            }
        }
    }

    @Test func reflectionV1AndV1alphaAreBothCovered() throws {
        let names = Set(Self.allMessages(try Self.descriptorSet()).map(\.name))
        let v1 = names.filter { $0.hasPrefix("grpc.reflection.v1.") }
        let v1alpha = names.filter { $0.hasPrefix("grpc.reflection.v1alpha.") }
        #expect(v1.count == 8 && v1alpha.count == 8)
        for n in v1.union(v1alpha) { #expect(Self.swiftMessages[n] != nil, "\(n) has no Swift type") }
    }

    @Test func everyEnumAndValueMatches() throws {
        let set = try Self.descriptorSet()
        var enums: [(String, GoogleProtobuf.EnumDescriptorProto)] = []
        for f in set.file where !Self.subsetFiles.contains(f.name ?? "") {
            let scope = (f.package ?? "") + "."
            enums += f.enumType.map { (scope + ($0.name ?? ""), $0) }
        }
        for (file, name, m) in Self.allMessages(set) where !Self.subsetFiles.contains(file) {
            enums += m.enumType.map { (name + "." + ($0.name ?? ""), $0) }
        }
        for (name, e) in enums {
            guard let swift = Self.swiftEnums[name] else {
                Issue.record("enum \(name) has no Swift type in MessageRegistry.enums")
                continue
            }
            let proto = e.value.map { "\($0.name ?? "")=\($0.number ?? 0)" }.sorted()
            let mine = swift.values.map { "\($0.name)=\($0.number)" }.sorted()
            #expect(proto == mine, "enum \(name) values differ")
        }
        #expect(enums.count >= 6)
    }
}

/// Staleness: descriptors.pb and the embedded table must be what protoc makes of proto/ now.
struct DescriptorStalenessTests {
    static func run(_ executable: String, _ args: [String]) throws -> (status: Int32, output: [UInt8]) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [executable] + args
        p.currentDirectoryURL = Repo.root
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, [UInt8](data))
    }

    @Test func checkedInDescriptorsMatchProtoc() throws {
        let which = try Self.run("sh", ["-c", "command -v protoc"])
        guard which.status == 0 else {
            Issue.record("protoc not found on PATH: install protobuf-compiler (apt-get install protobuf-compiler)")
            return
        }
        let inputs = try Self.run("scripts/proto/descriptor-inputs.sh", [])
        let files = String(decoding: inputs.output, as: UTF8.self).split(separator: "\n").map(String.init)
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("spindle-descriptors-\(getpid()).pb")
        defer { try? FileManager.default.removeItem(at: out) }
        let protoc = try Self.run("protoc", ["--include_imports", "--descriptor_set_out=" + out.path,
                                             "-I", "proto", "-I", "/usr/include"] + files)
        try #require(protoc.status == 0, "protoc failed")
        let fresh = [UInt8](try Data(contentsOf: out))
        #expect(fresh == (try Repo.goldenBytes("descriptors.pb")),
                "Golden/descriptors.pb is stale: run scripts/proto/gen-descriptors.sh")
        try checkEmbedded(against: fresh)
    }

    /// Each file entry of the set, as raw bytes, must be embedded verbatim with its symbols.
    func checkEmbedded(against set: [UInt8]) throws {
        var reader = ProtoReader(set[...])
        var count = 0
        while let tag = try reader.readTag() {
            guard tag.number == 1 else { try reader.skip(tag); continue }
            let raw = try reader.readLengthDelimited()
            let file = try GoogleProtobuf.FileDescriptorProto(serializedBytes: raw)
            count += 1
            guard let embedded = EmbeddedDescriptors.file(named: file.name ?? "") else {
                Issue.record("\(file.name ?? "?") not embedded: run scripts/proto/gen-descriptors.sh")
                continue
            }
            #expect(embedded.serializedBytes == Array(raw), "\(embedded.name): embedded bytes are stale")
            #expect(embedded.dependencies == file.dependency)
            let scope = file.package.map { $0 + "." } ?? ""
            #expect(embedded.services == file.service.map { scope + ($0.name ?? "") })
            #expect(Set(embedded.messages) == Set(DescriptorDriftTests.allMessages(.init(file: [file])).map(\.name)))
        }
        #expect(count == EmbeddedDescriptors.files.count, "embedded table has a different number of files")
    }
}

extension GoogleProtobuf.FileDescriptorSet {
    init(file: [GoogleProtobuf.FileDescriptorProto]) {
        self.init()
        self.file = file
    }
}

struct EmbeddedDescriptorsTests {
    @Test func lookupsBySymbolAndFile() throws {
        let health = try #require(EmbeddedDescriptors.file(containingSymbol: "grpc.health.v1.Health"))
        #expect(health.name == "grpc/health/v1/health.proto")
        #expect(EmbeddedDescriptors.file(containingSymbol: "grpc.health.v1.Health.Check")?.name == health.name)
        #expect(EmbeddedDescriptors.file(containingSymbol: "grpc.health.v1.HealthCheckResponse.ServingStatus") == health)
        #expect(EmbeddedDescriptors.file(containingSymbol: "no.such.Symbol") == nil)
        let test = try #require(EmbeddedDescriptors.file(named: "grpc/testing/test.proto"))
        let chain = EmbeddedDescriptors.fileWithDependencies(test).map(\.name)
        #expect(chain.last == "grpc/testing/test.proto")
        #expect(Set(chain) == ["grpc/testing/empty.proto", "grpc/testing/messages.proto", "grpc/testing/test.proto"])
        #expect(EmbeddedDescriptors.serviceNames.contains("grpc.reflection.v1alpha.ServerReflection"))
        let fdp = try GoogleProtobuf.FileDescriptorProto(serializedBytes: test.serializedBytes)
        #expect(fdp.service.map(\.name) == ["TestService", "UnimplementedService", "ReconnectService",
                                            "LoadBalancerStatsService", "XdsUpdateHealthService",
                                            "XdsUpdateClientConfigureService"])
    }
}
