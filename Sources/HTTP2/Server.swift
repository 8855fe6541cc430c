// The public face of the transport: configuration, start, graceful shutdown.
import CNghttp2
import Dispatch
import Glibc
public import RPC
import Synchronization

/// HTTP/2 SETTINGS the server advertises.
public struct HTTP2Settings: Sendable {
    /// Streams a client may have open at once. 256: enough for deep pipelining (h2load -m 128,
    /// grpc clients multiplexing), while bounding per-connection state.
    public var maxConcurrentStreams: UInt32 = 256
    /// Per-stream receive window. 1 MiB: one stream can fill a fast link (BDP of 1 Gbit/s at
    /// 8 ms) without WINDOW_UPDATE stalls; the connection window bounds the total.
    public var initialWindowSize: UInt32 = 1 << 20
    /// Largest DATA/HEADERS payload we accept; the protocol default.
    public var maxFrameSize: UInt32 = 16_384
    /// Largest request header block (RFC 7541 size: name + value + 32 each). 16 KiB matches
    /// gRPC's metadata limits (8 KiB soft / 16 KiB hard).
    public var maxHeaderListSize: UInt32 = 16_384

    public init() {}
}

/// Everything the server needs to listen. Durations are `nil` to disable the feature.
public struct HTTP2ServerConfig: Sendable {
    /// Address to bind, e.g. "0.0.0.0", "::" or "127.0.0.1".
    public var host: String = "0.0.0.0"
    /// Port to bind; 0 picks a free port (see `BoundAddress.port`).
    public var port: Int = 50051
    /// Event loop threads; defaults to the number of active CPUs.
    public var threads: Int = max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))
    /// TLS (h2 via ALPN). `nil`: cleartext h2c with prior knowledge.
    public var tls: TLSConfig?
    public var settings = HTTP2Settings()
    /// Connection-level receive window: the most request-body bytes one connection can have
    /// in flight unconsumed. 16 MiB (grpc-go's BDP-estimator ceiling).
    public var connectionWindowSize: Int = 16 << 20
    /// Time allowed for the TLS handshake.
    public var handshakeTimeout: Duration = .seconds(10)
    /// A connection with no open streams for this long gets GOAWAY(NO_ERROR) and is closed.
    public var idleTimeout: Duration? = .seconds(300)
    /// PING interval; `nil` (default) sends none. gRPC clients run their own keepalive.
    public var keepaliveInterval: Duration?
    /// A PING unanswered for this long closes the connection.
    public var keepaliveTimeout: Duration = .seconds(20)

    public init(host: String = "0.0.0.0", port: Int = 50051, tls: TLSConfig? = nil) {
        self.host = host
        self.port = port
        self.tls = tls
    }
}

/// Where the server actually listens.
public struct BoundAddress: Sendable, Equatable {
    public var host: String
    public var port: Int
}

/// Errors from `HTTP2Server.start()`.
public struct HTTP2ServerError: Error, CustomStringConvertible {
    public var description: String
}

/// Structured log line sink, logfmt style (`level=warn event=goaway peer=...`).
public typealias HTTP2Logger = @Sendable (String) -> Void

/// What shutdown needs of a connection, HTTP/2 or HTTP/1.1. Loop-confined.
protocol ServerConnection: AnyObject {
    func beginGracefulShutdown()
    func close(reason: String)
}

/// Connections of one loop. Loop-confined (`@unchecked Sendable` so the server can hold it).
final class ConnectionRegistry: @unchecked Sendable {
    private(set) var connections: [ObjectIdentifier: any ServerConnection] = [:]

    func add(_ connection: any ServerConnection) {
        connections[ObjectIdentifier(connection)] = connection
    }

    func remove(_ connection: any ServerConnection) {
        if connections.removeValue(forKey: ObjectIdentifier(connection)) != nil {
            shared?.openConnections.subtract(1, ordering: .relaxed)
        }
    }

    weak var shared: ServerShared?
}

/// Immutable server-wide state shared by every loop.
final class ServerShared: Sendable {
    let config: HTTP2ServerConfig
    let acceptor: any StreamAcceptor
    let logger: HTTP2Logger
    let tls: TLSContext?
    let group: EventLoopGroup
    let registries: [ObjectIdentifier: ConnectionRegistry]
    let openConnections = Atomic<Int>(0)
    private let shuttingDown = Atomic<Bool>(false)

    init(config: HTTP2ServerConfig, acceptor: any StreamAcceptor, logger: @escaping HTTP2Logger,
         tls: TLSContext?, group: EventLoopGroup) {
        self.config = config
        self.acceptor = acceptor
        self.logger = logger
        self.tls = tls
        self.group = group
        var registries: [ObjectIdentifier: ConnectionRegistry] = [:]
        for loop in group.loops {
            registries[ObjectIdentifier(loop)] = ConnectionRegistry()
        }
        self.registries = registries
        for registry in registries.values { registry.shared = self }
    }

    var isShuttingDown: Bool { shuttingDown.load(ordering: .acquiring) }
    func beginShutdown() { shuttingDown.store(true, ordering: .releasing) }

    func registry(for loop: EventLoop) -> ConnectionRegistry { registries[ObjectIdentifier(loop)]! }

    func log(_ line: String) { logger(line) }
}

/// An HTTP/2 server (h2 over TLS, or h2c with prior knowledge) that hands every request
/// stream to a `StreamAcceptor`.
///
/// ```swift
/// let server = HTTP2Server(config: config, acceptor: rpcServer, logger: { print($0) })
/// let address = try server.start()
/// ...
/// await server.shutdown(grace: .seconds(10))
/// ```
public final class HTTP2Server: Sendable {
    private struct State {
        var shared: ServerShared?
        var listenFD: Int32 = -1
        /// The HTTP/1.1 listener (`startHTTP1`), on the same loops.
        var http1FD: Int32 = -1
        var finished = false
    }

    private let config: HTTP2ServerConfig
    private let acceptor: any StreamAcceptor
    private let logger: HTTP2Logger
    private let state = Mutex(State())

    public init(config: HTTP2ServerConfig, acceptor: any StreamAcceptor,
                logger: @escaping @Sendable (String) -> Void = { _ in }) {
        self.config = config
        self.acceptor = acceptor
        self.logger = logger
    }

    /// Connections currently open (all loops).
    public var openConnections: Int {
        state.withLock { $0.shared }?.openConnections.load(ordering: .relaxed) ?? 0
    }

    /// Binds, starts the loop threads and begins accepting. Returns the bound address.
    public func start() throws -> BoundAddress {
        signal(SIGPIPE, SIG_IGN)  // TLS writes go through write(2); a closed peer must not kill us.
        let tls = try config.tls.map { try TLSContext($0) }
        let (fd, address) = try Self.bind(host: config.host, port: config.port)
        let group = EventLoopGroup(count: config.threads)
        let shared = ServerShared(config: config, acceptor: acceptor, logger: logger, tls: tls, group: group)
        state.withLock {
            $0.shared = shared
            $0.listenFD = fd
        }
        let listenLoop = group.loops[0]
        listenLoop.execute {
            let listener = Listener(fd: fd, loop: listenLoop, shared: shared) { client, peer, loop in
                HTTP2Connection(fd: client, peer: peer, loop: loop, shared: shared).start()
            }
            listener.start()
        }
        return address
    }

    /// Binds a second port for HTTP/1.1 (TLS when the server has TLS) on the same loops, after `start()`:
    /// every request goes to `acceptor` through the same seam as an HTTP/2 stream. One
    /// exchange at a time per connection, in order (keep-alive and pipelining).
    public func startHTTP1(host: String, port: Int, acceptor: any StreamAcceptor,
                           config: HTTP1ServerConfig = HTTP1ServerConfig()) throws -> BoundAddress {
        guard let shared = state.withLock({ $0.shared }) else {
            throw HTTP2ServerError(description: "startHTTP1 before start")
        }
        // TLS when the HTTP/2 port has it: the same certificate, ALPN "http/1.1".
        let tls = try self.config.tls.map { try TLSContext($0, alpn: .http11) }
        let (fd, address) = try Self.bind(host: host, port: port)
        state.withLock { $0.http1FD = fd }
        let listenLoop = shared.group.loops[0]
        let options = HTTP1Options(config: config, acceptor: acceptor, tls: tls)
        listenLoop.execute {
            let listener = Listener(fd: fd, loop: listenLoop, shared: shared) { client, peer, loop in
                HTTP1Connection(fd: client, peer: peer, loop: loop, shared: shared, options: options).start()
            }
            listener.start()
        }
        return address
    }

    /// Stops accepting, sends GOAWAY on every connection, waits up to `grace` for in-flight
    /// streams, then closes what is left and joins the loop threads.
    public func shutdown(grace: Duration) async {
        let taken = state.withLock { state -> (ServerShared, Int32, Int32)? in
            guard let shared = state.shared, !state.finished else { return nil }
            state.finished = true
            return (shared, state.listenFD, state.http1FD)
        }
        guard let (shared, listenFD, http1FD) = taken else { return }
        shared.beginShutdown()
        let loops = shared.group.loops
        await onEachLoop(loops) { loop in
            if loop === loops[0] {
                Listener.stop(fd: listenFD, loop: loop)
                if http1FD >= 0 { Listener.stop(fd: http1FD, loop: loop) }
            }
            for connection in shared.registry(for: loop).connections.values {
                connection.beginGracefulShutdown()
            }
        }
        let deadline = ContinuousClock.now.advanced(by: grace)
        while shared.openConnections.load(ordering: .relaxed) > 0 && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
        await onEachLoop(loops) { loop in
            for connection in shared.registry(for: loop).connections.values {
                connection.close(reason: "shutdown")
            }
        }
        logger("level=info event=shutdown")
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async {
                shared.group.stopAndJoin()
                continuation.resume()
            }
        }
    }

    private func onEachLoop(_ loops: [EventLoop], _ work: @escaping @Sendable (EventLoop) -> Void) async {
        for loop in loops {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                loop.execute {
                    work(loop)
                    continuation.resume()
                }
            }
        }
    }

    // MARK: Binding

    static func bind(host: String, port: Int) throws -> (Int32, BoundAddress) {
        var hints = addrinfo()
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, String(port), &hints, &result)
        guard rc == 0, let first = result else {
            throw HTTP2ServerError(description: "resolve \(host): \(cString(gai_strerror(rc)))")
        }
        defer { freeaddrinfo(result) }
        var lastError = "no address"
        var info: UnsafeMutablePointer<addrinfo>? = first
        while let current = info {
            info = current.pointee.ai_next
            let fd = socket(current.pointee.ai_family,
                            current.pointee.ai_socktype | Int32(SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue), 0)
            if fd < 0 { lastError = cString(strerror(errno)); continue }
            var one: Int32 = 1
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
            if Glibc.bind(fd, current.pointee.ai_addr, current.pointee.ai_addrlen) != 0 || listen(fd, 1024) != 0 {
                lastError = cString(strerror(errno))
                close(fd)
                continue
            }
            var storage = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { _ = getsockname(fd, $0, &length) }
            }
            let (_, boundPort) = describe(&storage)
            return (fd, BoundAddress(host: host, port: boundPort))
        }
        throw HTTP2ServerError(description: "bind \(host):\(port): \(lastError)")
    }
}

/// Formats an address as ("127.0.0.1", port); used for peers as "host:port" / "[v6]:port".
func describe(_ storage: inout sockaddr_storage) -> (String, Int) {
    var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
    if storage.ss_family == sa_family_t(AF_INET6) {
        return withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { address in
                var raw = address.pointee.sin6_addr
                inet_ntop(AF_INET6, &raw, &buffer, socklen_t(buffer.count))
                return ("[" + cString(buffer) + "]", Int(UInt16(bigEndian: address.pointee.sin6_port)))
            }
        }
    }
    return withUnsafePointer(to: &storage) {
        $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { address in
            var raw = address.pointee.sin_addr
            inet_ntop(AF_INET, &raw, &buffer, socklen_t(buffer.count))
            return (cString(buffer), Int(UInt16(bigEndian: address.pointee.sin_port)))
        }
    }
}

/// Accepts connections on loop 0 and hands each to a loop, round-robin. Loop-confined.
final class Listener {
    /// Starts a connection for an accepted socket, on the loop it was given to.
    typealias Open = @Sendable (_ fd: Int32, _ peer: String, _ loop: EventLoop) -> Void
    let fd: Int32
    let loop: EventLoop
    let shared: ServerShared
    let open: Open

    init(fd: Int32, loop: EventLoop, shared: ServerShared, open: @escaping Open) {
        self.fd = fd
        self.loop = loop
        self.shared = shared
        self.open = open
    }

    func start() {
        if shared.isShuttingDown {
            close(fd)
            return
        }
        loop.register(fd, events: epollIn) { [self] _ in acceptAll() }
    }

    static func stop(fd: Int32, loop: EventLoop) {
        loop.deregister(fd)
        close(fd)
    }

    private func acceptAll() {
        for _ in 0..<256 {
            if shared.isShuttingDown { return }
            var storage = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let client = withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    spindle_accept4(fd, $0, &length, Int32(SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue))
                }
            }
            if client < 0 {
                let error = errno
                switch error {
                case EAGAIN, EWOULDBLOCK: return
                case EINTR, ECONNABORTED, EPROTO: continue
                case EMFILE, ENFILE, ENOBUFS, ENOMEM:
                    // Out of descriptors or memory: stop accepting briefly instead of spinning.
                    shared.log("level=warn event=accept_backoff error=\"\(cString(strerror(error)))\"")
                    loop.modify(fd, events: 0)
                    loop.schedule(after: .milliseconds(100)) { [self] in
                        if !self.shared.isShuttingDown { loop.modify(fd, events: epollIn) }
                    }
                    return
                default:
                    shared.log("level=error event=accept_failed error=\"\(cString(strerror(error)))\"")
                    return
                }
            }
            var one: Int32 = 1
            setsockopt(client, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            let (host, port) = describe(&storage)
            let peer = "\(host):\(port)"
            let target = shared.group.next()
            let open = self.open
            self.shared.openConnections.add(1, ordering: .relaxed)
            let start: @Sendable () -> Void = { open(client, peer, target) }
            if target === loop { start() } else { target.execute(start) }
        }
    }
}

/// A NUL-terminated C string as a Swift String.
func cString(_ pointer: UnsafePointer<CChar>) -> String {
    String(decoding: UnsafeRawBufferPointer(start: pointer, count: strlen(pointer)), as: UTF8.self)
}
