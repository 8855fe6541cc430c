// The HTTP face of the server: one `StreamAcceptor` for the HTTP/1.1 listener. It answers
// the operational endpoints (/healthz, /readyz, /metrics) and the dashboard's files itself,
// and turns everything else (JSON routes, SSE streams, gRPC-Web) into gRPC calls on the
// SAME runtime the HTTP/2 port uses (`LocalCall`), so auth, tenants, validation and errors
// are the gRPC path's, byte for byte. Flow: accept -> body buffered (`BufferedRequest`) ->
// `handle` picks the kind of request -> Routes / SSE / GRPCWeb -> LocalCall -> RPCServer.
public import RPC
import Synchronization

/// A whole HTTP response.
struct HTTPResponse: Sendable {
    var status: Int
    var fields: [(String, String)]
    var body: [UInt8]
    /// HEAD: the fields of a GET (content-length included), no body.
    var headOnly = false

    static func json(_ status: Int, _ body: [UInt8], extra: [(String, String)] = []) -> HTTPResponse {
        HTTPResponse(status: status, fields: [("content-type", "application/json")] + extra, body: body)
    }

    static func text(_ status: Int, _ text: String, contentType: String = "text/plain; charset=utf-8") -> HTTPResponse {
        HTTPResponse(status: status, fields: [("content-type", contentType)], body: Array(text.utf8))
    }

    func send(to outbound: any StreamOutbound) {
        var head = fields.map { HeaderField($0.0, $0.1) }
        if status != 304 && status != 204 { head.append(HeaderField("content-length", String(body.count))) }
        if body.isEmpty || headOnly {
            outbound.write(.head(status: status, fields: head, endStream: true))
        } else {
            outbound.write(.head(status: status, fields: head, endStream: false))
            outbound.write(.data(body))
            outbound.write(.trailers([]))
        }
    }
}

/// A request whose body has been read (bodies are bounded by the transport's limit).
struct HTTPRequest: Sendable {
    let head: RequestHead
    let body: [UInt8]
    let connection: ConnectionContext
    /// Set when the client goes away (SSE readers stop on it).
    let gone: Cancellation

    var method: String { head.method }
    var path: Substring { head.path.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)[0] }
    var query: Substring? {
        let parts = head.path.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        return parts.count > 1 ? parts[1] : nil
    }
}

/// A one-shot "the client went away" flag with callbacks.
final class Cancellation: Sendable {
    private let state = Mutex<(cancelled: Bool, handlers: [@Sendable () -> Void])>((false, []))

    var isCancelled: Bool { state.withLock { $0.cancelled } }

    func cancel() {
        let handlers = state.withLock { s -> [@Sendable () -> Void] in
            if s.cancelled { return [] }
            s.cancelled = true
            defer { s.handlers = [] }
            return s.handlers
        }
        for handler in handlers { handler() }
    }

    /// Runs `handler` on cancellation (at once if already cancelled).
    func onCancel(_ handler: @escaping @Sendable () -> Void) {
        let now = state.withLock { s -> Bool in
            if s.cancelled { return true }
            s.handlers.append(handler)
            return false
        }
        if now { handler() }
    }
}

/// Knobs of the HTTP face.
public struct GatewayConfig: Sendable {
    /// Seconds between SSE heartbeat comments (keeps proxies from closing a quiet stream).
    public var sseHeartbeat: Duration = .seconds(15)
    public init() {}
}

public final class Gateway: StreamAcceptor {
    let rpc: any StreamAcceptor
    let config: GatewayConfig
    private let ready = Atomic<Bool>(true)
    private let metricsText: @Sendable () -> String

    /// `rpc`: the gRPC runtime every API call is dispatched to. `metrics`: renders /metrics.
    public init(rpc: any StreamAcceptor, config: GatewayConfig = GatewayConfig(),
                metrics: @escaping @Sendable () -> String = { "" }) {
        self.rpc = rpc
        self.config = config
        self.metricsText = metrics
    }

    /// /readyz answers 503 once this is false (the server is draining).
    public func setReady(_ value: Bool) { ready.store(value, ordering: .relaxed) }

    public func accept(_ head: RequestHead, outbound: any StreamOutbound,
                       connection: ConnectionContext) -> any StreamInbound {
        BufferedRequest(head: head, outbound: outbound, connection: connection, gateway: self)
    }

    /// A complete request: pick what kind it is.
    func handle(_ request: HTTPRequest, _ outbound: any StreamOutbound) {
        if let type = request.head.first("content-type"), type.hasPrefix("application/grpc-web") {
            GRPCWeb.handle(request, outbound, gateway: self)
            return
        }
        let path = request.path
        let isRead = request.method == "GET" || request.method == "HEAD"
        switch path {
        case "/healthz":
            guard isRead else { return methodNotAllowed(outbound, allow: "GET, HEAD") }
            var response = HTTPResponse.text(200, "ok\n")
            response.headOnly = request.method == "HEAD"
            response.send(to: outbound)
        case "/readyz":
            guard isRead else { return methodNotAllowed(outbound, allow: "GET, HEAD") }
            let isReady = ready.load(ordering: .relaxed)
            var response = HTTPResponse.text(isReady ? 200 : 503, isReady ? "ready\n" : "draining\n")
            response.headOnly = request.method == "HEAD"
            response.send(to: outbound)
        case "/metrics":
            guard isRead else { return methodNotAllowed(outbound, allow: "GET, HEAD") }
            var response = HTTPResponse.text(200, metricsText(), contentType: "text/plain; version=0.0.4; charset=utf-8")
            response.headOnly = request.method == "HEAD"
            response.send(to: outbound)
        default:
            if path.hasPrefix("/api/") {
                Routes.handle(request, outbound, gateway: self)
            } else if isRead, let response = DashboardAssets.response(
                path: String(path), head: request.method == "HEAD", ifNoneMatch: request.head.first("if-none-match"),
                acceptEncoding: request.head.first("accept-encoding")) {
                response.send(to: outbound)
            } else if DashboardAssets.byPath[String(path)] != nil {
                methodNotAllowed(outbound, allow: "GET, HEAD")
            } else {
                ErrorBody.send(status: 404, code: .notFound, message: "no route for \(request.method) \(path)", to: outbound)
            }
        }
    }

    func methodNotAllowed(_ outbound: any StreamOutbound, allow: String) {
        ErrorBody.send(status: 405, code: .unimplemented, message: "method not allowed (allowed: \(allow))",
                       to: outbound, extra: [("allow", allow)])
    }
}

/// Collects a request body, then hands the request to the gateway.
final class BufferedRequest: StreamInbound {
    let head: RequestHead
    let outbound: any StreamOutbound
    let connection: ConnectionContext
    let gateway: Gateway
    private var body: [UInt8] = []
    private let gone = Cancellation()

    init(head: RequestHead, outbound: any StreamOutbound, connection: ConnectionContext, gateway: Gateway) {
        self.head = head
        self.outbound = outbound
        self.connection = connection
        self.gateway = gateway
    }

    func receive(_ bytes: ArraySlice<UInt8>) { body.append(contentsOf: bytes) }

    func end() {
        let request = HTTPRequest(head: head, body: body, connection: connection, gone: gone)
        body = []
        gateway.handle(request, outbound)
    }

    func reset(_ reason: StreamResetReason) { gone.cancel() }
}
