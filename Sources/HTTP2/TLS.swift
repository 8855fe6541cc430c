// OpenSSL 3 server context and the per-connection non-blocking TLS wrapper.
import COpenSSL
import Glibc

/// Where the server's TLS material lives (PEM files).
public struct TLSConfig: Sendable {
    /// Certificate chain, leaf first.
    public var certPath: String
    /// Private key for the leaf certificate.
    public var keyPath: String
    /// When set, clients must present a certificate signed by one of these CAs (mutual TLS).
    public var clientCAPath: String?

    public init(certPath: String, keyPath: String, clientCAPath: String? = nil) {
        self.certPath = certPath
        self.keyPath = keyPath
        self.clientCAPath = clientCAPath
    }
}

/// A TLS setup failure, carrying the drained OpenSSL error queue.
public struct TLSError: Error, CustomStringConvertible {
    public var description: String
}

/// Drains OpenSSL's thread-local error queue into one line.
func drainOpenSSLErrors() -> String {
    var parts: [String] = []
    while true {
        let code = ERR_get_error()
        if code == 0 { break }
        var buffer = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(code, &buffer, buffer.count)
        parts.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }
    return parts.isEmpty ? "no OpenSSL error" : parts.joined(separator: "; ")
}

/// ALPN: select "h2" or fail the handshake with a no_application_protocol alert.
private let selectH2: @convention(c) (
    OpaquePointer?, UnsafeMutablePointer<UnsafePointer<UInt8>?>?, UnsafeMutablePointer<UInt8>?,
    UnsafePointer<UInt8>?, UInt32, UnsafeMutableRawPointer?
) -> Int32 = { _, out, outLength, input, inputLength, _ in
    selectProtocol(Array("h2".utf8), out, outLength, input, inputLength)
}

/// ALPN for the HTTP/1.1 port: "http/1.1" (a client that sends no ALPN is not asked).
private let selectHTTP11: @convention(c) (
    OpaquePointer?, UnsafeMutablePointer<UnsafePointer<UInt8>?>?, UnsafeMutablePointer<UInt8>?,
    UnsafePointer<UInt8>?, UInt32, UnsafeMutableRawPointer?
) -> Int32 = { _, out, outLength, input, inputLength, _ in
    selectProtocol(Array("http/1.1".utf8), out, outLength, input, inputLength)
}

/// Points `out` at `wanted` in the client's ALPN list, or refuses the handshake.
private func selectProtocol(_ wanted: [UInt8], _ out: UnsafeMutablePointer<UnsafePointer<UInt8>?>?,
                            _ outLength: UnsafeMutablePointer<UInt8>?, _ input: UnsafePointer<UInt8>?,
                            _ inputLength: UInt32) -> Int32 {
    guard let input, let out, let outLength else { return SSL_TLSEXT_ERR_ALERT_FATAL }
    var index = 0
    let count = Int(inputLength)
    while index < count {
        let length = Int(input[index])
        let start = index + 1
        if start + length > count { break }
        if length == wanted.count && (0..<length).allSatisfy({ input[start + $0] == wanted[$0] }) {
            out.pointee = input + start
            outLength.pointee = UInt8(length)
            return SSL_TLSEXT_ERR_OK
        }
        index = start + length
    }
    return SSL_TLSEXT_ERR_ALERT_FATAL
}

/// An `SSL_CTX` configured for an HTTP/2 server. Immutable after init; OpenSSL contexts are
/// safe to share between threads once configured.
final class TLSContext: @unchecked Sendable {
    let context: OpaquePointer

    /// The application protocol a connection on this context speaks (ALPN).
    enum ApplicationProtocol { case h2, http11 }

    init(_ config: TLSConfig, alpn: ApplicationProtocol = .h2) throws {
        ERR_clear_error()
        guard let context = SSL_CTX_new(TLS_server_method()) else {
            throw TLSError(description: "SSL_CTX_new: \(drainOpenSSLErrors())")
        }
        self.context = context
        guard spindle_SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION) == 1 else {
            throw TLSError(description: "TLS 1.2 minimum: \(drainOpenSSLErrors())")
        }
        spindle_SSL_CTX_set_server_options(context)
        _ = spindle_SSL_CTX_set_mode(context, Int(SSL_MODE_ENABLE_PARTIAL_WRITE
                                                  | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER
                                                  | SSL_MODE_RELEASE_BUFFERS))
        guard SSL_CTX_use_certificate_chain_file(context, config.certPath) == 1 else {
            throw TLSError(description: "certificate \(config.certPath): \(drainOpenSSLErrors())")
        }
        guard SSL_CTX_use_PrivateKey_file(context, config.keyPath, SSL_FILETYPE_PEM) == 1 else {
            throw TLSError(description: "private key \(config.keyPath): \(drainOpenSSLErrors())")
        }
        guard SSL_CTX_check_private_key(context) == 1 else {
            throw TLSError(description: "key does not match certificate: \(drainOpenSSLErrors())")
        }
        if let caPath = config.clientCAPath {
            guard SSL_CTX_load_verify_locations(context, caPath, nil) == 1,
                  let names = SSL_load_client_CA_file(caPath) else {
                throw TLSError(description: "client CA \(caPath): \(drainOpenSSLErrors())")
            }
            SSL_CTX_set_client_CA_list(context, names)
            SSL_CTX_set_verify(context, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nil)
        }
        SSL_CTX_set_alpn_select_cb(context, alpn == .h2 ? selectH2 : selectHTTP11, nil)
    }

    deinit { SSL_CTX_free(context) }
}

/// Result of one non-blocking TLS operation.
enum TLSIO {
    case done(Int)
    /// Would block: wait for the socket to become readable (`wantWrite` false) or writable.
    case incomplete(wantWrite: Bool)
    case closed
    case failed(String)
}

/// One connection's `SSL`. Loop-confined.
final class TLSSession {
    private let ssl: OpaquePointer
    private(set) var handshakeDone = false

    init?(context: TLSContext, fd: Int32) {
        ERR_clear_error()
        guard let ssl = SSL_new(context.context) else { return nil }
        self.ssl = ssl
        SSL_set_fd(ssl, fd)
        SSL_set_accept_state(ssl)
    }

    deinit { SSL_free(ssl) }

    /// The ALPN protocol the handshake selected, if any.
    var alpn: String? {
        var data: UnsafePointer<UInt8>?
        var length: UInt32 = 0
        SSL_get0_alpn_selected(ssl, &data, &length)
        guard let data, length > 0 else { return nil }
        return String(decoding: UnsafeBufferPointer(start: data, count: Int(length)), as: UTF8.self)
    }

    func handshake() -> TLSIO {
        ERR_clear_error()
        let rc = SSL_do_handshake(ssl)
        if rc == 1 {
            handshakeDone = true
            return .done(0)
        }
        return classify(rc)
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) -> TLSIO {
        ERR_clear_error()
        let rc = SSL_read(ssl, buffer.baseAddress, Int32(buffer.count))
        return rc > 0 ? .done(Int(rc)) : classify(rc)
    }

    func write(_ bytes: UnsafeRawBufferPointer) -> TLSIO {
        ERR_clear_error()
        let rc = SSL_write(ssl, bytes.baseAddress, Int32(min(bytes.count, Int(Int32.max))))
        return rc > 0 ? .done(Int(rc)) : classify(rc)
    }

    var hasBufferedInput: Bool { SSL_pending(ssl) > 0 }

    func shutdown() {
        ERR_clear_error()
        _ = SSL_shutdown(ssl)
    }

    private func classify(_ rc: Int32) -> TLSIO {
        let error = SSL_get_error(ssl, rc)
        switch error {
        case SSL_ERROR_WANT_READ: return .incomplete(wantWrite: false)
        case SSL_ERROR_WANT_WRITE: return .incomplete(wantWrite: true)
        case SSL_ERROR_ZERO_RETURN: return .closed
        case SSL_ERROR_SYSCALL:
            let detail = drainOpenSSLErrors()
            return errno == 0 || errno == ECONNRESET || errno == EPIPE ? .closed : .failed("syscall: \(detail)")
        default: return .failed(drainOpenSSLErrors())
        }
    }
}
