import Synchronization
import Testing
import ProtoWire
@testable import RPC

/// A small message for in-process tests: field 1 int64 `n`, field 2 string `text`.
struct Probe: ProtoMessage {
    var n: Int64 = 0
    var text = ""

    init() {}
    init(n: Int64, text: String = "") { self.n = n; self.text = text }

    mutating func decodeField(_ field: FieldTag, from reader: inout ProtoReader) throws(ProtoDecodingError) {
        switch field.number {
        case 1: try reader.read(Int64Codec(), field, &n)
        case 2: try reader.read(StringCodec(), field, &text)
        default: try reader.skip(field)
        }
    }

    func encodeFields(to writer: inout ProtoWriter) {
        writer.write(Int64Codec(), 1, n)
        writer.write(StringCodec(), 2, text)
    }
}

/// Records what the runtime sends; stands in for the HTTP/2 transport.
final class RecordingOutbound: StreamOutbound {
    struct State {
        var parts: [ResponsePart] = []
        var consumed = 0
        var closedWaiters: [CheckedContinuation<Void, Never>] = []
        var partWaiters: [(Int, CheckedContinuation<Void, Never>)] = []
        var writable = true
        var writableWaiters: [CheckedContinuation<Void, Never>] = []
    }
    let state = Mutex(State())

    func write(_ part: ResponsePart) -> Bool {
        let (ready, writable): ([CheckedContinuation<Void, Never>], Bool) = state.withLock { s in
            s.parts.append(part)
            let ready = s.partWaiters.filter { $0.0 <= s.parts.count }.map(\.1)
            s.partWaiters.removeAll { $0.0 <= s.parts.count }
            return (ready, s.writable)
        }
        ready.forEach { $0.resume() }
        return writable
    }

    func waitUntilWritable() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let now = state.withLock { s in
                if s.writable { return true }
                s.writableWaiters.append(c)
                return false
            }
            if now { c.resume() }
        }
    }

    func setWritable(_ writable: Bool) {
        let waiters = state.withLock { s in
            s.writable = writable
            defer { if writable { s.writableWaiters = [] } }
            return writable ? s.writableWaiters : []
        }
        waiters.forEach { $0.resume() }
    }

    func consumed(bytes: Int) { state.withLock { $0.consumed += bytes } }

    var parts: [ResponsePart] { state.withLock { $0.parts } }
    var consumedBytes: Int { state.withLock { $0.consumed } }

    /// Waits until at least `count` parts have been written.
    func waitForParts(_ count: Int) async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let now = state.withLock { s in
                if s.parts.count >= count { return true }
                s.partWaiters.append((count, c))
                return false
            }
            if now { c.resume() }
        }
    }

    /// Waits for the part that ends the stream and decodes the whole response.
    func response() async -> Response {
        while true {
            let parts = self.parts
            if let last = parts.last, last.endsStream { return Response(parts: parts) }
            await waitForParts(parts.count + 1)
        }
    }
}

extension ResponsePart {
    var endsStream: Bool {
        switch self {
        case .head(_, _, let end): return end
        case .trailers: return true
        case .data: return false
        }
    }
}

/// A decoded response: HTTP status, headers, messages and the final status fields.
struct Response {
    var httpStatus = 0
    var headers: [HeaderField] = []
    var trailers: [HeaderField] = []
    var messages: [FramedMessage] = []

    init(parts: [ResponsePart]) {
        var deframer = MessageDeframer(maxMessageSize: .max)
        for part in parts {
            switch part {
            case .head(let status, let fields, let end):
                httpStatus = status
                if end { trailers = fields } else { headers = fields }
            case .data(let bytes):
                try! deframer.feed(bytes[...]) { messages.append($0) }
            case .trailers(let fields):
                trailers = fields
            }
        }
    }

    var trailersOnly: Bool { headers.isEmpty && messages.isEmpty }
    func trailer(_ name: String) -> String? { trailers.first { $0.name == name }?.value }
    func header(_ name: String) -> String? { headers.first { $0.name == name }?.value }
    var code: StatusCode? { trailer("grpc-status").flatMap { Int($0) }.flatMap(StatusCode.init(rawValue:)) }
    var message: String? { trailer("grpc-message").map(StatusMessageCoding.decode) }

    func decoded<M: ProtoMessage>(_: M.Type) throws -> [M] {
        try messages.map { try M(serializedBytes: $0.bytes) }
    }
}

/// Runs one call against `server` in process: headers, then the body in chunks, then END_STREAM.
@discardableResult
func call(_ server: RPCServer, path: String, body: [UInt8], chunk: Int = .max,
          fields extra: [HeaderField] = [], method: String = "POST", end: Bool = true,
          outbound: RecordingOutbound = RecordingOutbound()) -> (RecordingOutbound, any StreamInbound) {
    var fields = [HeaderField("content-type", "application/grpc"), HeaderField("te", "trailers")]
    fields.append(contentsOf: extra)
    let head = RequestHead(method: method, path: path, scheme: "http", authority: "test", fields: fields)
    let inbound = server.accept(head, outbound: outbound,
                                connection: ConnectionContext(peer: "127.0.0.1:1", secure: false, executor: nil))
    var rest = body[...]
    while !rest.isEmpty {
        let piece = rest.prefix(chunk)
        inbound.receive(piece)
        rest = rest.dropFirst(piece.count)
    }
    if end { inbound.end() }
    return (outbound, inbound)
}

func framed(_ messages: [Probe]) -> [UInt8] {
    messages.flatMap { MessageFramer.frame($0.serializedBytes(), compressed: false) }
}
