import Testing
import HTTP2
import RPC

/// The HTTP/2 client and the gRPC channel over it, against the in-process server.
@Suite struct HTTP2ClientTests {
    func channel(_ port: Int) -> GRPCClientChannel {
        GRPCClientChannel(config: HTTP2ClientConfig(host: "127.0.0.1", port: port))
    }

    @Test func unaryEchoWithMetadataOverOneConnection() async throws {
        let acceptor = TestAcceptor()
        let (server, port) = try startServer(acceptor)
        defer { Task { await server.shutdown(grace: .seconds(1)) } }
        let ch = channel(port)
        var md = Metadata()
        md.add("authorization", "Bearer abc")
        for n in 0..<3 {
            let body = [UInt8](repeating: UInt8(n), count: 70_000)  // over one DATA frame and the default window
            #expect(try ch.unary(path: "/echo", request: body, metadata: md, timeout: .seconds(10)) == body)
        }
        let heads = acceptor.recorder.snapshot().heads
        #expect(heads.count == 3 && heads.allSatisfy { $0.authority == "127.0.0.1:\(port)" })
        #expect(heads[0].fields.contains(HeaderField("authorization", "Bearer abc")))
        #expect(heads[0].fields.contains(HeaderField("te", "trailers")))
    }

    @Test func statusFromATrailersOnlyResponse() async throws {
        let (server, port) = try startServer(TestAcceptor())
        defer { Task { await server.shutdown(grace: .seconds(1)) } }
        #expect(throws: RPCError(.unimplemented, "")) { try channel(port).unary(path: "/trailers-only", request: []) }
    }

    @Test func deadlineResetsTheStreamAndTheConnectionStaysUsable() async throws {
        let acceptor = TestAcceptor()
        let (server, port) = try startServer(acceptor)
        defer { Task { await server.shutdown(grace: .seconds(1)) } }
        let ch = channel(port)
        do {
            _ = try ch.unary(path: "/never", request: [1], timeout: .milliseconds(200))
            Issue.record("no deadline")
        } catch {
            #expect(error.code == .deadlineExceeded)
        }
        #expect(await eventually { acceptor.recorder.snapshot().resets["/never"] != nil })
        #expect(try ch.unary(path: "/echo", request: [4, 2], timeout: .seconds(5)) == [4, 2])
    }

    @Test func messageSizeLimitsBothWays() async throws {
        let (server, port) = try startServer(TestAcceptor())
        defer { Task { await server.shutdown(grace: .seconds(1)) } }
        let ch = channel(port)
        ch.maxReceiveMessageSize = 10
        do {
            _ = try ch.unary(path: "/echo", request: [UInt8](repeating: 1, count: 11), timeout: .seconds(5))
            Issue.record("oversized response accepted")
        } catch {
            #expect(error.code == .resourceExhausted && error.message.contains("over the limit of 10"))
        }
        ch.maxSendMessageSize = 4
        do {
            _ = try ch.unary(path: "/echo", request: [1, 2, 3, 4, 5])
            Issue.record("oversized request sent")
        } catch {
            #expect(error.code == .resourceExhausted && error.message.contains("send limit of 4"))
        }
    }

    @Test func badFramingFromTheServerIsInternal() async throws {
        let (server, port) = try startServer(TestAcceptor())
        defer { Task { await server.shutdown(grace: .seconds(1)) } }
        do {
            try channel(port).serverStream(path: "/flood", request: []) { _ in true }
            Issue.record("raw bytes read as messages")
        } catch {
            #expect(error.code == .internal)  // the flood's bytes (7, 7, ...) are no gRPC frames
        }
    }

    @Test func noServerIsUnavailable() {
        let closed = GRPCClientChannel(config: HTTP2ClientConfig(host: "127.0.0.1", port: 1))
        do {
            _ = try closed.unary(path: "/echo", request: [])
            Issue.record("connected to port 1")
        } catch {
            #expect(error.code == .unavailable && error.message.contains("cannot connect to 127.0.0.1:1"))
        }
    }
}
