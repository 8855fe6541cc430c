// Not a check: with SPINDLE_H2_SERVE_PORT set, serves the test acceptor (threads from
// SPINDLE_H2_THREADS, default 1) for SPINDLE_H2_SERVE_SECONDS (default 60) so h2probe.py and
// h2load can be pointed at it:
//   SPINDLE_H2_SERVE_PORT=50099 taskset -c 0 swift test --filter serveForManualProbes
// Without the variable it returns at once and asserts nothing.
import Foundation
import HTTP2
import Testing

@Test func serveForManualProbes() async throws {
    let env = ProcessInfo.processInfo.environment
    guard let port = env["SPINDLE_H2_SERVE_PORT"].flatMap(Int.init) else { return }
    var config = HTTP2ServerConfig(host: "127.0.0.1", port: port)
    config.threads = env["SPINDLE_H2_THREADS"].flatMap(Int.init) ?? 1
    let server = HTTP2Server(config: config, acceptor: TestAcceptor(), logger: { print($0) })
    _ = try server.start()
    let seconds = env["SPINDLE_H2_SERVE_SECONDS"].flatMap(Int.init) ?? 60
    try await Task.sleep(for: .seconds(seconds))
    await server.shutdown(grace: .seconds(1))
}
