// The transcoder on typed messages (the CLI's use): JSON -> wire bytes -> message, and
// message -> wire bytes -> JSON, with the same descriptor-driven tables the HTTP face uses.
public import Messages

extension Transcoder {
    /// A typed message from its JSON form; errors name the path inside `json`.
    public func decode<M: SchemaMessage>(_ json: JSON, as type: M.Type, path: String = "") throws(TranscodeError) -> M {
        let bytes = try protobuf(from: json, type: M.protoName, path: path)
        do {
            return try M(serializedBytes: bytes)
        } catch {
            throw TranscodeError("does not make a valid \(M.protoName): \(error)", path: path)
        }
    }

    /// A typed message's JSON form (its own encoder's bytes always transcode; null if not).
    public func encode<M: SchemaMessage>(_ message: M) -> JSON {
        (try? json(from: message.serializedBytes()[...], type: M.protoName)) ?? .null
    }
}
