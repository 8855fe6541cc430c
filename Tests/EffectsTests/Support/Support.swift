import Effects
import Engine
import Glibc
import Testing

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

// MARK: Files

func makeTempDirectory() throws -> String {
    var template = Array("/tmp/spindle-effects-XXXXXX".utf8CString)
    guard let made = mkdtemp(&template) else { throw TestFailure("mkdtemp failed") }
    return String(cString: made)
}

func writeFile(_ path: String, _ text: String) throws {
    guard let file = fopen(path, "w") else { throw TestFailure("cannot write \(path)") }
    defer { fclose(file) }
    _ = text.utf8CString.withUnsafeBufferPointer { fwrite($0.baseAddress, 1, $0.count - 1, file) }
}

func readFile(_ path: String) -> String? {
    guard let file = fopen(path, "r") else { return nil }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 4096)
    while true {
        let n = fread(&chunk, 1, chunk.count, file)
        if n <= 0 { break }
        bytes += chunk[..<n]
    }
    return String(decoding: bytes, as: UTF8.self)
}

/// Polls `condition` every 20 ms for up to `seconds`.
func eventually(within seconds: Double = 5, _ condition: () -> Bool) async -> Bool {
    let end = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    while ContinuousClock.now < end {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return condition()
}

/// Cancels `task` and checks that it ends promptly with `expected`. It takes a millisecond or
/// so; the bound is loose on purpose (this machine's two cores are shared with builds), and
/// what it waits on would otherwise take 30 s or more.
func cancelPromptly<T: Sendable, E: Error & Equatable>(_ task: Task<T, any Error>, expecting expected: E,
                                                       sourceLocation: SourceLocation = #_sourceLocation) async {
    let canceledAt = ContinuousClock.now
    task.cancel()
    let result = await task.result
    #expect(ContinuousClock.now - canceledAt < .seconds(2), sourceLocation: sourceLocation)
    guard case .failure(let error) = result, error as? E == expected else {
        Issue.record("expected \(expected), got \(result)", sourceLocation: sourceLocation)
        return
    }
}

// MARK: Processes and descriptors

/// True when `pid` no longer runs: gone, or a zombie waiting for a reaper that is not us
/// (orphans are reparented to whatever this sandbox's pid 1 is).
func processGone(_ pid: Int32) -> Bool {
    if kill(pid, 0) != 0 && errno == ESRCH { return true }
    guard let stat = readFile("/proc/\(pid)/stat"), let close = stat.lastIndex(of: ")") else { return true }
    return stat[stat.index(close, offsetBy: 2)] == "Z"
}

func openDescriptorCount() -> Int {
    guard let directory = opendir("/proc/self/fd") else { return -1 }
    defer { closedir(directory) }
    var count = 0
    while readdir(directory) != nil { count += 1 }
    return count
}

// MARK: Step invocations

func invocation(_ type: String, _ config: [String: JSONValue], input: JSONValue = [:]) -> StepInvocation {
    StepInvocation(tenantID: "t", workflowID: "w", runID: "r", stepID: "s", type: type, config: config,
                   input: input, attempt: 1, scope: [:])
}

/// The StepFailure a runner throws, or nil when it succeeds.
func failure(of runner: some StepRunner, _ invocation: StepInvocation) async -> StepFailure? {
    do {
        _ = try await runner.run(invocation)
        return nil
    } catch {
        return error
    }
}

// MARK: Peers

/// A running Python HTTP peer (see PeerServer.py.swift), started through Subprocess in a
/// task of its own; cancelling `process` stops it.
struct Peer: Sendable {
    let port: Int
    let process: Task<Void, Never>
    let scheme: String
    let host: String

    func url(_ path: String) -> String {
        let name = host.contains(":") ? "[\(host)]" : host
        return "\(scheme)://\(name):\(port)\(path)"
    }

    static func start(host: String = "127.0.0.1", certificate: TestCertificates? = nil) async throws -> Peer {
        let directory = try makeTempDirectory()
        let script = directory + "/peer.py"
        try writeFile(script, peerServerScript)
        let portFile = directory + "/port"
        var arguments = [script, portFile, host]
        if let certificate { arguments += [certificate.serverCertificate, certificate.serverKey] }
        let command = Subprocess("python3", arguments: arguments)
        let process = Task {
            let ended = try? await command.run()
            if let ended, ended.termination != .exited(0) {
                print("peer ended: \(ended.termination) \(String(decoding: ended.standardError, as: UTF8.self))")
            }
        }
        guard await eventually(within: 20, { readFile(portFile).flatMap { Int($0) } != nil }),
              let port = readFile(portFile).flatMap({ Int($0) }) else {
            process.cancel()
            throw TestFailure("the Python peer did not start")
        }
        return Peer(port: port, process: process, scheme: certificate == nil ? "http" : "https", host: host)
    }

    /// One plain peer shared by the whole test run.
    static let shared = Task { try await Peer.start() }
    /// One TLS peer (127.0.0.1 and localhost in its certificate) shared by the whole run.
    static let sharedTLS = Task { try await Peer.start(certificate: try await TestCertificates.shared.value) }
}

/// A test CA and a server certificate for "localhost" and 127.0.0.1 signed by it, made with
/// the openssl CLI in a temp directory; plus a second CA that signed nothing here.
struct TestCertificates: Sendable {
    let caCertificate: String
    let otherCACertificate: String
    let serverCertificate: String
    let serverKey: String

    static let shared = Task { try await TestCertificates.make() }

    static func make() async throws -> TestCertificates {
        let directory = try makeTempDirectory()
        func path(_ name: String) -> String { directory + "/" + name }
        try writeFile(path("server.ext"), """
            subjectAltName = DNS:localhost, IP:127.0.0.1
            basicConstraints = CA:FALSE
            keyUsage = digitalSignature
            extendedKeyUsage = serverAuth

            """)
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        let steps: [[String]] = [
            ["req", "-x509"] + ec + ["-keyout", path("ca.key"), "-out", path("ca.pem"), "-days", "2", "-subj", "/CN=Spindle Test CA"],
            ["req", "-x509"] + ec + ["-keyout", path("other.key"), "-out", path("other.pem"), "-days", "2", "-subj", "/CN=Other CA"],
            ["req"] + ec + ["-keyout", path("server.key"), "-out", path("server.csr"), "-subj", "/CN=localhost"],
            ["x509", "-req", "-in", path("server.csr"), "-CA", path("ca.pem"), "-CAkey", path("ca.key"),
             "-CAcreateserial", "-out", path("server.pem"), "-days", "2", "-extfile", path("server.ext")],
        ]
        for arguments in steps {
            let result = try await Subprocess("openssl", arguments: arguments, timeout: .seconds(30)).run()
            guard result.termination == .exited(0) else {
                throw TestFailure("openssl \(arguments[0]) failed: \(String(decoding: result.standardError, as: UTF8.self))")
            }
        }
        return TestCertificates(caCertificate: path("ca.pem"), otherCACertificate: path("other.pem"),
                                serverCertificate: path("server.pem"), serverKey: path("server.key"))
    }
}

/// A TCP listener on 127.0.0.1 that never accepts: connects complete (the kernel's backlog
/// takes them) and requests are written, but no byte ever comes back.
final class SilentListener: Sendable {
    let fd: Int32
    let port: Int

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.fd = fd
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound, listen(fd, 16) == 0 else { throw TestFailure("cannot listen") }
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit { close(fd) }

    var url: String { "http://127.0.0.1:\(port)/" }
}

/// Whether this machine has an IPv6 loopback to listen on.
let ipv6LoopbackAvailable: Bool = {
    let fd = socket(AF_INET6, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    var address = sockaddr_in6()
    address.sin6_family = sa_family_t(AF_INET6)
    address.sin6_addr = in6addr_loopback
    return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) == 0 }
    }
}()

/// A port on 127.0.0.1 with nothing listening (bound once, then closed).
func closedPort() throws -> Int {
    let listener = try SilentListener()
    return listener.port
}
