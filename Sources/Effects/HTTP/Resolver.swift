// Host name to socket addresses. getaddrinfo(3) blocks and cannot be interrupted, so a name
// is looked up on a helper thread of its own while the request's thread waits on it, the
// cancel wakeup and the deadline: a canceled request returns at once, and the helper finishes
// its lookup alone and drops the result.
import Glibc
import Synchronization

/// One resolved address, as connect(2) takes it.
struct SocketAddress: Sendable {
    var family: Int32
    /// The sockaddr bytes (sockaddr_in or sockaddr_in6).
    var bytes: [UInt8]
    /// "127.0.0.1:8080", "[::1]:8080".
    var description: String
}

enum Resolver {
    /// More addresses than this are not tried: the deadline is split between them.
    static let maxAddresses = 8

    static func resolve(host: String, port: UInt16, numeric: Bool, interrupts: Interrupts)
        throws(HTTPClientError) -> [SocketAddress]
    {
        // A literal is parsed, not looked up: getaddrinfo with AI_NUMERICHOST never blocks.
        if numeric { return try lookup(host: host, port: port, flags: AI_NUMERICHOST).get() }
        let pending: PendingLookup
        do {
            pending = try PendingLookup()
            try DedicatedThread.start(name: "spindle-dns") {
                pending.finish(lookup(host: host, port: port, flags: 0))
            }
        } catch {
            throw .connection("cannot start a name lookup: \(error)")
        }
        do {
            _ = try interrupts.wait(for: pending.done.fd, events: Int16(POLLIN))
        } catch {
            throw HTTPClientError(error)
        }
        return try pending.result.withLock { $0 }!.get()
    }

    private final class PendingLookup: Sendable {
        let done: Wakeup
        let result = Mutex<Result<[SocketAddress], HTTPClientError>?>(nil)

        init() throws(SystemError) { done = try Wakeup() }

        func finish(_ outcome: Result<[SocketAddress], HTTPClientError>) {
            result.withLock { $0 = outcome }
            done.fire()
        }
    }

    private static func lookup(host: String, port: UInt16, flags: Int32) -> Result<[SocketAddress], HTTPClientError> {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = flags | AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, String(port), &hints, &list)
        guard rc == 0 else {
            let why = rc == EAI_SYSTEM ? String(cString: strerror(errno)) : String(cString: gai_strerror(rc))
            return .failure(.connection("cannot resolve \(host): \(why)"))
        }
        defer { freeaddrinfo(list) }
        var addresses: [SocketAddress] = []
        var node = list
        while let info = node?.pointee, addresses.count < maxAddresses {
            node = info.ai_next
            guard let address = info.ai_addr, info.ai_family == AF_INET || info.ai_family == AF_INET6 else { continue }
            let bytes = Array(UnsafeRawBufferPointer(start: address, count: Int(info.ai_addrlen)))
            addresses.append(SocketAddress(family: info.ai_family, bytes: bytes,
                                           description: describe(address, family: info.ai_family, port: port)))
        }
        guard !addresses.isEmpty else { return .failure(.connection("\(host) has no IPv4 or IPv6 address")) }
        return .success(addresses)
    }

    private static func describe(_ address: UnsafePointer<sockaddr>, family: Int32, port: UInt16) -> String {
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        if family == AF_INET {
            address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { v4 in
                var raw = v4.pointee.sin_addr
                _ = inet_ntop(AF_INET, &raw, &text, socklen_t(text.count))
            }
        } else {
            address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { v6 in
                var raw = v6.pointee.sin6_addr
                _ = inet_ntop(AF_INET6, &raw, &text, socklen_t(text.count))
            }
        }
        let name = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return family == AF_INET6 ? "[\(name)]:\(port)" : "\(name):\(port)"
    }
}

extension HTTPClientError {
    init(_ interrupt: WaitInterrupt) {
        switch interrupt {
        case .canceled: self = .canceled
        case .timedOut: self = .timeout
        }
    }
}
