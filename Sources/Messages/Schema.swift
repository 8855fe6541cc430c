public import ProtoWire

/// Field types, numbered as in google/protobuf/descriptor.proto (FieldDescriptorProto.Type),
/// so the drift test compares them to protoc's output directly.
public enum FieldType: Int32, Sendable {
    case double = 1, float, int64, uint64, int32, fixed64, fixed32, bool, string, group, message, bytes
    case uint32, enumeration, sfixed32, sfixed64, sint32, sint64
}

/// Field labels, numbered as in FieldDescriptorProto.Label.
public enum FieldLabel: Int32, Sendable {
    case optional = 1, required, repeated
}

/// One row of a message's field table: what the .proto file declares for the field.
public struct FieldInfo: Sendable, Equatable {
    public var name: String
    public var number: Int
    public var type: FieldType
    public var label: FieldLabel
    /// Fully qualified with a leading dot (".grpc.testing.Payload"), for message and enum fields.
    public var typeName: String?
    /// The oneof this field belongs to (for proto3 `optional`, the synthetic "_name" oneof).
    public var oneof: String?
    public var proto3Optional: Bool
    /// For map fields: the entry's key and value types (the entry message itself has no Swift type).
    public var mapKey: FieldType?
    public var mapValue: FieldType?
    /// For message- or enum-valued maps: the value's fully qualified type name.
    public var mapValueTypeName: String?

    public init(_ name: String, _ number: Int, _ type: FieldType, _ label: FieldLabel = .optional,
                typeName: String? = nil, oneof: String? = nil, proto3Optional: Bool = false,
                mapKey: FieldType? = nil, mapValue: FieldType? = nil, mapValueTypeName: String? = nil) {
        self.name = name
        self.number = number
        self.type = type
        self.label = label
        self.typeName = typeName
        self.oneof = oneof
        self.proto3Optional = proto3Optional
        self.mapKey = mapKey
        self.mapValue = mapValue
        self.mapValueTypeName = mapValueTypeName
    }

    /// A singular or repeated message field.
    public static func message(_ name: String, _ number: Int, _ typeName: String,
                               _ label: FieldLabel = .optional, oneof: String? = nil) -> FieldInfo {
        FieldInfo(name, number, .message, label, typeName: typeName, oneof: oneof)
    }

    /// A singular or repeated enum field.
    public static func enumeration(_ name: String, _ number: Int, _ typeName: String,
                                   _ label: FieldLabel = .optional, oneof: String? = nil) -> FieldInfo {
        FieldInfo(name, number, .enumeration, label, typeName: typeName, oneof: oneof)
    }

    /// A proto3 `optional` field: presence tracked through a synthetic oneof.
    public static func optional(_ name: String, _ number: Int, _ type: FieldType, typeName: String? = nil) -> FieldInfo {
        FieldInfo(name, number, type, typeName: typeName, oneof: "_" + name, proto3Optional: true)
    }

    /// A map field; `entry` is the synthetic entry message's fully qualified name.
    public static func map(_ name: String, _ number: Int, _ entry: String, _ key: FieldType, _ value: FieldType,
                           valueTypeName: String? = nil) -> FieldInfo {
        FieldInfo(name, number, .message, .repeated, typeName: entry, mapKey: key, mapValue: value,
                  mapValueTypeName: valueTypeName)
    }
}

/// A message with its schema: the fully qualified proto name and its field table.
public protocol SchemaMessage: ProtoMessage {
    /// The fully qualified proto name, e.g. "grpc.testing.SimpleRequest".
    static var protoName: String { get }
    /// Further fully qualified names served by the same Swift type (wire-identical packages).
    static var aliasNames: [String] { get }
    /// Every field the .proto file declares, in declaration order.
    static var fields: [FieldInfo] { get }
}

extension SchemaMessage {
    public static var aliasNames: [String] { [] }
}

/// An enum with its schema.
public protocol SchemaEnum: ProtoEnum {
    static var protoName: String { get }
    static var aliasNames: [String] { get }
    /// Every declared value, in declaration order.
    static var values: [(name: String, number: Int32)] { get }
}

extension SchemaEnum {
    public static var aliasNames: [String] { [] }
}

/// A message with no fields (Empty and friends): every field on the wire is skipped.
public protocol FieldlessMessage: SchemaMessage {}

extension FieldlessMessage {
    public static var fields: [FieldInfo] { [] }
    public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) { try r.skip(t) }
    public func encodeFields(to w: inout ProtoWriter) {}
}
