import Synchronization
public import ProtoWire

/// The shared state of one call: what has been sent, whether it is over, and the tasks
/// working for it. Used by the loop-side inbound driver and by the handler task.
///
/// The first of {handler finished, handler failed, deadline, client reset} to arrive ends
/// the call; everything after is dropped.
final class CallCore: Sendable {
    let outbound: any StreamOutbound
    let context: ServerContext
    let requestEncoding: MessageEncoding
    /// The encoding for compressed responses, when the client accepts one of ours.
    let responseEncoding: MessageEncoding?
    let maxReceiveMessageSize: Int
    private let stats: MethodStats?
    private let started = ContinuousClock.now

    private struct State: Sendable {
        var headSent = false
        var headEncoding: MessageEncoding = .identity
        var finished = false
        var handler: Task<Void, Never>?
        var timer: Task<Void, Never>?
    }
    private let state = Mutex(State())
    /// The size of the last response frame: the next one reserves that much up front, so
    /// a stream of large messages does not regrow (and recopy) its buffer each time.
    private let lastFrameSize = Atomic<Int>(0)

    init(outbound: any StreamOutbound, context: ServerContext, requestEncoding: MessageEncoding,
         responseEncoding: MessageEncoding?, maxReceiveMessageSize: Int, stats: MethodStats? = nil) {
        self.outbound = outbound
        self.stats = stats
        stats?.started()
        self.context = context
        self.requestEncoding = requestEncoding
        self.responseEncoding = responseEncoding
        self.maxReceiveMessageSize = maxReceiveMessageSize
    }

    var isFinished: Bool { state.withLock { $0.finished } }

    func attach(handler: Task<Void, Never>) {
        let cancelNow = state.withLock { s in
            s.handler = handler
            return s.finished
        }
        if cancelNow { handler.cancel() }
    }

    /// Starts the deadline timer: when it fires first, the call ends with DEADLINE_EXCEEDED
    /// and the handler is cancelled.
    func armDeadline(after timeout: Duration, executor: (any TaskExecutor)?) {
        let timer = Task(executorPreference: executor) { [self] in
            do { try await Task.sleep(for: timeout) } catch { return }
            self.finish(RPCError(.deadlineExceeded, "deadline exceeded after \(timeout)"))
        }
        let cancelNow = state.withLock { s in
            s.timer = timer
            return s.finished
        }
        if cancelNow { timer.cancel() }
    }

    // MARK: decoding requests

    func decode<M: ProtoMessage>(_ framed: FramedMessage, as: M.Type) throws(RPCError) -> M {
        context.mutable.withLock { $0.lastRequestCompressed = framed.compressed }
        var body = framed.bytes
        var inflated: [UInt8] = []
        if framed.compressed {
            guard requestEncoding != .identity else {
                throw RPCError(.internal, "message has the compressed flag set but the request has no grpc-encoding")
            }
            inflated = try requestEncoding.decompress(body, limit: maxReceiveMessageSize)
            body = inflated[...]
        }
        do {
            return try M(serializedBytes: body)
        } catch {
            throw RPCError(.invalidArgument, "could not decode the request message: \(error)")
        }
    }

    // MARK: sending

    /// Frames (and maybe compresses) a response message and queues it, sending the
    /// response head first if needed. Returns false when the caller should wait for room.
    func send<M: ProtoMessage>(_ message: M, compress: Bool?) throws(RPCError) -> Bool {
        var frame: [UInt8] = []
        frame.reserveCapacity(max(lastFrameSize.load(ordering: .relaxed), 64))
        frame.append(contentsOf: [0, 0, 0, 0, 0] as [UInt8])
        message.serialize(into: &frame)
        lastFrameSize.store(frame.count + 16, ordering: .relaxed)
        MessageFramer.writePrefix(into: &frame, at: 0, compressed: false, length: frame.count - 5)
        return try send(frame: frame, compress: compress)
    }

    /// Sends one whole uncompressed gRPC frame (prefix and message). When the response is not
    /// compressed the bytes go out as they are: a frame shared by many calls is not copied
    /// per call on its way to the transport.
    func send(frame: [UInt8], compress: Bool?) throws(RPCError) -> Bool {
        let wantCompression = compress ?? context.compressResponses
        let (alreadySent, encoding, head): (Bool, MessageEncoding, [HeaderField]?) = state.withLock { s in
            if s.finished { return (true, .identity, nil) }
            if s.headSent { return (false, s.headEncoding, nil) }
            s.headSent = true
            s.headEncoding = wantCompression ? (responseEncoding ?? .identity) : .identity
            return (false, s.headEncoding, responseHeadFields(encoding: s.headEncoding))
        }
        if alreadySent { throw RPCError(.cancelled, "the call has already ended") }
        if let head { outbound.write(.head(status: 200, fields: head, endStream: false)) }
        if wantCompression && encoding != .identity {
            let compressed = try encoding.compress(frame[5...])
            return outbound.write(.data(MessageFramer.frame(compressed, compressed: true)))
        }
        return outbound.write(.data(frame))
    }

    /// The response head of most calls (no compression, no header metadata), built once.
    private static let plainHead = [HeaderField("content-type", "application/grpc"),
                                    HeaderField("grpc-accept-encoding", MessageEncoding.acceptHeader)]
    private static let okTrailers = [HeaderField("grpc-status", "0")]

    private func responseHeadFields(encoding: MessageEncoding) -> [HeaderField] {
        let initial = context.mutable.withLock { $0.initialMetadata }
        if encoding == .identity && initial.isEmpty { return Self.plainHead }
        var fields = [HeaderField("content-type", "application/grpc")]
        if encoding != .identity { fields.append(HeaderField("grpc-encoding", encoding.rawValue)) }
        fields.append(HeaderField("grpc-accept-encoding", MessageEncoding.acceptHeader))
        initial.appendFields(to: &fields)
        return fields
    }

    /// Ends the call with `error`'s status (or OK when nil). Idempotent: only the first
    /// call sends anything. Cancels the handler and the deadline timer.
    func finish(_ error: RPCError?) {
        let (proceed, headSent, handler, timer) = state.withLock { s in
            if s.finished { return (false, s.headSent, nil as Task<Void, Never>?, nil as Task<Void, Never>?) }
            s.finished = true
            defer { s.handler = nil; s.timer = nil }
            return (true, s.headSent, s.handler, s.timer)
        }
        guard proceed else { return }
        stats?.finished(error?.code ?? .ok, after: ContinuousClock.now - started)
        timer?.cancel()
        if error != nil { handler?.cancel() }
        var trailing = context.mutable.withLock { $0.trailingMetadata }
        if error == nil && headSent && trailing.isEmpty {
            outbound.write(.trailers(Self.okTrailers))
            return
        }
        var status: [HeaderField] = []
        let code = error?.code ?? .ok
        status.append(HeaderField("grpc-status", String(code.rawValue)))
        if let message = error?.message, !message.isEmpty {
            status.append(HeaderField("grpc-message", StatusMessageCoding.encode(message)))
        }
        if let details = error?.details {
            status.append(HeaderField("grpc-status-details-bin", Base64.encode(details, padded: false)))
        }
        if let extra = error?.trailers { trailing.add(contentsOf: extra) }
        if headSent {
            trailing.appendFields(to: &status)
            outbound.write(.trailers(status))
        } else {
            // Trailers-only: one HEADERS frame with END_STREAM carries the status.
            var fields = [HeaderField("content-type", "application/grpc")]
            fields.append(contentsOf: status)
            context.mutable.withLock { $0.initialMetadata }.appendFields(to: &fields)
            trailing.appendFields(to: &fields)
            outbound.write(.head(status: 200, fields: fields, endStream: true))
        }
    }

    /// The client reset the stream or the connection went away: stop, send nothing.
    func abandon() {
        let (wasFinished, handler, timer) = state.withLock { s in
            defer { s.finished = true; s.handler = nil; s.timer = nil }
            return (s.finished, s.handler, s.timer)
        }
        if !wasFinished { stats?.finished(.cancelled, after: ContinuousClock.now - started) }
        handler?.cancel()
        timer?.cancel()
    }

    /// Maps what a handler threw to the status the client sees.
    static func status(for error: any Error) -> RPCError {
        if let rpc = error as? RPCError { return rpc }
        if error is CancellationError { return RPCError(.cancelled, "the call was cancelled") }
        return RPCError(.unknown, String(describing: error))
    }
}

/// Sends response messages of a server-streaming or bidirectional call.
///
/// `write` waits while the client is not reading (HTTP/2 flow control), so a handler can
/// never buffer without bound. It throws once the call has ended (cancelled, deadline).
public struct ResponseWriter<Message: ProtoMessage>: Sendable {
    let core: CallCore

    public func write(_ message: Message, compress: Bool? = nil) async throws {
        try await paced(core.send(message, compress: compress))
    }

    /// Writes a message already framed for gRPC (`MessageFramer.frame(body, compressed: false)`
    /// of a `Message`'s bytes): the way to send one encoding to many calls.
    public func write(frame: [UInt8], compress: Bool? = nil) async throws {
        try await paced(core.send(frame: frame, compress: compress))
    }

    private func paced(_ accepted: Bool) async throws {
        if !accepted { await core.outbound.waitUntilWritable() }
        if core.isFinished { throw RPCError(.cancelled, "the call has already ended") }
        try Task.checkCancellation()
    }
}
