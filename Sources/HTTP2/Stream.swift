// The transport's half of one request stream: the `StreamOutbound` handed to the runtime,
// plus the loop-confined state the connection keeps for it.
import CNghttp2
import RPC
import Synchronization

/// Per-stream outbound flow control: `write` reports `false` above this many unsent bytes,
/// and `waitUntilWritable` resumes once the backlog drains below the low-water mark.
let streamHighWaterBytes = 256 * 1024
let streamLowWaterBytes = 64 * 1024

/// `@unchecked Sendable`: the cross-thread state is `unsentBytes`, `hopsInFlight` and
/// `isClosed` (atomics); everything else is touched only on `loop`'s thread. Calls from other
/// threads hop through `loop.execute`, in order.
final class H2Stream: StreamOutbound, @unchecked Sendable {
    let id: Int32
    let loop: EventLoop
    /// Strong while the stream is open, nil once closed (`markClosed`), which breaks the
    /// connection -> stream -> connection cycle. Not `weak`: a weak reference gives the
    /// connection a side table, and every retain/release of it then takes the slow path.
    var connection: HTTP2Connection?

    // Cross-thread.
    private let unsentBytes = Atomic<Int>(0)
    private let hopsInFlight = Atomic<Int>(0)
    private let isClosed = Atomic<Bool>(false)

    // Loop-confined: request side.
    var inbound: (any StreamInbound)?
    var inboundEnded = false
    var inboundReset = false
    var peerResetCode: UInt32?
    /// Request DATA bytes handed to the runtime but not yet returned via `consumed(bytes:)`.
    var unconsumedBytes = 0
    // Header collection (until the request head is complete).
    var method = "", path = "", scheme: String?, authority: String?
    var fields: [HeaderField] = {
        var fields: [HeaderField] = []
        fields.reserveCapacity(8)  // a typical gRPC request: one allocation, not three
        return fields
    }()
    /// Decoded size of the header section being received (RFC 9113 §6.5.2), counted on past
    /// the limit so the refusal can say how large it was.
    var headerBytes = 0
    /// The section went over the limit: its fields are dropped and the stream refused.
    var headerListTooLarge = false
    /// Reset (NO_ERROR) once the refusal is sent: the client has not finished its request.
    var resetAfterResponse = false

    // Loop-confined: response side.
    var headSent = false
    var responseDone = false
    var deferred = false
    /// Response DATA not yet framed, as the runtime wrote it (no copy on write).
    var pending = SliceQueue()
    var trailers: [HeaderField]?
    var waiters: [CheckedContinuation<Void, Never>] = []

    init(id: Int32, loop: EventLoop, connection: HTTP2Connection) {
        self.id = id
        self.loop = loop
        self.connection = connection
    }

    var pendingCount: Int { pending.count }

    // MARK: StreamOutbound

    @discardableResult
    func write(_ part: ResponsePart) -> Bool {
        if isClosed.load(ordering: .acquiring) { return true }
        var total = unsentBytes.load(ordering: .relaxed)
        if case .data(let bytes) = part {
            total = unsentBytes.add(bytes.count, ordering: .relaxed).newValue
        }
        if loop.inLoop && hopsInFlight.load(ordering: .acquiring) == 0 {
            connection?.apply(part, to: self)
        } else {
            // Keep order with writes already hopping: queue behind them.
            hopsInFlight.add(1, ordering: .releasing)
            loop.execute {
                self.hopsInFlight.subtract(1, ordering: .releasing)
                self.connection?.apply(part, to: self)
            }
        }
        return total <= streamHighWaterBytes
    }

    func waitUntilWritable() async {
        if isClosed.load(ordering: .acquiring) || unsentBytes.load(ordering: .relaxed) < streamLowWaterBytes {
            return
        }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let park: @Sendable () -> Void = {
                if self.isClosed.load(ordering: .acquiring)
                    || self.unsentBytes.load(ordering: .relaxed) < streamLowWaterBytes {
                    continuation.resume()
                } else {
                    self.waiters.append(continuation)
                }
            }
            if loop.inLoop { park() } else { loop.execute(park) }
        }
    }

    func consumed(bytes: Int) {
        guard bytes > 0 else { return }
        if loop.inLoop {
            connection?.consume(bytes, on: self)
        } else {
            loop.execute { self.connection?.consume(bytes, on: self) }
        }
    }

    // MARK: Loop-side bookkeeping

    /// Moves `count` pending bytes to the end of `out` (the DATA frame being written).
    func send(_ count: Int, into out: inout OutputQueue) {
        pending.removeFirst(count) { out.append($0) }
        let left = unsentBytes.subtract(count, ordering: .relaxed).newValue
        if left < streamLowWaterBytes { resumeWaiters() }
    }

    /// The stream is gone: drop unsent bytes and release anyone waiting to write.
    func markClosed() {
        isClosed.store(true, ordering: .releasing)
        connection = nil
        unsentBytes.store(0, ordering: .relaxed)
        pending = SliceQueue()
        resumeWaiters()
    }

    private func resumeWaiters() {
        guard !waiters.isEmpty else { return }
        let list = waiters
        waiters = []
        for waiter in list { waiter.resume() }
    }

    /// The stream closed: delivers `reset` to the runtime once, unless the exchange already
    /// completed, and lets go of the runtime's side either way. (The runtime holds this
    /// stream as its outbound; keeping `inbound` past close would be a reference cycle.)
    func deliverResetIfNeeded(_ reason: StreamResetReason) {
        guard let inbound, !inboundReset else { return }
        self.inbound = nil
        if inboundEnded && responseDone && peerResetCode == nil { return }
        inboundReset = true
        inbound.reset(reason)
    }
}
