// The HTTP/2 client side: one connection (TCP, cleartext h2c with prior knowledge or TLS with
// ALPN h2 and a verified certificate), one nghttp2 client session, streams driven from the
// caller's thread. Blocking by design: the caller pumps the connection (`pump`) until what it
// waits for has happened or its deadline passes; nghttp2 is driven with mem_recv / mem_send
// from there, never from inside a callback. Not Sendable: one thread owns a connection.
import CNghttp2
import Glibc
public import RPC

public struct HTTP2ClientConfig: Sendable {
    public var host: String
    public var port: Int
    /// TLS when set: verify the server's certificate against this CA file (PEM), or against
    /// the system's CAs when the path is nil, and its name against `host`.
    public var tls: TLS?
    public var connectTimeout: Duration = .seconds(10)

    public struct TLS: Sendable {
        public var caPath: String?
        public init(caPath: String?) { self.caPath = caPath }
    }

    public init(host: String, port: Int, tls: TLS? = nil) {
        self.host = host
        self.port = port
        self.tls = tls
    }

    /// `host:port` as the `:authority` pseudo-header wants it.
    public var authority: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// The connection could not be made or was lost: the caller reports UNAVAILABLE.
public struct HTTP2ClientError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// What a stream's handler is told, in order: header blocks, DATA chunks, then one close.
public enum HTTP2ClientEvent {
    case headers([HeaderField], endStream: Bool)
    case data(ArraySlice<UInt8>)
    /// The stream is closed; `errorCode` is the RST_STREAM code (0 when it ended cleanly).
    case closed(errorCode: UInt32)
}

public final class HTTP2ClientConnection {
    public let config: HTTP2ClientConfig
    private let fd: Int32
    private let tls: TLSSession?
    private var closed = false
    private var session: OpaquePointer?
    private var streams: [Int32: ClientStream] = [:]
    private var readBuffer = [UInt8](repeating: 0, count: 64 << 10)
    private var failure: HTTP2ClientError?

    final class ClientStream {
        let handler: (HTTP2ClientEvent) -> Void
        var fields: [HeaderField] = []
        var body: [UInt8]
        var sent = 0
        var headerBlock: PreparedHeaderBlock?
        init(body: [UInt8], handler: @escaping (HTTP2ClientEvent) -> Void) {
            self.body = body
            self.handler = handler
        }
    }

    /// Connects, completes the TLS handshake (when configured) and queues the connection
    /// preface and SETTINGS.
    public init(_ config: HTTP2ClientConfig) throws(HTTP2ClientError) {
        self.config = config
        let deadline = ContinuousClock.now + config.connectTimeout
        fd = try ClientSocket.connect(host: config.host, port: config.port, deadline: deadline)
        if let tlsConfig = config.tls {
            do {
                tls = try ClientTLS.handshake(fd: fd, host: config.host, caPath: tlsConfig.caPath, deadline: deadline)
            } catch {
                Glibc.close(fd)
                throw error
            }
        } else {
            tls = nil
        }
        do {
            session = try makeSession()
        } catch {
            close()
            throw error
        }
    }

    deinit { close() }

    private func makeSession() throws(HTTP2ClientError) -> OpaquePointer {
        var callbacks: OpaquePointer?
        guard nghttp2_session_callbacks_new(&callbacks) == 0, let callbacks else { throw HTTP2ClientError("out of memory") }
        defer { nghttp2_session_callbacks_del(callbacks) }
        nghttp2_session_callbacks_set_on_header_callback(callbacks, clientOnHeader)
        nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, clientOnFrameRecv)
        nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, clientOnDataChunk)
        nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, clientOnStreamClose)
        var session: OpaquePointer?
        let user = Unmanaged.passUnretained(self).toOpaque()
        guard nghttp2_session_client_new(&session, callbacks, user) == 0, let session else {
            throw HTTP2ClientError("nghttp2_session_client_new failed")
        }
        // Large windows: a watch stream or a big list should not wait on WINDOW_UPDATEs.
        var entries = [
            nghttp2_settings_entry(settings_id: Int32(NGHTTP2_SETTINGS_ENABLE_PUSH.rawValue), value: 0),
            nghttp2_settings_entry(settings_id: Int32(NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE.rawValue), value: 1 << 20),
        ]
        guard nghttp2_submit_settings(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), &entries, entries.count) == 0 else {
            nghttp2_session_del(session)
            throw HTTP2ClientError("nghttp2_submit_settings failed")
        }
        _ = nghttp2_session_set_local_window_size(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), 0, 4 << 20)
        return session
    }

    /// False once the connection failed or the peer sent GOAWAY: open a new one.
    public var isUsable: Bool {
        guard failure == nil, let session else { return false }
        return nghttp2_session_want_read(session) != 0 || nghttp2_session_want_write(session) != 0
    }

    /// Opens a stream with `headers` and `body` (sent with END_STREAM). Returns its id.
    public func startStream(headers: [HeaderField], body: [UInt8],
                            handler: @escaping (HTTP2ClientEvent) -> Void) throws(HTTP2ClientError) -> Int32 {
        if let failure { throw failure }
        guard let session else { throw HTTP2ClientError("the connection is closed") }
        let stream = ClientStream(body: body, handler: handler)
        let block = PreparedHeaderBlock(status: nil, fields: headers)
        stream.headerBlock = block
        var provider = nghttp2_data_provider(source: nghttp2_data_source(ptr: nil), read_callback: clientReadBody)
        let id = nghttp2_submit_request(session, nil, block.nva, block.count, &provider, nil)
        guard id > 0 else { throw HTTP2ClientError("cannot open a stream: \(String(cString: nghttp2_strerror(id)))") }
        streams[id] = stream
        return id
    }

    /// Resets a stream (CANCEL); its handler gets no further events.
    public func cancel(stream id: Int32) {
        streams[id] = nil
        if let session { _ = nghttp2_submit_rst_stream(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), id, NGHTTP2_CANCEL.rawValue) }
        try? flush(deadline: ContinuousClock.now + .seconds(1))
    }

    /// Sends what is queued and reads what arrives until `done()` is true or `deadline`
    /// passes (returns false then). A lost connection throws, after closing every open
    /// stream's handler with `.closed(errorCode: NGHTTP2_INTERNAL_ERROR)`-like failure left
    /// to the caller.
    public func pump(until done: () -> Bool, deadline: ContinuousClock.Instant?) throws(HTTP2ClientError) -> Bool {
        do throws(HTTP2ClientError) {
            while true {
                try flush(deadline: deadline)
                if done() { return true }
                if let deadline, ContinuousClock.now >= deadline { return false }
                guard let session, nghttp2_session_want_read(session) != 0 || nghttp2_session_want_write(session) != 0 else {
                    throw HTTP2ClientError("the server closed the connection (GOAWAY)")
                }
                if tls?.hasBufferedInput != true {
                    guard try ClientSocket.wait(fd, events: Int16(POLLIN), deadline: deadline) else { continue }
                }
                try readOnce()
            }
        } catch {
            failure = error
            throw error
        }
    }

    private func readOnce() throws(HTTP2ClientError) {
        let n: Int
        if let tls {
            let result = readBuffer.withUnsafeMutableBytes { tls.read(into: $0) }
            switch result {
            case .done(let count): n = count
            case .incomplete: return
            case .closed: throw HTTP2ClientError("the server closed the connection")
            case .failed(let why): throw HTTP2ClientError("TLS read: \(why)")
            }
        } else {
            n = readBuffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n == 0 { throw HTTP2ClientError("the server closed the connection") }
            if n < 0 {
                if errno == EAGAIN || errno == EINTR { return }
                throw HTTP2ClientError("read: \(String(cString: strerror(errno)))")
            }
        }
        guard let session else { return }
        let rc = readBuffer.withUnsafeBufferPointer { nghttp2_session_mem_recv(session, $0.baseAddress, n) }
        if rc < 0 { throw HTTP2ClientError("HTTP/2 protocol error from the server: \(String(cString: nghttp2_strerror(Int32(rc))))") }
    }

    /// Writes everything nghttp2 has queued.
    private func flush(deadline: ContinuousClock.Instant?) throws(HTTP2ClientError) {
        guard let session else { return }
        while true {
            var data: UnsafePointer<UInt8>?
            let n = nghttp2_session_mem_send(session, &data)
            if n < 0 { throw HTTP2ClientError("nghttp2_session_mem_send: \(String(cString: nghttp2_strerror(Int32(n))))") }
            guard n > 0, let data else { return }
            try writeAll(UnsafeRawBufferPointer(start: data, count: n), deadline: deadline)
        }
    }

    private func writeAll(_ bytes: UnsafeRawBufferPointer, deadline: ContinuousClock.Instant?) throws(HTTP2ClientError) {
        var at = 0
        while at < bytes.count {
            let rest = UnsafeRawBufferPointer(rebasing: bytes[at...])
            if let tls {
                switch tls.write(rest) {
                case .done(let n): at += n
                case .incomplete(let wantWrite):
                    _ = try ClientSocket.wait(fd, events: Int16(wantWrite ? POLLOUT : POLLIN), deadline: deadline)
                case .closed: throw HTTP2ClientError("the server closed the connection")
                case .failed(let why): throw HTTP2ClientError("TLS write: \(why)")
                }
            } else {
                let n = Glibc.send(fd, rest.baseAddress, rest.count, Int32(MSG_NOSIGNAL))
                if n > 0 {
                    at += n
                } else if n < 0 && (errno == EAGAIN || errno == EINTR) {
                    guard try ClientSocket.wait(fd, events: Int16(POLLOUT), deadline: deadline) else {
                        throw HTTP2ClientError("timed out writing to the server")
                    }
                } else {
                    throw HTTP2ClientError("write: \(String(cString: strerror(errno)))")
                }
            }
        }
    }

    /// Closes the socket; open streams are dropped without events.
    public func close() {
        guard !closed else { return }
        closed = true
        streams = [:]
        if let session {
            nghttp2_session_del(session)
            self.session = nil
        }
        if let tls, tls.handshakeDone { tls.shutdown() }
        Glibc.close(fd)
    }

    // MARK: Callbacks (from inside mem_recv / mem_send)

    fileprivate func header(_ frame: UnsafePointer<nghttp2_frame>, name: UnsafeBufferPointer<UInt8>,
                            value: UnsafeBufferPointer<UInt8>) -> Int32 {
        guard let stream = streams[frame.pointee.hd.stream_id] else { return 0 }
        stream.fields.append(HeaderField(String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self)))
        return 0
    }

    fileprivate func frameReceived(_ frame: UnsafePointer<nghttp2_frame>) -> Int32 {
        let hd = frame.pointee.hd
        guard hd.type == UInt8(NGHTTP2_HEADERS.rawValue), let stream = streams[hd.stream_id] else { return 0 }
        let fields = stream.fields
        stream.fields = []
        stream.handler(.headers(fields, endStream: hd.flags & UInt8(NGHTTP2_FLAG_END_STREAM.rawValue) != 0))
        return 0
    }

    fileprivate func dataChunk(stream id: Int32, _ bytes: UnsafeBufferPointer<UInt8>) -> Int32 {
        streams[id]?.handler(.data(ArraySlice(bytes)))
        return 0
    }

    fileprivate func streamClosed(_ id: Int32, errorCode: UInt32) -> Int32 {
        if let stream = streams.removeValue(forKey: id) { stream.handler(.closed(errorCode: errorCode)) }
        return 0
    }

    fileprivate func provideBody(stream id: Int32, into buffer: UnsafeMutablePointer<UInt8>, length: Int,
                                 flags: UnsafeMutablePointer<UInt32>) -> Int {
        guard let stream = streams[id] else { return Int(NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE.rawValue) }
        let count = min(length, stream.body.count - stream.sent)
        stream.body.withUnsafeBufferPointer { src in
            if count > 0 { buffer.update(from: src.baseAddress! + stream.sent, count: count) }
        }
        stream.sent += count
        if stream.sent == stream.body.count {
            flags.pointee |= NGHTTP2_DATA_FLAG_EOF.rawValue
            stream.body = []
            stream.sent = 0
        }
        return count
    }
}

// MARK: nghttp2 trampolines

private func client(_ user: UnsafeMutableRawPointer?) -> HTTP2ClientConnection {
    Unmanaged<HTTP2ClientConnection>.fromOpaque(user!).takeUnretainedValue()
}

private let clientOnHeader: nghttp2_on_header_callback = { _, frame, name, nameLength, value, valueLength, _, user in
    client(user).header(frame!, name: UnsafeBufferPointer(start: name, count: nameLength),
                        value: UnsafeBufferPointer(start: value, count: valueLength))
}

private let clientOnFrameRecv: nghttp2_on_frame_recv_callback = { _, frame, user in
    client(user).frameReceived(frame!)
}

private let clientOnDataChunk: nghttp2_on_data_chunk_recv_callback = { _, _, streamID, data, length, user in
    client(user).dataChunk(stream: streamID, UnsafeBufferPointer(start: data, count: length))
}

private let clientOnStreamClose: nghttp2_on_stream_close_callback = { _, streamID, errorCode, user in
    client(user).streamClosed(streamID, errorCode: errorCode)
}

private let clientReadBody: nghttp2_data_source_read_callback = { _, streamID, buffer, length, flags, _, user in
    client(user).provideBody(stream: streamID, into: buffer!, length: length, flags: flags!)
}
