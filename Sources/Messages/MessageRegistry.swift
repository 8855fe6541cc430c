/// Every Swift message and enum type with a schema, so tests (the drift test) and the
/// reflection service can enumerate them. Add a type here when adding it to a codec file.
public enum MessageRegistry {
    public static let all: [any SchemaMessage.Type] = [
        GRPCHealthV1.HealthCheckRequest.self, GRPCHealthV1.HealthCheckResponse.self,
        GRPCReflection.ServerReflectionRequest.self, GRPCReflection.ExtensionRequest.self,
        GRPCReflection.ServerReflectionResponse.self, GRPCReflection.FileDescriptorResponse.self,
        GRPCReflection.ExtensionNumberResponse.self, GRPCReflection.ListServiceResponse.self,
        GRPCReflection.ServiceResponse.self, GRPCReflection.ErrorResponse.self,
        GRPCTesting.Empty.self, GRPCTesting.BoolValue.self, GRPCTesting.Payload.self, GRPCTesting.EchoStatus.self,
        GRPCTesting.SimpleRequest.self, GRPCTesting.SimpleResponse.self,
        GRPCTesting.StreamingInputCallRequest.self, GRPCTesting.StreamingInputCallResponse.self,
        GRPCTesting.ResponseParameters.self, GRPCTesting.StreamingOutputCallRequest.self,
        GRPCTesting.StreamingOutputCallResponse.self, GRPCTesting.ReconnectParams.self, GRPCTesting.ReconnectInfo.self,
        GRPCTesting.LoadBalancerStatsRequest.self, GRPCTesting.LoadBalancerStatsResponse.self,
        GRPCTesting.LoadBalancerStatsResponse.RpcsByPeer.self, GRPCTesting.LoadBalancerAccumulatedStatsRequest.self,
        GRPCTesting.LoadBalancerAccumulatedStatsResponse.self,
        GRPCTesting.LoadBalancerAccumulatedStatsResponse.MethodStats.self,
        GRPCTesting.ClientConfigureRequest.self, GRPCTesting.ClientConfigureRequest.Metadata.self,
        GRPCTesting.ClientConfigureResponse.self, GRPCTesting.TestOrcaReport.self, GRPCTesting.MemorySize.self,
        GoogleRPC.Status.self, GoogleRPC.ErrorInfo.self, GoogleRPC.RetryInfo.self, GoogleRPC.DebugInfo.self,
        GoogleRPC.QuotaFailure.self, GoogleRPC.QuotaFailure.Violation.self, GoogleRPC.PreconditionFailure.self,
        GoogleRPC.PreconditionFailure.Violation.self, GoogleRPC.BadRequest.self, GoogleRPC.BadRequest.FieldViolation.self,
        GoogleRPC.RequestInfo.self, GoogleRPC.ResourceInfo.self, GoogleRPC.Help.self, GoogleRPC.Help.Link.self,
        GoogleRPC.LocalizedMessage.self,
        GoogleProtobuf.Empty.self, GoogleProtobuf.Timestamp.self, GoogleProtobuf.Duration.self,
        GoogleProtobuf.`Any`.self, GoogleProtobuf.FieldMask.self, GoogleProtobuf.Struct.self,
        GoogleProtobuf.Value.self, GoogleProtobuf.ListValue.self,
        GoogleProtobuf.DoubleValue.self, GoogleProtobuf.FloatValue.self, GoogleProtobuf.Int64Value.self,
        GoogleProtobuf.UInt64Value.self, GoogleProtobuf.Int32Value.self, GoogleProtobuf.UInt32Value.self,
        GoogleProtobuf.BoolValue.self, GoogleProtobuf.StringValue.self, GoogleProtobuf.BytesValue.self,
        GoogleProtobuf.FileDescriptorSet.self, GoogleProtobuf.FileDescriptorProto.self,
        GoogleProtobuf.DescriptorProto.self, GoogleProtobuf.FieldDescriptorProto.self,
        GoogleProtobuf.OneofDescriptorProto.self, GoogleProtobuf.EnumDescriptorProto.self,
        GoogleProtobuf.EnumValueDescriptorProto.self, GoogleProtobuf.ServiceDescriptorProto.self,
        GoogleProtobuf.MethodDescriptorProto.self, GoogleProtobuf.MessageOptions.self,
        SpindleTesting.AllTypes.self, SpindleTesting.AllTypes.Nested.self,
    ]

    public static let enums: [any SchemaEnum.Type] = [
        GRPCHealthV1.HealthCheckResponse.ServingStatus.self, GRPCTesting.PayloadType.self,
        GRPCTesting.GrpclbRouteType.self, GRPCTesting.ClientConfigureRequest.RpcType.self,
        GoogleProtobuf.NullValue.self, GoogleProtobuf.FieldDescriptorProto.ProtoType.self,
        GoogleProtobuf.FieldDescriptorProto.Label.self, SpindleTesting.Color.self,
    ]

    /// Looks a message type up by fully qualified proto name (or alias).
    public static func message(named name: String) -> (any SchemaMessage.Type)? {
        byName[name]
    }

    static let byName: [String: any SchemaMessage.Type] = {
        var table: [String: any SchemaMessage.Type] = [:]
        for type in all {
            for name in [type.protoName] + type.aliasNames { table[name] = type }
        }
        return table
    }()
}
