/// Appends protobuf encodings to a byte buffer it owns while encoding; `take()` hands it back.
///
/// Nested messages are written reserve-and-backpatch: one byte is reserved for the length,
/// the body is encoded in place, and only when the body turns out to be 128 bytes or more is
/// it shifted right by the extra length bytes (one memmove per nesting level, never a copy of
/// the body into a temporary buffer).
public struct ProtoWriter {
    @usableFromInline var buffer: [UInt8]

    @inlinable
    public init(buffer: [UInt8] = []) {
        self.buffer = buffer
    }

    /// Returns the buffer, leaving the writer empty.
    @inlinable
    public mutating func take() -> [UInt8] {
        var out: [UInt8] = []
        swap(&out, &buffer)
        return out
    }

    @inlinable public var count: Int { buffer.count }

    @inlinable
    public mutating func reserveCapacity(_ n: Int) { buffer.reserveCapacity(buffer.count + n) }

    // MARK: Primitive writes

    @inlinable
    public mutating func writeVarint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            buffer.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        buffer.append(UInt8(v))
    }

    @inlinable
    public mutating func writeTag(_ number: Int, _ wireType: WireType) {
        writeVarint(FieldTag(number: number, wireType: wireType).rawValue)
    }

    @inlinable
    public mutating func writeFixed32(_ v: UInt32) {
        for k in 0..<4 { buffer.append(UInt8(truncatingIfNeeded: v >> (8 * UInt32(k)))) }
    }

    @inlinable
    public mutating func writeFixed64(_ v: UInt64) {
        for k in 0..<8 { buffer.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(k)))) }
    }

    /// Writes a length prefix and then the bytes.
    @inlinable
    public mutating func writeLengthDelimited<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        writeVarint(UInt64(bytes.count))
        buffer.append(contentsOf: bytes)
    }

    /// Appends bytes that are already wire format (the encoded fields of a message encoded
    /// once and sent many times).
    @inlinable
    public mutating func writeRaw<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        buffer.append(contentsOf: bytes)
    }

    /// Writes tag `number` (length-delimited), then whatever `body` writes, prefixed by its length.
    @inlinable
    public mutating func writeNested(_ number: Int, _ body: (inout ProtoWriter) -> Void) {
        writeTag(number, .lengthDelimited)
        let lengthAt = buffer.count
        buffer.append(0)
        body(&self)
        patchLength(at: lengthAt)
    }

    /// Fills in the length byte reserved at `lengthAt`, widening it if the body is long.
    @usableFromInline
    mutating func patchLength(at lengthAt: Int) {
        let length = UInt64(buffer.count - lengthAt - 1)
        let size = Varint.size(length)
        if size > 1 {
            buffer.insert(contentsOf: repeatElement(0, count: size - 1), at: lengthAt + 1)
        }
        var v = length
        for k in 0..<size {
            buffer[lengthAt + k] = UInt8(truncatingIfNeeded: v) | (k + 1 < size ? 0x80 : 0)
            v >>= 7
        }
    }
}
