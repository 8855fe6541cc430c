import Testing
import ProtoWire
@testable import RPC

/// The client side of a call (ClientCallState): what the CLI's gRPC client makes of each
/// response shape a server can send.
@Suite struct ClientCallTests {
    static let okHeaders = [HeaderField(":status", "200"), HeaderField("content-type", "application/grpc"),
                            HeaderField("x-request-id", "r1")]

    func framed(_ bytes: [UInt8]) -> [UInt8] { MessageFramer.frame(bytes, compressed: false) }

    @Test func requestHeadersCarryTheCallAndMetadata() {
        var md = Metadata()
        md.add("authorization", "Bearer t")
        md.add("trace-bin", binary: [0xFF, 0x00])
        let fields = ClientCallState.requestHeaders(path: "/spindle.v1.RunService/GetRun", authority: "h:1", secure: true,
                                                    timeout: .milliseconds(1500), metadata: md)
        let map = Dictionary(fields.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
        #expect(fields.prefix(4).map(\.name) == [":method", ":scheme", ":path", ":authority"])
        #expect(map[":scheme"] == "https" && map[":path"] == "/spindle.v1.RunService/GetRun")
        #expect(map["content-type"] == "application/grpc" && map["te"] == "trailers")
        #expect(map["grpc-timeout"] == GRPCTimeout.encode(.milliseconds(1500)))
        #expect(map["authorization"] == "Bearer t" && map["trace-bin"] == "/wA")
    }

    @Test func messagesThenOKTrailers() {
        var call = ClientCallState(maxMessageSize: 100)
        call.receiveHeaders(Self.okHeaders, endStream: false)
        #expect(call.phase == .streaming && call.initialMetadata["x-request-id"] == "r1")
        let bytes = framed([1, 2, 3]) + framed([]) + framed([9])
        var got: [[UInt8]] = []
        for b in bytes { got += call.receiveData([b]) }  // drip-fed one byte at a time
        #expect(got == [[1, 2, 3], [], [9]])
        call.receiveHeaders([HeaderField("grpc-status", "0")], endStream: true)
        #expect(call.succeeded && call.status == nil)
        call.streamClosed(h2ErrorCode: 0)  // the close after the trailers changes nothing
        #expect(call.succeeded)
    }

    @Test func errorStatusWithPercentEncodedMessageAndDetails() {
        var call = ClientCallState(maxMessageSize: 100)
        call.receiveHeaders(Self.okHeaders, endStream: false)
        call.receiveHeaders([HeaderField("grpc-status", "5"), HeaderField("grpc-message", "run%20x%20not%20found%E2%9C%93"),
                             HeaderField("grpc-status-details-bin", Base64.encode([8, 5], padded: false)),
                             HeaderField("x-extra", "y")], endStream: true)
        let status = call.status
        #expect(status?.code == .notFound && status?.message == "run x not found✓")
        #expect(status?.details == [8, 5] && status?.trailers["x-extra"] == "y")
    }

    @Test func trailersOnlyResponse() {
        var call = ClientCallState(maxMessageSize: 100)
        call.receiveHeaders(Self.okHeaders + [HeaderField("grpc-status", "16"), HeaderField("grpc-message", "no token")],
                            endStream: true)
        #expect(call.phase == .done && call.status?.code == .unauthenticated && call.status?.message == "no token")
    }

    @Test func httpStatusesMapAsTheSpecSays() {
        for (http, code) in [("400", StatusCode.internal), ("401", .unauthenticated), ("403", .permissionDenied),
                             ("404", .unimplemented), ("429", .unavailable), ("503", .unavailable), ("500", .unknown)] {
            var call = ClientCallState(maxMessageSize: 100)
            call.receiveHeaders([HeaderField(":status", http), HeaderField("content-type", "text/html")], endStream: false)
            #expect(call.status?.code == code, "HTTP \(http)")
        }
    }

    @Test func nonGRPCContentTypeIsUnknown() {
        var call = ClientCallState(maxMessageSize: 100)
        call.receiveHeaders([HeaderField(":status", "200"), HeaderField("content-type", "application/json")], endStream: false)
        #expect(call.status?.code == .unknown && call.status?.message.contains("application/json") == true)
        var ok = ClientCallState(maxMessageSize: 100)
        ok.receiveHeaders([HeaderField(":status", "200"), HeaderField("content-type", "application/grpc+proto")], endStream: false)
        #expect(ok.phase == .streaming)
    }

    @Test func missingOrBadGRPCStatus() {
        var call = ClientCallState(maxMessageSize: 100)
        call.receiveHeaders(Self.okHeaders, endStream: false)
        call.receiveHeaders([HeaderField("grpc-message", "x")], endStream: true)
        #expect(call.status?.code == .unknown)
        var bad = ClientCallState(maxMessageSize: 100)
        bad.receiveHeaders(Self.okHeaders, endStream: false)
        bad.receiveHeaders([HeaderField("grpc-status", "99")], endStream: true)
        #expect(bad.status?.code == .unknown && bad.status?.message.contains("99") == true)
    }

    @Test func oversizedMessageIsResourceExhaustedBeforeItsBody() {
        var call = ClientCallState(maxMessageSize: 4)
        call.receiveHeaders(Self.okHeaders, endStream: false)
        // Only the 5-byte prefix declaring 5 bytes: refused without waiting for the body.
        #expect(call.receiveData([0, 0, 0, 0, 5]).isEmpty)
        #expect(call.status?.code == .resourceExhausted)
    }

    @Test func truncatedMessageAtTrailers() {
        var call = ClientCallState(maxMessageSize: 100)
        call.receiveHeaders(Self.okHeaders, endStream: false)
        _ = call.receiveData([0, 0, 0, 0, 3, 1])
        call.receiveHeaders([HeaderField("grpc-status", "0")], endStream: true)
        #expect(call.status?.code == .internal)
    }

    @Test func compressedWithoutEncodingAndUnofferedEncoding() {
        var call = ClientCallState(maxMessageSize: 100)
        call.receiveHeaders(Self.okHeaders, endStream: false)
        #expect(call.receiveData([1, 0, 0, 0, 1, 7]).isEmpty && call.status?.code == .internal)
        var other = ClientCallState(maxMessageSize: 100)
        other.receiveHeaders(Self.okHeaders + [HeaderField("grpc-encoding", "snappy")], endStream: false)
        #expect(other.status?.code == .internal)
    }

    @Test func resetsBeforeTrailers() {
        for (h2, code) in [(UInt32(0), StatusCode.internal), (7, .unavailable), (8, .cancelled), (0xb, .resourceExhausted),
                           (0xc, .permissionDenied), (2, .internal)] {
            var call = ClientCallState(maxMessageSize: 100)
            call.receiveHeaders(Self.okHeaders, endStream: false)
            call.streamClosed(h2ErrorCode: h2)
            #expect(call.status?.code == code, "RST_STREAM \(h2)")
        }
    }

    @Test func dataBeforeHeadersAndAThirdHeaderBlock() {
        var early = ClientCallState(maxMessageSize: 100)
        #expect(early.receiveData(framed([1])[...]).isEmpty && early.status?.code == .internal)
        var twice = ClientCallState(maxMessageSize: 100)
        twice.receiveHeaders(Self.okHeaders, endStream: false)
        twice.receiveHeaders(Self.okHeaders, endStream: false)
        #expect(twice.status?.code == .internal)
    }

    @Test func failFromOutsideOnlyOnce() {
        var call = ClientCallState(maxMessageSize: 100)
        call.fail(RPCError(.deadlineExceeded, "late"))
        call.fail(RPCError(.unavailable, "gone"))
        #expect(call.status?.code == .deadlineExceeded)
    }
}
