// google/rpc/status.proto
public import ProtoWire

extension GoogleRPC {
    public struct Status: SchemaMessage {
        public static let protoName = "google.rpc.Status"
        public static let fields: [FieldInfo] = [
            FieldInfo("code", 1, .int32),
            FieldInfo("message", 2, .string),
            .message("details", 3, ".google.protobuf.Any", .repeated),
        ]
        public var code: Int32 = 0
        public var message = ""
        public var details: [GoogleProtobuf.`Any`] = []
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.int32, t, &code)
            case 2: try r.read(.string, t, &message)
            case 3: try r.readMessage(t, &details)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.write(.int32, 1, code)
            w.write(.string, 2, message)
            w.writeMessage(3, details)
        }
    }
}
