// Live-server tests: the real HTTP2Server on 127.0.0.1:0, driven by nghttp / openssl CLIs
// and a raw frame-level client.
import Foundation
import Glibc
@testable import HTTP2
import RPC
import Testing

@Suite(.serialized) struct HTTP2ServerTests {
    @Test func h2cEchoWithTrailers() async throws {
        let acceptor = TestAcceptor()
        let (server, port) = try startServer(acceptor)
        let dir = tempDirectory()
        try Data("hello, spindle".utf8).write(to: URL(fileURLWithPath: dir + "/body"))
        let (status, output) = try shell("nghttp -v -d \(dir)/body http://127.0.0.1:\(port)/echo")
        #expect(status == 0)
        #expect(output.contains("hello, spindle"))
        #expect(output.contains("grpc-status: 0"))
        // Trailers arrive in a second HEADERS frame carrying END_STREAM.
        #expect(output.contains("recv HEADERS frame") && output.contains("; END_STREAM"))
        #expect(acceptor.recorder.snapshot().ended == ["/echo"])
        await server.shutdown(grace: .seconds(1))
    }

    @Test func finishedStreamsReleaseTheRuntimeSide() async throws {
        // The runtime's inbound holds the stream's outbound; the transport must let go of
        // the inbound when the stream closes, or every call leaks (a reference cycle).
        let acceptor = TestAcceptor()
        let (server, port) = try startServer(acceptor)
        let dir = tempDirectory()
        try Data([0, 0, 0, 0, 0]).write(to: URL(fileURLWithPath: dir + "/body"))
        let (status, output) = try shell("h2load -n 500 -c 2 -m 16 -d \(dir)/body "
            + "-H 'content-type: application/grpc' -H 'te: trailers' http://127.0.0.1:\(port)/unary")
        #expect(status == 0)
        #expect(output.contains("500 succeeded"))
        let released = await eventually { acceptor.recorder.snapshot().liveInbounds == 0 }
        #expect(released, "\(acceptor.recorder.snapshot().liveInbounds) inbound objects still alive")
        await server.shutdown(grace: .seconds(1))
    }

    @Test func trailersOnlyResponseIsOneHeadersFrameWithEndStream() async throws {
        let acceptor = TestAcceptor()
        let (server, port) = try startServer(acceptor)
        let client = try RawClient(port: port)
        client.sendRequest(stream: 1, path: "/trailers-only", endStream: true)
        let headers = client.readUntil { $0.type == FrameType.headers.rawValue }
        #expect(headers?.stream == 1)
        #expect(headers.map { $0.flags & 0x5 == 0x5 } == true)  // END_HEADERS | END_STREAM
        // No DATA was sent for the stream before it ended.
        let (_, output) = try shell("nghttp -v http://127.0.0.1:\(port)/trailers-only")
        #expect(output.contains("grpc-status: 12"))
        #expect(!output.contains("recv DATA frame"))
        await server.shutdown(grace: .seconds(1))
    }

    @Test func largeBodyEchoCrossesFlowControlWindows() async throws {
        let acceptor = TestAcceptor()
        let (server, port) = try startServer(acceptor)
        let dir = tempDirectory()
        var body = [UInt8](repeating: 0, count: 5 << 20)
        for index in body.indices { body[index] = UInt8(truncatingIfNeeded: index &* 31 &+ index >> 12) }
        try Data(body).write(to: URL(fileURLWithPath: dir + "/big"))
        let (status, output) = try shell("nghttp -d \(dir)/big http://127.0.0.1:\(port)/echo > \(dir)/out; echo rc=$?")
        #expect(status == 0 && output.contains("rc=0"))
        let echoed = try Data(contentsOf: URL(fileURLWithPath: dir + "/out"))
        #expect(echoed.count == body.count)
        #expect(echoed == Data(body))
        await server.shutdown(grace: .seconds(1))
    }

    @Test func manyConcurrentStreamsOnOneConnection() async throws {
        let acceptor = TestAcceptor()
        let (server, port) = try startServer(acceptor)
        let dir = tempDirectory()
        try Data([0, 0, 0, 0, 3, 1, 2, 3]).write(to: URL(fileURLWithPath: dir + "/body"))
        let (status, output) = try shell("nghttp -n -s -m 200 -d \(dir)/body http://127.0.0.1:\(port)/echo")
        #expect(status == 0, "\(output.suffix(500))")
        let snapshot = acceptor.recorder.snapshot()
        #expect(snapshot.accepted.count == 200)
        #expect(snapshot.ended.count == 200)
        #expect(snapshot.resets.isEmpty)
        await server.shutdown(grace: .seconds(1))
    }

    @Test func repeatedHeaderBlocksReachTheRuntimeExactly() async throws {
        // The connection reuses the previous request's strings for fields that match it byte
        // for byte: every request must still arrive with exactly its own fields.
        let acceptor = TestAcceptor()
        let (server, port) = try startServer(acceptor)
        let client = try RawClient(port: port)
        let requests: [(path: String, authority: String, extra: [(String, [UInt8])])] = [
            ("/a", "localhost", [("x-one", Array("1".utf8)), ("x-two", Array("2".utf8))]),
            ("/a", "localhost", [("x-one", Array("1".utf8)), ("x-two", Array("22".utf8))]),
            ("/a-long-path-past-the-small-string-size", "example.internal:50051", [("x-one", Array("1".utf8))]),
            ("/a-long-path-past-the-small-string-size", "example.internal:50051",
             [("x-two", Array("2".utf8)), ("x-one", Array("1".utf8)), ("x-three", Array("3".utf8))]),
            ("/b", "localhost", [("x-two", [0x32, 0xFF]), ("x-one", Array("1".utf8))]),  // not UTF-8
            ("/b", "localhost", [("x-two", [0x32, 0xFF]), ("x-one", Array("1".utf8))]),
        ]
        for (index, request) in requests.enumerated() {
            client.sendRequest(stream: UInt32(2 * index + 1), path: request.path, endStream: true,
                               authority: request.authority, extra: request.extra)
        }
        #expect(await eventually { acceptor.recorder.snapshot().heads.count == requests.count })
        let snapshot = acceptor.recorder.snapshot()
        #expect(snapshot.accepted == requests.map(\.path))
        for (head, request) in zip(snapshot.heads, requests) {
            #expect(head.authority == request.authority)
            let expected = [HeaderField("content-type", "application/grpc"), HeaderField("te", "trailers")]
                + request.extra.map { HeaderField($0.0, String(decoding: $0.1, as: UTF8.self)) }
            #expect(head.fields == expected)
        }
        #expect(snapshot.heads[4].fields.last?.value == "1" && snapshot.heads[4].fields[2].value == "2\u{FFFD}")
        await server.shutdown(grace: .seconds(1))
    }

    @Test func clientResetReachesInboundOnce() async throws {
        let acceptor = TestAcceptor()
        let (server, port) = try startServer(acceptor)
        let client = try RawClient(port: port)
        client.sendRequest(stream: 1, path: "/never", endStream: false)
        #expect(await eventually { acceptor.recorder.snapshot().accepted == ["/never"] })
        client.sendFrame(.rstStream, flags: 0, stream: 1, be32(8))
        #expect(await eventually { acceptor.recorder.snapshot().resets["/never"] != nil })
        try await Task.sleep(for: .milliseconds(100))
        #expect(acceptor.recorder.snapshot().resets["/never"] == [.peerReset(errorCode: 8)])
        // Writes after the reset are dropped, and never block.
        let outbound = try #require(acceptor.recorder.snapshot().held.first)
        #expect(outbound.write(.data([1, 2, 3])))
        await outbound.waitUntilWritable()
        await server.shutdown(grace: .seconds(1))
    }

    @Test func slowReaderBlocksWriterUntilItReads() async throws {
        let acceptor = TestAcceptor()
        let (server, port) = try startServer(acceptor)
        // Window 0: the server may send no DATA until the client says so.
        let client = try RawClient(port: port, settings: [(0x4, 0)])
        client.sendRequest(stream: 1, path: "/flood", endStream: true)
        #expect(await eventually { acceptor.recorder.snapshot().writeReturnedFalse })
        try await Task.sleep(for: .milliseconds(300))
        var snapshot = acceptor.recorder.snapshot()
        #expect(!snapshot.resumedAfterWait)
        // Bounded: the handler stopped at the high-water mark (256 KiB) plus one chunk.
        #expect(snapshot.bytesQueuedBeforeBlock <= 256 * 1024 + 16_384)
        // Now read: open the windows and drain.
        client.sendFrame(.settings, flags: 0, stream: 0, [0, 4] + be32(1 << 20))
        client.sendFrame(.windowUpdate, flags: 0, stream: 0, be32(1 << 20))
        let end = client.readUntil { $0.stream == 1 && $0.type == FrameType.headers.rawValue && $0.flags & 1 == 1 }
        #expect(end != nil)
        snapshot = acceptor.recorder.snapshot()
        #expect(snapshot.resumedAfterWait)
        await server.shutdown(grace: .seconds(1))
    }

    @Test func gracefulShutdownSendsGoawayAndLetsInFlightStreamFinish() async throws {
        let acceptor = TestAcceptor()
        let (server, port) = try startServer(acceptor)
        let client = try RawClient(port: port)
        client.sendRequest(stream: 1, path: "/never", endStream: true)
        #expect(await eventually { acceptor.recorder.snapshot().held.count == 1 })
        let started = Date()
        let shutdown = Task { await server.shutdown(grace: .seconds(10)) }
        let goaway = client.readUntil { $0.type == FrameType.goaway.rawValue }
        #expect(goaway != nil)
        // The final GOAWAY names stream 1 as processed, with NO_ERROR.
        let last = client.readUntil {
            $0.type == FrameType.goaway.rawValue && readBE32($0.payload, at: 0) == 1
        }
        #expect(last.map { readBE32($0.payload, at: 4) } == 0)
        // The in-flight stream still completes.
        let outbound = try #require(acceptor.recorder.snapshot().held.first)
        outbound.write(.head(status: 200, fields: [HeaderField("grpc-status", "0")], endStream: true))
        let answer = client.readUntil { $0.type == FrameType.headers.rawValue && $0.stream == 1 }
        #expect(answer.map { $0.flags & 1 } == 1)
        #expect(client.readsEOF())
        await shutdown.value
        #expect(Date().timeIntervalSince(started) < 5)
        #expect(acceptor.recorder.snapshot().resets.isEmpty)
    }

    @Test func shutdownAfterGraceResetsStreamsThatNeverFinish() async throws {
        let acceptor = TestAcceptor()
        let (server, port) = try startServer(acceptor)
        let client = try RawClient(port: port)
        client.sendRequest(stream: 1, path: "/never", endStream: true)
        #expect(await eventually { acceptor.recorder.snapshot().held.count == 1 })
        await server.shutdown(grace: .milliseconds(300))
        #expect(acceptor.recorder.snapshot().resets["/never"] == [.connectionClosed])
        #expect(client.readsEOF())
        #expect(server.openConnections == 0)
    }

    @Test func idleConnectionGetsGoawayAndIsClosed() async throws {
        let acceptor = TestAcceptor()
        let (server, port) = try startServer(acceptor) { $0.idleTimeout = .milliseconds(300) }
        let client = try RawClient(port: port)
        let started = Date()
        let goaway = client.readUntil { $0.type == FrameType.goaway.rawValue }
        #expect(goaway.map { readBE32($0.payload, at: 4) } == 0)
        #expect(client.readsEOF())
        #expect(Date().timeIntervalSince(started) >= 0.25)
        await server.shutdown(grace: .seconds(1))
    }

    @Test func keepalivePingsAndClosesAPeerThatNeverAnswers() async throws {
        let acceptor = TestAcceptor()
        let (server, port) = try startServer(acceptor) {
            $0.keepaliveInterval = .milliseconds(200)
            $0.keepaliveTimeout = .milliseconds(300)
        }
        let client = try RawClient(port: port)
        let started = Date()
        let ping = client.readUntil { $0.type == FrameType.ping.rawValue && $0.flags & 1 == 0 }
        #expect(ping != nil, "no keepalive PING")
        #expect(Date().timeIntervalSince(started) >= 0.15)
        // Never answered: the connection is closed once the keepalive timeout runs out.
        #expect(client.readsEOF())
        #expect(Date().timeIntervalSince(started) >= 0.45)
        await server.shutdown(grace: .seconds(1))
    }

    @Test func tlsHandshakeThatNeverStartsIsClosedAtTheTimeout() async throws {
        let dir = tempDirectory()
        let (made, log) = try shell("""
            openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 \\
            -subj /CN=localhost -keyout \(dir)/key.pem -out \(dir)/cert.pem
            """)
        #expect(made == 0, "\(log)")
        let acceptor = TestAcceptor()
        let (server, port) = try startServer(acceptor) {
            $0.tls = TLSConfig(certPath: dir + "/cert.pem", keyPath: dir + "/key.pem")
            $0.handshakeTimeout = .milliseconds(300)
        }
        let started = Date()
        let silent = try RawClient(port: port, preface: false)
        #expect(silent.readsEOF())
        let waited = Date().timeIntervalSince(started)
        #expect(waited >= 0.25 && waited < 4, "closed after \(waited) s")
        await server.shutdown(grace: .seconds(1))
    }

    @Test func garbageOnOneConnectionDoesNotDisturbAnother() async throws {
        let acceptor = TestAcceptor()
        let (server, port) = try startServer(acceptor)
        let good = try RawClient(port: port)
        let bad = try RawClient(port: port, preface: false)
        bad.send(Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8) + [UInt8](repeating: 0xff, count: 4096))
        #expect(bad.readsEOF())
        good.sendRequest(stream: 1, path: "/anything", endStream: true)
        let answer = good.readUntil { $0.type == FrameType.headers.rawValue && $0.stream == 1 }
        #expect(answer.map { $0.flags & 1 } == 1)
        #expect(acceptor.recorder.snapshot().accepted == ["/anything"])
        await server.shutdown(grace: .seconds(1))
    }

    @Test func tlsWithALPNh2AndRefusalWithoutIt() async throws {
        let dir = tempDirectory()
        let (made, log) = try shell("""
            openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 \
            -subj /CN=localhost -keyout \(dir)/key.pem -out \(dir)/cert.pem
            """)
        #expect(made == 0, "\(log)")
        let acceptor = TestAcceptor()
        let (server, port) = try startServer(acceptor) {
            $0.tls = TLSConfig(certPath: dir + "/cert.pem", keyPath: dir + "/key.pem")
        }
        try Data("secure bytes".utf8).write(to: URL(fileURLWithPath: dir + "/body"))
        let (status, output) = try shell("nghttp -v -d \(dir)/body https://127.0.0.1:\(port)/echo")
        #expect(status == 0, "\(output.suffix(400))")
        #expect(output.contains("secure bytes"))
        #expect(output.contains("grpc-status: 0"))
        let (refused, alert) = try shell(
            "openssl s_client -connect 127.0.0.1:\(port) -alpn http/1.1 </dev/null")
        #expect(refused != 0)
        #expect(alert.contains("no application protocol"), "\(alert.suffix(400))")
        await server.shutdown(grace: .seconds(1))
    }

    @Test func badCertificatePathIsASwiftErrorWithOpenSSLText() throws {
        var config = HTTP2ServerConfig(host: "127.0.0.1", port: 0)
        config.tls = TLSConfig(certPath: "/nonexistent/cert.pem", keyPath: "/nonexistent/key.pem")
        let server = HTTP2Server(config: config, acceptor: TestAcceptor())
        #expect(throws: TLSError.self) { _ = try server.start() }
    }

    @Test func eventLoopRunsTimersInDeadlineOrderAndTasksOnItsThread() async throws {
        let group = EventLoopGroup(count: 1)
        let loop = group.loops[0]
        let order = Recorder()
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            loop.execute {
                for (delay, label) in [(30, "c"), (10, "a"), (20, "b")] {
                    loop.schedule(after: .milliseconds(delay)) {
                        order.state.withLock { $0.accepted.append(label) }
                        if label == "c" { done.resume() }
                    }
                }
                let cancelled = loop.schedule(after: .milliseconds(5)) {
                    order.state.withLock { $0.accepted.append("x") }
                }
                cancelled.cancel()
            }
        }
        #expect(order.snapshot().accepted == ["a", "b", "c"])
        let onLoop = await Task(executorPreference: loop) { loop.inLoop }.value
        #expect(onLoop)
        #expect(!loop.inLoop)
        group.stopAndJoin()
    }
}
