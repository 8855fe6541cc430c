// One HTTP/2 connection: socket (+ optional TLS), one nghttp2 server session, its streams.
// Everything here runs on the connection's loop thread. nghttp2 is driven with
// mem_recv / mem_send from the loop (never from inside a callback); its callbacks are
// file-private trampolines that reach the connection through unretained user data.
import CNghttp2
import Glibc
import RPC

/// Loop-confined. Kept alive by the loop's IO handler closure until `close`.
final class HTTP2Connection: ServerConnection {
    let fd: Int32
    let loop: EventLoop
    let shared: ServerShared
    let peer: String
    private let tls: TLSSession?
    private var session: OpaquePointer?
    private(set) var streams: [Int32: H2Stream] = [:]
    private var context: ConnectionContext

    private var out: OutputQueue
    private var pollingWrite = false
    private var readPaused = false
    private var flushScheduled = false
    private(set) var closed = false
    private var handshakeTimer: EventLoop.Timer?
    private var idleTimer: EventLoop.Timer?
    private var keepaliveTimer: EventLoop.Timer?
    private var pingTimeoutTimer: EventLoop.Timer?
    private var goingAway = false
    /// Highest client stream id that opened a request (RFC 9113 §5.1.1 monotonicity).
    private var highestStreamID: Int32 = 0
    private var headerBlocks = HeaderBlockCache()
    /// The stream the last callback looked up: the callbacks for one frame (a header block's
    /// fields, a DATA chunk and its END_STREAM) come in a row for the same stream.
    private var lastStream: H2Stream?
    /// The previous request's fields: a client sends much the same header block on every
    /// request, so a field that is byte for byte the one at the same position last time is
    /// reused rather than decoded into new strings.
    private var recentFields: [HeaderField] = []
    private var recentPath = "", recentMethod = "", recentAuthority = "", recentScheme = ""

    /// Stop pulling frames from nghttp2 (and stop reading) while this much output is unsent.
    private static let outputHighWaterBytes = 1 << 20

    init(fd: Int32, peer: String, loop: EventLoop, shared: ServerShared) {
        self.fd = fd
        self.peer = peer
        self.loop = loop
        self.shared = shared
        if let tlsContext = shared.tls {
            tls = TLSSession(context: tlsContext, fd: fd)
        } else {
            tls = nil
        }
        context = ConnectionContext(peer: peer, secure: shared.tls != nil, executor: loop)
        out = OutputQueue(gather: shared.tls == nil)
    }

    // MARK: Lifecycle

    func start() {
        loop.assertInLoop()
        shared.registry(for: loop).add(self)
        loop.register(fd, events: epollIn | epollRdHup) { [self] events in
            handle(events)
        }
        if shared.tls != nil {
            if tls == nil {
                close(reason: "ssl_new_failed")
                return
            }
            handshakeTimer = loop.schedule(after: shared.config.handshakeTimeout) { [self] in
                log("warn", "handshake_timeout")
                close(reason: "handshake_timeout")
            }
            continueHandshake()
        } else {
            startSession()
        }
    }

    private func startSession() {
        do {
            session = try makeSession()
        } catch {
            log("error", "session_create_failed", "error=\(error)")
            close(reason: "session_create_failed")
            return
        }
        armIdleTimer()
        armKeepalive()
        if shared.isShuttingDown { beginGracefulShutdown() }
        scheduleFlush()
    }

    private func makeSession() throws -> OpaquePointer {
        var callbacks: OpaquePointer?
        guard nghttp2_session_callbacks_new(&callbacks) == 0, let callbacks else { throw H2Error.nomem }
        defer { nghttp2_session_callbacks_del(callbacks) }
        nghttp2_session_callbacks_set_on_begin_headers_callback(callbacks, onBeginHeaders)
        nghttp2_session_callbacks_set_on_header_callback(callbacks, onHeader)
        nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, onFrameRecv)
        nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, onDataChunkRecv)
        nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, onStreamClose)
        nghttp2_session_callbacks_set_on_begin_frame_callback(callbacks, onBeginFrame)
        nghttp2_session_callbacks_set_send_data_callback(callbacks, sendDataFrame)

        var option: OpaquePointer?
        guard nghttp2_option_new(&option) == 0, let option else { throw H2Error.nomem }
        defer { nghttp2_option_del(option) }
        let settings = shared.config.settings
        // The runtime returns request-body credit via consumed(bytes:); see consume(_:on:).
        nghttp2_option_set_no_auto_window_update(option, 1)
        // SETTINGS / PING floods: past this many queued ACKs the session fails (GOAWAY).
        nghttp2_option_set_max_outbound_ack(option, 1000)
        // Entries per SETTINGS frame.
        nghttp2_option_set_max_settings(option, 32)
        // Rapid reset (CVE-2023-44487): token bucket of peer RST_STREAMs (Debian backport).
        nghttp2_option_set_stream_reset_rate_limit(option, 1000, 33)
        // CONTINUATION flood (CVE-2024-27316): frames after HEADERS before END_HEADERS.
        nghttp2_option_set_max_continuations(option, 8)

        var session: OpaquePointer?
        let user = Unmanaged.passUnretained(self).toOpaque()
        guard nghttp2_session_server_new2(&session, callbacks, user, option) == 0, let session else {
            throw H2Error.nomem
        }
        var entries = [
            nghttp2_settings_entry(settings_id: Int32(NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS.rawValue),
                                   value: settings.maxConcurrentStreams),
            nghttp2_settings_entry(settings_id: Int32(NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE.rawValue),
                                   value: settings.initialWindowSize),
            nghttp2_settings_entry(settings_id: Int32(NGHTTP2_SETTINGS_MAX_FRAME_SIZE.rawValue),
                                   value: settings.maxFrameSize),
            nghttp2_settings_entry(settings_id: Int32(NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE.rawValue),
                                   value: settings.maxHeaderListSize),
            nghttp2_settings_entry(settings_id: Int32(NGHTTP2_SETTINGS_ENABLE_PUSH.rawValue), value: 0),
        ]
        guard nghttp2_submit_settings(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), &entries, entries.count) == 0
        else {
            nghttp2_session_del(session)
            throw H2Error.nomem
        }
        let window = Int32(clamping: shared.config.connectionWindowSize)
        if window > 65_535 {
            _ = nghttp2_session_set_local_window_size(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), 0, window)
        }
        return session
    }

    /// Closes the socket and the session; resets every stream still open. Idempotent.
    func close(reason: String) {
        guard !closed else { return }
        closed = true
        for timer in [handshakeTimer, idleTimer, keepaliveTimer, pingTimeoutTimer] { timer?.cancel() }
        loop.deregister(fd)
        let open = streams
        streams = [:]
        lastStream = nil
        for stream in open.values {
            stream.markClosed()
            stream.deliverResetIfNeeded(.connectionClosed)
        }
        if let session {
            nghttp2_session_del(session)
            self.session = nil
        }
        if let tls, tls.handshakeDone { tls.shutdown() }
        Glibc.close(fd)
        shared.registry(for: loop).remove(self)
        if reason != "eof" && reason != "done" {
            log("info", "close", "reason=\(reason)")
        }
    }

    // MARK: Timers

    private func armIdleTimer() {
        idleTimer?.cancel()
        idleTimer = nil
        guard let timeout = shared.config.idleTimeout, streams.isEmpty, !closed else { return }
        idleTimer = loop.schedule(after: timeout) { [self] in
            guard self.streams.isEmpty, let session = self.session else { return }
            self.log("info", "idle_timeout")
            nghttp2_session_terminate_session(session, NGHTTP2_NO_ERROR.rawValue)
            self.flushNow()
            self.close(reason: "idle")
        }
    }

    private func armKeepalive() {
        guard let interval = shared.config.keepaliveInterval else { return }
        keepaliveTimer = loop.schedule(after: interval) { [self] in
            guard let session = self.session, !self.closed else { return }
            _ = nghttp2_submit_ping(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), nil)
            self.pingTimeoutTimer = self.loop.schedule(after: self.shared.config.keepaliveTimeout) { [self] in
                log("warn", "keepalive_timeout")
                close(reason: "keepalive_timeout")
            }
            self.scheduleFlush()
            self.armKeepalive()
        }
    }

    /// GOAWAY in two steps (RFC 9113 §6.8): a notice with the maximum stream id, then after
    /// a short delay the real last stream id. The connection closes once streams finish.
    func beginGracefulShutdown() {
        guard let session, !goingAway, !closed else { return }
        goingAway = true
        _ = nghttp2_submit_shutdown_notice(session)
        scheduleFlush()
        loop.schedule(after: .milliseconds(100)) { [self] in
            guard let session = self.session, !self.closed else { return }
            let last = nghttp2_session_get_last_proc_stream_id(session)
            _ = nghttp2_submit_goaway(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), last,
                                      NGHTTP2_NO_ERROR.rawValue, nil, 0)
            self.scheduleFlush()
        }
    }

    // MARK: IO

    private func handle(_ events: UInt32) {
        if closed { return }
        if events & (epollErr | epollHup) != 0 && events & epollIn == 0 {
            close(reason: "socket_error")
            return
        }
        if let tls, !tls.handshakeDone {
            continueHandshake()
            return
        }
        if events & epollOut != 0 {
            writeOut()
            if closed { return }
        }
        if events & (epollIn | epollRdHup | epollHup) != 0 && !readPaused {
            readAvailable()
        }
        if !closed { scheduleFlush() }
    }

    private func continueHandshake() {
        guard let tls else { return }
        switch tls.handshake() {
        case .done:
            handshakeTimer?.cancel()
            guard tls.alpn == "h2" else {
                log("warn", "alpn_refused", "alpn=\(tls.alpn ?? "none")")
                close(reason: "no_h2_alpn")
                return
            }
            setPollWrite(false)
            startSession()
            readAvailable()
            if !closed { scheduleFlush() }
        case .incomplete(let wantWrite):
            setPollWrite(wantWrite)
        case .closed:
            close(reason: "eof")
        case .failed(let detail):
            log("warn", "tls_handshake_failed", "error=\"\(detail)\"")
            close(reason: "tls_handshake_failed")
        }
    }

    private func readAvailable() {
        let buffer = loop.readBuffer
        // Bounded per wakeup so one busy connection cannot starve the others.
        for _ in 0..<16 {
            guard !closed, !readPaused else { return }
            let count: Int
            if let tls {
                switch tls.read(into: buffer) {
                case .done(let n): count = n
                case .incomplete(let wantWrite):
                    if wantWrite { setPollWrite(true) }
                    return
                case .closed:
                    close(reason: "eof")
                    return
                case .failed(let detail):
                    log("warn", "tls_read_failed", "error=\"\(detail)\"")
                    close(reason: "tls_error")
                    return
                }
            } else {
                let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
                if n == 0 {
                    close(reason: "eof")
                    return
                }
                if n < 0 {
                    if errno == EINTR { continue }
                    if errno != EAGAIN && errno != EWOULDBLOCK { close(reason: "read_error") }
                    return
                }
                count = n
            }
            feed(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
            // A short read drained the socket: skip the read that would only say EAGAIN
            // (epoll is level-triggered, so bytes that arrive later wake us again).
            if tls == nil && count < buffer.count { return }
        }
        // Budget spent with TLS plaintext still buffered: epoll will not tell us again.
        if let tls, tls.hasBufferedInput {
            loop.executeLocal { [self] in
                guard !self.closed else { return }
                self.readAvailable()
                self.scheduleFlush()
            }
        }
    }

    private func feed(_ bytes: UnsafeRawBufferPointer) {
        guard let session else { return }
        let rc = nghttp2_session_mem_recv(session, bytes.bindMemory(to: UInt8.self).baseAddress, bytes.count)
        if rc < 0 {
            let code = Int32(rc)
            let name = cString(nghttp2_strerror(code))
            log("warn", "protocol_error", "error=\"\(name)\"")
            if code == NGHTTP2_ERR_FLOODED.rawValue || code == NGHTTP2_ERR_BAD_CLIENT_MAGIC.rawValue {
                _ = nghttp2_session_terminate_session(
                    session, code == NGHTTP2_ERR_FLOODED.rawValue
                        ? NGHTTP2_ENHANCE_YOUR_CALM.rawValue : NGHTTP2_PROTOCOL_ERROR.rawValue)
            }
            flushNow()
            close(reason: "protocol_error")
        }
    }

    func scheduleFlush() {
        guard !flushScheduled, !closed else { return }
        flushScheduled = true
        loop.scheduleFlush { [self] in
            flushScheduled = false
            flushNow()
        }
    }

    /// Pulls frames from nghttp2 into `out` and writes them with one writev/SSL_write pass.
    func flushNow() {
        guard !closed, let session else { return }
        if tls.map({ !$0.handshakeDone }) ?? false { return }
        // Pull up to the high-water mark, write, and go again while the socket keeps up:
        // stopping at the cap with an empty socket buffer would leave frames nghttp2 holds
        // unsent until some unrelated event (a stall seen with 8+ busy streams). Bounded
        // rounds keep one busy connection from starving the loop's others.
        for _ in 0..<8 {
            while out.count < Self.outputHighWaterBytes {
                var chunk: UnsafePointer<UInt8>?
                let n = nghttp2_session_mem_send(session, &chunk)
                if n < 0 {
                    log("error", "send_failed", "error=\"\(cString(nghttp2_strerror(Int32(n))))\"")
                    close(reason: "send_error")
                    return
                }
                guard n > 0, let chunk else { break }
                out.append(UnsafeBufferPointer(start: chunk, count: n))
            }
            let cappedByHighWater = out.count >= Self.outputHighWaterBytes
            writeOut()
            if closed { return }
            // Done when nghttp2 ran dry; when the socket is full, EPOLLOUT brings us back.
            if !cappedByHighWater || !out.isEmpty { break }
        }
        if out.isEmpty && nghttp2_session_want_write(session) != 0 { scheduleFlush() }
        if out.isEmpty && nghttp2_session_want_read(session) == 0
            && nghttp2_session_want_write(session) == 0 {
            close(reason: "done")
        }
    }

    private func writeOut() {
        while !out.isEmpty {
            let written = out.write { iov in
                if let tls {  // no gathering under TLS: one piece
                    switch tls.write(UnsafeRawBufferPointer(start: iov[0].iov_base, count: iov[0].iov_len)) {
                    case .done(let n): return n
                    case .incomplete: return 0
                    case .closed: return -1
                    case .failed(let detail):
                        log("warn", "tls_write_failed", "error=\"\(detail)\"")
                        return -1
                    }
                }
                return sendGathered(fd, iov)
            }
            if written < 0 {
                close(reason: "write_error")
                return
            }
            if written == 0 { break }
        }
        setPollWrite(!out.isEmpty)
        // Back-pressure: a peer that does not read stops being read.
        let pause = out.count >= Self.outputHighWaterBytes
        if pause != readPaused {
            readPaused = pause
            updateEpoll()
            if !pause { scheduleFlush() }
        }
    }

    private func setPollWrite(_ on: Bool) {
        guard on != pollingWrite else { return }
        pollingWrite = on
        updateEpoll()
    }

    private func updateEpoll() {
        var events = epollRdHup
        if !readPaused { events |= epollIn }
        if pollingWrite { events |= epollOut }
        loop.modify(fd, events: events)
    }

    // MARK: Outbound (from H2Stream, on the loop)

    func apply(_ part: ResponsePart, to stream: H2Stream) {
        guard !closed, let session, self.stream(stream.id) === stream, !stream.responseDone else { return }
        switch part {
        case .head(let status, let fields, let endStream):
            guard !stream.headSent else { return }
            stream.headSent = true
            let rc: Int32
            if endStream {
                stream.responseDone = true
                rc = headerBlocks.with(status: status, fields) { nva, count in
                    nghttp2_submit_response(session, stream.id, nva, count, nil)
                }
            } else {
                var provider = nghttp2_data_provider(source: nghttp2_data_source(ptr: nil),
                                                     read_callback: readData)
                rc = headerBlocks.with(status: status, fields) { nva, count in
                    nghttp2_submit_response(session, stream.id, nva, count, &provider)
                }
            }
            if rc != 0 { log("warn", "submit_response_failed", "stream=\(stream.id) rc=\(rc)") }
        case .data(let bytes):
            guard stream.headSent, stream.trailers == nil else { return }
            stream.pending.append(bytes[...])
            resume(stream, session)
        case .trailers(let fields):
            if !stream.headSent {
                // No head was written: answer trailers-only.
                stream.headSent = true
                stream.responseDone = true
                _ = headerBlocks.with(status: 200, fields) { nva, count in
                    nghttp2_submit_response(session, stream.id, nva, count, nil)
                }
            } else if stream.trailers == nil {
                stream.trailers = fields
                resume(stream, session)
            }
        }
        scheduleFlush()
    }

    private func resume(_ stream: H2Stream, _ session: OpaquePointer) {
        if stream.deferred {
            stream.deferred = false
            _ = nghttp2_session_resume_data(session, stream.id)
        }
    }

    /// The data provider: says how much pending DATA the stream can send now; defers when
    /// empty; ends with trailers. The bytes themselves go by `sendData`
    /// (NGHTTP2_DATA_FLAG_NO_COPY) from the stream's queue to `out` as slices, so a large
    /// response body is copied once on its way to the socket, by the kernel.
    fileprivate func provideData(stream id: Int32, length: Int, flags: UnsafeMutablePointer<UInt32>) -> Int {
        guard let stream = stream(id), let session else {
            return Int(NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE.rawValue)
        }
        let available = stream.pendingCount
        let count = min(length, available)
        if count > 0 { flags.pointee |= NGHTTP2_DATA_FLAG_NO_COPY.rawValue }
        if count == available {
            if let trailers = stream.trailers {
                flags.pointee |= NGHTTP2_DATA_FLAG_EOF.rawValue | NGHTTP2_DATA_FLAG_NO_END_STREAM.rawValue
                stream.responseDone = true
                let rc = headerBlocks.with(status: nil, trailers) { nva, n in
                    nghttp2_submit_trailer(session, id, nva, n)
                }
                if rc != 0 { return Int(NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE.rawValue) }
            } else if count == 0 {
                stream.deferred = true
                return Int(NGHTTP2_ERR_DEFERRED.rawValue)
            }
        }
        return count
    }

    /// Writes one whole DATA frame (header, then `length` bytes of the stream's queue) to `out`.
    fileprivate func sendData(stream id: Int32, header: UnsafeBufferPointer<UInt8>, length: Int, padding: Int) -> Int32 {
        guard let stream = stream(id), stream.pendingCount >= length else {
            return NGHTTP2_ERR_CALLBACK_FAILURE.rawValue
        }
        out.append(header)
        // No padding callback is set, so nghttp2 never pads; handle it anyway, per the API.
        if padding > 0 { out.append(UInt8(padding - 1)) }
        stream.send(length, into: &out)
        if padding > 1 { out.append([UInt8](repeating: 0, count: padding - 1)[...]) }
        return 0
    }

    func consume(_ bytes: Int, on stream: H2Stream) {
        guard !closed, let session else { return }
        let credit = min(bytes, stream.unconsumedBytes)
        guard credit > 0 else { return }
        stream.unconsumedBytes -= credit
        if self.stream(stream.id) === stream {
            _ = nghttp2_session_consume(session, stream.id, credit)
        } else {
            _ = nghttp2_session_consume_connection(session, credit)
        }
        scheduleFlush()
    }

    // MARK: Inbound (nghttp2 callbacks)

    fileprivate func beginHeaders(_ frame: UnsafePointer<nghttp2_frame>) -> Int32 {
        guard frame.pointee.hd.type == UInt8(NGHTTP2_HEADERS.rawValue),
              frame.pointee.headers.cat == NGHTTP2_HCAT_REQUEST else { return 0 }
        let id = frame.pointee.hd.stream_id
        highestStreamID = max(highestStreamID, id)
        let stream = H2Stream(id: id, loop: loop, connection: self)
        streams[id] = stream
        lastStream = stream
        idleTimer?.cancel()
        idleTimer = nil
        return 0
    }

    /// libnghttp2 silently ignores HEADERS that open a stream with an id lower than one
    /// already used; RFC 9113 §5.1.1 makes that a connection error (PROTOCOL_ERROR).
    fileprivate func beginFrame(_ hd: nghttp2_frame_hd) -> Int32 {
        guard hd.type == UInt8(NGHTTP2_HEADERS.rawValue), hd.stream_id & 1 == 1,
              hd.stream_id < highestStreamID, let session,
              nghttp2_session_find_stream(session, hd.stream_id) == nil else { return 0 }
        log("warn", "stream_id_decreasing", "stream=\(hd.stream_id) highest=\(highestStreamID)")
        _ = nghttp2_session_terminate_session(session, NGHTTP2_PROTOCOL_ERROR.rawValue)
        return 0
    }

    fileprivate func header(_ frame: UnsafePointer<nghttp2_frame>, name: UnsafeBufferPointer<UInt8>,
                            value: UnsafeBufferPointer<UInt8>) -> Int32 {
        guard frame.pointee.hd.type == UInt8(NGHTTP2_HEADERS.rawValue),
              let stream = stream(frame.pointee.hd.stream_id) else { return 0 }
        stream.headerBytes += name.count + value.count + 32
        if stream.headerBytes > Int(shared.config.settings.maxHeaderListSize) {
            log("warn", "header_list_too_large", "stream=\(stream.id)")
            return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE.rawValue
        }
        guard frame.pointee.headers.cat == NGHTTP2_HCAT_REQUEST else { return 0 }  // request trailers
        if name.first == UInt8(ascii: ":") {
            if Self.equal(":path", name) {
                stream.path = Self.reuse(&recentPath, value)
            } else if Self.equal(":method", name) {
                stream.method = Self.reuse(&recentMethod, value)
            } else if Self.equal(":authority", name) {
                stream.authority = Self.reuse(&recentAuthority, value)
            } else if Self.equal(":scheme", name) {
                stream.scheme = Self.reuse(&recentScheme, value)
            }
        } else {
            let index = stream.fields.count
            if index < recentFields.count, Self.equal(recentFields[index].name, name),
               Self.equal(recentFields[index].value, value) {
                stream.fields.append(recentFields[index])
            } else {
                stream.fields.append(HeaderField(String(decoding: name, as: UTF8.self),
                                                 String(decoding: value, as: UTF8.self)))
            }
        }
        return 0
    }

    /// `recent` when it is `bytes`; otherwise `bytes` decoded, which becomes `recent`.
    private static func reuse(_ recent: inout String, _ bytes: UnsafeBufferPointer<UInt8>) -> String {
        if !equal(recent, bytes) { recent = String(decoding: bytes, as: UTF8.self) }
        return recent
    }

    /// Whether `string`'s UTF-8 is exactly `bytes`. (Bytes that are not valid UTF-8 never
    /// match: a decoded string holds the replacement character instead.)
    private static func equal(_ string: String, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard string.utf8.count == bytes.count else { return false }
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return true }
        return string.utf8.withContiguousStorageIfAvailable { memcmp($0.baseAddress!, base, bytes.count) == 0 }
            ?? string.utf8.elementsEqual(bytes)
    }

    fileprivate func frameReceived(_ frame: UnsafePointer<nghttp2_frame>) -> Int32 {
        let hd = frame.pointee.hd
        let endStream = hd.flags & UInt8(NGHTTP2_FLAG_END_STREAM.rawValue) != 0
        switch UInt32(hd.type) {
        case NGHTTP2_HEADERS.rawValue:
            guard let stream = stream(hd.stream_id) else { return 0 }
            if frame.pointee.headers.cat == NGHTTP2_HCAT_REQUEST && stream.inbound == nil && !stream.inboundReset {
                let head = RequestHead(method: stream.method, path: stream.path, scheme: stream.scheme,
                                       authority: stream.authority, fields: stream.fields)
                recentFields = stream.fields
                stream.fields = []
                stream.inbound = shared.acceptor.accept(head, outbound: stream, connection: context)
            }
            if endStream { endInbound(stream) }
        case NGHTTP2_DATA.rawValue:
            if endStream, let stream = stream(hd.stream_id) { endInbound(stream) }
        case NGHTTP2_RST_STREAM.rawValue:
            stream(hd.stream_id)?.peerResetCode = frame.pointee.rst_stream.error_code
        case NGHTTP2_PING.rawValue:
            if hd.flags & UInt8(NGHTTP2_FLAG_ACK.rawValue) != 0 {
                pingTimeoutTimer?.cancel()
                pingTimeoutTimer = nil
            }
        default:
            break
        }
        return 0
    }

    private func endInbound(_ stream: H2Stream) {
        guard let inbound = stream.inbound, !stream.inboundEnded, !stream.inboundReset else { return }
        stream.inboundEnded = true
        inbound.end()
    }

    fileprivate func dataChunk(stream id: Int32, _ bytes: UnsafeBufferPointer<UInt8>) -> Int32 {
        guard let session else { return 0 }
        guard let stream = stream(id), let inbound = stream.inbound, !stream.inboundEnded else {
            // Nobody will read it: return the credit at once.
            _ = nghttp2_session_consume(session, id, bytes.count)
            return 0
        }
        stream.unconsumedBytes += bytes.count
        inbound.receive(ArraySlice(bytes))
        return 0
    }

    fileprivate func streamClosed(_ id: Int32, errorCode: UInt32) -> Int32 {
        guard let stream = streams.removeValue(forKey: id) else { return 0 }
        if lastStream === stream { lastStream = nil }
        if stream.unconsumedBytes > 0, let session {
            _ = nghttp2_session_consume_connection(session, stream.unconsumedBytes)
            stream.unconsumedBytes = 0
        }
        stream.markClosed()
        if let code = stream.peerResetCode {
            stream.deliverResetIfNeeded(.peerReset(errorCode: code))
        } else {
            stream.deliverResetIfNeeded(.connectionClosed)
        }
        if streams.isEmpty { armIdleTimer() }
        return 0
    }

    // MARK: Helpers

    /// The open stream with `id`, if any.
    private func stream(_ id: Int32) -> H2Stream? {
        if let last = lastStream, last.id == id { return last }
        let found = streams[id]
        if found != nil { lastStream = found }
        return found
    }

    private func log(_ level: String, _ event: String, _ extra: String = "") {
        shared.log("level=\(level) event=\(event) peer=\(peer)\(extra.isEmpty ? "" : " " + extra)")
    }
}

enum H2Error: Error { case nomem }

/// The header blocks a connection sends, laid out for nghttp2. The few that most responses
/// repeat (the plain gRPC response head, the OK trailers) stay laid out: a block equal to a
/// kept one is passed as it is. nghttp2 copies a block during submit, so a block only has to
/// live for the call. Loop-confined, like its connection.
struct HeaderBlockCache {
    private var blocks: [PreparedHeaderBlock] = []
    private static let capacity = 8

    /// Calls `body` with `:status` (when given) and `fields` as an nghttp2 header block.
    mutating func with(status: Int?, _ fields: [HeaderField],
                       _ body: (UnsafePointer<nghttp2_nv>, Int) -> Int32) -> Int32 {
        // Array == is O(1) for the same storage: the runtime's shared blocks compare at once.
        if let kept = blocks.first(where: { $0.status == status && $0.fields == fields }) {
            kept.uses &+= 1
            return body(kept.nva, kept.count)
        }
        let block = PreparedHeaderBlock(status: status, fields: fields)
        if blocks.count < Self.capacity {
            blocks.append(block)
        } else if let coldest = blocks.indices.min(by: { blocks[$0].uses < blocks[$1].uses }) {
            blocks[coldest] = block  // blocks that keep being used stay; one-offs take turns
        }
        return body(block.nva, block.count)
    }
}

/// One header block: its names and values in one allocation, and the nghttp2_nv entries
/// pointing into it.
final class PreparedHeaderBlock {
    let status: Int?
    let fields: [HeaderField]
    let nva: UnsafeMutablePointer<nghttp2_nv>
    let count: Int
    var uses = 0
    private let bytes: UnsafeMutablePointer<UInt8>

    init(status: Int?, fields: [HeaderField]) {
        self.status = status
        self.fields = fields
        var pairs = fields.map { ($0.name, $0.value) }
        if let status { pairs.insert((":status", String(status)), at: 0) }
        count = pairs.count
        let size = pairs.reduce(0) { $0 + $1.0.utf8.count + $1.1.utf8.count }
        bytes = .allocate(capacity: max(size, 1))
        nva = .allocate(capacity: max(pairs.count, 1))
        var at = 0
        func place(_ text: String) -> (UnsafeMutablePointer<UInt8>, Int) {
            let start = bytes + at
            let n = UnsafeMutableBufferPointer(start: start, count: text.utf8.count).initialize(from: text.utf8).1
            at += n
            return (start, n)
        }
        for (index, (name, value)) in pairs.enumerated() {
            let (namePointer, nameLength) = place(name)
            let (valuePointer, valueLength) = place(value)
            (nva + index).initialize(to: nghttp2_nv(name: namePointer, value: valuePointer, namelen: nameLength,
                                                    valuelen: valueLength, flags: UInt8(NGHTTP2_NV_FLAG_NONE.rawValue)))
        }
    }

    deinit {
        bytes.deallocate()
        nva.deinitialize(count: count)
        nva.deallocate()
    }
}

// MARK: nghttp2 trampolines

private func connection(_ user: UnsafeMutableRawPointer?) -> HTTP2Connection {
    Unmanaged<HTTP2Connection>.fromOpaque(user!).takeUnretainedValue()
}

private let onBeginHeaders: nghttp2_on_begin_headers_callback = { _, frame, user in
    connection(user).beginHeaders(frame!)
}

private let onBeginFrame: nghttp2_on_begin_frame_callback = { _, hd, user in
    connection(user).beginFrame(hd!.pointee)
}

private let onHeader: nghttp2_on_header_callback = { _, frame, name, nameLength, value, valueLength, _, user in
    connection(user).header(frame!, name: UnsafeBufferPointer(start: name, count: nameLength),
                            value: UnsafeBufferPointer(start: value, count: valueLength))
}

private let onFrameRecv: nghttp2_on_frame_recv_callback = { _, frame, user in
    connection(user).frameReceived(frame!)
}

private let onDataChunkRecv: nghttp2_on_data_chunk_recv_callback = { _, _, streamID, data, length, user in
    connection(user).dataChunk(stream: streamID, UnsafeBufferPointer(start: data, count: length))
}

private let onStreamClose: nghttp2_on_stream_close_callback = { _, streamID, errorCode, user in
    connection(user).streamClosed(streamID, errorCode: errorCode)
}

private let readData: nghttp2_data_source_read_callback = { _, streamID, _, length, flags, _, user in
    connection(user).provideData(stream: streamID, length: length, flags: flags!)
}

private let sendDataFrame: nghttp2_send_data_callback = { _, frame, header, length, _, user in
    connection(user).sendData(stream: frame!.pointee.hd.stream_id,
                              header: UnsafeBufferPointer(start: header, count: 9), length: length,
                              padding: Int(frame!.pointee.data.padlen))
}

/// One `sendmsg` of `iov` on a non-blocking socket: bytes written, 0 for "try later", -1 for
/// an error (the `OutputQueue.write` convention).
func sendGathered(_ fd: Int32, _ iov: UnsafeBufferPointer<iovec>) -> Int {
    var message = msghdr()
    message.msg_iov = UnsafeMutablePointer(mutating: iov.baseAddress)
    message.msg_iovlen = iov.count
    let n = sendmsg(fd, &message, Int32(MSG_NOSIGNAL))
    if n < 0 { return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : -1 }
    return n
}
