// google/protobuf/wrappers.proto: each wrapper is {1: value}, so one generic shape serves all.
public import ProtoWire

/// A wrapper message: a single field 1 of the wrapped scalar type.
public struct WrapperMessage<Codec: ProtoFieldCodec>: Sendable, Equatable where Codec.Value: Equatable {
    public var value: Codec.Value
    public init() { value = Codec().defaultValue }
    public init(_ value: Codec.Value) { self.value = value }
}

/// The codecs used by wrappers, each knowing its proto name.
public protocol WrapperCodec: ProtoFieldCodec where Value: Equatable {
    static var wrapperName: String { get }
    static var fieldType: FieldType { get }
}

extension WrapperMessage: ProtoMessage, SchemaMessage where Codec: WrapperCodec {
    public static var protoName: String { "google.protobuf." + Codec.wrapperName }
    public static var fields: [FieldInfo] { [FieldInfo("value", 1, Codec.fieldType)] }
    public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
        switch t.number {
        case 1: try r.read(Codec(), t, &value)
        default: try r.skip(t)
        }
    }
    public func encodeFields(to w: inout ProtoWriter) { w.write(Codec(), 1, value) }
}

extension DoubleCodec: WrapperCodec { public static let wrapperName = "DoubleValue"; public static let fieldType = FieldType.double }
extension FloatCodec: WrapperCodec { public static let wrapperName = "FloatValue"; public static let fieldType = FieldType.float }
extension Int64Codec: WrapperCodec { public static let wrapperName = "Int64Value"; public static let fieldType = FieldType.int64 }
extension UInt64Codec: WrapperCodec { public static let wrapperName = "UInt64Value"; public static let fieldType = FieldType.uint64 }
extension Int32Codec: WrapperCodec { public static let wrapperName = "Int32Value"; public static let fieldType = FieldType.int32 }
extension UInt32Codec: WrapperCodec { public static let wrapperName = "UInt32Value"; public static let fieldType = FieldType.uint32 }
extension BoolCodec: WrapperCodec { public static let wrapperName = "BoolValue"; public static let fieldType = FieldType.bool }
extension StringCodec: WrapperCodec { public static let wrapperName = "StringValue"; public static let fieldType = FieldType.string }
extension BytesCodec: WrapperCodec { public static let wrapperName = "BytesValue"; public static let fieldType = FieldType.bytes }

extension GoogleProtobuf {
    public typealias DoubleValue = WrapperMessage<DoubleCodec>
    public typealias FloatValue = WrapperMessage<FloatCodec>
    public typealias Int64Value = WrapperMessage<Int64Codec>
    public typealias UInt64Value = WrapperMessage<UInt64Codec>
    public typealias Int32Value = WrapperMessage<Int32Codec>
    public typealias UInt32Value = WrapperMessage<UInt32Codec>
    public typealias BoolValue = WrapperMessage<BoolCodec>
    public typealias StringValue = WrapperMessage<StringCodec>
    public typealias BytesValue = WrapperMessage<BytesCodec>
}
