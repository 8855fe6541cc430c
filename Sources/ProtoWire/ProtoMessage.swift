/// A protobuf message with a hand-written codec.
///
/// Conformers implement `decodeField` / `encodeFields`; the entry points every caller
/// uses (`init(serializedBytes:)`, `serialize(into:)`) are provided here.
public protocol ProtoMessage: Sendable, Equatable {
    init()

    /// Decodes one field whose tag was just read, or skips it (unknown fields are skipped,
    /// never an error unless malformed).
    mutating func decodeField(_ field: FieldTag, from reader: inout ProtoReader) throws(ProtoDecodingError)

    /// Appends every set field, in field-number order.
    func encodeFields(to writer: inout ProtoWriter)

    /// The size `encodeFields` will write, for a message that can tell without encoding
    /// (nil by default). An embedded message that knows it is written behind its exact
    /// length, instead of behind one reserved byte that a body of 128 bytes or more must then
    /// be shifted past: a 64 KiB payload was copied twice.
    var knownEncodedSize: Int? { get }
}

extension ProtoMessage {
    public var knownEncodedSize: Int? { nil }
}

extension ProtoMessage {
    /// Decodes a whole message. Throws on malformed input; never traps.
    public init(serializedBytes bytes: ArraySlice<UInt8>) throws(ProtoDecodingError) {
        self.init()
        var reader = ProtoReader(bytes)
        try reader.decodeMessage(into: &self)
    }

    public init(serializedBytes bytes: [UInt8]) throws(ProtoDecodingError) {
        try self.init(serializedBytes: bytes[...])
    }

    /// Appends the encoding of this message to `buffer`.
    public func serialize(into buffer: inout [UInt8]) {
        var writer = ProtoWriter(buffer: buffer)
        buffer = []
        encodeFields(to: &writer)
        buffer = writer.take()
    }

    public func serializedBytes() -> [UInt8] {
        var buffer: [UInt8] = []
        serialize(into: &buffer)
        return buffer
    }
}
