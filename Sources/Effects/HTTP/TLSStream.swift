// The HTTPS client's OpenSSL layer: a shared client context (system CAs, an optional extra
// CA file, TLS 1.2+) and a TLS stream over a non-blocking TCPStream. WANT_READ / WANT_WRITE
// mean "wait for the socket", not failure; the error queue is cleared before each SSL call
// and drained into the error after it.
import COpenSSL
import Glibc
import Synchronization

/// An `SSL_CTX` for clients: peer verification against the system's CAs (and an extra CA
/// file when given). Immutable once built, so shared by every request's thread.
final class TLSClientContext: @unchecked Sendable {
    let context: OpaquePointer

    init(extraCAFile: String?) throws(HTTPClientError) {
        ERR_clear_error()
        guard let context = SSL_CTX_new(TLS_client_method()) else {
            throw .tls("SSL_CTX_new: \(openSSLErrors())")
        }
        self.context = context
        guard spindle_SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION) == 1 else {
            throw .tls("TLS 1.2 minimum: \(openSSLErrors())")
        }
        spindle_SSL_CTX_set_client_options(context)
        // The retried write may come from another buffer address; partial writes are fine.
        _ = spindle_SSL_CTX_set_mode(context, Int(SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER))
        guard SSL_CTX_set_default_verify_paths(context) == 1 else {
            throw .tls("system CA store: \(openSSLErrors())")
        }
        if let extraCAFile, SSL_CTX_load_verify_locations(context, extraCAFile, nil) != 1 {
            throw .tls("CA file \(extraCAFile): \(openSSLErrors())")
        }
        SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nil)
    }

    deinit { SSL_CTX_free(context) }
}

/// The client context, built on the first https request (on that request's thread: loading
/// the system CA bundle reads and parses files) and kept. A broken CA setup fails https
/// requests only, each with the reason.
final class TLSContextCache: Sendable {
    let extraCAFile: String?
    private let built = Mutex<Result<TLSClientContext, HTTPClientError>?>(nil)

    init(extraCAFile: String?) {
        self.extraCAFile = extraCAFile
    }

    func context() throws(HTTPClientError) -> TLSClientContext {
        try built.withLock { built in
            if let built { return built }
            let made = Result { () throws(HTTPClientError) in try TLSClientContext(extraCAFile: extraCAFile) }
            built = made
            return made
        }.get()
    }
}

/// Drains this thread's OpenSSL error queue into one line (at most a few entries).
func openSSLErrors() -> String {
    var reasons: [String] = []
    var code = ERR_get_error()
    while code != 0 {
        if reasons.count < 4 {
            var text = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &text, text.count)
            reasons.append(String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        code = ERR_get_error()
    }
    return reasons.isEmpty ? "unknown OpenSSL error" : reasons.joined(separator: "; ")
}

final class TLSStream: ByteStream {
    private let tcp: TCPStream
    private let ssl: OpaquePointer

    /// Connects TLS over `tcp` and verifies the peer: its chain against the context's CAs and
    /// its name against `url`'s host (a DNS name, or an IP address for literals). SNI is sent
    /// for names only, as RFC 6066 asks.
    init(_ context: TLSClientContext, over tcp: TCPStream, url: HTTPURL, _ interrupts: Interrupts) throws(HTTPClientError) {
        ERR_clear_error()
        guard let ssl = SSL_new(context.context) else { throw .tls("SSL_new: \(openSSLErrors())") }
        self.tcp = tcp
        self.ssl = ssl
        SSL_set_fd(ssl, tcp.fd)
        SSL_set_connect_state(ssl)
        if url.isIPLiteral {
            guard X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), url.host) == 1 else {
                throw .tls("cannot check the certificate against \(url.host)")
            }
        } else {
            guard spindle_SSL_set_tlsext_host_name(ssl, url.host) == 1, SSL_set1_host(ssl, url.host) == 1 else {
                throw .tls("cannot set the server name \(url.host): \(openSSLErrors())")
            }
        }
        let alpn: [UInt8] = [8] + Array("http/1.1".utf8)
        _ = SSL_set_alpn_protos(ssl, alpn, UInt32(alpn.count))
        try handshake(interrupts)
    }

    deinit { SSL_free(ssl) }

    private func handshake(_ interrupts: Interrupts) throws(HTTPClientError) {
        while true {
            ERR_clear_error()
            let rc = SSL_connect(ssl)
            if rc == 1 { return }
            switch outcome(rc) {
            case .wait(let events): try tcp.waitUntil(events, interrupts)
            case .closed: throw .tls("\(tcp.peer) closed the connection during the TLS handshake")
            case .failed(let why):
                let verify = SSL_get_verify_result(ssl)
                if verify != X509_V_OK {
                    throw .tls("certificate of \(tcp.peer) rejected: \(String(cString: X509_verify_cert_error_string(verify)))")
                }
                throw .tls("handshake with \(tcp.peer): \(why)")
            }
        }
    }

    func writeAll(_ bytes: [UInt8], _ interrupts: Interrupts) throws(HTTPClientError) {
        var sent = 0
        while sent < bytes.count {
            ERR_clear_error()
            let rc = bytes.withUnsafeBytes { raw in
                SSL_write(ssl, raw.baseAddress! + sent, Int32(clamping: raw.count - sent))
            }
            if rc > 0 {
                sent += Int(rc)
                continue
            }
            switch outcome(rc) {
            case .wait(let events): try tcp.waitUntil(events, interrupts)
            case .closed: throw .connection("\(tcp.peer) closed the connection while the request was sent")
            case .failed(let why): throw .connection("TLS write to \(tcp.peer): \(why)")
            }
        }
    }

    func read(into buffer: UnsafeMutableRawBufferPointer, _ interrupts: Interrupts) throws(HTTPClientError) -> Int {
        while true {
            ERR_clear_error()
            let rc = SSL_read(ssl, buffer.baseAddress, Int32(clamping: buffer.count))
            if rc > 0 { return Int(rc) }
            switch outcome(rc) {
            case .wait(let events): try tcp.waitUntil(events, interrupts)
            case .closed: return 0
            case .failed(let why): throw .connection("TLS read from \(tcp.peer): \(why)")
            }
        }
    }

    private enum Outcome {
        case wait(Int16)
        case closed
        case failed(String)
    }

    /// What a non-positive return of an SSL call means (errno is read before anything else
    /// can change it).
    private func outcome(_ rc: Int32) -> Outcome {
        let code = errno
        switch SSL_get_error(ssl, rc) {
        case SSL_ERROR_WANT_READ: return .wait(Int16(POLLIN))
        case SSL_ERROR_WANT_WRITE: return .wait(Int16(POLLOUT))
        case SSL_ERROR_ZERO_RETURN: return .closed
        case SSL_ERROR_SYSCALL:
            let queued = openSSLErrors()
            if code == 0 { return .closed }
            return .failed("\(String(cString: strerror(code))) (\(queued))")
        default: return .failed(openSSLErrors())
        }
    }
}
