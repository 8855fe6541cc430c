// A non-blocking TCP connection, confined to one dedicated thread. Every wait goes through
// `Interrupts`, so cancel and the deadline abort it; the socket closes when the object goes.
import Glibc

/// Bytes in and out of a connection, plain or TLS.
protocol ByteStream: AnyObject {
    /// Writes every byte or throws.
    func writeAll(_ bytes: [UInt8], _ interrupts: Interrupts) throws(HTTPClientError)
    /// Reads at least one byte into `buffer`; 0 means the peer closed the stream.
    func read(into buffer: UnsafeMutableRawBufferPointer, _ interrupts: Interrupts) throws(HTTPClientError) -> Int
}

final class TCPStream: ByteStream {
    let fd: Int32
    let peer: String

    private init(fd: Int32, peer: String) {
        self.fd = fd
        self.peer = peer
    }

    deinit { close(fd) }

    /// Connects to the first address that accepts. Each attempt gets an equal share of the
    /// time left, so one address that drops packets does not starve the others.
    static func connect(to addresses: [SocketAddress], _ interrupts: Interrupts) throws(HTTPClientError) -> TCPStream {
        var failures: [String] = []
        for (index, address) in addresses.enumerated() {
            let left = ContinuousClock.now.duration(to: interrupts.deadline)
            let share = left / (addresses.count - index)
            let attempt = Interrupts(wakeup: interrupts.wakeup, deadline: ContinuousClock.now + share)
            do {
                return try connect(to: address, attempt)
            } catch .timeout where ContinuousClock.now < interrupts.deadline {
                failures.append("\(address.description): no answer")
            } catch .connection(let why) {
                failures.append(why)
            }
        }
        throw .connection(failures.joined(separator: "; "))
    }

    private static func connect(to address: SocketAddress, _ interrupts: Interrupts) throws(HTTPClientError) -> TCPStream {
        let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        let fd = socket(address.family, type, 0)
        guard fd >= 0 else { throw .connection("socket: \(String(cString: strerror(errno)))") }
        let stream = TCPStream(fd: fd, peer: address.description)
        var one: Int32 = 1
        _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        let rc = address.bytes.withUnsafeBytes { raw in
            Glibc.connect(fd, raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t(raw.count))
        }
        if rc != 0 {
            guard errno == EINPROGRESS || errno == EINTR else { throw stream.failure("connect", errno) }
            do {
                _ = try interrupts.wait(for: fd, events: Int16(POLLOUT))
            } catch {
                throw HTTPClientError(error)
            }
            var error: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length)
            guard error == 0 else { throw stream.failure("connect", error) }
        }
        return stream
    }

    func failure(_ call: String, _ code: Int32) -> HTTPClientError {
        .connection("\(call) to \(peer): \(String(cString: strerror(code)))")
    }

    func writeAll(_ bytes: [UInt8], _ interrupts: Interrupts) throws(HTTPClientError) {
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { raw in
                send(fd, raw.baseAddress! + sent, raw.count - sent, Int32(MSG_NOSIGNAL))
            }
            if n > 0 {
                sent += n
            } else if errno == EAGAIN || errno == EINTR {
                try waitUntil(Int16(POLLOUT), interrupts)
            } else {
                throw failure("send", errno)
            }
        }
    }

    func read(into buffer: UnsafeMutableRawBufferPointer, _ interrupts: Interrupts) throws(HTTPClientError) -> Int {
        while true {
            let n = recv(fd, buffer.baseAddress, buffer.count, 0)
            if n >= 0 { return n }
            guard errno == EAGAIN || errno == EINTR else { throw failure("recv", errno) }
            try waitUntil(Int16(POLLIN), interrupts)
        }
    }

    /// Waits for `events`; errors and hangups return too, and the next call reports them.
    func waitUntil(_ events: Int16, _ interrupts: Interrupts) throws(HTTPClientError) {
        do {
            _ = try interrupts.wait(for: fd, events: events)
        } catch {
            throw HTTPClientError(error)
        }
    }
}
