// One HTTP/1.1 connection (cleartext) on the same event loops as HTTP/2. The request side is
// the pure `HTTP1RequestReader`; each request becomes one exchange handed to a
// `StreamAcceptor` through the same seam as an HTTP/2 stream (RequestHead, StreamOutbound,
// StreamInbound), so the layers above do not care which protocol carried it. Exchanges run
// one at a time, in order: pipelined requests wait in the reader until the response before
// them is written. Everything here runs on the connection's loop thread.
import Glibc
public import HTTP1
import RPC
import Synchronization

/// Knobs of the HTTP/1.1 listener.
public struct HTTP1ServerConfig: Sendable {
    public var limits = HTTP1Limits()
    /// A request head must arrive whole within this time of its first byte (slowloris):
    /// 408 and close otherwise.
    public var headTimeout: Duration = .seconds(10)
    /// A kept-alive connection with no request for this long is closed.
    public var idleTimeout: Duration = .seconds(60)
    /// Bytes of later (pipelined) requests held while a response is pending; reading stops
    /// past this, so a client that never reads its answers cannot grow our buffers.
    public var maxPipelinedBytes = 64 * 1024

    public init() {}
}

struct HTTP1Options: Sendable {
    let config: HTTP1ServerConfig
    let acceptor: any StreamAcceptor
    let tls: TLSContext?
}

/// Loop-confined. Kept alive by the loop's IO handler closure until `close`.
final class HTTP1Connection: ServerConnection {
    let fd: Int32
    let loop: EventLoop
    let shared: ServerShared
    let options: HTTP1Options
    let peer: String
    private var reader: HTTP1RequestReader
    private var exchange: HTTP1Exchange?
    private let tls: TLSSession?
    private var out: OutputQueue
    private var readPaused = false
    private var pollingWrite = false
    private var peerDone = false
    private(set) var closed = false
    /// Close once the current response is written (Connection: close, errors, shutdown).
    private var closeAfterResponse = false
    private var headTimer: EventLoop.Timer?
    private var idleTimer: EventLoop.Timer?

    /// Stop reading while this much output is unsent (a peer that does not read its answers).
    private static let outputHighWaterBytes = 1 << 20

    init(fd: Int32, peer: String, loop: EventLoop, shared: ServerShared, options: HTTP1Options) {
        self.fd = fd
        self.peer = peer
        self.loop = loop
        self.shared = shared
        self.options = options
        reader = HTTP1RequestReader(limits: options.config.limits)
        tls = options.tls.flatMap { TLSSession(context: $0, fd: fd) }
        out = OutputQueue(gather: options.tls == nil)
    }

    func start() {
        loop.assertInLoop()
        shared.registry(for: loop).add(self)
        loop.register(fd, events: epollIn) { [self] events in handle(events) }
        if shared.isShuttingDown { closeAfterResponse = true }
        if options.tls != nil {
            guard tls != nil else { return close(reason: "ssl_new_failed") }
            // The handshake is bounded by the head timeout: a peer that stalls in it is a slowloris too.
            headTimer = loop.schedule(after: shared.config.handshakeTimeout) { [self] in
                headTimer = nil
                close(reason: "handshake_timeout")
            }
            continueHandshake()
        } else {
            armIdleTimer()
        }
    }

    private func continueHandshake() {
        guard let tls else { return }
        switch tls.handshake() {
        case .done:
            headTimer?.cancel()
            headTimer = nil
            pollingWrite = false
            updateEpoll()
            armIdleTimer()
            readAvailable()
            if !closed { process() }
        case .incomplete(let wantWrite):
            if wantWrite != pollingWrite {
                pollingWrite = wantWrite
                updateEpoll()
            }
        case .closed:
            close(reason: "eof")
        case .failed(let detail):
            shared.log("level=warn event=tls_handshake_failed peer=\(peer) error=\"\(detail)\"")
            close(reason: "tls_handshake_failed")
        }
    }

    func beginGracefulShutdown() {
        guard !closed else { return }
        closeAfterResponse = true
        // Idle, or an open-ended stream (SSE): nothing worth waiting for.
        if exchange == nil || exchange?.chunkedResponse == true { close(reason: "shutdown") }
    }

    func close(reason: String) {
        guard !closed else { return }
        closed = true
        headTimer?.cancel()
        idleTimer?.cancel()
        loop.deregister(fd)
        if let exchange {
            self.exchange = nil
            exchange.connectionClosed()
        }
        if let tls, tls.handshakeDone { tls.shutdown() }
        Glibc.close(fd)
        shared.registry(for: loop).remove(self)
        if reason != "eof" && reason != "done" {
            shared.log("level=info event=http1_close peer=\(peer) reason=\(reason)")
        }
    }

    // MARK: Timers

    private func armIdleTimer() {
        idleTimer?.cancel()
        idleTimer = loop.schedule(after: options.config.idleTimeout) { [self] in
            guard exchange == nil, reader.isIdle else { return }
            close(reason: "idle")
        }
    }

    private func armHeadTimerIfNeeded() {
        guard headTimer == nil, reader.isReadingHead, reader.bufferedCount > 0, exchange == nil else { return }
        headTimer = loop.schedule(after: options.config.headTimeout) { [self] in
            headTimer = nil
            guard exchange == nil, !closed else { return }
            refuse(HTTP1ParseError(408, "the request head did not arrive within \(options.config.headTimeout)"))
        }
    }

    // MARK: Reading

    private func handle(_ events: UInt32) {
        if closed { return }
        if let tls, !tls.handshakeDone {
            continueHandshake()
            return
        }
        if events & epollOut != 0 {
            writeOut()
            if closed { return }
        }
        if events & (epollIn | epollHup | epollErr) != 0 && !readPaused { readAvailable() }
        if !closed { process() }
    }

    private func readAvailable() {
        let buffer = loop.readBuffer
        for _ in 0..<16 {
            let n: Int
            if let tls {
                switch tls.read(into: buffer) {
                case .done(let count): n = count
                case .incomplete(let wantWrite):
                    if wantWrite && !pollingWrite {
                        pollingWrite = true
                        updateEpoll()
                    }
                    return
                case .closed:
                    peerClosed()
                    return
                case .failed:
                    close(reason: "tls_error")
                    return
                }
            } else {
                n = Glibc.read(fd, buffer.baseAddress, buffer.count)
                if n == 0 {
                    peerClosed()
                    return
                }
                if n < 0 {
                    if errno == EINTR { continue }
                    if errno != EAGAIN && errno != EWOULDBLOCK { close(reason: "read_error") }
                    return
                }
            }
            reader.append(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
            if reader.bufferedCount > options.config.maxPipelinedBytes { return }
            if tls == nil && n < buffer.count { return }
        }
        // Budget spent with TLS plaintext still buffered: epoll will not say so again.
        if let tls, tls.hasBufferedInput {
            loop.executeLocal { [self] in
                guard !closed, !readPaused else { return }
                readAvailable()
                process()
            }
        }
    }

    /// The peer half-closed. A request already read still gets its answer.
    private func peerClosed() {
        peerDone = true
        if let exchange, exchange.requestEnded {
            closeAfterResponse = true
            readPaused = true
            updateEpoll()
        } else {
            close(reason: "eof")
        }
    }

    /// Turns buffered bytes into exchange events while no response is pending.
    private func process() {
        while !closed {
            if let exchange, exchange.requestEnded { break }
            let event: HTTP1Event?
            do {
                event = try reader.next()
            } catch {
                refuse(error)
                return
            }
            guard let event else { break }
            switch event {
            case .head(let head):
                begin(head)
            case .body(let bytes):
                exchange?.inbound?.receive(bytes[...])
            case .end:
                guard let exchange else { break }
                exchange.requestEnded = true
                exchange.inbound?.end()
                if exchange.responseDone { finishExchange() }
            }
        }
        if !closed {
            armHeadTimerIfNeeded()
            updateReadPause()
        }
    }

    private func begin(_ head: HTTP1RequestHead) {
        headTimer?.cancel()
        headTimer = nil
        idleTimer?.cancel()
        idleTimer = nil
        if !head.keepAlive { closeAfterResponse = true }
        let exchange = HTTP1Exchange(loop: loop, connection: self, head: head)
        self.exchange = exchange
        let request = RequestHead(method: head.method, path: head.target, scheme: tls == nil ? "http" : "https",
                                  authority: head.first("host"),
                                  fields: head.fields.map { HeaderField($0.name, $0.value) })
        let context = ConnectionContext(peer: peer, secure: tls != nil, executor: loop)
        exchange.inbound = options.acceptor.accept(request, outbound: exchange, connection: context)
        if head.expectsContinue && !exchange.headSent {
            out.append(Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)[...])
            flush()
        }
    }

    /// A request the reader refused: answer with its status, then close.
    private func refuse(_ error: HTTP1ParseError) {
        closeAfterResponse = true
        if let exchange, exchange.headSent {
            // Mid-body failure after the response began: nothing sensible to add.
            close(reason: "bad_request_body")
            return
        }
        if let exchange {
            self.exchange = nil
            exchange.connectionClosed()
        }
        let body = Array("{\"code\":\(error.status),\"message\":\(jsonQuoted(error.message))}\n".utf8)
        var head = "HTTP/1.1 \(error.status) \(reasonPhrase(error.status))\r\ncontent-type: application/json\r\n"
        head += "content-length: \(body.count)\r\nconnection: close\r\n\r\n"
        out.append(Array(head.utf8)[...])
        out.append(body[...])
        shared.log("level=info event=http1_refused peer=\(peer) status=\(error.status) error=\(jsonQuoted(error.message))")
        readPaused = true
        updateEpoll()
        flush()
        if !closed && out.isEmpty { close(reason: "done") }
    }

    private func updateReadPause() {
        let pipelineFull = exchange?.requestEnded == true && reader.bufferedCount > options.config.maxPipelinedBytes
        let pause = peerDone || pipelineFull || out.count >= Self.outputHighWaterBytes
        if pause != readPaused {
            readPaused = pause
            updateEpoll()
        }
    }

    // MARK: Writing (from the exchange, on the loop)

    func append(_ bytes: ArraySlice<UInt8>) {
        out.append(bytes)
    }

    /// The exchange wrote its last byte.
    func responseFinished(_ exchange: HTTP1Exchange) {
        guard exchange === self.exchange else { return }
        if exchange.requestEnded {
            finishExchange()
        } else {
            // Answered before the request body was read (an early refusal): the rest of the
            // body would be taken for the next request, so the connection ends here.
            closeAfterResponse = true
            flush()
        }
    }

    private func finishExchange() {
        exchange?.inbound = nil  // the runtime's side holds the exchange: no cycle past here
        exchange = nil
        flush()
        if closed { return }
        if closeAfterResponse { return }
        armIdleTimer()
        loop.executeLocal { [self] in
            if !closed { process() }
        }
    }

    private var flushScheduled = false

    /// Writes at the end of this loop iteration: several parts of one response go in one
    /// syscall.
    func flush() {
        guard !flushScheduled, !closed else { return }
        flushScheduled = true
        loop.scheduleFlush { [self] in
            flushScheduled = false
            writeOut()
        }
    }

    private func writeOut() {
        while !out.isEmpty {
            let written = out.write { iov in
                guard let tls else { return sendGathered(fd, iov) }
                // No gathering under TLS: one piece at a time.
                switch tls.write(UnsafeRawBufferPointer(start: iov[0].iov_base, count: iov[0].iov_len)) {
                case .done(let n): return n
                case .incomplete: return 0
                case .closed, .failed: return -1
                }
            }
            if written < 0 {
                close(reason: "write_error")
                return
            }
            if written == 0 { break }
        }
        exchange?.outputDrained(to: out.count)
        if out.isEmpty && closeAfterResponse && (exchange == nil || exchange?.responseDone == true) {
            close(reason: "done")
            return
        }
        let wantWrite = !out.isEmpty
        if wantWrite != pollingWrite {
            pollingWrite = wantWrite
            updateEpoll()
        }
        updateReadPause()
    }

    private func updateEpoll() {
        var events: UInt32 = 0
        if !readPaused { events |= epollIn }
        if pollingWrite { events |= epollOut }
        loop.modify(fd, events: events)
    }
}

/// The transport's side of one HTTP/1.1 exchange: the `StreamOutbound` the runtime answers
/// through. A response with a content-length is written as it is; one without (a stream)
/// is sent chunked and ends with the trailers part.
///
/// `@unchecked Sendable`: `queued` and `isClosed` are atomics; everything else is touched
/// only on `loop`'s thread. Calls from other threads hop through `loop.execute`, in order.
final class HTTP1Exchange: StreamOutbound, @unchecked Sendable {
    let loop: EventLoop
    var connection: HTTP1Connection?
    let head: HTTP1RequestHead
    var inbound: (any StreamInbound)?
    var requestEnded = false

    var headSent = false
    var responseDone = false
    var chunkedResponse = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    private let queued = Atomic<Int>(0)
    private let hopsInFlight = Atomic<Int>(0)
    private let isClosed = Atomic<Bool>(false)

    init(loop: EventLoop, connection: HTTP1Connection, head: HTTP1RequestHead) {
        self.loop = loop
        self.connection = connection
        self.head = head
    }

    @discardableResult
    func write(_ part: ResponsePart) -> Bool {
        if isClosed.load(ordering: .acquiring) { return true }
        var total = queued.load(ordering: .relaxed)
        if case .data(let bytes) = part { total = queued.add(bytes.count, ordering: .relaxed).newValue }
        if loop.inLoop && hopsInFlight.load(ordering: .acquiring) == 0 {
            apply(part)
        } else {
            hopsInFlight.add(1, ordering: .releasing)
            loop.execute {
                self.hopsInFlight.subtract(1, ordering: .releasing)
                self.apply(part)
            }
        }
        return total <= streamHighWaterBytes
    }

    func waitUntilWritable() async {
        if isClosed.load(ordering: .acquiring) || queued.load(ordering: .relaxed) < streamLowWaterBytes { return }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let park: @Sendable () -> Void = {
                if self.isClosed.load(ordering: .acquiring) || self.queued.load(ordering: .relaxed) < streamLowWaterBytes {
                    continuation.resume()
                } else {
                    self.waiters.append(continuation)
                }
            }
            if loop.inLoop { park() } else { loop.execute(park) }
        }
    }

    /// Request bodies are bounded by the reader's limit, so credit needs no bookkeeping.
    func consumed(bytes: Int) {}

    private func apply(_ part: ResponsePart) {
        guard let connection, !responseDone else { return }
        let bodyless = head.method == "HEAD"
        switch part {
        case .head(let status, let fields, let endStream):
            guard !headSent else { return }
            headSent = true
            var text = "HTTP/1.1 \(status) \(reasonPhrase(status))\r\n"
            var hasLength = false
            for field in fields {
                if field.name == "content-length" { hasLength = true }
                text += field.name + ": " + field.value + "\r\n"
            }
            if !hasLength {
                if endStream {
                    if status != 304 && status != 204 { text += "content-length: 0\r\n" }
                } else {
                    chunkedResponse = true
                    text += "transfer-encoding: chunked\r\n"
                }
            }
            if !head.keepAlive { text += "connection: close\r\n" }
            text += "\r\n"
            connection.append(Array(text.utf8)[...])
            if endStream { finish(connection) }
        case .data(let bytes):
            guard headSent, !bytes.isEmpty, !bodyless else { break }
            if chunkedResponse {
                connection.append(Array((String(bytes.count, radix: 16) + "\r\n").utf8)[...])
                connection.append(bytes[...])
                connection.append(crlf[...])
            } else {
                connection.append(bytes[...])
            }
        case .trailers:
            if !headSent {
                apply(.head(status: 200, fields: [], endStream: true))
                return
            }
            if chunkedResponse && !bodyless { connection.append(Array("0\r\n\r\n".utf8)[...]) }
            finish(connection)
        }
        connection.flush()
    }

    private func finish(_ connection: HTTP1Connection) {
        responseDone = true
        connection.responseFinished(self)
    }

    /// The connection wrote some output; `left` bytes are still unsent.
    func outputDrained(to left: Int) {
        queued.store(left, ordering: .relaxed)
        if left < streamLowWaterBytes { resumeWaiters() }
    }

    /// The connection closed under the exchange: tell the runtime, release writers.
    func connectionClosed() {
        isClosed.store(true, ordering: .releasing)
        connection = nil
        resumeWaiters()
        let inbound = self.inbound
        self.inbound = nil
        if !(requestEnded && responseDone) { inbound?.reset(.connectionClosed) }
    }

    private func resumeWaiters() {
        guard !waiters.isEmpty else { return }
        let list = waiters
        waiters = []
        for waiter in list { waiter.resume() }
    }
}

private let crlf: [UInt8] = [13, 10]

/// Reason phrases for the statuses this server sends.
func reasonPhrase(_ status: Int) -> String {
    switch status {
    case 100: "Continue"
    case 200: "OK"
    case 201: "Created"
    case 204: "No Content"
    case 304: "Not Modified"
    case 400: "Bad Request"
    case 401: "Unauthorized"
    case 403: "Forbidden"
    case 404: "Not Found"
    case 405: "Method Not Allowed"
    case 408: "Request Timeout"
    case 409: "Conflict"
    case 412: "Precondition Failed"
    case 413: "Content Too Large"
    case 414: "URI Too Long"
    case 415: "Unsupported Media Type"
    case 417: "Expectation Failed"
    case 429: "Too Many Requests"
    case 431: "Request Header Fields Too Large"
    case 499: "Client Closed Request"
    case 500: "Internal Server Error"
    case 501: "Not Implemented"
    case 503: "Service Unavailable"
    case 504: "Gateway Timeout"
    case 505: "HTTP Version Not Supported"
    default: "Status"
    }
}

/// A string as a JSON string literal.
func jsonQuoted(_ s: String) -> String {
    var out = "\""
    for scalar in s.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default:
            if scalar.value < 0x20 {
                out += "\\u00" + (scalar.value < 16 ? "0" : "") + String(scalar.value, radix: 16)
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
    }
    return out + "\""
}
