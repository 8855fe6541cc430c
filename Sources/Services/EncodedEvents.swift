// Run events are sent to every watcher of a run: each is encoded once and the bytes shared.
import Engine
import Messages
import ProtoWire
import Synchronization

/// A message whose wire bytes were made beforehand. Sent as it is; it is never received.
struct PreEncoded: ProtoMessage {
    var bytes: [UInt8] = []
    init() {}
    init(_ bytes: [UInt8]) { self.bytes = bytes }
    mutating func decodeField(_ field: FieldTag, from reader: inout ProtoReader) throws(ProtoDecodingError) {
        try reader.skip(field)
    }
    func encodeFields(to writer: inout ProtoWriter) { writer.writeRaw(bytes) }
}

/// spindle.v1.RunEvent bytes by (run, seq): a thousand watchers of one run cost one encoding
/// per event. Bounded; emptied when full (a miss only costs an encoding).
final class EncodedEventCache: Sendable {
    private struct Key: Hashable {
        var run: String
        var seq: UInt64
    }
    private let entries = Mutex<[Key: [UInt8]]>([:])
    private let limit: Int

    init(limit: Int = 16_384) { self.limit = limit }

    func bytes(_ event: RunEvent) -> [UInt8] {
        let key = Key(run: event.runID, seq: event.seq)
        if let known = entries.withLock({ $0[key] }) { return known }
        let encoded = RunMapping.event(event).serializedBytes()
        entries.withLock { e in
            if e.count >= limit { e.removeAll(keepingCapacity: true) }
            e[key] = encoded
        }
        return encoded
    }

    /// A WatchRunsResponse carrying the event (field 1) and its resume token (field 3).
    func watchRunsMessage(_ event: RunEvent, token: String) -> PreEncoded {
        var w = ProtoWriter()
        w.writeTag(1, .lengthDelimited)
        w.writeLengthDelimited(bytes(event))
        w.writeTag(3, .lengthDelimited)
        w.writeLengthDelimited(Array(token.utf8))
        return PreEncoded(w.take())
    }
}
