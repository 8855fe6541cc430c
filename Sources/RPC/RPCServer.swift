/// Limits and knobs of the gRPC runtime.
public struct RPCServerConfig: Sendable {
    /// Largest request message accepted, after decompression (gRPC's default: 4 MiB).
    public var maxReceiveMessageSize = 4 * 1024 * 1024
    /// Unread request bytes held per call before HTTP/2 credit is withheld.
    public var inboundHighWaterBytes = 1024 * 1024

    public init() {}
}

/// The gRPC runtime: turns request streams from a transport into handler calls.
public final class RPCServer: StreamAcceptor {
    public let router: Router
    public let config: RPCServerConfig

    public init(router: Router, config: RPCServerConfig = RPCServerConfig()) {
        self.router = router
        self.config = config
    }

    public func accept(_ head: RequestHead, outbound: any StreamOutbound,
                       connection: ConnectionContext) -> any StreamInbound {
        switch prepare(head, outbound: outbound, connection: connection) {
        case .success(let call):
            return call
        case .failure(let rejection):
            outbound.write(rejection.response)
            return DiscardingInbound(outbound: outbound)
        }
    }

    /// A request refused before any handler runs.
    struct Rejection: Error {
        let response: ResponsePart

        /// An HTTP-level refusal (not gRPC at all), with a gRPC status for gRPC-aware peers.
        static func http(_ status: Int, _ code: StatusCode, _ message: String) -> Rejection {
            Rejection(response: .head(status: status, fields: [
                HeaderField("content-type", "application/grpc"),
                HeaderField("grpc-status", String(code.rawValue)),
                HeaderField("grpc-message", StatusMessageCoding.encode(message)),
            ], endStream: true))
        }

        /// A gRPC trailers-only refusal.
        static func grpc(_ code: StatusCode, _ message: String, extra: [HeaderField] = []) -> Rejection {
            var fields = [HeaderField("content-type", "application/grpc"),
                          HeaderField("grpc-status", String(code.rawValue)),
                          HeaderField("grpc-message", StatusMessageCoding.encode(message))]
            fields.append(contentsOf: extra)
            return Rejection(response: .head(status: 200, fields: fields, endStream: true))
        }
    }

    /// Checks the request in the order grpc-go does, then builds the call.
    private func prepare(_ head: RequestHead, outbound: any StreamOutbound,
                         connection: ConnectionContext) -> Result<ServerCall, Rejection> {
        let request = RequestFields(head.fields)
        guard head.method == "POST" else {
            return .failure(.http(405, .internal, "gRPC requires POST, got \(head.method)"))
        }
        guard let contentType = request.contentType, Self.isGRPCContentType(contentType) else {
            return .failure(.http(415, .internal, "invalid gRPC request content-type \"\(request.contentType ?? "")\""))
        }
        guard request.te == "trailers" else {
            return .failure(.http(400, .internal, "gRPC requires the header te: trailers"))
        }
        let handler: MethodHandler, service: String, method: String, stats: MethodStats
        switch router.lookup(path: head.path) {
        case .found(let s, let m, let h, let st): (service, method, handler, stats) = (s, m, h, st)
        case .unknownService(let s): return .failure(.grpc(.unimplemented, "unknown service \(s)"))
        case .unknownMethod(let s, let m): return .failure(.grpc(.unimplemented, "unknown method \(m) for service \(s)"))
        case .malformedPath: return .failure(.grpc(.unimplemented, "malformed method name \"\(head.path)\""))
        }
        var requestEncoding = MessageEncoding.identity
        if let name = request.encoding {
            guard let known = MessageEncoding(rawValue: name) else {
                return .failure(.grpc(.unimplemented, "grpc-encoding \"\(name)\" is not supported",
                                      extra: [HeaderField("grpc-accept-encoding", MessageEncoding.acceptHeader)]))
            }
            requestEncoding = known
        }
        var timeout: Duration?
        if let value = request.timeout {
            guard let parsed = GRPCTimeout.parse(value) else {
                return .failure(.grpc(.internal, "malformed grpc-timeout \"\(value)\""))
            }
            timeout = parsed
        }
        if let key = request.undecodableBinaryKey {
            return .failure(.grpc(.internal, "metadata \(key) is not valid base64"))
        }
        let accepted = MessageEncoding.parseAcceptList(request.acceptEncoding)
        let responseEncoding: MessageEncoding? =
            accepted.contains(requestEncoding) && requestEncoding != .identity ? requestEncoding
            : accepted.first(where: { $0 == .gzip }) ?? accepted.first(where: { $0 != .identity })

        let context = ServerContext(path: head.path, service: service, method: method, metadata: request.metadata,
                                    deadline: timeout.map { .now + $0 }, peer: connection.peer,
                                    secure: connection.secure)
        let core = CallCore(outbound: outbound, context: context, requestEncoding: requestEncoding,
                            responseEncoding: responseEncoding,
                            maxReceiveMessageSize: config.maxReceiveMessageSize, stats: stats)
        let call = ServerCall(core: core, handler: handler, executor: connection.executor, config: config)
        if let timeout { core.armDeadline(after: timeout, executor: connection.executor) }
        if !handler.kind.takesSingleRequest { call.start(single: nil) }
        return .success(call)
    }

    static func isGRPCContentType(_ value: String) -> Bool {
        // "application/grpc", "application/grpc+proto", "application/grpc;charset=..."
        if value == "application/grpc" { return true }  // what nearly every client sends
        guard value.hasPrefix("application/grpc") else { return false }
        let rest = value.dropFirst("application/grpc".count)
        return rest.isEmpty || rest.first == "+" || rest.first == ";"
    }
}

/// The request header fields gRPC cares about, picked out in one pass; the rest are the
/// call's custom metadata.
struct RequestFields {
    var contentType: String?
    var te: String?
    var encoding: String?
    var acceptEncoding: String?
    var timeout: String?
    var metadata = Metadata()
    /// A `-bin` metadata key whose value is not base64.
    var undecodableBinaryKey: String?

    init(_ fields: [HeaderField]) {
        for field in fields {
            // By length first: one string comparison per field, not one per name known.
            let name = field.name
            switch name.utf8.count {
            case 2 where name == "te": te = te ?? field.value
            case 12 where name == "content-type": contentType = contentType ?? field.value
            case 12 where name == "grpc-timeout": timeout = timeout ?? field.value
            case 13 where name == "grpc-encoding": encoding = encoding ?? field.value
            case 20 where name == "grpc-accept-encoding": acceptEncoding = acceptEncoding ?? field.value
            default:
                if !Metadata.isReserved(name) && !metadata.appendRequestField(field) {
                    undecodableBinaryKey = undecodableBinaryKey ?? name
                }
            }
        }
    }
}

/// Drives one accepted call from the loop thread: deframes request bytes, hands them to the
/// handler, and turns protocol errors into a status.
final class ServerCall: StreamInbound {
    private let core: CallCore
    private let handler: MethodHandler
    private let executor: (any TaskExecutor)?
    private var deframer: MessageDeframer
    /// The streaming kinds' request queue; nil for unary and server streaming.
    private let queue: InboundQueue?
    /// The unary / server-streaming request, held until the client half-closes.
    private var single: FramedMessage?
    private var singleCount = 0
    private var failed = false

    init(core: CallCore, handler: MethodHandler, executor: (any TaskExecutor)?, config: RPCServerConfig) {
        self.core = core
        self.handler = handler
        self.executor = executor
        self.deframer = MessageDeframer(maxMessageSize: config.maxReceiveMessageSize)
        self.queue = handler.kind.takesSingleRequest ? nil
            : InboundQueue(outbound: core.outbound, highWaterBytes: config.inboundHighWaterBytes)
    }

    func start(single: FramedMessage?) {
        let core = self.core, handler = self.handler, queue = self.queue
        let task = Task(executorPreference: executor) {
            do {
                try await handler.run(core, single, queue)
                core.finish(nil)
            } catch {
                core.finish(CallCore.status(for: error))
            }
        }
        core.attach(handler: task)
    }

    func receive(_ bytes: ArraySlice<UInt8>) {
        guard !failed else {
            core.outbound.consumed(bytes: bytes.count)
            return
        }
        if let queue {
            queue.received(bytes: bytes.count)
        } else {
            core.outbound.consumed(bytes: bytes.count)
        }
        do {
            try deframer.feed(bytes) { message in
                if let queue {
                    queue.push(message)
                } else {
                    singleCount += 1
                    if singleCount == 1 { single = FramedMessage(compressed: message.compressed, bytes: ArraySlice(message.bytes)) }
                }
            }
        } catch {
            fail(Self.status(for: error))
        }
        if singleCount > 1 {
            fail(RPCError(.internal, "\(handler.kind) call got more than one request message"))
        }
    }

    func end() {
        guard !failed else { return }
        do {
            try deframer.finish()
        } catch {
            return fail(Self.status(for: error))
        }
        if let queue {
            queue.finish()
        } else if let single {
            self.single = nil
            start(single: single)
        } else {
            fail(RPCError(.internal, "\(handler.kind) call half-closed without a request message"))
        }
    }

    func reset(_ reason: StreamResetReason) {
        failed = true
        queue?.finish(RPCError(.cancelled, "the client cancelled the call"))
        core.abandon()
    }

    private func fail(_ error: RPCError) {
        failed = true
        single = nil
        queue?.finish(error)
        core.finish(error)
    }

    static func status(for failure: MessageDeframer.Failure) -> RPCError {
        switch failure {
        case .tooLarge(let declared, let limit):
            return RPCError(.resourceExhausted, "received message larger than max (\(declared) vs. \(limit))")
        case .invalidFlag(let flag):
            return RPCError(.internal, "invalid compressed-flag byte \(flag) in message prefix")
        case .truncated(let buffered):
            return RPCError(.internal, "the request ended inside a message (\(buffered) bytes of it buffered)")
        }
    }
}

/// Swallows the body of a refused request, returning its flow-control credit.
final class DiscardingInbound: StreamInbound {
    let outbound: any StreamOutbound
    init(outbound: any StreamOutbound) { self.outbound = outbound }
    func receive(_ bytes: ArraySlice<UInt8>) { outbound.consumed(bytes: bytes.count) }
    func end() {}
    func reset(_ reason: StreamResetReason) {}
}
