// gRPC-Web (https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-WEB.md) on the HTTP/1.1
// port: `POST /pkg.Service/Method` with content-type application/grpc-web(+proto), or
// application/grpc-web-text(+proto) for base64 bodies. The request frames go to the runtime
// as they are; response messages come back as frames, and the status as a last frame with
// the 0x80 flag holding "grpc-status: N\r\ngrpc-message: ...\r\n". Unary and server
// streaming (what browsers can do), streamed as chunks as the messages arrive.
import ProtoJSON
import ProtoWire
import RPC

enum GRPCWeb {
    /// Request headers that belong to HTTP/1.1 or the browser, not to the call's metadata.
    static let notMetadata: Set<String> = [
        "host", "content-type", "content-length", "connection", "keep-alive", "te", "transfer-encoding", "upgrade",
        "x-grpc-web", "x-user-agent", "user-agent", "accept", "accept-encoding", "accept-language", "origin",
        "referer", "expect", "cookie", "grpc-accept-encoding", "grpc-encoding",
    ]

    static func handle(_ request: HTTPRequest, _ outbound: any StreamOutbound, gateway: Gateway) {
        guard request.method == "POST" else { return gateway.methodNotAllowed(outbound, allow: "POST") }
        let contentType = request.head.first("content-type") ?? ""
        let text = contentType.hasPrefix("application/grpc-web-text")
        var body = request.body
        if text {
            guard let decoded = decodeText(body) else {
                return ErrorBody.send(status: 400, code: .invalidArgument, message: "grpc-web-text body is not base64",
                                      to: outbound)
            }
            body = decoded
        }
        let metadata = request.head.fields.filter { !notMetadata.contains($0.name) }
        let call = LocalCall.start(gateway.rpc, path: String(request.path), metadata: metadata, framed: body,
                                   connection: request.connection)
        request.gone.onCancel { call.cancel() }
        outbound.write(.head(status: 200, fields: [
            HeaderField("content-type", text ? "application/grpc-web-text+proto" : "application/grpc-web+proto"),
        ], endStream: false))
        Task(executorPreference: request.connection.executor) {
            while let event = await call.next() {
                var frame: [UInt8]
                switch event {
                case .message(let bytes):
                    frame = MessageFramer.frame(bytes, compressed: false)
                case .end(let status):
                    var trailer = "grpc-status: \(status.code.rawValue)\r\n"
                    if !status.message.isEmpty { trailer += "grpc-message: \(StatusMessageCoding.encode(status.message))\r\n" }
                    if let details = status.details {
                        trailer += "grpc-status-details-bin: \(Base64.encode(details, padded: false))\r\n"
                    }
                    frame = MessageFramer.frame(Array(trailer.utf8), compressed: false)
                    frame[0] = 0x80
                }
                if text { frame = Array(Base64.encode(frame).utf8) }
                if !outbound.write(.data(frame)) { await outbound.waitUntilWritable() }
                if case .end = event { break }
                if request.gone.isCancelled { return }
            }
            outbound.write(.trailers([]))
        }
    }

    /// grpc-web-text bodies: base64, possibly several padded pieces one after another.
    static func decodeText(_ body: [UInt8]) -> [UInt8]? {
        var out: [UInt8] = []
        var piece = ""
        for byte in body where byte != 0x0D && byte != 0x0A {
            piece.unicodeScalars.append(Unicode.Scalar(byte))
            // Every padded piece is a multiple of 4 long: decode at each such boundary.
            if piece.utf8.count % 4 == 0 {
                guard let decoded = Base64.decode(piece) else { return nil }
                out += decoded
                piece = ""
            }
        }
        if !piece.isEmpty {
            guard let decoded = Transcoder.decodeBase64(piece) else { return nil }
            out += decoded
        }
        return out
    }
}
