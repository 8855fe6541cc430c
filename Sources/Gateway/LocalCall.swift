// One gRPC call made in process: the gateway plays the client's part of an HTTP/2 stream on
// the runtime's `StreamAcceptor` seam (a POST with content-type application/grpc, one framed
// request message), and reads the response parts back as messages and a status. The same
// router, handlers, auth and error mapping as a call from the network; no sockets.
import ProtoJSON
import ProtoWire
import RPC
import Synchronization

/// The status a call ended with, as its trailers said.
struct CallStatus: Sendable {
    var code: StatusCode
    var message: String
    /// A serialized google.rpc.Status (grpc-status-details-bin), when the handler sent one.
    var details: [UInt8]?

    var error: RPCError? { code == .ok ? nil : RPCError(code, message, details: details) }
}

final class LocalCall: StreamOutbound, Sendable {
    enum Event: Sendable {
        case message([UInt8])
        case end(CallStatus)
    }

    private struct State: Sendable {
        var partial: [UInt8] = []
        var messages: [[UInt8]] = []
        var head = 0
        var queuedBytes = 0
        var status: CallStatus?
        var ended = false
        var reader: CheckedContinuation<Void, Never>?
        var writers: [CheckedContinuation<Void, Never>] = []
        var cancelled = false
    }

    private let state = Mutex(State())
    /// Largest response message taken from the runtime (a frame past this ends the call).
    static let maxMessageBytes = 16 << 20
    /// The runtime's writes are paced against what the gateway has not yet passed on.
    static let highWaterBytes = 256 * 1024
    static let lowWaterBytes = 64 * 1024

    private final class InboundBox: @unchecked Sendable {
        // Loop-confined: set and used on the connection's loop thread only.
        var inbound: (any StreamInbound)?
    }
    private let box = InboundBox()

    private init() {}

    /// Starts `path` ("/pkg.Service/Method") with one request message. Call on the loop
    /// thread of `connection` (inbound events belong to it).
    static func start(_ rpc: any StreamAcceptor, path: String, metadata: [HeaderField], request: [UInt8],
                      connection: ConnectionContext) -> LocalCall {
        start(rpc, path: path, metadata: metadata, framed: MessageFramer.frame(request, compressed: false),
              connection: connection)
    }

    /// Starts `path` with a request body already in gRPC framing (gRPC-Web passes it through).
    static func start(_ rpc: any StreamAcceptor, path: String, metadata: [HeaderField], framed: [UInt8],
                      connection: ConnectionContext) -> LocalCall {
        let call = LocalCall()
        var fields = [HeaderField("content-type", "application/grpc"), HeaderField("te", "trailers")]
        fields.append(contentsOf: metadata)
        let head = RequestHead(method: "POST", path: path, scheme: "http", authority: "localhost", fields: fields)
        let inbound = rpc.accept(head, outbound: call, connection: connection)
        call.box.inbound = inbound
        inbound.receive(framed[...])
        inbound.end()
        return call
    }

    /// The client went away: cancel the handler (on the loop thread, like a RST_STREAM).
    func cancel() {
        let reader = state.withLock { s -> CheckedContinuation<Void, Never>? in
            s.cancelled = true
            // The runtime sends nothing after a reset: the status is ours to set.
            if s.status == nil { s.status = CallStatus(code: .cancelled, message: "the client went away") }
            defer { s.reader = nil }
            return s.reader
        }
        reader?.resume()
        resumeWritersIfDrained()
        box.inbound?.reset(.peerReset(errorCode: 8))
        box.inbound = nil
    }

    /// The next message or the final status; nil after the status was returned.
    func next() async -> Event? {
        while true {
            let (event, waitNeeded): (Event?, Bool) = state.withLock { s in
                if s.head < s.messages.count {
                    let message = s.messages[s.head]
                    s.messages[s.head] = []
                    s.head += 1
                    if s.head == s.messages.count {
                        s.messages.removeAll(keepingCapacity: true)
                        s.head = 0
                    }
                    s.queuedBytes -= message.count
                    return (.message(message), false)
                }
                if let status = s.status {
                    if s.ended { return (nil, false) }
                    s.ended = true
                    return (.end(status), false)
                }
                return (nil, true)
            }
            resumeWritersIfDrained()
            if !waitNeeded { return event }
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let ready = state.withLock { s -> Bool in
                    if s.head < s.messages.count || s.status != nil { return true }
                    s.reader = continuation
                    return false
                }
                if ready { continuation.resume() }
            }
        }
    }

    /// A unary call's response message and status.
    func unaryResult() async -> (response: [UInt8]?, status: CallStatus) {
        var response: [UInt8]?
        while let event = await next() {
            switch event {
            case .message(let bytes): response = bytes
            case .end(let status): return (response, status)
            }
        }
        return (response, CallStatus(code: .internal, message: "the call ended without a status"))
    }

    // MARK: StreamOutbound (the runtime answering)

    @discardableResult
    func write(_ part: ResponsePart) -> Bool {
        let (reader, below) = state.withLock { s -> (CheckedContinuation<Void, Never>?, Bool) in
            guard s.status == nil else { return (nil, true) }
            switch part {
            case .head(let httpStatus, let fields, let endStream):
                if endStream { s.status = Self.status(fields, httpStatus: httpStatus) }
            case .data(let bytes):
                s.partial.append(contentsOf: bytes)
                Self.deframe(&s)
            case .trailers(let fields):
                s.status = Self.status(fields, httpStatus: 200)
            }
            defer { s.reader = nil }
            return (s.reader, s.queuedBytes <= Self.highWaterBytes)
        }
        reader?.resume()
        return below
    }

    func waitUntilWritable() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let now = state.withLock { s -> Bool in
                if s.cancelled || s.queuedBytes < Self.lowWaterBytes { return true }
                s.writers.append(continuation)
                return false
            }
            if now { continuation.resume() }
        }
    }

    func consumed(bytes: Int) {}

    private func resumeWritersIfDrained() {
        let writers = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            guard s.queuedBytes < Self.lowWaterBytes || s.cancelled else { return [] }
            defer { s.writers = [] }
            return s.writers
        }
        for writer in writers { writer.resume() }
    }

    private static func deframe(_ s: inout State) {
        var offset = 0
        while s.partial.count - offset >= 5 {
            let length = Int(s.partial[offset + 1]) << 24 | Int(s.partial[offset + 2]) << 16
                | Int(s.partial[offset + 3]) << 8 | Int(s.partial[offset + 4])
            guard length <= maxMessageBytes, s.partial[offset] == 0 else {
                s.status = CallStatus(code: .internal, message: "the response message could not be read (\(length) bytes)")
                s.partial = []
                return
            }
            guard s.partial.count - offset - 5 >= length else { break }
            let message = Array(s.partial[(offset + 5)..<(offset + 5 + length)])
            s.queuedBytes += message.count
            s.messages.append(message)
            offset += 5 + length
        }
        if offset > 0 { s.partial.removeFirst(offset) }
    }

    private static func status(_ fields: [HeaderField], httpStatus: Int) -> CallStatus {
        var code: StatusCode?
        var message = ""
        var details: [UInt8]?
        for field in fields {
            switch field.name {
            case "grpc-status": code = Int(field.value).flatMap(StatusCode.init(rawValue:)) ?? .unknown
            case "grpc-message": message = StatusMessageCoding.decode(field.value)
            case "grpc-status-details-bin": details = Transcoder.decodeBase64(field.value)
            default: break
            }
        }
        if let code { return CallStatus(code: code, message: message, details: details) }
        return CallStatus(code: httpStatus == 200 ? .unknown : .internal, message: "HTTP \(httpStatus) without grpc-status")
    }
}
