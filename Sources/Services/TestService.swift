public import RPC
import Messages

/// `grpc.testing.TestService`, the service the official gRPC interop clients exercise.
/// Served only with `--testing-services`.
public struct TestService: Sendable {
    public static let serviceName = "grpc.testing.TestService"
    typealias T = GRPCTesting

    public init() {}

    public func register(in router: inout Router) {
        let name = Self.serviceName
        router.unary(name, "EmptyCall") { (_: T.Empty, ctx) in
            Self.echoMetadata(ctx)
            return T.Empty()
        }
        router.unary(name, "UnaryCall") { (req: T.SimpleRequest, ctx) in try Self.unary(req, ctx) }
        router.unary(name, "CacheableUnaryCall") { (req: T.SimpleRequest, ctx) in try Self.unary(req, ctx) }
        router.serverStreaming(name, "StreamingOutputCall") {
            (req: T.StreamingOutputCallRequest, out: ResponseWriter<T.StreamingOutputCallResponse>, ctx) in
            Self.echoMetadata(ctx)
            try await Self.respond(to: req, out)
        }
        router.clientStreaming(name, "StreamingInputCall") { (requests: RequestStream<T.StreamingInputCallRequest>, ctx) in
            Self.echoMetadata(ctx)
            var total: Int32 = 0
            for try await req in requests {
                try Self.checkCompression(expected: req.expectCompressed, ctx)
                total += Int32(req.payload?.body.count ?? 0)
            }
            var response = T.StreamingInputCallResponse()
            response.aggregatedPayloadSize = total
            return response
        }
        router.bidirectionalStreaming(name, "FullDuplexCall") {
            (requests: RequestStream<T.StreamingOutputCallRequest>, out: ResponseWriter<T.StreamingOutputCallResponse>, ctx) in
            Self.echoMetadata(ctx)
            for try await req in requests { try await Self.respond(to: req, out) }
        }
        router.bidirectionalStreaming(name, "HalfDuplexCall") {
            (requests: RequestStream<T.StreamingOutputCallRequest>, out: ResponseWriter<T.StreamingOutputCallResponse>, ctx) in
            Self.echoMetadata(ctx)
            var all: [T.StreamingOutputCallRequest] = []
            for try await req in requests { all.append(req) }
            for req in all { try await Self.respond(to: req, out) }
        }
        router.unary(name, "UnimplementedCall") { (_: T.Empty, _) -> T.Empty in
            throw RPCError(.unimplemented, "grpc.testing.TestService/UnimplementedCall is not implemented, on purpose")
        }
    }

    static func unary(_ req: T.SimpleRequest, _ ctx: ServerContext) throws -> T.SimpleResponse {
        echoMetadata(ctx)
        try checkCompression(expected: req.expectCompressed, ctx)
        if let status = req.responseStatus, status.code != 0 {
            throw RPCError(StatusCode(rawValue: Int(status.code)) ?? .unknown, status.message)
        }
        if req.responseCompressed?.value == true { ctx.compressResponses = true }
        var response = T.SimpleResponse()
        if req.responseSize > 0 { response.payload = payload(Int(req.responseSize)) }
        return response
    }

    static func respond(to req: T.StreamingOutputCallRequest,
                        _ out: ResponseWriter<T.StreamingOutputCallResponse>) async throws {
        if let status = req.responseStatus, status.code != 0 {
            throw RPCError(StatusCode(rawValue: Int(status.code)) ?? .unknown, status.message)
        }
        for parameters in req.responseParameters {
            if parameters.intervalUs > 0 { try await Task.sleep(for: .microseconds(Int(parameters.intervalUs))) }
            var response = T.StreamingOutputCallResponse()
            response.payload = payload(Int(parameters.size))
            try await out.write(response, compress: parameters.compressed?.value)
        }
    }

    /// The client asked us to check that its message arrived compressed.
    static func checkCompression(expected: T.BoolValue?, _ ctx: ServerContext) throws {
        if expected?.value == true && !ctx.requestWasCompressed {
            throw RPCError(.invalidArgument, "expected a compressed request message, got an uncompressed one")
        }
    }

    static func payload(_ size: Int) -> T.Payload {
        var payload = T.Payload()
        payload.body = [UInt8](repeating: 0, count: max(size, 0))
        return payload
    }

    /// The interop custom_metadata case: echo these two keys back.
    static func echoMetadata(_ ctx: ServerContext) {
        if let initial = ctx.metadata["x-grpc-test-echo-initial"] {
            ctx.addInitialMetadata(Metadata([("x-grpc-test-echo-initial", initial)]))
        }
        if let trailing = ctx.metadata.binary("x-grpc-test-echo-trailing-bin") {
            var md = Metadata()
            md.add("x-grpc-test-echo-trailing-bin", binary: trailing)
            ctx.addTrailingMetadata(md)
        }
    }
}
