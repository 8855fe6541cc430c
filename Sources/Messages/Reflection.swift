// grpc/reflection/v1/reflection.proto and grpc/reflection/v1alpha/reflection.proto.
// The two packages are wire-identical, so one set of types serves both; each field table
// records the v1 names and `aliasNames` the v1alpha ones (the drift test checks both files).
public import ProtoWire

extension GRPCReflection {
    static let v1 = "grpc.reflection.v1."
    static let v1alpha = "grpc.reflection.v1alpha."

    public struct ServerReflectionRequest: SchemaMessage {
        public static let protoName = v1 + "ServerReflectionRequest"
        public static let aliasNames = [v1alpha + "ServerReflectionRequest"]
        public static let fields: [FieldInfo] = [
            FieldInfo("host", 1, .string),
            FieldInfo("file_by_filename", 3, .string, oneof: "message_request"),
            FieldInfo("file_containing_symbol", 4, .string, oneof: "message_request"),
            .message("file_containing_extension", 5, ".grpc.reflection.v1.ExtensionRequest", oneof: "message_request"),
            FieldInfo("all_extension_numbers_of_type", 6, .string, oneof: "message_request"),
            FieldInfo("list_services", 7, .string, oneof: "message_request"),
        ]

        public enum MessageRequest: Sendable, Equatable {
            case fileByFilename(String)
            case fileContainingSymbol(String)
            case fileContainingExtension(ExtensionRequest)
            case allExtensionNumbersOfType(String)
            case listServices(String)
        }

        public var host = ""
        public var messageRequest: MessageRequest?
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            var s: String?
            switch t.number {
            case 1: try r.read(.string, t, &host)
            case 3: try r.read(.string, t, &s); messageRequest = s.map { .fileByFilename($0) }
            case 4: try r.read(.string, t, &s); messageRequest = s.map { .fileContainingSymbol($0) }
            case 5:
                var m = if case .fileContainingExtension(let v)? = messageRequest { v } else { ExtensionRequest() }
                try r.readMessage(t, &m)
                messageRequest = .fileContainingExtension(m)
            case 6: try r.read(.string, t, &s); messageRequest = s.map { .allExtensionNumbersOfType($0) }
            case 7: try r.read(.string, t, &s); messageRequest = s.map { .listServices($0) }
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.write(.string, 1, host)
            switch messageRequest {
            case .fileByFilename(let v)?: w.write(.string, 3, .some(v))
            case .fileContainingSymbol(let v)?: w.write(.string, 4, .some(v))
            case .fileContainingExtension(let v)?: w.writeMessage(5, v)
            case .allExtensionNumbersOfType(let v)?: w.write(.string, 6, .some(v))
            case .listServices(let v)?: w.write(.string, 7, .some(v))
            case nil: break
            }
        }
    }

    public struct ExtensionRequest: SchemaMessage {
        public static let protoName = v1 + "ExtensionRequest"
        public static let aliasNames = [v1alpha + "ExtensionRequest"]
        public static let fields: [FieldInfo] = [
            FieldInfo("containing_type", 1, .string), FieldInfo("extension_number", 2, .int32),
        ]
        public var containingType = ""
        public var extensionNumber: Int32 = 0
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.string, t, &containingType)
            case 2: try r.read(.int32, t, &extensionNumber)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.write(.string, 1, containingType)
            w.write(.int32, 2, extensionNumber)
        }
    }

    public struct ServerReflectionResponse: SchemaMessage {
        public static let protoName = v1 + "ServerReflectionResponse"
        public static let aliasNames = [v1alpha + "ServerReflectionResponse"]
        public static let fields: [FieldInfo] = [
            FieldInfo("valid_host", 1, .string),
            .message("original_request", 2, ".grpc.reflection.v1.ServerReflectionRequest"),
            .message("file_descriptor_response", 4, ".grpc.reflection.v1.FileDescriptorResponse", oneof: "message_response"),
            .message("all_extension_numbers_response", 5, ".grpc.reflection.v1.ExtensionNumberResponse",
                     oneof: "message_response"),
            .message("list_services_response", 6, ".grpc.reflection.v1.ListServiceResponse", oneof: "message_response"),
            .message("error_response", 7, ".grpc.reflection.v1.ErrorResponse", oneof: "message_response"),
        ]

        public enum MessageResponse: Sendable, Equatable {
            case fileDescriptorResponse(FileDescriptorResponse)
            case allExtensionNumbersResponse(ExtensionNumberResponse)
            case listServicesResponse(ListServiceResponse)
            case errorResponse(ErrorResponse)
        }

        public var validHost = ""
        public var originalRequest: ServerReflectionRequest?
        public var messageResponse: MessageResponse?
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.string, t, &validHost)
            case 2: try r.readMessage(t, &originalRequest)
            case 4:
                var m = if case .fileDescriptorResponse(let v)? = messageResponse { v } else { FileDescriptorResponse() }
                try r.readMessage(t, &m)
                messageResponse = .fileDescriptorResponse(m)
            case 5:
                var m = if case .allExtensionNumbersResponse(let v)? = messageResponse { v } else { ExtensionNumberResponse() }
                try r.readMessage(t, &m)
                messageResponse = .allExtensionNumbersResponse(m)
            case 6:
                var m = if case .listServicesResponse(let v)? = messageResponse { v } else { ListServiceResponse() }
                try r.readMessage(t, &m)
                messageResponse = .listServicesResponse(m)
            case 7:
                var m = if case .errorResponse(let v)? = messageResponse { v } else { ErrorResponse() }
                try r.readMessage(t, &m)
                messageResponse = .errorResponse(m)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.write(.string, 1, validHost)
            w.writeMessage(2, originalRequest)
            switch messageResponse {
            case .fileDescriptorResponse(let v)?: w.writeMessage(4, v)
            case .allExtensionNumbersResponse(let v)?: w.writeMessage(5, v)
            case .listServicesResponse(let v)?: w.writeMessage(6, v)
            case .errorResponse(let v)?: w.writeMessage(7, v)
            case nil: break
            }
        }
    }

    public struct FileDescriptorResponse: SchemaMessage {
        public static let protoName = v1 + "FileDescriptorResponse"
        public static let aliasNames = [v1alpha + "FileDescriptorResponse"]
        public static let fields: [FieldInfo] = [FieldInfo("file_descriptor_proto", 1, .bytes, .repeated)]
        public var fileDescriptorProto: [[UInt8]] = []
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.bytes, t, &fileDescriptorProto)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) { w.write(.bytes, 1, fileDescriptorProto) }
    }

    public struct ExtensionNumberResponse: SchemaMessage {
        public static let protoName = v1 + "ExtensionNumberResponse"
        public static let aliasNames = [v1alpha + "ExtensionNumberResponse"]
        public static let fields: [FieldInfo] = [
            FieldInfo("base_type_name", 1, .string), FieldInfo("extension_number", 2, .int32, .repeated),
        ]
        public var baseTypeName = ""
        public var extensionNumber: [Int32] = []
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.string, t, &baseTypeName)
            case 2: try r.read(.int32, t, &extensionNumber)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.write(.string, 1, baseTypeName)
            w.write(.int32, 2, extensionNumber)
        }
    }

    public struct ListServiceResponse: SchemaMessage {
        public static let protoName = v1 + "ListServiceResponse"
        public static let aliasNames = [v1alpha + "ListServiceResponse"]
        public static let fields: [FieldInfo] = [.message("service", 1, ".grpc.reflection.v1.ServiceResponse", .repeated)]
        public var service: [ServiceResponse] = []
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.readMessage(t, &service)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) { w.writeMessage(1, service) }
    }

    public struct ServiceResponse: SchemaMessage {
        public static let protoName = v1 + "ServiceResponse"
        public static let aliasNames = [v1alpha + "ServiceResponse"]
        public static let fields: [FieldInfo] = [FieldInfo("name", 1, .string)]
        public var name = ""
        public init() {}
        public init(name: String) { self.name = name }
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.string, t, &name)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) { w.write(.string, 1, name) }
    }

    public struct ErrorResponse: SchemaMessage {
        public static let protoName = v1 + "ErrorResponse"
        public static let aliasNames = [v1alpha + "ErrorResponse"]
        public static let fields: [FieldInfo] = [FieldInfo("error_code", 1, .int32), FieldInfo("error_message", 2, .string)]
        public var errorCode: Int32 = 0
        public var errorMessage = ""
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.int32, t, &errorCode)
            case 2: try r.read(.string, t, &errorMessage)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.write(.int32, 1, errorCode)
            w.write(.string, 2, errorMessage)
        }
    }
}
