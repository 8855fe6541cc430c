// google/protobuf/{empty,timestamp,duration,any,field_mask}.proto (protoc's include dir)
public import ProtoWire

extension GoogleProtobuf {
    public struct Empty: FieldlessMessage {
        public static let protoName = "google.protobuf.Empty"
        public init() {}
    }

    public typealias Timestamp = SecondsAndNanos<TimestampKind>
    public typealias Duration = SecondsAndNanos<DurationKind>

    public struct `Any`: SchemaMessage {
        public static let protoName = "google.protobuf.Any"
        public static let fields: [FieldInfo] = [FieldInfo("type_url", 1, .string), FieldInfo("value", 2, .bytes)]
        public var typeURL = ""
        public var value: [UInt8] = []
        public init() {}
        /// Packs `message` under "type.googleapis.com/<protoName>".
        public init<M: SchemaMessage>(packing message: M) {
            typeURL = "type.googleapis.com/" + M.protoName
            value = message.serializedBytes()
        }
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.string, t, &typeURL)
            case 2: try r.read(.bytes, t, &value)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.write(.string, 1, typeURL)
            w.write(.bytes, 2, value)
        }
    }

    public struct FieldMask: SchemaMessage {
        public static let protoName = "google.protobuf.FieldMask"
        public static let fields: [FieldInfo] = [FieldInfo("paths", 1, .string, .repeated)]
        public var paths: [String] = []
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.string, t, &paths)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) { w.write(.string, 1, paths) }
    }
}

/// Which of the two {1: int64 seconds, 2: int32 nanos} messages a `SecondsAndNanos` is.
public protocol SecondsAndNanosKind: Sendable {
    static var protoName: String { get }
}

public enum TimestampKind: SecondsAndNanosKind { public static let protoName = "google.protobuf.Timestamp" }
public enum DurationKind: SecondsAndNanosKind { public static let protoName = "google.protobuf.Duration" }

/// google.protobuf.Timestamp and google.protobuf.Duration share their wire shape; the kind
/// parameter keeps them distinct Swift types.
public struct SecondsAndNanos<Kind: SecondsAndNanosKind>: SchemaMessage {
    public static var protoName: String { Kind.protoName }
    public static var fields: [FieldInfo] { [FieldInfo("seconds", 1, .int64), FieldInfo("nanos", 2, .int32)] }
    public var seconds: Int64 = 0
    public var nanos: Int32 = 0
    public init() {}
    public init(seconds: Int64, nanos: Int32) { (self.seconds, self.nanos) = (seconds, nanos) }
    public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
        switch t.number {
        case 1: try r.read(.int64, t, &seconds)
        case 2: try r.read(.int32, t, &nanos)
        default: try r.skip(t)
        }
    }
    public func encodeFields(to w: inout ProtoWriter) {
        w.write(.int64, 1, seconds)
        w.write(.int32, 2, nanos)
    }
}
