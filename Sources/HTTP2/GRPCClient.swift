// A small blocking gRPC client over HTTP2ClientConnection: unary and server-streaming calls
// with deadlines, metadata and message size limits. Responses go through RPC's pure
// ClientCallState (status from trailers, trailers-only responses, framing); a lost connection
// is UNAVAILABLE, a passed deadline DEADLINE_EXCEEDED (and the stream is reset).
public import RPC

public final class GRPCClientChannel {
    public let config: HTTP2ClientConfig
    /// Largest response message accepted; larger is RESOURCE_EXHAUSTED.
    public var maxReceiveMessageSize = 16 << 20
    /// Largest request message sent; larger fails before sending, RESOURCE_EXHAUSTED.
    public var maxSendMessageSize = 4 << 20
    private var connection: HTTP2ClientConnection?

    public init(config: HTTP2ClientConfig) {
        self.config = config
    }

    /// One request, one response message.
    public func unary(path: String, request: [UInt8], metadata: Metadata = Metadata(),
                      timeout: Duration? = nil) throws(RPCError) -> [UInt8] {
        var response: [UInt8]?
        var extra = false
        try call(path: path, request: request, metadata: metadata, timeout: timeout) { message in
            if response == nil { response = message } else { extra = true }
            return true
        }
        if extra { throw RPCError(.internal, "the server sent more than one response to a unary call") }
        guard let response else { throw RPCError(.internal, "the server sent no response message and an OK status") }
        return response
    }

    /// One request, a stream of responses: `onMessage` sees each as it arrives and returns
    /// false to stop early (the stream is canceled; the call then returns normally).
    /// `onIdle`, when given, is called about every `idleEvery` while no message arrives (a
    /// screen's clock).
    public func serverStream(path: String, request: [UInt8], metadata: Metadata = Metadata(), timeout: Duration? = nil,
                             idleEvery: Duration = .seconds(1), onIdle: (() -> Void)? = nil,
                             onMessage: ([UInt8]) throws(RPCError) -> Bool) throws(RPCError) {
        try call(path: path, request: request, metadata: metadata, timeout: timeout, idle: onIdle.map { (idleEvery, $0) },
                 onMessage: onMessage)
    }

    /// Drops the connection; the next call opens a new one.
    public func disconnect() {
        connection?.close()
        connection = nil
    }

    private func connected() throws(RPCError) -> HTTP2ClientConnection {
        if let connection, connection.isUsable { return connection }
        disconnect()
        do {
            let made = try HTTP2ClientConnection(config)
            connection = made
            return made
        } catch {
            throw RPCError(.unavailable, error.description)
        }
    }

    private func call(path: String, request: [UInt8], metadata: Metadata, timeout: Duration?,
                      idle: (every: Duration, call: () -> Void)? = nil,
                      onMessage: ([UInt8]) throws(RPCError) -> Bool) throws(RPCError) {
        guard request.count <= maxSendMessageSize else {
            throw RPCError(.resourceExhausted,
                           "request message of \(request.count) bytes is over the send limit of \(maxSendMessageSize)")
        }
        let deadline = timeout.map { ContinuousClock.now + $0 }
        let connection = try connected()
        let box = CallBox(maxMessageSize: maxReceiveMessageSize)
        let headers = ClientCallState.requestHeaders(path: path, authority: config.authority, secure: config.tls != nil,
                                                     timeout: timeout, metadata: metadata)
        let id: Int32
        do {
            id = try connection.startStream(headers: headers, body: MessageFramer.frame(request, compressed: false)) {
                box.handle($0)
            }
        } catch {
            disconnect()
            throw RPCError(.unavailable, error.description)
        }
        while true {
            let finished: Bool
            var wake = deadline
            if let idle {
                let tick = ContinuousClock.now + idle.every
                wake = deadline.map { min($0, tick) } ?? tick
            }
            do {
                finished = try connection.pump(until: { box.state.phase == .done || !box.messages.isEmpty }, deadline: wake)
            } catch {
                disconnect()
                box.state.fail(RPCError(.unavailable, error.description))
                break
            }
            while !box.messages.isEmpty {
                let message = box.messages.removeFirst()
                if try !onMessage(message) {
                    connection.cancel(stream: id)
                    return
                }
            }
            if box.state.phase == .done { break }
            if !finished, let idle, deadline.map({ ContinuousClock.now < $0 }) ?? true {
                idle.call()
                continue
            }
            if !finished {
                connection.cancel(stream: id)
                throw RPCError(.deadlineExceeded, "no answer within the deadline")
            }
        }
        if let status = box.state.status { throw status }
    }
}

/// One call's state, reached from the stream's event handler.
private final class CallBox {
    var state: ClientCallState
    var messages: [[UInt8]] = []

    init(maxMessageSize: Int) {
        state = ClientCallState(maxMessageSize: maxMessageSize)
    }

    func handle(_ event: HTTP2ClientEvent) {
        switch event {
        case .headers(let fields, let endStream): state.receiveHeaders(fields, endStream: endStream)
        case .data(let chunk): messages.append(contentsOf: state.receiveData(chunk))
        case .closed(let code): state.streamClosed(h2ErrorCode: code)
        }
    }
}
