import ProtoWire

/// The client side of one gRPC call over HTTP/2, as a pure state machine: request headers
/// out, then response header blocks and DATA chunks in, messages and a final status out.
/// No sockets: the transport (HTTP2's client connection) feeds it, so every rule here is
/// tested in process (trailers-only responses, bad content types, HTTP statuses, missing
/// grpc-status, oversized messages, streams reset before their trailers).
public struct ClientCallState: Sendable {
    public enum Phase: Sendable, Equatable {
        /// Waiting for the response headers.
        case awaitingHeaders
        /// Headers seen; messages may follow, then trailers.
        case streaming
        /// Finished: trailers (or a trailers-only response, or a failure) seen.
        case done
    }

    public private(set) var phase = Phase.awaitingHeaders
    /// The response's initial metadata (custom headers only).
    public private(set) var initialMetadata = Metadata()
    private var deframer: MessageDeframer
    private var final: RPCError?
    private var ok = false
    private var encoding = MessageEncoding.identity

    public init(maxMessageSize: Int) {
        deframer = MessageDeframer(maxMessageSize: maxMessageSize)
    }

    /// The request header block for `path` ("/pkg.Service/Method").
    public static func requestHeaders(path: String, authority: String, secure: Bool, timeout: Duration?,
                                      metadata: Metadata) -> [HeaderField] {
        var fields = [
            HeaderField(":method", "POST"), HeaderField(":scheme", secure ? "https" : "http"), HeaderField(":path", path),
            HeaderField(":authority", authority), HeaderField("content-type", "application/grpc"),
            HeaderField("te", "trailers"), HeaderField("user-agent", "spindle-cli/0.1"),
        ]
        if let timeout { fields.append(HeaderField("grpc-timeout", GRPCTimeout.encode(timeout))) }
        for (key, value) in metadata {
            switch value {
            case .string(let s): fields.append(HeaderField(key, s))
            case .binary(let b): fields.append(HeaderField(key, Base64.encode(b, padded: false)))
            }
        }
        return fields
    }

    /// A header block arrived; `endStream` when it carried END_STREAM (trailers, or a
    /// trailers-only response).
    public mutating func receiveHeaders(_ fields: [HeaderField], endStream: Bool) {
        switch phase {
        case .awaitingHeaders:
            if let failure = Self.checkResponseHeaders(fields) {
                finish(failure)
                return
            }
            if endStream {  // trailers-only: the status is in this block
                finish(Self.status(fromTrailers: fields))
                return
            }
            if let name = fields.first(where: { $0.name == "grpc-encoding" })?.value {
                guard let e = MessageEncoding(rawValue: name) else {
                    finish(RPCError(.internal, "server used grpc-encoding \"\(name)\", which this client did not offer"))
                    return
                }
                encoding = e
            }
            initialMetadata = Self.customMetadata(fields)
            phase = .streaming
        case .streaming:
            guard endStream else {
                finish(RPCError(.internal, "a second header block without END_STREAM"))
                return
            }
            do {
                try deframer.finish()
            } catch {
                finish(RPCError(.internal, "the response ended inside a message (\(error))"))
                return
            }
            finish(Self.status(fromTrailers: fields))
        case .done:
            break
        }
    }

    /// A DATA chunk: returns the messages it completed, or finishes the call on a framing error.
    public mutating func receiveData(_ chunk: ArraySlice<UInt8>) -> [[UInt8]] {
        guard phase == .streaming else {
            if phase == .awaitingHeaders { finish(RPCError(.internal, "DATA before the response headers")) }
            return []
        }
        var messages: [[UInt8]] = []
        var failure: RPCError?
        let (encoding, limit) = (encoding, deframer.maxMessageSize)
        do throws(MessageDeframer.Failure) {
            try deframer.feed(chunk) { framed in
                guard failure == nil else { return }
                if !framed.compressed {
                    messages.append(Array(framed.bytes))
                } else if encoding == .identity {
                    failure = RPCError(.internal, "a compressed message without grpc-encoding")
                } else {
                    do throws(RPCError) {
                        messages.append(try encoding.decompress(framed.bytes, limit: limit))
                    } catch {
                        failure = error
                    }
                }
            }
        } catch .tooLarge(let declared, let limit) {
            failure = RPCError(.resourceExhausted, "response message of \(declared) bytes is over the limit of \(limit)")
        } catch {
            failure = RPCError(.internal, "bad response framing: \(error)")
        }
        if let failure {
            finish(failure)
            return []
        }
        return messages
    }

    /// The stream closed (END_STREAM seen, RST_STREAM, or the connection went away).
    /// `h2ErrorCode` is the RST_STREAM / GOAWAY code, 0 for a clean close.
    public mutating func streamClosed(h2ErrorCode: UInt32) {
        guard phase != .done else { return }
        switch h2ErrorCode {
        case 0: finish(RPCError(.internal, "the stream ended without a grpc-status"))
        case 0x7: finish(RPCError(.unavailable, "the server refused the stream (REFUSED_STREAM)"))
        case 0x8: finish(RPCError(.cancelled, "the stream was canceled (CANCEL)"))
        case 0xb: finish(RPCError(.resourceExhausted, "the server reset the stream (ENHANCE_YOUR_CALM)"))
        case 0xc: finish(RPCError(.permissionDenied, "the server reset the stream (INADEQUATE_SECURITY)"))
        default: finish(RPCError(.internal, "the server reset the stream (HTTP/2 error \(h2ErrorCode))"))
        }
    }

    /// Finishes the call from outside (deadline, connection failure). No-op once done.
    public mutating func fail(_ error: RPCError) {
        if phase != .done { finish(error) }
    }

    /// The outcome once `phase == .done`: nil for OK.
    public var status: RPCError? { final }
    public var succeeded: Bool { phase == .done && ok }

    private mutating func finish(_ error: RPCError?) {
        phase = .done
        final = error
        ok = error == nil
    }

    /// `:status` must be 200 and the content type gRPC's; otherwise the gRPC spec's HTTP
    /// status mapping applies.
    static func checkResponseHeaders(_ fields: [HeaderField]) -> RPCError? {
        let statusText = fields.first(where: { $0.name == ":status" })?.value ?? ""
        guard let http = Int(statusText) else { return RPCError(.internal, "response without a valid :status") }
        if http != 200 {
            let code: StatusCode = switch http {
            case 400: .internal
            case 401: .unauthenticated
            case 403: .permissionDenied
            case 404: .unimplemented
            case 429, 502, 503, 504: .unavailable
            default: .unknown
            }
            return RPCError(code, "HTTP status \(http) from the server")
        }
        let contentType = fields.first(where: { $0.name == "content-type" })?.value ?? ""
        guard contentType == "application/grpc" || contentType.hasPrefix("application/grpc+")
                || contentType.hasPrefix("application/grpc;") else {
            return RPCError(.unknown, "response content-type \"\(contentType)\" is not gRPC")
        }
        return nil
    }

    /// grpc-status / grpc-message / grpc-status-details-bin from a trailer block.
    static func status(fromTrailers fields: [HeaderField]) -> RPCError? {
        guard let text = fields.first(where: { $0.name == "grpc-status" })?.value else {
            return RPCError(.unknown, "the response trailers carry no grpc-status")
        }
        guard let raw = Int(text), let code = StatusCode(rawValue: raw) else {
            return RPCError(.unknown, "grpc-status \"\(text)\" is not a status code")
        }
        if code == .ok { return nil }
        let message = fields.first(where: { $0.name == "grpc-message" }).map { StatusMessageCoding.decode($0.value) } ?? ""
        let details = fields.first(where: { $0.name == "grpc-status-details-bin" }).flatMap { Base64.decode($0.value) }
        return RPCError(code, message, trailers: customMetadata(fields), details: details)
    }

    /// Header fields other than pseudo-headers and the gRPC protocol's own.
    static func customMetadata(_ fields: [HeaderField]) -> Metadata {
        var metadata = Metadata()
        for field in fields where !field.name.hasPrefix(":") {
            let (key, value) = (field.name, field.value)
            switch key {
            case "content-type", "grpc-status", "grpc-message", "grpc-status-details-bin", "grpc-encoding",
                 "grpc-accept-encoding", "date", "server":
                continue
            default:
                if key.hasSuffix("-bin") {
                    if let bytes = Base64.decode(value) { metadata.add(key, binary: bytes) }
                } else {
                    metadata.add(key, value)
                }
            }
        }
        return metadata
    }
}
