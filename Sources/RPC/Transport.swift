// The seam between an HTTP/2 transport and the gRPC runtime.
//
// A transport (the HTTP2 module) owns sockets, TLS and HTTP/2 framing. For every request
// stream it hands the runtime a `RequestHead` and an `StreamOutbound`, and gets back a
// `StreamInbound` to feed with the stream's DATA. All gRPC rules (content-type, te,
// grpc-timeout, message framing, compression, status) live above this seam, so the runtime
// can be driven in process by tests with no sockets at all.

/// One HTTP header field. Names are lower-case, as HTTP/2 requires.
public struct HeaderField: Sendable, Equatable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// What the transport knows about a request once its header block is complete.
public struct RequestHead: Sendable {
    /// `:method`, e.g. "POST".
    public var method: String
    /// `:path`, e.g. "/grpc.health.v1.Health/Check".
    public var path: String
    /// `:scheme` and `:authority`, when present.
    public var scheme: String?
    public var authority: String?
    /// Every regular (non-pseudo) header field, in the order received.
    public var fields: [HeaderField]

    public init(method: String, path: String, scheme: String? = nil, authority: String? = nil,
                fields: [HeaderField]) {
        self.method = method
        self.path = path
        self.scheme = scheme
        self.authority = authority
        self.fields = fields
    }

    /// The first value of a header, by lower-case name.
    public func first(_ name: String) -> String? {
        for field in fields where field.name == name { return field.value }
        return nil
    }
}

/// One piece of the response, in the order a stream must send them:
/// `head`, then any number of `data`, then `trailers`; or a single `head` with `endStream`
/// (a trailers-only response, or a plain HTTP error).
public enum ResponsePart: Sendable {
    /// `:status` plus header fields. `endStream` closes the stream after it.
    case head(status: Int, fields: [HeaderField], endStream: Bool)
    /// Bytes for DATA frames: already gRPC-framed (5-byte prefix + message), possibly several
    /// messages. The transport may split or coalesce them into frames as flow control allows.
    case data([UInt8])
    /// Trailing header fields; closes the stream.
    case trailers([HeaderField])
}

/// Why a stream ended before the runtime finished it.
public enum StreamResetReason: Sendable, Equatable {
    /// The peer sent RST_STREAM with this HTTP/2 error code (8 = CANCEL).
    case peerReset(errorCode: UInt32)
    /// The connection closed or failed while the stream was open.
    case connectionClosed
}

/// The transport's side of one request stream, used by the runtime to answer.
///
/// Every method is safe to call from any thread or task, including synchronously from
/// inside `StreamAcceptor.accept` and `StreamInbound` callbacks. Calls made on the
/// connection's own loop thread take effect without a thread hop.
public protocol StreamOutbound: AnyObject, Sendable {
    /// Queues a response part. Returns `false` when, after queueing, the stream holds more
    /// unsent DATA than its high-water mark; the caller should then `waitUntilWritable()`
    /// before writing more. Parts written after the stream was reset or closed are dropped.
    @discardableResult
    func write(_ part: ResponsePart) -> Bool

    /// Returns once the stream's unsent DATA is below its low-water mark, or at once if the
    /// stream is closed or reset. Never throws; check cancellation after it returns.
    func waitUntilWritable() async

    /// Returns request-body flow-control credit: `bytes` of DATA the runtime has consumed.
    /// The transport sends WINDOW_UPDATE as credit accrues, so a handler that stops reading
    /// stops its client (bounded memory for client streaming).
    func consumed(bytes: Int)
}

/// The runtime's side of one request stream. The transport calls these on the connection's
/// loop thread only, in stream order. `reset` may follow `end` (a client can cancel after
/// half-closing); nothing follows `reset`.
public protocol StreamInbound: AnyObject {
    /// A chunk of the request body (DATA payload), as received. Any size, any split.
    func receive(_ bytes: ArraySlice<UInt8>)
    /// The request body ended (END_STREAM).
    func end()
    /// The stream was reset or its connection went away: stop work, answer nothing.
    func reset(_ reason: StreamResetReason)
}

/// Facts about the connection a stream arrived on.
public struct ConnectionContext: Sendable {
    /// The peer's address, e.g. "127.0.0.1:53412" or "[::1]:53412".
    public var peer: String
    /// True when the connection is TLS.
    public var secure: Bool
    /// The executor of the connection's loop thread. Handler tasks prefer it, so their
    /// writes land on the loop with no thread hop.
    public var executor: (any TaskExecutor)?

    public init(peer: String, secure: Bool, executor: (any TaskExecutor)?) {
        self.peer = peer
        self.secure = secure
        self.executor = executor
    }
}

/// Implemented by the runtime (`RPCServer`); called by the transport once per stream, on
/// the connection's loop thread, as soon as the request's header block is complete.
public protocol StreamAcceptor: AnyObject, Sendable {
    func accept(_ head: RequestHead, outbound: any StreamOutbound,
                connection: ConnectionContext) -> any StreamInbound
}
