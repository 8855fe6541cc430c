// google/protobuf/struct.proto: JSON-like values. Value and Struct are mutually recursive;
// the indirect `Kind` enum breaks the cycle and the reader's depth budget bounds it.
public import ProtoWire

extension GoogleProtobuf {
    public struct NullValue: SchemaEnum {
        public static let protoName = "google.protobuf.NullValue"
        public static let values: [(name: String, number: Int32)] = [("NULL_VALUE", 0)]
        public static let nullValue = Self(rawValue: 0)
        public var rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }
    }

    public struct Struct: SchemaMessage {
        public static let protoName = "google.protobuf.Struct"
        public static let fields: [FieldInfo] = [
            .map("fields", 1, ".google.protobuf.Struct.FieldsEntry", .string, .message, valueTypeName: ".google.protobuf.Value"),
        ]
        public var fields: [String: Value] = [:]
        public init() {}
        public init(_ fields: [String: Value]) { self.fields = fields }
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.readMap(t, &fields, .string, MessageCodec())
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) { w.writeMap(1, fields, .string, MessageCodec()) }
    }

    public struct Value: SchemaMessage {
        public static let protoName = "google.protobuf.Value"
        public static let fields: [FieldInfo] = [
            .enumeration("null_value", 1, ".google.protobuf.NullValue", oneof: "kind"),
            FieldInfo("number_value", 2, .double, oneof: "kind"),
            FieldInfo("string_value", 3, .string, oneof: "kind"),
            FieldInfo("bool_value", 4, .bool, oneof: "kind"),
            .message("struct_value", 5, ".google.protobuf.Struct", oneof: "kind"),
            .message("list_value", 6, ".google.protobuf.ListValue", oneof: "kind"),
        ]

        // Not indirect: Struct and ListValue hold their values in a dictionary and an array, which
        // already live on the heap, so boxing every case only cost an allocation per scalar.
        public enum Kind: Sendable, Equatable {
            case nullValue(NullValue)
            case numberValue(Double)
            case stringValue(String)
            case boolValue(Bool)
            case structValue(Struct)
            case listValue(ListValue)
        }

        public var kind: Kind?
        public init() {}
        public init(_ kind: Kind) { self.kind = kind }
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: var v: NullValue?; try r.readEnum(t, &v); kind = v.map { .nullValue($0) }
            case 2: var v: Double?; try r.read(.double, t, &v); kind = v.map { .numberValue($0) }
            case 3: var v: String?; try r.read(.string, t, &v); kind = v.map { .stringValue($0) }
            case 4: var v: Bool?; try r.read(.bool, t, &v); kind = v.map { .boolValue($0) }
            case 5:
                var m = if case .structValue(let v)? = kind { v } else { Struct() }
                try r.readMessage(t, &m)
                kind = .structValue(m)
            case 6:
                var m = if case .listValue(let v)? = kind { v } else { ListValue() }
                try r.readMessage(t, &m)
                kind = .listValue(m)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            switch kind {
            case .nullValue(let v)?: w.writeEnum(1, .some(v))
            case .numberValue(let v)?: w.write(.double, 2, .some(v))
            case .stringValue(let v)?: w.write(.string, 3, .some(v))
            case .boolValue(let v)?: w.write(.bool, 4, .some(v))
            case .structValue(let v)?: w.writeMessage(5, v)
            case .listValue(let v)?: w.writeMessage(6, v)
            case nil: break
            }
        }
    }

    public struct ListValue: SchemaMessage {
        public static let protoName = "google.protobuf.ListValue"
        public static let fields: [FieldInfo] = [.message("values", 1, ".google.protobuf.Value", .repeated)]
        public var values: [Value] = []
        public init() {}
        public init(_ values: [Value]) { self.values = values }
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.readMessage(t, &values)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) { w.writeMessage(1, values) }
    }
}
