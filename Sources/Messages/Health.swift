// grpc/health/v1/health.proto
public import ProtoWire

extension GRPCHealthV1 {
    public struct HealthCheckRequest: SchemaMessage {
        public static let protoName = "grpc.health.v1.HealthCheckRequest"
        public static let fields: [FieldInfo] = [FieldInfo("service", 1, .string)]

        public var service = ""
        public init() {}

        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.string, t, &service)
            default: try r.skip(t)
            }
        }

        public func encodeFields(to w: inout ProtoWriter) {
            w.write(.string, 1, service)
        }
    }

    public struct HealthCheckResponse: SchemaMessage {
        public static let protoName = "grpc.health.v1.HealthCheckResponse"
        public static let fields: [FieldInfo] = [
            .enumeration("status", 1, ".grpc.health.v1.HealthCheckResponse.ServingStatus"),
        ]

        public struct ServingStatus: SchemaEnum {
            public static let protoName = "grpc.health.v1.HealthCheckResponse.ServingStatus"
            public static let values: [(name: String, number: Int32)] = [
                ("UNKNOWN", 0), ("SERVING", 1), ("NOT_SERVING", 2), ("SERVICE_UNKNOWN", 3),
            ]
            public static let unknown = Self(rawValue: 0)
            public static let serving = Self(rawValue: 1)
            public static let notServing = Self(rawValue: 2)
            public static let serviceUnknown = Self(rawValue: 3)

            public var rawValue: Int32
            public init(rawValue: Int32) { self.rawValue = rawValue }
        }

        public var status = ServingStatus.unknown
        public init() {}

        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.readEnum(t, &status)
            default: try r.skip(t)
            }
        }

        public func encodeFields(to w: inout ProtoWriter) {
            w.writeEnum(1, status)
        }
    }
}
