// google/rpc/error_details.proto
public import ProtoWire

extension GoogleRPC {
    public struct ErrorInfo: SchemaMessage {
        public static let protoName = "google.rpc.ErrorInfo"
        public static let fields: [FieldInfo] = [
            FieldInfo("reason", 1, .string), FieldInfo("domain", 2, .string),
            .map("metadata", 3, ".google.rpc.ErrorInfo.MetadataEntry", .string, .string),
        ]
        public var reason = ""
        public var domain = ""
        public var metadata: [String: String] = [:]
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.string, t, &reason)
            case 2: try r.read(.string, t, &domain)
            case 3: try r.readMap(t, &metadata, .string, .string)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.write(.string, 1, reason)
            w.write(.string, 2, domain)
            w.writeMap(3, metadata, .string, .string)
        }
    }

    public struct RetryInfo: SchemaMessage {
        public static let protoName = "google.rpc.RetryInfo"
        public static let fields: [FieldInfo] = [.message("retry_delay", 1, ".google.protobuf.Duration")]
        public var retryDelay: GoogleProtobuf.Duration?
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.readMessage(t, &retryDelay)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) { w.writeMessage(1, retryDelay) }
    }

    public struct DebugInfo: SchemaMessage {
        public static let protoName = "google.rpc.DebugInfo"
        public static let fields: [FieldInfo] = [FieldInfo("stack_entries", 1, .string, .repeated), FieldInfo("detail", 2, .string)]
        public var stackEntries: [String] = []
        public var detail = ""
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.string, t, &stackEntries)
            case 2: try r.read(.string, t, &detail)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.write(.string, 1, stackEntries)
            w.write(.string, 2, detail)
        }
    }

    public struct QuotaFailure: SchemaMessage {
        public static let protoName = "google.rpc.QuotaFailure"
        public static let fields: [FieldInfo] = [.message("violations", 1, ".google.rpc.QuotaFailure.Violation", .repeated)]

        public struct Violation: SchemaMessage {
            public static let protoName = "google.rpc.QuotaFailure.Violation"
            public static let fields: [FieldInfo] = [FieldInfo("subject", 1, .string), FieldInfo("description", 2, .string)]
            public var subject = ""
            public var description = ""
            public init() {}
            public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
                switch t.number {
                case 1: try r.read(.string, t, &subject)
                case 2: try r.read(.string, t, &description)
                default: try r.skip(t)
                }
            }
            public func encodeFields(to w: inout ProtoWriter) {
                w.write(.string, 1, subject)
                w.write(.string, 2, description)
            }
        }

        public var violations: [Violation] = []
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.readMessage(t, &violations)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) { w.writeMessage(1, violations) }
    }

    public struct PreconditionFailure: SchemaMessage {
        public static let protoName = "google.rpc.PreconditionFailure"
        public static let fields: [FieldInfo] = [
            .message("violations", 1, ".google.rpc.PreconditionFailure.Violation", .repeated),
        ]

        public struct Violation: SchemaMessage {
            public static let protoName = "google.rpc.PreconditionFailure.Violation"
            public static let fields: [FieldInfo] = [
                FieldInfo("type", 1, .string), FieldInfo("subject", 2, .string), FieldInfo("description", 3, .string),
            ]
            public var type = ""
            public var subject = ""
            public var description = ""
            public init() {}
            public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
                switch t.number {
                case 1: try r.read(.string, t, &type)
                case 2: try r.read(.string, t, &subject)
                case 3: try r.read(.string, t, &description)
                default: try r.skip(t)
                }
            }
            public func encodeFields(to w: inout ProtoWriter) {
                w.write(.string, 1, type)
                w.write(.string, 2, subject)
                w.write(.string, 3, description)
            }
        }

        public var violations: [Violation] = []
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.readMessage(t, &violations)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) { w.writeMessage(1, violations) }
    }

    public struct BadRequest: SchemaMessage {
        public static let protoName = "google.rpc.BadRequest"
        public static let fields: [FieldInfo] = [
            .message("field_violations", 1, ".google.rpc.BadRequest.FieldViolation", .repeated),
        ]

        public struct FieldViolation: SchemaMessage {
            public static let protoName = "google.rpc.BadRequest.FieldViolation"
            public static let fields: [FieldInfo] = [
                FieldInfo("field", 1, .string), FieldInfo("description", 2, .string), FieldInfo("reason", 3, .string),
                .message("localized_message", 4, ".google.rpc.LocalizedMessage"),
            ]
            public var field = ""
            public var description = ""
            public var reason = ""
            public var localizedMessage: LocalizedMessage?
            public init() {}
            public init(field: String, description: String) { (self.field, self.description) = (field, description) }
            public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
                switch t.number {
                case 1: try r.read(.string, t, &field)
                case 2: try r.read(.string, t, &description)
                case 3: try r.read(.string, t, &reason)
                case 4: try r.readMessage(t, &localizedMessage)
                default: try r.skip(t)
                }
            }
            public func encodeFields(to w: inout ProtoWriter) {
                w.write(.string, 1, field)
                w.write(.string, 2, description)
                w.write(.string, 3, reason)
                w.writeMessage(4, localizedMessage)
            }
        }

        public var fieldViolations: [FieldViolation] = []
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.readMessage(t, &fieldViolations)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) { w.writeMessage(1, fieldViolations) }
    }

    public struct RequestInfo: SchemaMessage {
        public static let protoName = "google.rpc.RequestInfo"
        public static let fields: [FieldInfo] = [FieldInfo("request_id", 1, .string), FieldInfo("serving_data", 2, .string)]
        public var requestID = ""
        public var servingData = ""
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.string, t, &requestID)
            case 2: try r.read(.string, t, &servingData)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.write(.string, 1, requestID)
            w.write(.string, 2, servingData)
        }
    }

    public struct ResourceInfo: SchemaMessage {
        public static let protoName = "google.rpc.ResourceInfo"
        public static let fields: [FieldInfo] = [
            FieldInfo("resource_type", 1, .string), FieldInfo("resource_name", 2, .string),
            FieldInfo("owner", 3, .string), FieldInfo("description", 4, .string),
        ]
        public var resourceType = ""
        public var resourceName = ""
        public var owner = ""
        public var description = ""
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.string, t, &resourceType)
            case 2: try r.read(.string, t, &resourceName)
            case 3: try r.read(.string, t, &owner)
            case 4: try r.read(.string, t, &description)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.write(.string, 1, resourceType)
            w.write(.string, 2, resourceName)
            w.write(.string, 3, owner)
            w.write(.string, 4, description)
        }
    }

    public struct Help: SchemaMessage {
        public static let protoName = "google.rpc.Help"
        public static let fields: [FieldInfo] = [.message("links", 1, ".google.rpc.Help.Link", .repeated)]

        public struct Link: SchemaMessage {
            public static let protoName = "google.rpc.Help.Link"
            public static let fields: [FieldInfo] = [FieldInfo("description", 1, .string), FieldInfo("url", 2, .string)]
            public var description = ""
            public var url = ""
            public init() {}
            public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
                switch t.number {
                case 1: try r.read(.string, t, &description)
                case 2: try r.read(.string, t, &url)
                default: try r.skip(t)
                }
            }
            public func encodeFields(to w: inout ProtoWriter) {
                w.write(.string, 1, description)
                w.write(.string, 2, url)
            }
        }

        public var links: [Link] = []
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.readMessage(t, &links)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) { w.writeMessage(1, links) }
    }

    public struct LocalizedMessage: SchemaMessage {
        public static let protoName = "google.rpc.LocalizedMessage"
        public static let fields: [FieldInfo] = [FieldInfo("locale", 1, .string), FieldInfo("message", 2, .string)]
        public var locale = ""
        public var message = ""
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.string, t, &locale)
            case 2: try r.read(.string, t, &message)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.write(.string, 1, locale)
            w.write(.string, 2, message)
        }
    }
}
