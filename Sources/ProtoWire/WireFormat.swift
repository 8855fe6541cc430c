/// The low-level pieces of the protobuf binary format: wire types, field tags, zigzag.

/// The six wire types of the protobuf binary format.
///
/// Groups (3 and 4) are a proto2 feature that proto3 cannot declare. The reader *skips* an
/// unknown group (counting it against the recursion budget, since groups nest), as every
/// protobuf runtime does; a group arriving for a known field is `invalidWireType`.
public enum WireType: UInt8, Sendable {
    case varint = 0
    case fixed64 = 1
    case lengthDelimited = 2
    case startGroup = 3
    case endGroup = 4
    case fixed32 = 5
}

/// A decoded field key: field number plus wire type.
public struct FieldTag: Sendable, Hashable {
    /// The largest legal field number, 2^29 - 1.
    public static let maxFieldNumber = (1 << 29) - 1

    public let number: Int
    public let wireType: WireType

    @inlinable
    public init(number: Int, wireType: WireType) {
        self.number = number
        self.wireType = wireType
    }

    /// The varint the tag is written as.
    @inlinable
    public var rawValue: UInt64 { UInt64(number) << 3 | UInt64(wireType.rawValue) }
}

/// Zigzag maps signed integers to unsigned ones so small magnitudes stay short (sint32/64).
public enum ZigZag {
    @inlinable public static func encode(_ v: Int32) -> UInt32 { UInt32(bitPattern: (v << 1) ^ (v >> 31)) }
    @inlinable public static func encode(_ v: Int64) -> UInt64 { UInt64(bitPattern: (v << 1) ^ (v >> 63)) }
    @inlinable public static func decode(_ v: UInt32) -> Int32 { Int32(bitPattern: (v >> 1) ^ (0 &- (v & 1))) }
    @inlinable public static func decode(_ v: UInt64) -> Int64 { Int64(bitPattern: (v >> 1) ^ (0 &- (v & 1))) }
}

/// Varint sizes, used to pre-size buffers and to backpatch lengths.
public enum Varint {
    /// The number of bytes `v` takes as a varint (1...10).
    @inlinable
    public static func size(_ v: UInt64) -> Int {
        // Each byte carries 7 bits; 64 - leadingZeroBitCount is the bit length.
        let bits = 64 - v.leadingZeroBitCount
        return bits == 0 ? 1 : (bits + 6) / 7
    }
}
