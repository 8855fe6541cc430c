public import ProtoWire

/// The four shapes of gRPC method.
public enum MethodKind: Sendable {
    case unary, clientStreaming, serverStreaming, bidirectionalStreaming

    /// Whether the handler receives exactly one request, delivered before it starts.
    var takesSingleRequest: Bool { self == .unary || self == .serverStreaming }
}

/// A method with its handler, erased to what the call driver needs.
struct MethodHandler: Sendable {
    let kind: MethodKind
    /// Runs the handler. `single` is the one request for unary and server-streaming calls;
    /// `stream` is the queue of requests for the streaming kinds.
    let run: @Sendable (_ core: CallCore, _ single: FramedMessage?, _ stream: InboundQueue?) async throws -> Void
}

/// The table of services and methods a server answers, built before it starts.
public struct Router: Sendable {
    struct Entry: Sendable {
        let service: String
        let method: String
        let handler: MethodHandler
        let stats: MethodStats
    }
    /// Keyed by the request path, "/package.Service/Method": one hash per call.
    var methods: [String: Entry] = [:]
    var services: Set<String> = []

    public init() {}

    /// Fully-qualified names of the registered services, sorted.
    public var serviceNames: [String] { services.sorted() }

    /// The metrics of a registered method ("/package.Service/Method").
    public func stats(path: String) -> MethodStats? { methods[path]?.stats }

    public mutating func unary<Request: ProtoMessage, Response: ProtoMessage>(
        _ service: String, _ method: String,
        _ handler: @escaping @Sendable (Request, ServerContext) async throws -> Response
    ) {
        add(service, method, MethodHandler(kind: .unary) { core, single, _ in
            let request = try core.decode(single!, as: Request.self)
            let response = try await handler(request, core.context)
            _ = try core.send(response, compress: nil)
        })
    }

    public mutating func serverStreaming<Request: ProtoMessage, Response: ProtoMessage>(
        _ service: String, _ method: String,
        _ handler: @escaping @Sendable (Request, ResponseWriter<Response>, ServerContext) async throws -> Void
    ) {
        add(service, method, MethodHandler(kind: .serverStreaming) { core, single, _ in
            let request = try core.decode(single!, as: Request.self)
            try await handler(request, ResponseWriter(core: core), core.context)
        })
    }

    public mutating func clientStreaming<Request: ProtoMessage, Response: ProtoMessage>(
        _ service: String, _ method: String,
        _ handler: @escaping @Sendable (RequestStream<Request>, ServerContext) async throws -> Response
    ) {
        add(service, method, MethodHandler(kind: .clientStreaming) { core, _, stream in
            let response = try await handler(RequestStream(source: stream!, core: core), core.context)
            _ = try core.send(response, compress: nil)
        })
    }

    public mutating func bidirectionalStreaming<Request: ProtoMessage, Response: ProtoMessage>(
        _ service: String, _ method: String,
        _ handler: @escaping @Sendable (RequestStream<Request>, ResponseWriter<Response>, ServerContext) async throws -> Void
    ) {
        add(service, method, MethodHandler(kind: .bidirectionalStreaming) { core, _, stream in
            try await handler(RequestStream(source: stream!, core: core), ResponseWriter(core: core), core.context)
        })
    }

    private mutating func add(_ service: String, _ method: String, _ handler: MethodHandler) {
        let path = "/\(service)/\(method)"
        precondition(methods[path] == nil, "\(path) registered twice")
        methods[path] = Entry(service: service, method: method, handler: handler,
                              stats: MethodStats(service: service, method: method))
        services.insert(service)
    }

    enum Lookup {
        case found(service: String, method: String, MethodHandler, MethodStats)
        case unknownService(String)
        case unknownMethod(service: String, method: String)
        case malformedPath
    }

    func lookup(path: String) -> Lookup {
        if let entry = methods[path] {
            return .found(service: entry.service, method: entry.method, entry.handler, entry.stats)
        }
        // Not served: say whether the service or only the method is unknown.
        guard path.first == "/" else { return .malformedPath }
        let rest = path.dropFirst()
        guard let slash = rest.lastIndex(of: "/") else { return .malformedPath }
        let service = String(rest[..<slash])
        let method = String(rest[rest.index(after: slash)...])
        guard services.contains(service) else { return .unknownService(service) }
        return .unknownMethod(service: service, method: method)
    }
}
