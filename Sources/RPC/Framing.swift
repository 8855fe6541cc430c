/// gRPC length-prefixed messages: 1 byte compressed flag, 4 bytes big-endian length, body.
public struct FramedMessage: Sendable, Equatable {
    public var compressed: Bool
    public var bytes: ArraySlice<UInt8>

    public init(compressed: Bool, bytes: ArraySlice<UInt8>) {
        self.compressed = compressed
        self.bytes = bytes
    }

    /// The size on the wire, prefix included.
    public var wireSize: Int { 5 + bytes.count }
}

/// Reassembles gRPC messages from DATA chunks of any size and split.
///
/// The length prefix is checked against the limit before any of the body is buffered, so a
/// peer cannot make the server hold more than `maxMessageSize` bytes for one message.
public struct MessageDeframer: Sendable {
    public enum Failure: Error, Equatable, Sendable {
        /// A message declared more bytes than the limit allows.
        case tooLarge(declared: Int, limit: Int)
        /// The compressed-flag byte was neither 0 nor 1.
        case invalidFlag(UInt8)
        /// The stream ended in the middle of a message.
        case truncated(buffered: Int)
    }

    public let maxMessageSize: Int
    private var buffer: [UInt8] = []

    public init(maxMessageSize: Int) {
        self.maxMessageSize = maxMessageSize
    }

    /// Bytes held for a message not yet complete.
    public var bufferedCount: Int { buffer.count }

    /// Feeds one chunk; calls `emit` for each message it completes, in order.
    public mutating func feed(_ chunk: ArraySlice<UInt8>, emit: (FramedMessage) -> Void) throws(Failure) {
        var input = chunk
        if !buffer.isEmpty {
            // Finish the message already started: first the prefix, then the body.
            let needPrefix = max(0, 5 - buffer.count)
            if needPrefix > 0 {
                let take = min(needPrefix, input.count)
                buffer.append(contentsOf: input.prefix(take))
                input = input.dropFirst(take)
                if buffer.count < 5 { return }
                try checkPrefix(buffer[...])
            }
            let total = 5 + Self.length(buffer[...])
            let take = min(total - buffer.count, input.count)
            buffer.append(contentsOf: input.prefix(take))
            input = input.dropFirst(take)
            if buffer.count < total { return }
            emit(FramedMessage(compressed: buffer[0] == 1, bytes: buffer[5...]))
            buffer = []
        }
        // Whole messages inside the chunk are emitted as slices, without copying.
        while input.count >= 5 {
            try checkPrefix(input)
            let total = 5 + Self.length(input)
            guard input.count >= total else { break }
            let start = input.startIndex
            emit(FramedMessage(compressed: input[start] == 1, bytes: input[(start + 5)..<(start + total)]))
            input = input.dropFirst(total)
        }
        if !input.isEmpty {
            buffer.reserveCapacity(input.count >= 5 ? 5 + Self.length(input) : 5)
            buffer.append(contentsOf: input)
        }
    }

    /// Call at end of stream: a partial message left over is an error.
    public func finish() throws(Failure) {
        if !buffer.isEmpty { throw .truncated(buffered: buffer.count) }
    }

    private func checkPrefix(_ bytes: ArraySlice<UInt8>) throws(Failure) {
        let flag = bytes[bytes.startIndex]
        guard flag <= 1 else { throw .invalidFlag(flag) }
        let length = Self.length(bytes)
        guard length <= maxMessageSize else { throw .tooLarge(declared: length, limit: maxMessageSize) }
    }

    private static func length(_ bytes: ArraySlice<UInt8>) -> Int {
        let s = bytes.startIndex
        return Int(bytes[s + 1]) << 24 | Int(bytes[s + 2]) << 16 | Int(bytes[s + 3]) << 8 | Int(bytes[s + 4])
    }
}

public enum MessageFramer {
    /// Writes the 5-byte prefix for a body of `length` bytes at `offset` of `buffer`.
    public static func writePrefix(into buffer: inout [UInt8], at offset: Int, compressed: Bool, length: Int) {
        buffer[offset] = compressed ? 1 : 0
        buffer[offset + 1] = UInt8(truncatingIfNeeded: length >> 24)
        buffer[offset + 2] = UInt8(truncatingIfNeeded: length >> 16)
        buffer[offset + 3] = UInt8(truncatingIfNeeded: length >> 8)
        buffer[offset + 4] = UInt8(truncatingIfNeeded: length)
    }

    /// One framed message around `body`.
    public static func frame(_ body: some Collection<UInt8>, compressed: Bool) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 5)
        out.reserveCapacity(5 + body.count)
        writePrefix(into: &out, at: 0, compressed: compressed, length: body.count)
        out.append(contentsOf: body)
        return out
    }
}
