// grpc/testing/empty.proto
public import ProtoWire

extension GRPCTesting {
    /// grpc.testing.Empty: no fields; every field on the wire is skipped.
    public struct Empty: SchemaMessage {
        public static let protoName = "grpc.testing.Empty"
        public static let fields: [FieldInfo] = []
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) { try r.skip(t) }
        public func encodeFields(to w: inout ProtoWriter) {}
    }
}
