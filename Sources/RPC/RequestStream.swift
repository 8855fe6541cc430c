import Synchronization
public import ProtoWire

/// Request messages of a client-streaming or bidirectional call, as they arrive.
///
/// Iterating decodes each message; a message that does not decode ends the iteration with
/// `RPCError(.invalidArgument)`. Iteration ends (nil) when the client half-closes.
public struct RequestStream<Message: ProtoMessage>: AsyncSequence, Sendable {
    public typealias Element = Message
    public typealias Failure = any Error

    let source: InboundQueue
    let core: CallCore

    public struct AsyncIterator: AsyncIteratorProtocol {
        let source: InboundQueue
        let core: CallCore

        public mutating func next() async throws -> Message? {
            guard let framed = try await source.next() else { return nil }
            return try core.decode(framed, as: Message.self)
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(source: source, core: core)
    }
}

/// A single-consumer queue of framed request messages, filled on the loop thread and
/// drained by the handler task.
///
/// It also paces the client: request bytes are acknowledged to HTTP/2 flow control at once
/// while fewer than `highWaterBytes` wait here unread; past that, credit is held back until
/// the handler catches up, so a handler that stops reading stops its client.
final class InboundQueue: Sendable {
    private struct State: Sendable {
        var messages: [FramedMessage] = []
        var head = 0
        var queuedBytes = 0
        var owedCredit = 0
        var ended = false
        var failure: RPCError?
        var waiter: CheckedContinuation<FramedMessage?, any Error>?
        var cancelled = false
    }

    private let state = Mutex(State())
    private let outbound: any StreamOutbound
    private let highWaterBytes: Int

    init(outbound: any StreamOutbound, highWaterBytes: Int) {
        self.outbound = outbound
        self.highWaterBytes = highWaterBytes
    }

    /// Request body bytes arrived (`count` of them); returns credit now unless backlogged.
    func received(bytes count: Int) {
        let release: Int = state.withLock { s in
            if s.queuedBytes < highWaterBytes { return count }
            s.owedCredit += count
            return 0
        }
        if release > 0 { outbound.consumed(bytes: release) }
    }

    func push(_ message: FramedMessage) {
        let waiter: CheckedContinuation<FramedMessage?, any Error>? = state.withLock { s in
            if let w = s.waiter {
                s.waiter = nil
                return w
            }
            s.messages.append(message)
            s.queuedBytes += message.wireSize
            return nil
        }
        waiter?.resume(returning: message)
    }

    /// The client half-closed, or the call failed (`error`).
    func finish(_ error: RPCError? = nil) {
        let waiter: CheckedContinuation<FramedMessage?, any Error>? = state.withLock { s in
            s.ended = true
            s.failure = s.failure ?? error
            defer { s.waiter = nil }
            return s.waiter
        }
        if let error { waiter?.resume(throwing: error) } else { waiter?.resume(returning: nil) }
    }

    func next() async throws -> FramedMessage? {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (cont: CheckedContinuation<FramedMessage?, any Error>) in
                enum Outcome { case message(FramedMessage, credit: Int), end, fail(any Error), wait }
                let outcome: Outcome = state.withLock { s in
                    if s.head < s.messages.count {
                        let m = s.messages[s.head]
                        s.head += 1
                        if s.head == s.messages.count { s.messages.removeAll(keepingCapacity: true); s.head = 0 }
                        s.queuedBytes -= m.wireSize
                        var credit = 0
                        if s.queuedBytes < highWaterBytes { credit = s.owedCredit; s.owedCredit = 0 }
                        return .message(m, credit: credit)
                    }
                    if s.cancelled { return .fail(CancellationError()) }
                    if let f = s.failure { return .fail(f) }
                    if s.ended { return .end }
                    s.waiter = cont
                    return .wait
                }
                switch outcome {
                case .message(let m, let credit):
                    if credit > 0 { outbound.consumed(bytes: credit) }
                    cont.resume(returning: m)
                case .end: cont.resume(returning: nil)
                case .fail(let e): cont.resume(throwing: e)
                case .wait: break
                }
            }
        } onCancel: {
            let waiter = state.withLock { s in
                s.cancelled = true
                defer { s.waiter = nil }
                return s.waiter
            }
            waiter?.resume(throwing: CancellationError())
        }
    }
}
