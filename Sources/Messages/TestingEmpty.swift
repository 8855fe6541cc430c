// grpc/testing/empty.proto

extension GRPCTesting {
    /// grpc.testing.Empty: no fields; every field on the wire is skipped.
    public struct Empty: FieldlessMessage {
        public static let protoName = "grpc.testing.Empty"
        public init() {}
    }
}
