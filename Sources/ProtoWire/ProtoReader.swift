/// A cursor over the bytes of one message. Nested messages get a sub-reader over a slice of
/// the same storage (no copy) with one less level of recursion budget.
public struct ProtoReader {
    /// The default nesting budget, as in the reference implementations.
    public static let defaultRecursionLimit = 100

    @usableFromInline let bytes: ArraySlice<UInt8>
    @usableFromInline var index: Int
    /// Nesting levels still allowed below this reader.
    @usableFromInline var remainingDepth: Int

    @inlinable
    public init(_ bytes: ArraySlice<UInt8>, recursionLimit: Int = ProtoReader.defaultRecursionLimit) {
        self.bytes = bytes
        self.index = bytes.startIndex
        self.remainingDepth = recursionLimit
    }

    @inlinable
    public var isAtEnd: Bool { index >= bytes.endIndex }

    // MARK: Primitive reads

    @inlinable
    public mutating func readVarint() throws(ProtoDecodingError) -> UInt64 {
        guard index < bytes.endIndex else { throw .truncated }
        let first = bytes[index]
        if first < 0x80 {
            index += 1
            return UInt64(first)
        }
        return try readVarintSlow()
    }

    @usableFromInline
    mutating func readVarintSlow() throws(ProtoDecodingError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        var i = index
        while true {
            guard i < bytes.endIndex else { throw .truncated }
            let byte = bytes[i]
            i += 1
            // The 10th byte holds only bit 63: anything above 1 overflows or continues to an 11th byte.
            if shift == 63 && byte > 1 { throw .malformedVarint }
            result |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 {
                index = i
                return result
            }
            shift += 7
        }
    }

    @inlinable
    public mutating func readFixed32() throws(ProtoDecodingError) -> UInt32 {
        guard bytes.endIndex - index >= 4 else { throw .truncated }
        var v: UInt32 = 0
        for k in 0..<4 { v |= UInt32(bytes[index + k]) << (8 * UInt32(k)) }
        index += 4
        return v
    }

    @inlinable
    public mutating func readFixed64() throws(ProtoDecodingError) -> UInt64 {
        guard bytes.endIndex - index >= 8 else { throw .truncated }
        var v: UInt64 = 0
        for k in 0..<8 { v |= UInt64(bytes[index + k]) << (8 * UInt64(k)) }
        index += 8
        return v
    }

    /// Reads a length prefix and returns the bytes it covers (a slice, not a copy).
    @inlinable
    public mutating func readLengthDelimited() throws(ProtoDecodingError) -> ArraySlice<UInt8> {
        let length = try readVarint()
        // Compare in UInt64 first so a huge length cannot overflow Int arithmetic.
        guard length <= UInt64(bytes.endIndex - index) else { throw .lengthOutOfBounds }
        let start = index
        index += Int(length)
        return bytes[start..<index]
    }

    /// Reads the next tag, or returns nil at the end of the message.
    @inlinable
    public mutating func readTag() throws(ProtoDecodingError) -> FieldTag? {
        guard index < bytes.endIndex else { return nil }
        let raw = try readVarint()
        let number = raw >> 3
        guard number >= 1, number <= UInt64(FieldTag.maxFieldNumber) else { throw .invalidFieldNumber(number) }
        let wire = UInt8(raw & 7)
        guard let wireType = WireType(rawValue: wire) else {
            throw .invalidWireType(field: Int(number), wireType: wire)
        }
        return FieldTag(number: Int(number), wireType: wireType)
    }

    // MARK: Messages

    /// Decodes fields until the end of this reader, merging into `message`.
    @inlinable
    public mutating func decodeMessage<M: ProtoMessage>(into message: inout M) throws(ProtoDecodingError) {
        while let tag = try readTag() {
            try message.decodeField(tag, from: &self)
        }
    }

    /// Decodes a length-delimited embedded message, merging into `message` (protobuf merges
    /// repeated occurrences of a singular message field).
    @inlinable
    public mutating func readMessage<M: ProtoMessage>(into message: inout M) throws(ProtoDecodingError) {
        let body = try readLengthDelimited()
        var sub = try subReader(body)
        try sub.decodeMessage(into: &message)
    }

    /// A reader over `body` with one less level of nesting budget.
    @inlinable
    public func subReader(_ body: ArraySlice<UInt8>) throws(ProtoDecodingError) -> ProtoReader {
        guard remainingDepth > 0 else { throw .recursionLimitExceeded }
        return ProtoReader(body, recursionLimit: remainingDepth - 1)
    }

    // MARK: Skipping

    /// Skips the value of a field this message does not know.
    public mutating func skip(_ tag: FieldTag) throws(ProtoDecodingError) {
        switch tag.wireType {
        case .varint: _ = try readVarint()
        case .fixed64: _ = try readFixed64()
        case .lengthDelimited: _ = try readLengthDelimited()
        case .fixed32: _ = try readFixed32()
        case .startGroup: try skipGroup(number: tag.number)
        case .endGroup: throw .unmatchedEndGroup(field: tag.number)
        }
    }

    /// Skips to the end-group tag matching `number`. Groups nest, so each level spends budget.
    mutating func skipGroup(number: Int) throws(ProtoDecodingError) {
        guard remainingDepth > 0 else { throw .recursionLimitExceeded }
        remainingDepth -= 1
        defer { remainingDepth += 1 }
        while true {
            guard let tag = try readTag() else { throw .truncated }
            if tag.wireType == .endGroup {
                guard tag.number == number else { throw .unmatchedEndGroup(field: tag.number) }
                return
            }
            try skip(tag)
        }
    }
}
