// Run events are sent to every watcher of a run: each is encoded once and the bytes shared.
import Engine
import Messages
import ProtoWire
import RPC
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

/// spindle.v1.RunEvent bytes by (run, seq), kept as a whole gRPC frame: a thousand watchers of
/// one run cost one encoding per event, and the frame is handed to every call as it is.
/// Bounded; emptied when full (a miss only costs an encoding).
final class EncodedEventCache: Sendable {
    private struct Key: Hashable {
        var run: String
        var seq: UInt64
    }
    private let entries = Mutex<[Key: [UInt8]]>([:])
    private let limit: Int

    init(limit: Int = 16_384) { self.limit = limit }

    /// The event's gRPC frame: `MessageFramer.frame(<RunEvent bytes>, compressed: false)`.
    func frame(_ event: RunEvent) -> [UInt8] {
        let key = Key(run: event.runID, seq: event.seq)
        if let known = entries.withLock({ $0[key] }) { return known }
        let encoded = MessageFramer.frame(RunMapping.event(event).serializedBytes(), compressed: false)
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
        w.writeLengthDelimited(frame(event)[5...])
        w.writeTag(3, .lengthDelimited)
        w.writeLengthDelimited(Array(token.utf8))
        return PreEncoded(w.take())
    }
}
