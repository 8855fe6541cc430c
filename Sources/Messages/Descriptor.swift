// google/protobuf/descriptor.proto: the subset needed to read a FileDescriptorSet (for the
// reflection service and the schema drift test). proto2 `optional` fields keep presence.
// Fields not listed are skipped on decode, which is ordinary protobuf behaviour; so is
// dropping them on re-encode, so never re-encode a descriptor you want to serve: serve the
// bytes protoc wrote (see EmbeddedDescriptors).
public import ProtoWire

extension GoogleProtobuf {
    static let d = ".google.protobuf."

    public struct FileDescriptorSet: SchemaMessage {
        public static let protoName = "google.protobuf.FileDescriptorSet"
        public static let fields: [FieldInfo] = [.message("file", 1, d + "FileDescriptorProto", .repeated)]
        public var file: [FileDescriptorProto] = []
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.readMessage(t, &file)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) { w.writeMessage(1, file) }
    }

    public struct FileDescriptorProto: SchemaMessage {
        public static let protoName = "google.protobuf.FileDescriptorProto"
        public static let fields: [FieldInfo] = [
            FieldInfo("name", 1, .string), FieldInfo("package", 2, .string), FieldInfo("dependency", 3, .string, .repeated),
            .message("message_type", 4, d + "DescriptorProto", .repeated),
            .message("enum_type", 5, d + "EnumDescriptorProto", .repeated),
            .message("service", 6, d + "ServiceDescriptorProto", .repeated),
            FieldInfo("syntax", 12, .string),
        ]
        public var name: String?
        public var package: String?
        public var dependency: [String] = []
        public var messageType: [DescriptorProto] = []
        public var enumType: [EnumDescriptorProto] = []
        public var service: [ServiceDescriptorProto] = []
        public var syntax: String?
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.string, t, &name)
            case 2: try r.read(.string, t, &package)
            case 3: try r.read(.string, t, &dependency)
            case 4: try r.readMessage(t, &messageType)
            case 5: try r.readMessage(t, &enumType)
            case 6: try r.readMessage(t, &service)
            case 12: try r.read(.string, t, &syntax)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.write(.string, 1, name)
            w.write(.string, 2, package)
            w.write(.string, 3, dependency)
            w.writeMessage(4, messageType)
            w.writeMessage(5, enumType)
            w.writeMessage(6, service)
            w.write(.string, 12, syntax)
        }
    }

    public struct DescriptorProto: SchemaMessage {
        public static let protoName = "google.protobuf.DescriptorProto"
        public static let fields: [FieldInfo] = [
            FieldInfo("name", 1, .string),
            .message("field", 2, d + "FieldDescriptorProto", .repeated),
            .message("nested_type", 3, d + "DescriptorProto", .repeated),
            .message("enum_type", 4, d + "EnumDescriptorProto", .repeated),
            .message("options", 7, d + "MessageOptions"),
            .message("oneof_decl", 8, d + "OneofDescriptorProto", .repeated),
        ]
        public var name: String?
        public var field: [FieldDescriptorProto] = []
        public var nestedType: [DescriptorProto] = []
        public var enumType: [EnumDescriptorProto] = []
        public var options: MessageOptions?
        public var oneofDecl: [OneofDescriptorProto] = []
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.string, t, &name)
            case 2: try r.readMessage(t, &field)
            case 3: try r.readMessage(t, &nestedType)
            case 4: try r.readMessage(t, &enumType)
            case 7: try r.readMessage(t, &options)
            case 8: try r.readMessage(t, &oneofDecl)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.write(.string, 1, name)
            w.writeMessage(2, field)
            w.writeMessage(3, nestedType)
            w.writeMessage(4, enumType)
            w.writeMessage(7, options)
            w.writeMessage(8, oneofDecl)
        }
    }

    public struct FieldDescriptorProto: SchemaMessage {
        public static let protoName = "google.protobuf.FieldDescriptorProto"
        public static let fields: [FieldInfo] = [
            FieldInfo("name", 1, .string), FieldInfo("number", 3, .int32),
            .enumeration("label", 4, d + "FieldDescriptorProto.Label"),
            .enumeration("type", 5, d + "FieldDescriptorProto.Type"),
            FieldInfo("type_name", 6, .string), FieldInfo("oneof_index", 9, .int32),
            FieldInfo("json_name", 10, .string), FieldInfo("proto3_optional", 17, .bool),
        ]

        /// FieldDescriptorProto.Type; the raw values equal `FieldType`'s.
        public struct ProtoType: SchemaEnum {
            public static let protoName = "google.protobuf.FieldDescriptorProto.Type"
            public static let values: [(name: String, number: Int32)] = [
                ("TYPE_DOUBLE", 1), ("TYPE_FLOAT", 2), ("TYPE_INT64", 3), ("TYPE_UINT64", 4), ("TYPE_INT32", 5),
                ("TYPE_FIXED64", 6), ("TYPE_FIXED32", 7), ("TYPE_BOOL", 8), ("TYPE_STRING", 9), ("TYPE_GROUP", 10),
                ("TYPE_MESSAGE", 11), ("TYPE_BYTES", 12), ("TYPE_UINT32", 13), ("TYPE_ENUM", 14), ("TYPE_SFIXED32", 15),
                ("TYPE_SFIXED64", 16), ("TYPE_SINT32", 17), ("TYPE_SINT64", 18),
            ]
            public var rawValue: Int32
            public init(rawValue: Int32) { self.rawValue = rawValue }
        }

        public struct Label: SchemaEnum {
            public static let protoName = "google.protobuf.FieldDescriptorProto.Label"
            public static let values: [(name: String, number: Int32)] = [
                ("LABEL_OPTIONAL", 1), ("LABEL_REPEATED", 3), ("LABEL_REQUIRED", 2),
            ]
            public var rawValue: Int32
            public init(rawValue: Int32) { self.rawValue = rawValue }
        }

        public var name: String?
        public var number: Int32?
        public var label: Label?
        public var type: ProtoType?
        public var typeName: String?
        public var oneofIndex: Int32?
        public var jsonName: String?
        public var proto3Optional: Bool?
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.string, t, &name)
            case 3: try r.read(.int32, t, &number)
            case 4: try r.readEnum(t, &label)
            case 5: try r.readEnum(t, &type)
            case 6: try r.read(.string, t, &typeName)
            case 9: try r.read(.int32, t, &oneofIndex)
            case 10: try r.read(.string, t, &jsonName)
            case 17: try r.read(.bool, t, &proto3Optional)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.write(.string, 1, name)
            w.write(.int32, 3, number)
            w.writeEnum(4, label)
            w.writeEnum(5, type)
            w.write(.string, 6, typeName)
            w.write(.int32, 9, oneofIndex)
            w.write(.string, 10, jsonName)
            w.write(.bool, 17, proto3Optional)
        }
    }

    public struct OneofDescriptorProto: SchemaMessage {
        public static let protoName = "google.protobuf.OneofDescriptorProto"
        public static let fields: [FieldInfo] = [FieldInfo("name", 1, .string)]
        public var name: String?
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.string, t, &name)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) { w.write(.string, 1, name) }
    }

    public struct EnumDescriptorProto: SchemaMessage {
        public static let protoName = "google.protobuf.EnumDescriptorProto"
        public static let fields: [FieldInfo] = [
            FieldInfo("name", 1, .string), .message("value", 2, d + "EnumValueDescriptorProto", .repeated),
        ]
        public var name: String?
        public var value: [EnumValueDescriptorProto] = []
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.string, t, &name)
            case 2: try r.readMessage(t, &value)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.write(.string, 1, name)
            w.writeMessage(2, value)
        }
    }

    public struct EnumValueDescriptorProto: SchemaMessage {
        public static let protoName = "google.protobuf.EnumValueDescriptorProto"
        public static let fields: [FieldInfo] = [FieldInfo("name", 1, .string), FieldInfo("number", 2, .int32)]
        public var name: String?
        public var number: Int32?
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.string, t, &name)
            case 2: try r.read(.int32, t, &number)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.write(.string, 1, name)
            w.write(.int32, 2, number)
        }
    }

    public struct ServiceDescriptorProto: SchemaMessage {
        public static let protoName = "google.protobuf.ServiceDescriptorProto"
        public static let fields: [FieldInfo] = [
            FieldInfo("name", 1, .string), .message("method", 2, d + "MethodDescriptorProto", .repeated),
        ]
        public var name: String?
        public var method: [MethodDescriptorProto] = []
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.string, t, &name)
            case 2: try r.readMessage(t, &method)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.write(.string, 1, name)
            w.writeMessage(2, method)
        }
    }

    public struct MethodDescriptorProto: SchemaMessage {
        public static let protoName = "google.protobuf.MethodDescriptorProto"
        public static let fields: [FieldInfo] = [
            FieldInfo("name", 1, .string), FieldInfo("input_type", 2, .string), FieldInfo("output_type", 3, .string),
            FieldInfo("client_streaming", 5, .bool), FieldInfo("server_streaming", 6, .bool),
        ]
        public var name: String?
        public var inputType: String?
        public var outputType: String?
        public var clientStreaming: Bool?
        public var serverStreaming: Bool?
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.string, t, &name)
            case 2: try r.read(.string, t, &inputType)
            case 3: try r.read(.string, t, &outputType)
            case 5: try r.read(.bool, t, &clientStreaming)
            case 6: try r.read(.bool, t, &serverStreaming)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.write(.string, 1, name)
            w.write(.string, 2, inputType)
            w.write(.string, 3, outputType)
            w.write(.bool, 5, clientStreaming)
            w.write(.bool, 6, serverStreaming)
        }
    }

    public struct MessageOptions: SchemaMessage {
        public static let protoName = "google.protobuf.MessageOptions"
        public static let fields: [FieldInfo] = [FieldInfo("map_entry", 7, .bool)]
        public var mapEntry: Bool?
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 7: try r.read(.bool, t, &mapEntry)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) { w.write(.bool, 7, mapEntry) }
    }
}
