// Every message, enum and method of the served .proto files, read once from the descriptors
// embedded in the binary (the same bytes server reflection serves). The transcoder walks
// these tables, so a message added to proto/ later (and embedded by gen-descriptors.sh) is
// covered with no code here.
public import Messages
import ProtoWire

public struct SchemaField: Sendable {
    public let name: String
    public let jsonName: String
    public let number: Int
    public let type: FieldType
    public let repeated: Bool
    /// Message or enum type, fully qualified, no leading dot.
    public let typeName: String?
    /// A real (non-synthetic) oneof member, or a proto3 `optional`: has presence.
    public let hasPresence: Bool
    /// The oneof it belongs to (a proto3 `optional` is a oneof of one).
    public var oneofIndex: Int? = nil
    /// Map fields: the entry message's key and value fields.
    public var mapEntry: MapEntry? = nil
}

/// A map field's entry: its key and value fields (a class: a struct cannot hold itself).
public final class MapEntry: Sendable {
    public let key: SchemaField
    public let value: SchemaField
    init(key: SchemaField, value: SchemaField) {
        self.key = key
        self.value = value
    }
}

public struct SchemaMessageType: Sendable {
    public let name: String
    public let fields: [SchemaField]
    public let byNumber: [Int: Int]
    /// By proto name and by JSON name.
    public let byName: [String: Int]
    public let isMapEntry: Bool

    public func field(named key: String) -> SchemaField? { byName[key].map { fields[$0] } }
    public func field(number: Int) -> SchemaField? { byNumber[number].map { fields[$0] } }
}

public struct SchemaEnumType: Sendable {
    public let name: String
    public let values: [(name: String, number: Int32)]

    public func name(of number: Int32) -> String? { values.first { $0.number == number }?.name }
    public func number(of name: String) -> Int32? { values.first { $0.name == name }?.number }
}

public struct SchemaMethod: Sendable {
    public let service: String
    public let name: String
    public let input: String
    public let output: String
    public let clientStreaming: Bool
    public let serverStreaming: Bool
}

public struct ProtoSchema: Sendable {
    public private(set) var messages: [String: SchemaMessageType] = [:]
    public private(set) var enums: [String: SchemaEnumType] = [:]
    /// Keyed by "package.Service/Method".
    public private(set) var methods: [String: SchemaMethod] = [:]

    public static let shared = ProtoSchema(files: EmbeddedDescriptors.files)

    init(files: [EmbeddedFileDescriptor]) {
        var pending: [(String, GoogleProtobuf.DescriptorProto)] = []
        for file in files {
            guard let proto = try? GoogleProtobuf.FileDescriptorProto(serializedBytes: file.serializedBytes) else { continue }
            let prefix = proto.package.map { $0.isEmpty ? "" : $0 + "." } ?? ""
            for message in proto.messageType { collect(message, prefix: prefix, into: &pending) }
            for e in proto.enumType { addEnum(e, prefix: prefix) }
            for service in proto.service {
                let serviceName = prefix + (service.name ?? "")
                for m in service.method {
                    let method = SchemaMethod(service: serviceName, name: m.name ?? "",
                                              input: Self.strip(m.inputType), output: Self.strip(m.outputType),
                                              clientStreaming: m.clientStreaming ?? false,
                                              serverStreaming: m.serverStreaming ?? false)
                    methods[serviceName + "/" + method.name] = method
                }
            }
        }
        // Map entries are known once every message is: resolve them on a second pass.
        let entries = Set(pending.filter { $0.1.options?.mapEntry == true }.map(\.0))
        for (name, message) in pending { addMessage(name, message, mapEntries: entries) }
        for (name, message) in messages {
            var fields = message.fields
            for i in fields.indices {
                guard let typeName = fields[i].typeName, entries.contains(typeName), let entry = messages[typeName],
                      let key = entry.field(number: 1), let value = entry.field(number: 2) else { continue }
                fields[i].mapEntry = MapEntry(key: key, value: value)
            }
            messages[name] = SchemaMessageType(name: name, fields: fields, byNumber: message.byNumber,
                                               byName: message.byName, isMapEntry: message.isMapEntry)
        }
    }

    private static func strip(_ typeName: String?) -> String {
        guard let t = typeName else { return "" }
        return t.hasPrefix(".") ? String(t.dropFirst()) : t
    }

    private mutating func collect(_ message: GoogleProtobuf.DescriptorProto, prefix: String,
                                  into pending: inout [(String, GoogleProtobuf.DescriptorProto)]) {
        let name = prefix + (message.name ?? "")
        pending.append((name, message))
        for nested in message.nestedType { collect(nested, prefix: name + ".", into: &pending) }
        for e in message.enumType { addEnum(e, prefix: name + ".") }
    }

    private mutating func addEnum(_ e: GoogleProtobuf.EnumDescriptorProto, prefix: String) {
        let name = prefix + (e.name ?? "")
        enums[name] = SchemaEnumType(name: name, values: e.value.map { ($0.name ?? "", $0.number ?? 0) })
    }

    private mutating func addMessage(_ name: String, _ message: GoogleProtobuf.DescriptorProto, mapEntries: Set<String>) {
        var fields: [SchemaField] = []
        var byNumber: [Int: Int] = [:]
        var byName: [String: Int] = [:]
        for f in message.field {
            let fieldName = f.name ?? ""
            let field = SchemaField(
                name: fieldName, jsonName: f.jsonName ?? Self.lowerCamel(fieldName), number: Int(f.number ?? 0),
                type: FieldType(rawValue: f.type?.rawValue ?? 9) ?? .string, repeated: f.label?.rawValue == 3,
                typeName: f.typeName.map { Self.strip($0) }, hasPresence: f.oneofIndex != nil || f.proto3Optional == true,
                oneofIndex: f.oneofIndex.map(Int.init), mapEntry: nil)
            byNumber[field.number] = fields.count
            byName[field.name] = fields.count
            byName[field.jsonName] = fields.count
            fields.append(field)
        }
        messages[name] = SchemaMessageType(name: name, fields: fields, byNumber: byNumber, byName: byName,
                                           isMapEntry: mapEntries.contains(name))
    }

    /// protoc's json_name rule: drop underscores, capitalize the letter after each.
    public static func lowerCamel(_ name: String) -> String {
        var out = ""
        var upper = false
        for c in name {
            if c == "_" { upper = true; continue }
            out.append(upper ? Character(c.uppercased()) : c)
            upper = false
        }
        return out
    }
}
