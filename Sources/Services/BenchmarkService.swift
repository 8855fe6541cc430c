public import RPC
import Messages

/// `grpc.testing.BenchmarkService`, the service the side-by-side benchmark drives
/// (../shared/bench): the same work every reference server does, nothing more.
public struct BenchmarkService: Sendable {
    public static let serviceName = "grpc.testing.BenchmarkService"
    typealias T = GRPCTesting

    public init() {}

    static func response(for req: T.SimpleRequest) -> T.SimpleResponse {
        var response = T.SimpleResponse()
        if req.responseSize > 0 {
            var payload = T.Payload()
            payload.body = [UInt8](repeating: 0, count: Int(req.responseSize))
            response.payload = payload
        }
        return response
    }

    public func register(in router: inout Router) {
        let name = Self.serviceName
        router.unary(name, "UnaryCall") { (req: T.SimpleRequest, _) in Self.response(for: req) }
        router.serverStreaming(name, "StreamingFromServer") {
            (req: T.SimpleRequest, out: ResponseWriter<T.SimpleResponse>, _) in
            // Until the client cancels: then `write` throws and the call ends.
            let response = Self.response(for: req)
            while true { try await out.write(response) }
        }
        router.bidirectionalStreaming(name, "StreamingCall") {
            (requests: RequestStream<T.SimpleRequest>, out: ResponseWriter<T.SimpleResponse>, _) in
            for try await req in requests { try await out.write(Self.response(for: req)) }
        }
        router.clientStreaming(name, "StreamingFromClient") { (requests: RequestStream<T.SimpleRequest>, _) in
            var last = T.SimpleRequest()
            for try await req in requests { last = req }
            return Self.response(for: last)
        }
        router.bidirectionalStreaming(name, "StreamingBothWays") {
            (requests: RequestStream<T.SimpleRequest>, out: ResponseWriter<T.SimpleResponse>, _) in
            // Both directions at full speed, independently, until the client stops.
            var iterator = requests.makeAsyncIterator()
            let first = try await iterator.next() ?? T.SimpleRequest()
            let response = Self.response(for: first)
            while true { try await out.write(response) }
        }
    }
}
