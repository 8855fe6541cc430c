/// How one proto field type maps to a Swift value and to the wire. Codecs are empty values
/// named like the proto types (`.int32`, `.sint64`, `.string`, ...) so a message codec reads
/// as its .proto file: `try r.read(.int32, tag, &responseSize)`.
public protocol ProtoFieldCodec: Sendable {
    associatedtype Value: Sendable
    init()
    /// The wire type of one unpacked value.
    var wireType: WireType { get }
    /// The value an absent field reads as.
    var defaultValue: Value { get }
    /// proto3 does not emit a singular field holding its default.
    func isDefault(_ value: Value) -> Bool
    func read(from reader: inout ProtoReader, field: Int) throws(ProtoDecodingError) -> Value
    func write(_ value: Value, to writer: inout ProtoWriter)
}

extension ProtoFieldCodec {
    /// Numeric types may be packed; strings, bytes and messages may not.
    @inlinable public var isPackable: Bool { wireType != .lengthDelimited }
}

// MARK: Varint types

public struct Int32Codec: ProtoFieldCodec {
    @inlinable public init() {}
    @inlinable public var wireType: WireType { .varint }
    @inlinable public var defaultValue: Int32 { 0 }
    @inlinable public func isDefault(_ v: Int32) -> Bool { v == 0 }
    @inlinable public func read(from r: inout ProtoReader, field: Int) throws(ProtoDecodingError) -> Int32 {
        Int32(truncatingIfNeeded: try r.readVarint())
    }
    // Negative int32 is sign-extended to 10 bytes, as the spec requires.
    @inlinable public func write(_ v: Int32, to w: inout ProtoWriter) { w.writeVarint(UInt64(bitPattern: Int64(v))) }
}

public struct Int64Codec: ProtoFieldCodec {
    @inlinable public init() {}
    @inlinable public var wireType: WireType { .varint }
    @inlinable public var defaultValue: Int64 { 0 }
    @inlinable public func isDefault(_ v: Int64) -> Bool { v == 0 }
    @inlinable public func read(from r: inout ProtoReader, field: Int) throws(ProtoDecodingError) -> Int64 {
        Int64(bitPattern: try r.readVarint())
    }
    @inlinable public func write(_ v: Int64, to w: inout ProtoWriter) { w.writeVarint(UInt64(bitPattern: v)) }
}

public struct UInt32Codec: ProtoFieldCodec {
    @inlinable public init() {}
    @inlinable public var wireType: WireType { .varint }
    @inlinable public var defaultValue: UInt32 { 0 }
    @inlinable public func isDefault(_ v: UInt32) -> Bool { v == 0 }
    @inlinable public func read(from r: inout ProtoReader, field: Int) throws(ProtoDecodingError) -> UInt32 {
        UInt32(truncatingIfNeeded: try r.readVarint())
    }
    @inlinable public func write(_ v: UInt32, to w: inout ProtoWriter) { w.writeVarint(UInt64(v)) }
}

public struct UInt64Codec: ProtoFieldCodec {
    @inlinable public init() {}
    @inlinable public var wireType: WireType { .varint }
    @inlinable public var defaultValue: UInt64 { 0 }
    @inlinable public func isDefault(_ v: UInt64) -> Bool { v == 0 }
    @inlinable public func read(from r: inout ProtoReader, field: Int) throws(ProtoDecodingError) -> UInt64 {
        try r.readVarint()
    }
    @inlinable public func write(_ v: UInt64, to w: inout ProtoWriter) { w.writeVarint(v) }
}

public struct SInt32Codec: ProtoFieldCodec {
    @inlinable public init() {}
    @inlinable public var wireType: WireType { .varint }
    @inlinable public var defaultValue: Int32 { 0 }
    @inlinable public func isDefault(_ v: Int32) -> Bool { v == 0 }
    @inlinable public func read(from r: inout ProtoReader, field: Int) throws(ProtoDecodingError) -> Int32 {
        ZigZag.decode(UInt32(truncatingIfNeeded: try r.readVarint()))
    }
    @inlinable public func write(_ v: Int32, to w: inout ProtoWriter) { w.writeVarint(UInt64(ZigZag.encode(v))) }
}

public struct SInt64Codec: ProtoFieldCodec {
    @inlinable public init() {}
    @inlinable public var wireType: WireType { .varint }
    @inlinable public var defaultValue: Int64 { 0 }
    @inlinable public func isDefault(_ v: Int64) -> Bool { v == 0 }
    @inlinable public func read(from r: inout ProtoReader, field: Int) throws(ProtoDecodingError) -> Int64 {
        ZigZag.decode(try r.readVarint())
    }
    @inlinable public func write(_ v: Int64, to w: inout ProtoWriter) { w.writeVarint(ZigZag.encode(v)) }
}

public struct BoolCodec: ProtoFieldCodec {
    @inlinable public init() {}
    @inlinable public var wireType: WireType { .varint }
    @inlinable public var defaultValue: Bool { false }
    @inlinable public func isDefault(_ v: Bool) -> Bool { !v }
    @inlinable public func read(from r: inout ProtoReader, field: Int) throws(ProtoDecodingError) -> Bool {
        try r.readVarint() != 0
    }
    @inlinable public func write(_ v: Bool, to w: inout ProtoWriter) { w.writeVarint(v ? 1 : 0) }
}

public struct EnumCodec<E: ProtoEnum>: ProtoFieldCodec {
    @inlinable public init() {}
    @inlinable public var wireType: WireType { .varint }
    @inlinable public var defaultValue: E { E(rawValue: 0) }
    @inlinable public func isDefault(_ v: E) -> Bool { v.rawValue == 0 }
    @inlinable public func read(from r: inout ProtoReader, field: Int) throws(ProtoDecodingError) -> E {
        E(rawValue: Int32(truncatingIfNeeded: try r.readVarint()))
    }
    @inlinable public func write(_ v: E, to w: inout ProtoWriter) { w.writeVarint(UInt64(bitPattern: Int64(v.rawValue))) }
}

// MARK: Fixed-width types

public struct Fixed32Codec: ProtoFieldCodec {
    @inlinable public init() {}
    @inlinable public var wireType: WireType { .fixed32 }
    @inlinable public var defaultValue: UInt32 { 0 }
    @inlinable public func isDefault(_ v: UInt32) -> Bool { v == 0 }
    @inlinable public func read(from r: inout ProtoReader, field: Int) throws(ProtoDecodingError) -> UInt32 {
        try r.readFixed32()
    }
    @inlinable public func write(_ v: UInt32, to w: inout ProtoWriter) { w.writeFixed32(v) }
}

public struct Fixed64Codec: ProtoFieldCodec {
    @inlinable public init() {}
    @inlinable public var wireType: WireType { .fixed64 }
    @inlinable public var defaultValue: UInt64 { 0 }
    @inlinable public func isDefault(_ v: UInt64) -> Bool { v == 0 }
    @inlinable public func read(from r: inout ProtoReader, field: Int) throws(ProtoDecodingError) -> UInt64 {
        try r.readFixed64()
    }
    @inlinable public func write(_ v: UInt64, to w: inout ProtoWriter) { w.writeFixed64(v) }
}

public struct SFixed32Codec: ProtoFieldCodec {
    @inlinable public init() {}
    @inlinable public var wireType: WireType { .fixed32 }
    @inlinable public var defaultValue: Int32 { 0 }
    @inlinable public func isDefault(_ v: Int32) -> Bool { v == 0 }
    @inlinable public func read(from r: inout ProtoReader, field: Int) throws(ProtoDecodingError) -> Int32 {
        Int32(bitPattern: try r.readFixed32())
    }
    @inlinable public func write(_ v: Int32, to w: inout ProtoWriter) { w.writeFixed32(UInt32(bitPattern: v)) }
}

public struct SFixed64Codec: ProtoFieldCodec {
    @inlinable public init() {}
    @inlinable public var wireType: WireType { .fixed64 }
    @inlinable public var defaultValue: Int64 { 0 }
    @inlinable public func isDefault(_ v: Int64) -> Bool { v == 0 }
    @inlinable public func read(from r: inout ProtoReader, field: Int) throws(ProtoDecodingError) -> Int64 {
        Int64(bitPattern: try r.readFixed64())
    }
    @inlinable public func write(_ v: Int64, to w: inout ProtoWriter) { w.writeFixed64(UInt64(bitPattern: v)) }
}

/// Floats compare by bit pattern for "is default", as the reference runtimes do: -0.0 and
/// NaN are emitted, +0.0 is not.
public struct FloatCodec: ProtoFieldCodec {
    @inlinable public init() {}
    @inlinable public var wireType: WireType { .fixed32 }
    @inlinable public var defaultValue: Float { 0 }
    @inlinable public func isDefault(_ v: Float) -> Bool { v.bitPattern == 0 }
    @inlinable public func read(from r: inout ProtoReader, field: Int) throws(ProtoDecodingError) -> Float {
        Float(bitPattern: try r.readFixed32())
    }
    @inlinable public func write(_ v: Float, to w: inout ProtoWriter) { w.writeFixed32(v.bitPattern) }
}

public struct DoubleCodec: ProtoFieldCodec {
    @inlinable public init() {}
    @inlinable public var wireType: WireType { .fixed64 }
    @inlinable public var defaultValue: Double { 0 }
    @inlinable public func isDefault(_ v: Double) -> Bool { v.bitPattern == 0 }
    @inlinable public func read(from r: inout ProtoReader, field: Int) throws(ProtoDecodingError) -> Double {
        Double(bitPattern: try r.readFixed64())
    }
    @inlinable public func write(_ v: Double, to w: inout ProtoWriter) { w.writeFixed64(v.bitPattern) }
}

// MARK: Length-delimited types

public struct StringCodec: ProtoFieldCodec {
    @inlinable public init() {}
    @inlinable public var wireType: WireType { .lengthDelimited }
    @inlinable public var defaultValue: String { "" }
    @inlinable public func isDefault(_ v: String) -> Bool { v.isEmpty }
    @inlinable public func read(from r: inout ProtoReader, field: Int) throws(ProtoDecodingError) -> String {
        let bytes = try r.readLengthDelimited()
        guard let s = String(validating: bytes, as: UTF8.self) else { throw .invalidUTF8(field: field) }
        return s
    }
    @inlinable public func write(_ v: String, to w: inout ProtoWriter) { w.writeLengthDelimited(v.utf8) }
}

public struct BytesCodec: ProtoFieldCodec {
    @inlinable public init() {}
    @inlinable public var wireType: WireType { .lengthDelimited }
    @inlinable public var defaultValue: [UInt8] { [] }
    @inlinable public func isDefault(_ v: [UInt8]) -> Bool { v.isEmpty }
    @inlinable public func read(from r: inout ProtoReader, field: Int) throws(ProtoDecodingError) -> [UInt8] {
        Array(try r.readLengthDelimited())
    }
    @inlinable public func write(_ v: [UInt8], to w: inout ProtoWriter) { w.writeLengthDelimited(v) }
}

/// An embedded message as a field value: used for map values (singular and repeated message
/// fields use `readMessage` / `writeMessage`, which merge and skip absent values).
public struct MessageCodec<M: ProtoMessage>: ProtoFieldCodec {
    @inlinable public init() {}
    @inlinable public var wireType: WireType { .lengthDelimited }
    @inlinable public var defaultValue: M { M() }
    @inlinable public func isDefault(_ v: M) -> Bool { false }
    @inlinable public func read(from r: inout ProtoReader, field: Int) throws(ProtoDecodingError) -> M {
        var m = M()
        try r.readMessage(into: &m)
        return m
    }
    @inlinable public func write(_ v: M, to w: inout ProtoWriter) {
        let lengthAt = w.buffer.count
        w.buffer.append(0)
        v.encodeFields(to: &w)
        w.patchLength(at: lengthAt)
    }
}

// MARK: Leading-dot names

extension ProtoFieldCodec where Self == Int32Codec { @inlinable public static var int32: Self { .init() } }
extension ProtoFieldCodec where Self == Int64Codec { @inlinable public static var int64: Self { .init() } }
extension ProtoFieldCodec where Self == UInt32Codec { @inlinable public static var uint32: Self { .init() } }
extension ProtoFieldCodec where Self == UInt64Codec { @inlinable public static var uint64: Self { .init() } }
extension ProtoFieldCodec where Self == SInt32Codec { @inlinable public static var sint32: Self { .init() } }
extension ProtoFieldCodec where Self == SInt64Codec { @inlinable public static var sint64: Self { .init() } }
extension ProtoFieldCodec where Self == BoolCodec { @inlinable public static var bool: Self { .init() } }
extension ProtoFieldCodec where Self == Fixed32Codec { @inlinable public static var fixed32: Self { .init() } }
extension ProtoFieldCodec where Self == Fixed64Codec { @inlinable public static var fixed64: Self { .init() } }
extension ProtoFieldCodec where Self == SFixed32Codec { @inlinable public static var sfixed32: Self { .init() } }
extension ProtoFieldCodec where Self == SFixed64Codec { @inlinable public static var sfixed64: Self { .init() } }
extension ProtoFieldCodec where Self == FloatCodec { @inlinable public static var float: Self { .init() } }
extension ProtoFieldCodec where Self == DoubleCodec { @inlinable public static var double: Self { .init() } }
extension ProtoFieldCodec where Self == StringCodec { @inlinable public static var string: Self { .init() } }
extension ProtoFieldCodec where Self == BytesCodec { @inlinable public static var bytes: Self { .init() } }

// MARK: Map keys

/// A type that can be a map key, with the key order of deterministic serialization:
/// integers numerically, bools false first, strings by UTF-8 bytes.
public protocol ProtoMapKeyCodec: ProtoFieldCodec where Value: Hashable {
    func precedes(_ a: Value, _ b: Value) -> Bool
}

extension ProtoMapKeyCodec where Value: FixedWidthInteger {
    @inlinable public func precedes(_ a: Value, _ b: Value) -> Bool { a < b }
}

extension Int32Codec: ProtoMapKeyCodec {}
extension Int64Codec: ProtoMapKeyCodec {}
extension UInt32Codec: ProtoMapKeyCodec {}
extension UInt64Codec: ProtoMapKeyCodec {}
extension SInt32Codec: ProtoMapKeyCodec {}
extension SInt64Codec: ProtoMapKeyCodec {}
extension Fixed32Codec: ProtoMapKeyCodec {}
extension Fixed64Codec: ProtoMapKeyCodec {}
extension SFixed32Codec: ProtoMapKeyCodec {}
extension SFixed64Codec: ProtoMapKeyCodec {}
extension BoolCodec: ProtoMapKeyCodec {
    @inlinable public func precedes(_ a: Bool, _ b: Bool) -> Bool { !a && b }
}
extension StringCodec: ProtoMapKeyCodec {
    @inlinable public func precedes(_ a: String, _ b: String) -> Bool { a.utf8.lexicographicallyPrecedes(b.utf8) }
}
