import Synchronization
public import RPC
public import Messages

/// `grpc.health.v1.Health`: Check and Watch over a table of per-service statuses.
///
/// The empty service name stands for the whole server. Draining (SIGTERM) flips every
/// entry to NOT_SERVING so load balancers stop sending new work.
public final class HealthService: Sendable {
    public typealias Status = GRPCHealthV1.HealthCheckResponse.ServingStatus
    public static let serviceName = "grpc.health.v1.Health"

    private struct Watcher: Sendable {
        let service: String
        let continuation: AsyncStream<Status>.Continuation
    }
    private struct State: Sendable {
        var statuses: [String: Status] = [:]
        var watchers: [Int: Watcher] = [:]
        var nextWatcher = 0
    }
    private let state = Mutex(State())

    public init(services: [String]) {
        state.withLock { s in
            s.statuses[""] = .serving
            for name in services { s.statuses[name] = .serving }
        }
    }

    public func status(of service: String) -> Status? {
        state.withLock { $0.statuses[service] }
    }

    /// Sets one service's status and tells its watchers.
    public func set(_ service: String, _ status: Status) {
        let targets = state.withLock { s in
            s.statuses[service] = status
            return s.watchers.values.filter { $0.service == service }.map(\.continuation)
        }
        for t in targets { t.yield(status) }
    }

    /// Every service NOT_SERVING: the server is shutting down.
    public func drain() {
        let names = state.withLock { Array($0.statuses.keys) }
        for name in names { set(name, .notServing) }
    }

    public func register(in router: inout Router) {
        router.unary(Self.serviceName, "Check") { [self] (req: GRPCHealthV1.HealthCheckRequest, _) in
            guard let status = status(of: req.service) else {
                throw RPCError(.notFound, "unknown service \"\(req.service)\"")
            }
            var response = GRPCHealthV1.HealthCheckResponse()
            response.status = status
            return response
        }
        router.serverStreaming(Self.serviceName, "Watch") {
            [self] (req: GRPCHealthV1.HealthCheckRequest, out: ResponseWriter<GRPCHealthV1.HealthCheckResponse>, _) in
            // Only the newest status matters to a watcher that reads slowly.
            let (updates, continuation) = AsyncStream<Status>.makeStream(bufferingPolicy: .bufferingNewest(1))
            let id = state.withLock { s in
                let id = s.nextWatcher
                s.nextWatcher += 1
                s.watchers[id] = Watcher(service: req.service, continuation: continuation)
                continuation.yield(s.statuses[req.service] ?? .serviceUnknown)
                return id
            }
            defer { _ = state.withLock { $0.watchers.removeValue(forKey: id) } }
            var last: Status?
            for await status in updates where status != last {
                var response = GRPCHealthV1.HealthCheckResponse()
                response.status = status
                try await out.write(response)
                last = status
            }
        }
    }
}
