// Test fixtures: an acceptor with a few behaviours, a raw HTTP/2 client for frame-level
// checks, and helpers to run the nghttp / openssl CLIs.
import Foundation
import Glibc
import HTTP2
import RPC
import Synchronization

/// What the test acceptor saw, readable from the test.
final class Recorder: Sendable {
    struct State {
        var accepted: [String] = []
        /// Each accepted request's :authority and regular fields, as the runtime got them.
        var heads: [(authority: String?, fields: [HeaderField])] = []
        var resets: [String: [StreamResetReason]] = [:]
        var ended: [String] = []
        var held: [any StreamOutbound] = []
        var writeReturnedFalse = false
        var bytesQueuedBeforeBlock = 0
        var resumedAfterWait = false
        /// TestInbound objects alive: each holds its stream's outbound, as the runtime does.
        var liveInbounds = 0
    }
    let state = Mutex(State())

    func snapshot() -> State { state.withLock { $0 } }
}

/// Paths: /echo (DATA back, then grpc-status 0 trailers), /trailers-only (grpc-status 12),
/// /never (holds the stream; the test may answer it), /flood (streams 16 KiB chunks until
/// write() says stop, then waits for writability), /unary (5-byte message + status), any
/// other path: trailers-only grpc-status 0.
final class TestAcceptor: StreamAcceptor {
    let recorder = Recorder()

    func accept(_ head: RequestHead, outbound: any StreamOutbound,
                connection: ConnectionContext) -> any StreamInbound {
        recorder.state.withLock {
            $0.accepted.append(head.path)
            $0.heads.append((head.authority, head.fields))
        }
        let grpc = HeaderField("content-type", "application/grpc")
        switch head.path {
        case "/echo":
            outbound.write(.head(status: 200, fields: [grpc], endStream: false))
        case "/trailers-only":
            outbound.write(.head(status: 200, fields: [grpc, HeaderField("grpc-status", "12")], endStream: true))
        case "/never":
            recorder.state.withLock { $0.held.append(outbound) }
        case "/flood":
            let recorder = self.recorder
            Task(executorPreference: connection.executor) {
                outbound.write(.head(status: 200, fields: [grpc], endStream: false))
                var queued = 0
                while outbound.write(.data([UInt8](repeating: 7, count: 16_384))) {
                    queued += 16_384
                    if queued > 64 << 20 { break }
                }
                queued += 16_384
                recorder.state.withLock {
                    $0.writeReturnedFalse = true
                    $0.bytesQueuedBeforeBlock = queued
                }
                await outbound.waitUntilWritable()
                recorder.state.withLock { $0.resumedAfterWait = true }
                outbound.write(.trailers([HeaderField("grpc-status", "0")]))
            }
        case "/unary":
            break
        default:
            outbound.write(.head(status: 200, fields: [grpc, HeaderField("grpc-status", "0")], endStream: true))
        }
        return TestInbound(path: head.path, outbound: outbound, recorder: recorder)
    }
}

final class TestInbound: StreamInbound {
    let path: String
    let outbound: any StreamOutbound
    let recorder: Recorder

    init(path: String, outbound: any StreamOutbound, recorder: Recorder) {
        self.path = path
        self.outbound = outbound
        self.recorder = recorder
        recorder.state.withLock { $0.liveInbounds += 1 }
    }

    deinit {
        recorder.state.withLock { $0.liveInbounds -= 1 }
    }

    func receive(_ bytes: ArraySlice<UInt8>) {
        if path == "/echo" { outbound.write(.data(Array(bytes))) }
        outbound.consumed(bytes: bytes.count)
    }

    func end() {
        recorder.state.withLock { $0.ended.append(path) }
        switch path {
        case "/echo":
            outbound.write(.trailers([HeaderField("grpc-status", "0")]))
        case "/unary":
            outbound.write(.head(status: 200, fields: [HeaderField("content-type", "application/grpc")],
                                 endStream: false))
            outbound.write(.data([0, 0, 0, 0, 0]))
            outbound.write(.trailers([HeaderField("grpc-status", "0")]))
        default:
            break
        }
    }

    func reset(_ reason: StreamResetReason) {
        recorder.state.withLock { $0.resets[path, default: []].append(reason) }
    }
}

/// Polls `condition` every 10 ms for up to `seconds`.
func eventually(_ seconds: Double = 5, _ condition: () -> Bool) async -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return condition()
}

func startServer(_ acceptor: TestAcceptor, configure: (inout HTTP2ServerConfig) -> Void = { _ in })
    throws -> (HTTP2Server, Int) {
    var config = HTTP2ServerConfig(host: "127.0.0.1", port: 0)
    config.threads = 2
    configure(&config)
    let server = HTTP2Server(config: config, acceptor: acceptor)
    let address = try server.start()
    return (server, address.port)
}

/// Runs a command via /bin/sh; returns exit status and combined output.
func shell(_ command: String) throws -> (Int32, String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", command + " 2>&1"]
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

func tempDirectory() -> String {
    let path = NSTemporaryDirectory() + "h2test-" + UUID().uuidString
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

// MARK: A raw HTTP/2 client

enum FrameType: UInt8 {
    case data = 0, headers = 1, priority = 2, rstStream = 3, settings = 4, pushPromise = 5, ping = 6,
         goaway = 7, windowUpdate = 8, continuation = 9
}

struct Frame {
    var type: UInt8
    var flags: UInt8
    var stream: UInt32
    var payload: [UInt8]
}

/// A blocking-socket HTTP/2 client: sends hand-built frames, reads frames back.
final class RawClient {
    let fd: Int32
    private var buffer: [UInt8] = []

    init(port: Int, preface: Bool = true, settings: [(UInt16, UInt32)] = []) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard rc == 0 else { throw POSIXError(.ECONNREFUSED) }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        if preface {
            send(Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8))
            var payload: [UInt8] = []
            for (id, value) in settings {
                payload += [UInt8(id >> 8), UInt8(id & 0xff)] + be32(value)
            }
            sendFrame(.settings, flags: 0, stream: 0, payload)
        }
    }

    deinit { close(fd) }

    func send(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return }
            offset += n
        }
    }

    func sendFrame(_ type: FrameType, flags: UInt8, stream: UInt32, _ payload: [UInt8]) {
        let length = payload.count
        send([UInt8(length >> 16), UInt8((length >> 8) & 0xff), UInt8(length & 0xff), type.rawValue, flags]
             + be32(stream) + payload)
    }

    /// HEADERS for a POST to `path`, HPACK literal fields without indexing (no Huffman),
    /// then `extra` fields (raw bytes, so a test can send what is not UTF-8).
    func sendRequest(stream: UInt32, path: String, endStream: Bool, authority: String = "localhost",
                     extra: [(String, [UInt8])] = []) {
        var block: [UInt8] = []
        let standard = [(":method", "POST"), (":scheme", "http"), (":path", path), (":authority", authority),
                        ("content-type", "application/grpc"), ("te", "trailers")]
        for (name, value) in standard.map({ ($0.0, Array($0.1.utf8)) }) + extra {
            block.append(0x00)
            block.append(UInt8(name.utf8.count))
            block += Array(name.utf8)
            block.append(UInt8(value.count))
            block += value
        }
        sendFrame(.headers, flags: 0x4 | (endStream ? 0x1 : 0), stream: stream, block)
    }

    /// The next frame, or nil on EOF / timeout.
    func readFrame() -> Frame? {
        guard fill(9) else { return nil }
        let length = Int(buffer[0]) << 16 | Int(buffer[1]) << 8 | Int(buffer[2])
        guard fill(9 + length) else { return nil }
        let frame = Frame(type: buffer[3], flags: buffer[4],
                          stream: UInt32(buffer[5] & 0x7f) << 24 | UInt32(buffer[6]) << 16
                              | UInt32(buffer[7]) << 8 | UInt32(buffer[8]),
                          payload: Array(buffer[9..<(9 + length)]))
        buffer.removeFirst(9 + length)
        return frame
    }

    /// Reads frames until `match` returns true; nil on EOF / timeout first.
    func readUntil(_ match: (Frame) -> Bool) -> Frame? {
        while let frame = readFrame() {
            if frame.type == FrameType.settings.rawValue && frame.flags & 1 == 0 {
                sendFrame(.settings, flags: 1, stream: 0, [])
            }
            if match(frame) { return frame }
        }
        return nil
    }

    /// True once the server closed the connection (reads EOF within the timeout).
    func readsEOF() -> Bool {
        while true {
            var chunk = [UInt8](repeating: 0, count: 65_536)
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n == 0 { return true }
            if n < 0 { return errno == ECONNRESET }
        }
    }

    private func fill(_ count: Int) -> Bool {
        while buffer.count < count {
            var chunk = [UInt8](repeating: 0, count: 65_536)
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { return false }
            buffer += chunk[0..<n]
        }
        return true
    }
}

func be32(_ value: UInt32) -> [UInt8] {
    [UInt8(value >> 24), UInt8((value >> 16) & 0xff), UInt8((value >> 8) & 0xff), UInt8(value & 0xff)]
}

func readBE32(_ bytes: [UInt8], at offset: Int) -> UInt32 {
    UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16 | UInt32(bytes[offset + 2]) << 8
        | UInt32(bytes[offset + 3])
}
