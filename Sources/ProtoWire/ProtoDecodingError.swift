/// Every way decoding can fail. Closed: callers can switch over it exhaustively, and the
/// RPC layer maps all of them to INVALID_ARGUMENT.
public enum ProtoDecodingError: Error, Equatable, Sendable {
    /// The input ended inside a tag, varint, fixed-width value or group.
    case truncated
    /// A varint longer than 10 bytes, or whose 10th byte carries more than the 64th bit.
    case malformedVarint
    /// A tag whose field number is 0 or above 2^29 - 1.
    case invalidFieldNumber(UInt64)
    /// Wire type 6 or 7, or a wire type that a known field cannot have.
    case invalidWireType(field: Int, wireType: UInt8)
    /// A length prefix that runs past the end of the enclosing message.
    case lengthOutOfBounds
    /// Messages (or groups) nested deeper than the reader's budget.
    case recursionLimitExceeded
    /// A `string` field whose bytes are not valid UTF-8.
    case invalidUTF8(field: Int)
    /// An end-group tag with no matching start-group tag.
    case unmatchedEndGroup(field: Int)
}
