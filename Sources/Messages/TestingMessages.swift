// grpc/testing/messages.proto
public import ProtoWire

extension GRPCTesting {
    public struct BoolValue: SchemaMessage {
        public static let protoName = "grpc.testing.BoolValue"
        public static let fields: [FieldInfo] = [FieldInfo("value", 1, .bool)]
        public var value = false
        public init() {}
        public init(_ value: Bool) { self.value = value }
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.bool, t, &value)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) { w.write(.bool, 1, value) }
    }

    public struct PayloadType: SchemaEnum {
        public static let protoName = "grpc.testing.PayloadType"
        public static let values: [(name: String, number: Int32)] = [("COMPRESSABLE", 0)]
        public static let compressable = Self(rawValue: 0)
        public var rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }
    }

    public struct Payload: SchemaMessage {
        public static let protoName = "grpc.testing.Payload"
        public static let fields: [FieldInfo] = [
            .enumeration("type", 1, ".grpc.testing.PayloadType"),
            FieldInfo("body", 2, .bytes),
        ]
        public var type = PayloadType.compressable
        public var body: [UInt8] = []
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.readEnum(t, &type)
            case 2: try r.read(.bytes, t, &body)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.writeEnum(1, type)
            w.write(.bytes, 2, body)
        }
        /// Benchmark replies carry payloads of up to megabytes inside a SimpleResponse.
        public var knownEncodedSize: Int? {
            (type.rawValue == 0 ? 0 : 1 + Varint.size(UInt64(bitPattern: Int64(type.rawValue))))
                + (body.isEmpty ? 0 : 1 + Varint.size(UInt64(body.count)) + body.count)
        }
    }

    public struct EchoStatus: SchemaMessage {
        public static let protoName = "grpc.testing.EchoStatus"
        public static let fields: [FieldInfo] = [FieldInfo("code", 1, .int32), FieldInfo("message", 2, .string)]
        public var code: Int32 = 0
        public var message = ""
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.int32, t, &code)
            case 2: try r.read(.string, t, &message)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.write(.int32, 1, code)
            w.write(.string, 2, message)
        }
    }

    public struct GrpclbRouteType: SchemaEnum {
        public static let protoName = "grpc.testing.GrpclbRouteType"
        public static let values: [(name: String, number: Int32)] = [
            ("GRPCLB_ROUTE_TYPE_UNKNOWN", 0), ("GRPCLB_ROUTE_TYPE_FALLBACK", 1), ("GRPCLB_ROUTE_TYPE_BACKEND", 2),
        ]
        public static let unknown = Self(rawValue: 0)
        public static let fallback = Self(rawValue: 1)
        public static let backend = Self(rawValue: 2)
        public var rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }
    }

    public struct SimpleRequest: SchemaMessage {
        public static let protoName = "grpc.testing.SimpleRequest"
        public static let fields: [FieldInfo] = [
            .enumeration("response_type", 1, ".grpc.testing.PayloadType"),
            FieldInfo("response_size", 2, .int32),
            .message("payload", 3, ".grpc.testing.Payload"),
            FieldInfo("fill_username", 4, .bool),
            FieldInfo("fill_oauth_scope", 5, .bool),
            .message("response_compressed", 6, ".grpc.testing.BoolValue"),
            .message("response_status", 7, ".grpc.testing.EchoStatus"),
            .message("expect_compressed", 8, ".grpc.testing.BoolValue"),
            FieldInfo("fill_server_id", 9, .bool),
            FieldInfo("fill_grpclb_route_type", 10, .bool),
            .message("orca_per_query_report", 11, ".grpc.testing.TestOrcaReport"),
            .message("orca_oob_report", 12, ".grpc.testing.TestOrcaReport"),
        ]
        public var responseType = PayloadType.compressable
        public var responseSize: Int32 = 0
        public var payload: Payload?
        public var fillUsername = false
        public var fillOauthScope = false
        public var responseCompressed: BoolValue?
        public var responseStatus: EchoStatus?
        public var expectCompressed: BoolValue?
        public var fillServerID = false
        public var fillGrpclbRouteType = false
        public var orcaPerQueryReport: TestOrcaReport?
        public var orcaOobReport: TestOrcaReport?
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.readEnum(t, &responseType)
            case 2: try r.read(.int32, t, &responseSize)
            case 3: try r.readMessage(t, &payload)
            case 4: try r.read(.bool, t, &fillUsername)
            case 5: try r.read(.bool, t, &fillOauthScope)
            case 6: try r.readMessage(t, &responseCompressed)
            case 7: try r.readMessage(t, &responseStatus)
            case 8: try r.readMessage(t, &expectCompressed)
            case 9: try r.read(.bool, t, &fillServerID)
            case 10: try r.read(.bool, t, &fillGrpclbRouteType)
            case 11: try r.readMessage(t, &orcaPerQueryReport)
            case 12: try r.readMessage(t, &orcaOobReport)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.writeEnum(1, responseType)
            w.write(.int32, 2, responseSize)
            w.writeMessage(3, payload)
            w.write(.bool, 4, fillUsername)
            w.write(.bool, 5, fillOauthScope)
            w.writeMessage(6, responseCompressed)
            w.writeMessage(7, responseStatus)
            w.writeMessage(8, expectCompressed)
            w.write(.bool, 9, fillServerID)
            w.write(.bool, 10, fillGrpclbRouteType)
            w.writeMessage(11, orcaPerQueryReport)
            w.writeMessage(12, orcaOobReport)
        }
    }

    public struct SimpleResponse: SchemaMessage {
        public static let protoName = "grpc.testing.SimpleResponse"
        public static let fields: [FieldInfo] = [
            .message("payload", 1, ".grpc.testing.Payload"),
            FieldInfo("username", 2, .string),
            FieldInfo("oauth_scope", 3, .string),
            FieldInfo("server_id", 4, .string),
            .enumeration("grpclb_route_type", 5, ".grpc.testing.GrpclbRouteType"),
            FieldInfo("hostname", 6, .string),
        ]
        public var payload: Payload?
        public var username = ""
        public var oauthScope = ""
        public var serverID = ""
        public var grpclbRouteType = GrpclbRouteType.unknown
        public var hostname = ""
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.readMessage(t, &payload)
            case 2: try r.read(.string, t, &username)
            case 3: try r.read(.string, t, &oauthScope)
            case 4: try r.read(.string, t, &serverID)
            case 5: try r.readEnum(t, &grpclbRouteType)
            case 6: try r.read(.string, t, &hostname)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.writeMessage(1, payload)
            w.write(.string, 2, username)
            w.write(.string, 3, oauthScope)
            w.write(.string, 4, serverID)
            w.writeEnum(5, grpclbRouteType)
            w.write(.string, 6, hostname)
        }
    }

    public struct StreamingInputCallRequest: SchemaMessage {
        public static let protoName = "grpc.testing.StreamingInputCallRequest"
        public static let fields: [FieldInfo] = [
            .message("payload", 1, ".grpc.testing.Payload"),
            .message("expect_compressed", 2, ".grpc.testing.BoolValue"),
        ]
        public var payload: Payload?
        public var expectCompressed: BoolValue?
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.readMessage(t, &payload)
            case 2: try r.readMessage(t, &expectCompressed)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.writeMessage(1, payload)
            w.writeMessage(2, expectCompressed)
        }
    }

    public struct StreamingInputCallResponse: SchemaMessage {
        public static let protoName = "grpc.testing.StreamingInputCallResponse"
        public static let fields: [FieldInfo] = [FieldInfo("aggregated_payload_size", 1, .int32)]
        public var aggregatedPayloadSize: Int32 = 0
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.int32, t, &aggregatedPayloadSize)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) { w.write(.int32, 1, aggregatedPayloadSize) }
    }

    public struct ResponseParameters: SchemaMessage {
        public static let protoName = "grpc.testing.ResponseParameters"
        public static let fields: [FieldInfo] = [
            FieldInfo("size", 1, .int32),
            FieldInfo("interval_us", 2, .int32),
            .message("compressed", 3, ".grpc.testing.BoolValue"),
        ]
        public var size: Int32 = 0
        public var intervalUs: Int32 = 0
        public var compressed: BoolValue?
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.int32, t, &size)
            case 2: try r.read(.int32, t, &intervalUs)
            case 3: try r.readMessage(t, &compressed)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.write(.int32, 1, size)
            w.write(.int32, 2, intervalUs)
            w.writeMessage(3, compressed)
        }
    }

    public struct StreamingOutputCallRequest: SchemaMessage {
        public static let protoName = "grpc.testing.StreamingOutputCallRequest"
        public static let fields: [FieldInfo] = [
            .enumeration("response_type", 1, ".grpc.testing.PayloadType"),
            .message("response_parameters", 2, ".grpc.testing.ResponseParameters", .repeated),
            .message("payload", 3, ".grpc.testing.Payload"),
            .message("response_status", 7, ".grpc.testing.EchoStatus"),
            .message("orca_oob_report", 8, ".grpc.testing.TestOrcaReport"),
        ]
        public var responseType = PayloadType.compressable
        public var responseParameters: [ResponseParameters] = []
        public var payload: Payload?
        public var responseStatus: EchoStatus?
        public var orcaOobReport: TestOrcaReport?
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.readEnum(t, &responseType)
            case 2: try r.readMessage(t, &responseParameters)
            case 3: try r.readMessage(t, &payload)
            case 7: try r.readMessage(t, &responseStatus)
            case 8: try r.readMessage(t, &orcaOobReport)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.writeEnum(1, responseType)
            w.writeMessage(2, responseParameters)
            w.writeMessage(3, payload)
            w.writeMessage(7, responseStatus)
            w.writeMessage(8, orcaOobReport)
        }
    }

    public struct StreamingOutputCallResponse: SchemaMessage {
        public static let protoName = "grpc.testing.StreamingOutputCallResponse"
        public static let fields: [FieldInfo] = [.message("payload", 1, ".grpc.testing.Payload")]
        public var payload: Payload?
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.readMessage(t, &payload)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) { w.writeMessage(1, payload) }
    }

    public struct ReconnectParams: SchemaMessage {
        public static let protoName = "grpc.testing.ReconnectParams"
        public static let fields: [FieldInfo] = [FieldInfo("max_reconnect_backoff_ms", 1, .int32)]
        public var maxReconnectBackoffMs: Int32 = 0
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.int32, t, &maxReconnectBackoffMs)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) { w.write(.int32, 1, maxReconnectBackoffMs) }
    }

    public struct ReconnectInfo: SchemaMessage {
        public static let protoName = "grpc.testing.ReconnectInfo"
        public static let fields: [FieldInfo] = [FieldInfo("passed", 1, .bool), FieldInfo("backoff_ms", 2, .int32, .repeated)]
        public var passed = false
        public var backoffMs: [Int32] = []
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.bool, t, &passed)
            case 2: try r.read(.int32, t, &backoffMs)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.write(.bool, 1, passed)
            w.write(.int32, 2, backoffMs)
        }
    }

    public struct LoadBalancerStatsRequest: SchemaMessage {
        public static let protoName = "grpc.testing.LoadBalancerStatsRequest"
        public static let fields: [FieldInfo] = [FieldInfo("num_rpcs", 1, .int32), FieldInfo("timeout_sec", 2, .int32)]
        public var numRpcs: Int32 = 0
        public var timeoutSec: Int32 = 0
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.int32, t, &numRpcs)
            case 2: try r.read(.int32, t, &timeoutSec)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.write(.int32, 1, numRpcs)
            w.write(.int32, 2, timeoutSec)
        }
    }

    public struct LoadBalancerStatsResponse: SchemaMessage {
        public static let protoName = "grpc.testing.LoadBalancerStatsResponse"
        public static let fields: [FieldInfo] = [
            .map("rpcs_by_peer", 1, ".grpc.testing.LoadBalancerStatsResponse.RpcsByPeerEntry", .string, .int32),
            FieldInfo("num_failures", 2, .int32),
            .map("rpcs_by_method", 3, ".grpc.testing.LoadBalancerStatsResponse.RpcsByMethodEntry", .string, .message,
                 valueTypeName: ".grpc.testing.LoadBalancerStatsResponse.RpcsByPeer"),
        ]

        public struct RpcsByPeer: SchemaMessage {
            public static let protoName = "grpc.testing.LoadBalancerStatsResponse.RpcsByPeer"
            public static let fields: [FieldInfo] = [
                .map("rpcs_by_peer", 1, ".grpc.testing.LoadBalancerStatsResponse.RpcsByPeer.RpcsByPeerEntry", .string, .int32),
            ]
            public var rpcsByPeer: [String: Int32] = [:]
            public init() {}
            public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
                switch t.number {
                case 1: try r.readMap(t, &rpcsByPeer, .string, .int32)
                default: try r.skip(t)
                }
            }
            public func encodeFields(to w: inout ProtoWriter) { w.writeMap(1, rpcsByPeer, .string, .int32) }
        }

        public var rpcsByPeer: [String: Int32] = [:]
        public var numFailures: Int32 = 0
        public var rpcsByMethod: [String: RpcsByPeer] = [:]
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.readMap(t, &rpcsByPeer, .string, .int32)
            case 2: try r.read(.int32, t, &numFailures)
            case 3: try r.readMap(t, &rpcsByMethod, .string, MessageCodec())
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.writeMap(1, rpcsByPeer, .string, .int32)
            w.write(.int32, 2, numFailures)
            w.writeMap(3, rpcsByMethod, .string, MessageCodec())
        }
    }

    public struct LoadBalancerAccumulatedStatsRequest: FieldlessMessage {
        public static let protoName = "grpc.testing.LoadBalancerAccumulatedStatsRequest"
        public init() {}
    }

    public struct LoadBalancerAccumulatedStatsResponse: SchemaMessage {
        static let scope = ".grpc.testing.LoadBalancerAccumulatedStatsResponse"
        public static let protoName = "grpc.testing.LoadBalancerAccumulatedStatsResponse"
        public static let fields: [FieldInfo] = [
            .map("num_rpcs_started_by_method", 1, scope + ".NumRpcsStartedByMethodEntry", .string, .int32),
            .map("num_rpcs_succeeded_by_method", 2, scope + ".NumRpcsSucceededByMethodEntry", .string, .int32),
            .map("num_rpcs_failed_by_method", 3, scope + ".NumRpcsFailedByMethodEntry", .string, .int32),
            .map("stats_per_method", 4, scope + ".StatsPerMethodEntry", .string, .message,
                 valueTypeName: scope + ".MethodStats"),
        ]

        public struct MethodStats: SchemaMessage {
            public static let protoName = "grpc.testing.LoadBalancerAccumulatedStatsResponse.MethodStats"
            public static let fields: [FieldInfo] = [
                FieldInfo("rpcs_started", 1, .int32),
                .map("result", 2, scope + ".MethodStats.ResultEntry", .int32, .int32),
            ]
            public var rpcsStarted: Int32 = 0
            public var result: [Int32: Int32] = [:]
            public init() {}
            public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
                switch t.number {
                case 1: try r.read(.int32, t, &rpcsStarted)
                case 2: try r.readMap(t, &result, .int32, .int32)
                default: try r.skip(t)
                }
            }
            public func encodeFields(to w: inout ProtoWriter) {
                w.write(.int32, 1, rpcsStarted)
                w.writeMap(2, result, .int32, .int32)
            }
        }

        public var numRpcsStartedByMethod: [String: Int32] = [:]
        public var numRpcsSucceededByMethod: [String: Int32] = [:]
        public var numRpcsFailedByMethod: [String: Int32] = [:]
        public var statsPerMethod: [String: MethodStats] = [:]
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.readMap(t, &numRpcsStartedByMethod, .string, .int32)
            case 2: try r.readMap(t, &numRpcsSucceededByMethod, .string, .int32)
            case 3: try r.readMap(t, &numRpcsFailedByMethod, .string, .int32)
            case 4: try r.readMap(t, &statsPerMethod, .string, MessageCodec())
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.writeMap(1, numRpcsStartedByMethod, .string, .int32)
            w.writeMap(2, numRpcsSucceededByMethod, .string, .int32)
            w.writeMap(3, numRpcsFailedByMethod, .string, .int32)
            w.writeMap(4, statsPerMethod, .string, MessageCodec())
        }
    }

    public struct ClientConfigureRequest: SchemaMessage {
        public static let protoName = "grpc.testing.ClientConfigureRequest"
        public static let fields: [FieldInfo] = [
            .enumeration("types", 1, ".grpc.testing.ClientConfigureRequest.RpcType", .repeated),
            .message("metadata", 2, ".grpc.testing.ClientConfigureRequest.Metadata", .repeated),
            FieldInfo("timeout_sec", 3, .int32),
        ]

        public struct RpcType: SchemaEnum {
            public static let protoName = "grpc.testing.ClientConfigureRequest.RpcType"
            public static let values: [(name: String, number: Int32)] = [("EMPTY_CALL", 0), ("UNARY_CALL", 1)]
            public static let emptyCall = Self(rawValue: 0)
            public static let unaryCall = Self(rawValue: 1)
            public var rawValue: Int32
            public init(rawValue: Int32) { self.rawValue = rawValue }
        }

        public struct Metadata: SchemaMessage {
            public static let protoName = "grpc.testing.ClientConfigureRequest.Metadata"
            public static let fields: [FieldInfo] = [
                .enumeration("type", 1, ".grpc.testing.ClientConfigureRequest.RpcType"),
                FieldInfo("key", 2, .string),
                FieldInfo("value", 3, .string),
            ]
            public var type = RpcType.emptyCall
            public var key = ""
            public var value = ""
            public init() {}
            public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
                switch t.number {
                case 1: try r.readEnum(t, &type)
                case 2: try r.read(.string, t, &key)
                case 3: try r.read(.string, t, &value)
                default: try r.skip(t)
                }
            }
            public func encodeFields(to w: inout ProtoWriter) {
                w.writeEnum(1, type)
                w.write(.string, 2, key)
                w.write(.string, 3, value)
            }
        }

        public var types: [RpcType] = []
        public var metadata: [Metadata] = []
        public var timeoutSec: Int32 = 0
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.readEnum(t, &types)
            case 2: try r.readMessage(t, &metadata)
            case 3: try r.read(.int32, t, &timeoutSec)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.writeEnum(1, types)
            w.writeMessage(2, metadata)
            w.write(.int32, 3, timeoutSec)
        }
    }

    public struct ClientConfigureResponse: FieldlessMessage {
        public static let protoName = "grpc.testing.ClientConfigureResponse"
        public init() {}
    }

    public struct TestOrcaReport: SchemaMessage {
        public static let protoName = "grpc.testing.TestOrcaReport"
        public static let fields: [FieldInfo] = [
            FieldInfo("cpu_utilization", 1, .double),
            FieldInfo("memory_utilization", 2, .double),
            .map("request_cost", 3, ".grpc.testing.TestOrcaReport.RequestCostEntry", .string, .double),
            .map("utilization", 4, ".grpc.testing.TestOrcaReport.UtilizationEntry", .string, .double),
        ]
        public var cpuUtilization: Double = 0
        public var memoryUtilization: Double = 0
        public var requestCost: [String: Double] = [:]
        public var utilization: [String: Double] = [:]
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.double, t, &cpuUtilization)
            case 2: try r.read(.double, t, &memoryUtilization)
            case 3: try r.readMap(t, &requestCost, .string, .double)
            case 4: try r.readMap(t, &utilization, .string, .double)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.write(.double, 1, cpuUtilization)
            w.write(.double, 2, memoryUtilization)
            w.writeMap(3, requestCost, .string, .double)
            w.writeMap(4, utilization, .string, .double)
        }
    }

    public struct MemorySize: SchemaMessage {
        public static let protoName = "grpc.testing.MemorySize"
        public static let fields: [FieldInfo] = [FieldInfo("rss", 1, .int64)]
        public var rss: Int64 = 0
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.int64, t, &rss)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) { w.write(.int64, 1, rss) }
    }
}
