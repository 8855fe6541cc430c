// The HTTP/1.1 request reader on its own: whole streams, the same streams drip-fed one byte
// at a time (the events must not depend on how the bytes were split), and hostile input
// refused with the right status.
import HTTP1
import Testing

/// Feeds `chunks` and drains events after each; adjacent body events are merged.
private func events(_ chunks: [[UInt8]], limits: HTTP1Limits = HTTP1Limits()) throws(HTTP1ParseError) -> [HTTP1Event] {
    var reader = HTTP1RequestReader(limits: limits)
    var out: [HTTP1Event] = []
    for chunk in chunks {
        reader.append(chunk)
        while let event = try reader.next() {
            if case .body(let more) = event, case .body(let have)? = out.last {
                out[out.count - 1] = .body(have + more)
            } else {
                out.append(event)
            }
        }
    }
    return out
}

private func dripped(_ text: String) throws(HTTP1ParseError) -> [HTTP1Event] { try events(Array(text.utf8).map { [$0] }) }
private func whole(_ text: String) throws(HTTP1ParseError) -> [HTTP1Event] { try events([Array(text.utf8)]) }

private func status(_ text: String, limits: HTTP1Limits = HTTP1Limits()) -> Int? {
    do {
        _ = try events([Array(text.utf8)], limits: limits)
        return nil
    } catch {
        return error.status
    }
}

@Suite struct RequestReaderTests {
    static let pipelined =
        "GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n"
        + "POST /api/v1/workflows?x=1 HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nAuthorization: Bearer t\r\n\r\nhello"
        + "POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3;ext=1\r\nabc\r\n10\r\n0123456789abcdef\r\n0\r\nX-T: 1\r\n\r\n"
        + "GET / HTTP/1.0\r\n\r\n"

    @Test func pipelinedRequestsDripFedByteByByteGiveTheSameEvents() throws {
        let a = try whole(Self.pipelined)
        let b = try dripped(Self.pipelined)
        #expect(a == b)
        let heads = a.compactMap { if case .head(let h) = $0 { h } else { nil } }
        #expect(heads.map(\.target) == ["/healthz", "/api/v1/workflows?x=1", "/c", "/"])
        #expect(heads.map(\.framing) == [.none, .length(5), .chunked, .none])
        #expect(heads[1].first("authorization") == "Bearer t")
        #expect(heads[1].path == "/api/v1/workflows")
        #expect(heads.map(\.keepAlive) == [true, true, true, false])
        let bodies = a.compactMap { if case .body(let b) = $0 { String(decoding: b, as: UTF8.self) } else { nil } }
        #expect(bodies == ["hello", "abc0123456789abcdef"])
        #expect(a.filter { $0 == .end }.count == 4)
    }

    @Test func everySplitPointGivesTheSameEvents() throws {
        let bytes = Array(Self.pipelined.utf8)
        let expected = try events([bytes])
        for cut in 1..<bytes.count {
            #expect(try events([Array(bytes[..<cut]), Array(bytes[cut...])]) == expected, "split at \(cut)")
        }
    }

    /// Found by the http-request fuzz target: four empty lines before a request are tolerated,
    /// and the count was kept per call, so byte by byte every one of eight was skipped while
    /// whole the fifth was read as an empty request line. The refusal must not depend on
    /// how the bytes arrived.
    @Test func emptyLinesBeforeARequestAreCountedWhateverTheSplit() throws {
        let four = String(repeating: "\r\n", count: 4) + "GET / HTTP/1.1\r\nHost: a\r\n\r\n"
        #expect(try whole(four) == dripped(four))
        #expect(try whole(four).count == 2)
        let eight = String(repeating: "\r\n", count: 8) + "GET / HTTP/1.1\r\nHost: a\r\n\r\n"
        var errors: [HTTP1ParseError] = []
        for feed in [whole, dripped] {
            do {
                _ = try feed(eight)
            } catch {
                errors.append(error)
            }
        }
        #expect(errors == [HTTP1ParseError(400, "malformed request line"), HTTP1ParseError(400, "malformed request line")])
    }

    @Test func expectContinueAndConnectionOptions() throws {
        let e = try whole("PUT /x HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
        guard case .head(let head) = e[0] else { Issue.record("no head"); return }
        #expect(head.expectsContinue && !head.keepAlive)
        let ten = try whole("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        guard case .head(let old) = ten[0] else { Issue.record("no head"); return }
        #expect(old.keepAlive && old.minorVersion == 0)
    }

    @Test func nothingIsReturnedBeforeTheHeadIsComplete() throws {
        var reader = HTTP1RequestReader()
        reader.append(Array("GET / HTTP/1.1\r\nHost: a\r\n".utf8))
        #expect(try reader.next() == nil)
        #expect(reader.isReadingHead && reader.bufferedCount > 0)
        reader.append(Array("\r\n".utf8))
        guard case .head? = try reader.next() else { Issue.record("head expected"); return }
        #expect(try reader.next() == .end)
        #expect(reader.isIdle)
    }

    @Test func hostileInputIsRefusedWithItsStatus() {
        var small = HTTP1Limits()
        small.maxBodyBytes = 10
        let cases: [(String, Int)] = [
            ("GET /x HTTP/1.1\r\n\r\n", 400),                                           // no Host
            ("GET /x HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400),                      // two Hosts
            ("GET x HTTP/1.1\r\nHost: a\r\n\r\n", 400),                                  // not origin form
            ("GET /x HTTP/2.0\r\nHost: a\r\n\r\n", 505),
            ("GET /x FTP/1.1\r\nHost: a\r\n\r\n", 400),
            ("GET  /x HTTP/1.1\r\nHost: a\r\n\r\n", 400),                                // two spaces
            ("G@T /x HTTP/1.1\r\nHost: a\r\n\r\n", 400),
            ("GET /x HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n", 400),                      // obs-fold
            ("GET /x HTTP/1.1\r\nHost a\r\n\r\n", 400),                                  // no colon
            ("GET /x HTTP/1.1\r\nBad Name: a\r\nHost: a\r\n\r\n", 400),
            ("GET /x HTTP/1.1\nHost: a\r\n\r\n", 400),                                   // bare LF
            ("GET /x HTTP/1.1\r\nHost: a\r\nX: a\u{01}b\r\n\r\n", 400),                  // control char
            ("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400),
            ("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", 400),
            ("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
            ("POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n", 501),
            ("POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400),
            ("POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabX\r\n", 400),
            ("POST /x HTTP/1.1\r\nHost: a\r\nExpect: something\r\n\r\n", 417),
        ]
        for (input, expected) in cases {
            #expect(status(input) == expected, "\(input.debugDescription)")
        }
        #expect(status("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\n", limits: small) == 413)
        #expect(status("POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n12345678\r\n8\r\n", limits: small) == 413)
        #expect(status("POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffffff\r\n") == 413)
    }

    @Test func limitsApplyBeforeTheHeadEnds() {
        // No CRLF CRLF yet, but already too big: refused without waiting for the rest.
        #expect(status("GET /" + String(repeating: "a", count: 9000)) == 414)
        #expect(status("GET / HTTP/1.1\r\nX: " + String(repeating: "a", count: 17000)) == 431)
        let many = "GET / HTTP/1.1\r\nHost: a\r\n" + (0..<101).map { "X-\($0): y\r\n" }.joined() + "\r\n"
        #expect(status(many) == 431)
        #expect(status("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n"
                       + String(repeating: "X: y\r\n", count: 4000)) == 431)
    }

    @Test func aFailedReaderStaysFailed() {
        var reader = HTTP1RequestReader()
        reader.append(Array("BAD\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n".utf8))
        #expect(throws: HTTP1ParseError.self) { try reader.next() }
        #expect(throws: HTTP1ParseError.self) { try reader.next() }
    }
}
