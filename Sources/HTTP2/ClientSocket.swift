// The client connection's socket and TLS setup: name resolution, a non-blocking connect with
// a deadline, poll(2) waits, and an OpenSSL client handshake (ALPN h2, certificate chain and
// host name verified).
import COpenSSL
import Glibc

enum ClientSocket {
    /// Resolves `host` and connects to the first address that answers before `deadline`.
    static func connect(host: String, port: Int, deadline: ContinuousClock.Instant) throws(HTTP2ClientError) -> Int32 {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, String(port), &hints, &list)
        guard rc == 0, let list else {
            throw HTTP2ClientError("cannot resolve \(host): \(String(cString: gai_strerror(rc)))")
        }
        defer { freeaddrinfo(list) }
        var lastError = "no address"
        var entry: UnsafeMutablePointer<addrinfo>? = list
        while let e = entry {
            entry = e.pointee.ai_next
            let fd = socket(e.pointee.ai_family, Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue), 0)
            if fd < 0 { lastError = String(cString: strerror(errno)); continue }
            if Glibc.connect(fd, e.pointee.ai_addr, e.pointee.ai_addrlen) == 0 || errno == EINPROGRESS {
                do throws(HTTP2ClientError) {
                    if try wait(fd, events: Int16(POLLOUT), deadline: deadline) {
                        var error: Int32 = 0
                        var length = socklen_t(MemoryLayout<Int32>.size)
                        getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length)
                        if error == 0 {
                            var one: Int32 = 1
                            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
                            return fd
                        }
                        lastError = String(cString: strerror(error))
                    } else {
                        lastError = "timed out"
                    }
                } catch {
                    lastError = error.description
                }
            } else {
                lastError = String(cString: strerror(errno))
            }
            Glibc.close(fd)
        }
        throw HTTP2ClientError("cannot connect to \(host):\(port): \(lastError)")
    }

    /// Waits until `fd` has `events` (true) or `deadline` passes (false; nil waits forever).
    /// Waits at most a second at a time, so a signal handler's exit is never held up long.
    static func wait(_ fd: Int32, events: Int16, deadline: ContinuousClock.Instant?) throws(HTTP2ClientError) -> Bool {
        var timeoutMillis: Int32 = 1000
        if let deadline {
            let left = deadline - ContinuousClock.now
            if left <= .zero { return false }
            let c = left.components
            timeoutMillis = Int32(min(1000, c.seconds * 1000 + c.attoseconds / 1_000_000_000_000_000 + 1))
        }
        var p = pollfd(fd: fd, events: events, revents: 0)
        let rc = poll(&p, 1, timeoutMillis)
        if rc < 0 {
            if errno == EINTR { return false }
            throw HTTP2ClientError("poll: \(String(cString: strerror(errno)))")
        }
        return rc > 0
    }
}

enum ClientTLS {
    /// A TLS 1.2+ client handshake on a connected socket: the server's chain verified against
    /// `caPath` (or the system CAs), its name against `host` (DNS name or IP literal), and
    /// ALPN "h2" required.
    static func handshake(fd: Int32, host: String, caPath: String?,
                          deadline: ContinuousClock.Instant) throws(HTTP2ClientError) -> TLSSession {
        ERR_clear_error()
        guard let context = SSL_CTX_new(TLS_client_method()) else {
            throw HTTP2ClientError("SSL_CTX_new: \(drainOpenSSLErrors())")
        }
        defer { SSL_CTX_free(context) }  // the SSL keeps its own reference
        _ = spindle_SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION)
        spindle_SSL_CTX_set_client_options(context)
        _ = spindle_SSL_CTX_set_mode(context, Int(SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER))
        if let caPath {
            guard SSL_CTX_load_verify_locations(context, caPath, nil) == 1 else {
                throw HTTP2ClientError("CA file \(caPath): \(drainOpenSSLErrors())")
            }
        } else if SSL_CTX_set_default_verify_paths(context) != 1 {
            throw HTTP2ClientError("system CA store: \(drainOpenSSLErrors())")
        }
        SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nil)
        guard let ssl = SSL_new(context) else { throw HTTP2ClientError("SSL_new: \(drainOpenSSLErrors())") }
        let session = TLSSession(client: ssl)
        SSL_set_fd(ssl, fd)
        SSL_set_connect_state(ssl)
        var v4 = in_addr(), v6 = in6_addr()
        if inet_pton(AF_INET, host, &v4) == 1 || inet_pton(AF_INET6, host, &v6) == 1 {
            guard X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host) == 1 else {
                throw HTTP2ClientError("cannot check the certificate against \(host)")
            }
        } else {
            guard spindle_SSL_set_tlsext_host_name(ssl, host) == 1, SSL_set1_host(ssl, host) == 1 else {
                throw HTTP2ClientError("cannot set the server name \(host): \(drainOpenSSLErrors())")
            }
        }
        let alpn: [UInt8] = [2, UInt8(ascii: "h"), UInt8(ascii: "2")]
        _ = SSL_set_alpn_protos(ssl, alpn, UInt32(alpn.count))
        while true {
            switch session.handshake() {
            case .done:
                guard session.alpn == "h2" else {
                    throw HTTP2ClientError("the server did not agree to HTTP/2 (ALPN \(session.alpn ?? "none"))")
                }
                return session
            case .incomplete(let wantWrite):
                guard try ClientSocket.wait(fd, events: Int16(wantWrite ? POLLOUT : POLLIN), deadline: deadline) else {
                    if ContinuousClock.now >= deadline { throw HTTP2ClientError("TLS handshake timed out") }
                    continue
                }
            case .closed:
                throw HTTP2ClientError("the server closed the connection during the TLS handshake"
                                       + (session.verifyError.map { ": certificate rejected: \($0)" } ?? ""))
            case .failed(let why):
                if let bad = session.verifyError { throw HTTP2ClientError("server certificate rejected: \(bad)") }
                throw HTTP2ClientError("TLS handshake: \(why)")
            }
        }
    }
}
