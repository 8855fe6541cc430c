import Gzip
import Synchronization
import Testing
import ProtoWire
@testable import RPC

/// Flags a handler raises so tests can see it ran, or was cancelled.
final class Signals: Sendable {
    let cancelled = Mutex(false)
    let started = Mutex(false)
}

func makeServer(signals: Signals = Signals(), config: RPCServerConfig = RPCServerConfig()) -> RPCServer {
    var router = Router()
    router.unary("test.Echo", "Unary") { (req: Probe, ctx) -> Probe in
        if req.text == "fail" {
            throw RPCError(.failedPrecondition, "refused: \tcafé ☺ 100%", trailers: Metadata([("why", "asked")]))
        }
        if req.text == "plain-error" { throw PlainError() }
        if let echo = ctx.metadata["x-echo"] { ctx.addInitialMetadata(Metadata([("x-echo", echo)])) }
        if let bin = ctx.metadata.binary("x-raw-bin") {
            var md = Metadata()
            md.add("x-raw-bin", binary: bin)
            ctx.addTrailingMetadata(md)
        }
        if req.text == "compress" { ctx.compressResponses = true }
        return Probe(n: req.n + 1, text: ctx.requestWasCompressed ? "was-compressed" : req.text)
    }
    router.unary("test.Echo", "Sleep") { (req: Probe, ctx) -> Probe in
        signals.started.withLock { $0 = true }
        do {
            try await Task.sleep(for: .seconds(30))
        } catch {
            signals.cancelled.withLock { $0 = true }
            throw error
        }
        return req
    }
    router.clientStreaming("test.Echo", "Sum") { (requests: RequestStream<Probe>, ctx) -> Probe in
        var total: Int64 = 0
        for try await r in requests { total += r.n }
        return Probe(n: total)
    }
    router.serverStreaming("test.Echo", "Count") { (req: Probe, out: ResponseWriter<Probe>, ctx) in
        for i in 0..<req.n { try await out.write(Probe(n: i)) }
    }
    router.bidirectionalStreaming("test.Echo", "Chat") { (requests: RequestStream<Probe>, out: ResponseWriter<Probe>, ctx) in
        for try await r in requests { try await out.write(Probe(n: r.n * 2, text: r.text)) }
    }
    return RPCServer(router: router, config: config)
}

struct PlainError: Error, CustomStringConvertible {
    var description: String { "something broke" }
}

@Suite struct UnaryCalls {
    @Test func answersWithHeadersMessageAndTrailers() async throws {
        let (out, _) = call(makeServer(), path: "/test.Echo/Unary", body: framed([Probe(n: 41, text: "hi")]))
        let r = await out.response()
        #expect(r.httpStatus == 200)
        #expect(r.header("content-type") == "application/grpc")
        #expect(try r.decoded(Probe.self) == [Probe(n: 42, text: "hi")])
        #expect(r.code == .ok)
        #expect(r.trailer("grpc-message") == nil)
    }

    @Test func requestDripFedOneByteAtATime() async throws {
        let body = framed([Probe(n: 7, text: String(repeating: "x", count: 300))])
        let (out, _) = call(makeServer(), path: "/test.Echo/Unary", body: body, chunk: 1)
        let r = await out.response()
        #expect(try r.decoded(Probe.self).first?.n == 8)
        #expect(out.consumedBytes == body.count, "every request byte must return its flow-control credit")
    }

    @Test func handlerErrorBecomesTrailersOnlyStatusWithEncodedMessage() async {
        let (out, _) = call(makeServer(), path: "/test.Echo/Unary", body: framed([Probe(n: 1, text: "fail")]))
        let r = await out.response()
        #expect(r.trailersOnly)
        #expect(r.code == .failedPrecondition)
        #expect(r.trailer("grpc-message") == "refused: %09caf%C3%A9 %E2%98%BA 100%25")
        #expect(r.message == "refused: \tcafé ☺ 100%")
        #expect(r.trailer("why") == "asked")
    }

    @Test func nonRPCErrorIsUnknown() async {
        let (out, _) = call(makeServer(), path: "/test.Echo/Unary", body: framed([Probe(n: 1, text: "plain-error")]))
        let r = await out.response()
        #expect(r.code == .unknown)
        #expect(r.message == "something broke")
    }

    @Test func metadataEchoesBothWaysIncludingBinary() async {
        let raw: [UInt8] = [0, 1, 2, 0xFE, 0xFF]
        let fields = [HeaderField("x-echo", "value"), HeaderField("x-raw-bin", Base64.encode(raw))]
        let (out, _) = call(makeServer(), path: "/test.Echo/Unary", body: framed([Probe(n: 1)]), fields: fields)
        let r = await out.response()
        #expect(r.header("x-echo") == "value")
        #expect(r.trailer("x-raw-bin").flatMap { Base64.decode($0[...]) } == raw)
    }

    @Test func badBinaryMetadataIsRejected() async {
        let (out, _) = call(makeServer(), path: "/test.Echo/Unary", body: framed([Probe(n: 1)]),
                            fields: [HeaderField("x-raw-bin", "!!not base64!!")])
        let r = await out.response()
        #expect(r.code == .internal)
        #expect(r.message?.contains("x-raw-bin") == true)
    }

    @Test func noRequestMessageIsAnError() async {
        let (out, _) = call(makeServer(), path: "/test.Echo/Unary", body: [])
        let r = await out.response()
        #expect(r.code == .internal)
        #expect(r.message?.contains("without a request message") == true)
    }

    @Test func twoRequestMessagesIsAnError() async {
        let (out, _) = call(makeServer(), path: "/test.Echo/Unary", body: framed([Probe(n: 1), Probe(n: 2)]))
        let r = await out.response()
        #expect(r.code == .internal)
        #expect(r.message?.contains("more than one request message") == true)
    }

    @Test func undecodableRequestIsInvalidArgument() async {
        // Field 1 as a varint whose continuation bit never stops.
        let body = MessageFramer.frame([0x08, 0xFF, 0xFF], compressed: false)
        let (out, _) = call(makeServer(), path: "/test.Echo/Unary", body: body)
        let r = await out.response()
        #expect(r.code == .invalidArgument)
        #expect(r.message?.contains("could not decode") == true)
    }

    @Test func truncatedMessageAtEndOfStreamIsAnError() async {
        let body = Array(framed([Probe(n: 1, text: "abc")]).dropLast(2))
        let (out, _) = call(makeServer(), path: "/test.Echo/Unary", body: body)
        let r = await out.response()
        #expect(r.code == .internal)
        #expect(r.message?.contains("ended inside a message") == true)
    }
}

@Suite struct RequestChecks {
    /// A refusal quotes at most 100 bytes of what was sent: echoing a 16 KiB path would make a
    /// response header block over the client's own limit.
    @Test func refusalsQuoteOnlyAnExcerptOfHugeValues() async {
        let long = String(repeating: "x", count: 12_000)
        let (a, _) = call(makeServer(), path: "/test.Echo/" + long, body: [])
        let ra = await a.response()
        #expect(ra.code == .unimplemented)
        #expect(ra.message == "unknown method \(String(repeating: "x", count: 100))... (12000 bytes) for service test.Echo")
        #expect(RPCServer.excerpt(String(repeating: "é", count: 60)) == String(repeating: "é", count: 50) + "... (120 bytes)")
        #expect(RPCServer.excerpt("short") == "short")
    }

    @Test func unknownServiceAndMethodAreUnimplemented() async {
        let (a, _) = call(makeServer(), path: "/no.Such/Thing", body: [])
        let ra = await a.response()
        #expect(ra.httpStatus == 200 && ra.trailersOnly)
        #expect(ra.code == .unimplemented)
        #expect(ra.message == "unknown service no.Such")
        let (b, _) = call(makeServer(), path: "/test.Echo/Nope", body: [])
        let rb = await b.response()
        #expect(rb.code == .unimplemented)
        #expect(rb.message == "unknown method Nope for service test.Echo")
    }

    @Test func nonPostIs405() async {
        let (out, _) = call(makeServer(), path: "/test.Echo/Unary", body: [], method: "GET")
        let r = await out.response()
        #expect(r.httpStatus == 405)
        #expect(r.code == .internal)
    }

    @Test func wrongContentTypeIs415() async {
        let head = RequestHead(method: "POST", path: "/test.Echo/Unary",
                               fields: [HeaderField("content-type", "application/json"), HeaderField("te", "trailers")])
        let out = RecordingOutbound()
        let inbound = makeServer().accept(head, outbound: out, connection: ConnectionContext(peer: "p", secure: false, executor: nil))
        inbound.receive([1, 2, 3])
        inbound.end()
        let r = await out.response()
        #expect(r.httpStatus == 415)
        #expect(out.consumedBytes == 3, "a refused request's body still returns its credit")
    }

    @Test func grpcContentTypeVariantsAreAccepted() {
        #expect(RPCServer.isGRPCContentType("application/grpc"))
        #expect(RPCServer.isGRPCContentType("application/grpc+proto"))
        #expect(RPCServer.isGRPCContentType("application/grpc;charset=utf-8"))
        #expect(!RPCServer.isGRPCContentType("application/grpcx"))
        #expect(!RPCServer.isGRPCContentType("application/json"))
    }

    @Test func requestFieldsSeparateProtocolFieldsFromMetadata() {
        let reserved = ["te", "host", "connection", "grpc-status", "content-type", "grpc-timeout",
                        "grpc-message", "grpc-encoding", "content-length", "grpc-accept-encoding",
                        "grpc-status-details-bin", ":path"]
        // Custom keys with the same lengths as reserved ones: the length is only a first cut.
        let custom = ["tx", "hosts", "connectionx", "grpc-statux", "content-typo", "grpc-timeouts",
                      "grpc-massage", "x-encodings12", "content-lengtx", "grpc-accept-encodinx",
                      "grpc-status-details-bix",
                      "user-agent"]
        let fields = reserved.map { HeaderField($0, "v-\($0)") } + custom.map { HeaderField($0, "v-\($0)") }
        let parsed = RequestFields(fields)
        #expect(parsed.metadata.map(\.key) == custom)
        #expect(parsed.te == "v-te")
        #expect(parsed.contentType == "v-content-type")
        #expect(parsed.timeout == "v-grpc-timeout")
        #expect(parsed.encoding == "v-grpc-encoding")
        #expect(parsed.acceptEncoding == "v-grpc-accept-encoding")
        for name in reserved { #expect(Metadata.isReserved(name), "\(name)") }
        for name in custom { #expect(!Metadata.isReserved(name), "\(name)") }
    }

    @Test func missingTeIsRefused() async {
        let head = RequestHead(method: "POST", path: "/test.Echo/Unary",
                               fields: [HeaderField("content-type", "application/grpc")])
        let out = RecordingOutbound()
        _ = makeServer().accept(head, outbound: out, connection: ConnectionContext(peer: "p", secure: false, executor: nil))
        let r = await out.response()
        #expect(r.httpStatus == 400)
        #expect(r.message?.contains("te: trailers") == true)
    }

    @Test func malformedTimeoutIsRefused() async {
        let (out, _) = call(makeServer(), path: "/test.Echo/Unary", body: framed([Probe(n: 1)]),
                            fields: [HeaderField("grpc-timeout", "12x")])
        let r = await out.response()
        #expect(r.code == .internal)
        #expect(r.message?.contains("grpc-timeout") == true)
    }

    @Test func oversizedMessageIsResourceExhaustedBeforeBuffering() async {
        var config = RPCServerConfig()
        config.maxReceiveMessageSize = 100
        // Only the prefix is sent: the declared size alone must be refused.
        var prefix = [UInt8](repeating: 0, count: 5)
        MessageFramer.writePrefix(into: &prefix, at: 0, compressed: false, length: 101)
        let (out, _) = call(makeServer(config: config), path: "/test.Echo/Unary", body: prefix, end: false)
        let r = await out.response()
        #expect(r.code == .resourceExhausted)
        #expect(r.message == "received message larger than max (101 vs. 100)")
    }

    @Test func unsupportedEncodingIsUnimplementedAndListsOurs() async {
        let (out, _) = call(makeServer(), path: "/test.Echo/Unary", body: framed([Probe(n: 1)]),
                            fields: [HeaderField("grpc-encoding", "snappy")])
        let r = await out.response()
        #expect(r.code == .unimplemented)
        #expect(r.trailer("grpc-accept-encoding") == MessageEncoding.acceptHeader)
    }
}

@Suite struct Compression {
    @Test func gzipRequestIsInflatedAndSeenAsCompressed() async throws {
        let body = try Zlib.compress(Probe(n: 5, text: "zip").serializedBytes()[...], format: .gzip)
        let (out, _) = call(makeServer(), path: "/test.Echo/Unary", body: MessageFramer.frame(body, compressed: true),
                            fields: [HeaderField("grpc-encoding", "gzip")])
        let r = await out.response()
        #expect(try r.decoded(Probe.self) == [Probe(n: 6, text: "was-compressed")])
    }

    @Test func compressedFlagWithoutEncodingIsAnError() async {
        let body = MessageFramer.frame(Probe(n: 5).serializedBytes(), compressed: true)
        let (out, _) = call(makeServer(), path: "/test.Echo/Unary", body: body)
        let r = await out.response()
        #expect(r.code == .internal)
    }

    @Test func responseIsCompressedWhenAskedAndAccepted() async throws {
        let (out, _) = call(makeServer(), path: "/test.Echo/Unary", body: framed([Probe(n: 1, text: "compress")]),
                            fields: [HeaderField("grpc-accept-encoding", "identity, gzip")])
        let r = await out.response()
        #expect(r.header("grpc-encoding") == "gzip")
        let message = try #require(r.messages.first)
        #expect(message.compressed)
        let plain = try Zlib.decompress(message.bytes, format: .gzip, limit: 1 << 20)
        #expect(try Probe(serializedBytes: plain) == Probe(n: 2, text: "compress"))
    }

    @Test func responseIsPlainWhenClientAcceptsNothing() async throws {
        let (out, _) = call(makeServer(), path: "/test.Echo/Unary", body: framed([Probe(n: 1, text: "compress")]))
        let r = await out.response()
        #expect(r.header("grpc-encoding") == nil)
        #expect(r.messages.first?.compressed == false)
    }

    @Test func zipBombIsResourceExhausted() async throws {
        var config = RPCServerConfig()
        config.maxReceiveMessageSize = 10_000
        let bomb = try Zlib.compress([UInt8](repeating: 0, count: 1_000_000)[...], format: .gzip)
        #expect(bomb.count < 10_000)
        let (out, _) = call(makeServer(config: config), path: "/test.Echo/Unary",
                            body: MessageFramer.frame(bomb, compressed: true),
                            fields: [HeaderField("grpc-encoding", "gzip")])
        let r = await out.response()
        #expect(r.code == .resourceExhausted)
    }
}

@Suite struct StreamingCalls {
    @Test func clientStreamingSumsEveryMessage() async throws {
        let body = framed((1...100).map { Probe(n: Int64($0)) })
        let (out, _) = call(makeServer(), path: "/test.Echo/Sum", body: body, chunk: 7)
        let r = await out.response()
        #expect(try r.decoded(Probe.self) == [Probe(n: 5050)])
        #expect(r.code == .ok)
    }

    @Test func serverStreamingSendsInOrder() async throws {
        let (out, _) = call(makeServer(), path: "/test.Echo/Count", body: framed([Probe(n: 50)]))
        let r = await out.response()
        #expect(try r.decoded(Probe.self).map(\.n) == Array(0..<50))
        #expect(r.code == .ok)
    }

    @Test func serverStreamingWaitsWhileTheClientIsNotReading() async throws {
        let out = RecordingOutbound()
        out.setWritable(false)
        call(makeServer(), path: "/test.Echo/Count", body: framed([Probe(n: 5)]), outbound: out)
        // The first write reports "full"; the handler must stop there.
        await out.waitForParts(2)
        try await Task.sleep(for: .milliseconds(50))
        #expect(out.parts.count == 2, "head + one message, then the handler waits")
        out.setWritable(true)
        let r = await out.response()
        #expect(try r.decoded(Probe.self).count == 5)
    }

    @Test func bidiEchoesAsMessagesArrive() async throws {
        let out = RecordingOutbound()
        let (_, inbound) = call(makeServer(), path: "/test.Echo/Chat", body: framed([Probe(n: 1, text: "a")]),
                                end: false, outbound: out)
        await out.waitForParts(2)  // head + first answer before the client half-closes
        inbound.receive(framed([Probe(n: 2, text: "b")])[...])
        inbound.end()
        let r = await out.response()
        #expect(try r.decoded(Probe.self) == [Probe(n: 2, text: "a"), Probe(n: 4, text: "b")])
    }

    @Test func unreadClientStreamWithholdsCredit() async {
        var config = RPCServerConfig()
        config.inboundHighWaterBytes = 64
        let signals = Signals()
        var router = Router()
        router.clientStreaming("t.S", "Stall") { (requests: RequestStream<Probe>, ctx) -> Probe in
            signals.started.withLock { $0 = true }
            try await Task.sleep(for: .seconds(30))
            return Probe()
        }
        let server = RPCServer(router: router, config: config)
        let body = framed((0..<50).map { Probe(n: Int64($0), text: "0123456789") })
        let (out, inbound) = call(server, path: "/t.S/Stall", body: body, chunk: 16, end: false)
        #expect(out.consumedBytes < body.count / 2, "credit stops near the high-water mark, got \(out.consumedBytes)")
        #expect(out.consumedBytes >= 64)
        inbound.reset(.peerReset(errorCode: 8))
    }
}

@Suite struct Lifecycle {
    @Test func deadlineEndsTheCallAndCancelsTheHandler() async throws {
        let signals = Signals()
        let (out, _) = call(makeServer(signals: signals), path: "/test.Echo/Sleep", body: framed([Probe(n: 1)]),
                            fields: [HeaderField("grpc-timeout", "50m")])
        let r = await out.response()
        #expect(r.code == .deadlineExceeded)
        for _ in 0..<200 where !signals.cancelled.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(5)) }
        #expect(signals.cancelled.withLock { $0 })
    }

    @Test func clientResetCancelsTheHandlerAndSendsNothing() async throws {
        let signals = Signals()
        let (out, inbound) = call(makeServer(signals: signals), path: "/test.Echo/Sleep", body: framed([Probe(n: 1)]))
        for _ in 0..<200 where !signals.started.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(5)) }
        inbound.reset(.peerReset(errorCode: 8))
        for _ in 0..<200 where !signals.cancelled.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(5)) }
        #expect(signals.cancelled.withLock { $0 })
        try await Task.sleep(for: .milliseconds(20))
        #expect(out.parts.isEmpty)
    }
}

@Suite struct Codecs {
    @Test func deframerDripFeedMatchesOneShot() throws {
        let messages = (0..<20).map { Probe(n: Int64($0), text: String(repeating: "y", count: $0 * 13)) }
        let bytes = framed(messages)
        for chunk in [1, 2, 3, 5, 7, 64, bytes.count] {
            var d = MessageDeframer(maxMessageSize: 1 << 20)
            var got: [Probe] = []
            var i = 0
            while i < bytes.count {
                try d.feed(bytes[i..<min(i + chunk, bytes.count)]) { got.append(try! Probe(serializedBytes: $0.bytes)) }
                i += chunk
            }
            try d.finish()
            #expect(got == messages, "chunk size \(chunk)")
        }
    }

    @Test func deframerRejectsBadFlag() {
        var d = MessageDeframer(maxMessageSize: 100)
        #expect(throws: MessageDeframer.Failure.invalidFlag(2)) { try d.feed([2, 0, 0, 0, 0]) { _ in } }
    }

    @Test func timeoutParsing() {
        #expect(GRPCTimeout.parse("1S") == .seconds(1))
        #expect(GRPCTimeout.parse("250m") == .milliseconds(250))
        #expect(GRPCTimeout.parse("2H") == .seconds(7200))
        #expect(GRPCTimeout.parse("99999999n") == .nanoseconds(99_999_999))
        #expect(GRPCTimeout.parse("123456789S") == nil, "at most 8 digits")
        #expect(GRPCTimeout.parse("S") == nil)
        #expect(GRPCTimeout.parse("-1S") == nil)
        #expect(GRPCTimeout.parse("10x") == nil)
        #expect(GRPCTimeout.parse(GRPCTimeout.encode(.milliseconds(1500))) == .milliseconds(1500))
    }

    @Test func base64RoundTripsEveryLength() {
        for n in 0..<40 {
            let bytes = (0..<n).map { UInt8(($0 * 37) & 0xFF) }
            #expect(Base64.decode(Base64.encode(bytes)[...]) == bytes)
            #expect(Base64.decode(Base64.encode(bytes, padded: false)[...]) == bytes)
        }
        #expect(Base64.encode(Array("foobar".utf8)) == "Zm9vYmFy")
        #expect(Base64.encode(Array("fo".utf8)) == "Zm8=")
        #expect(Base64.decode("Zm9v!") == nil)
        #expect(Base64.decode("Z") == nil)
    }

    @Test func statusMessagePercentCodingRoundTrips() {
        let special = "\t\ntest with whitespace\r\nand Unicode BMP ☺ and non-BMP 😈\t\n"
        #expect(StatusMessageCoding.decode(StatusMessageCoding.encode(special)) == special)
        #expect(StatusMessageCoding.encode("plain") == "plain")
        #expect(StatusMessageCoding.decode("bad %zz %4") == "bad %zz %4")
    }
}
