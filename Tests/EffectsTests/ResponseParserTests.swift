import Testing
@testable import Effects

/// The parser on its own, fed whole and one byte at a time: every split must give the same
/// response or the same error.
@Suite struct ResponseParserTests {
    static let limits = ResponseParser.Limits(headerBytes: 256, bodyBytes: 64)

    enum Split: CaseIterable { case whole, byteByByte }

    func parse(_ text: String, split: Split, head: Bool = false, limits: ResponseParser.Limits = limits)
        throws(HTTPClientError) -> HTTPResponse
    {
        var parser = ResponseParser(limits: limits, isHeadRequest: head)
        let bytes = Array(text.utf8)
        switch split {
        case .whole: try parser.feed(bytes)
        case .byteByByte: for byte in bytes { try parser.feed([byte]) }
        }
        return parser.isComplete ? parser.response : try parser.finish()
    }

    func error(_ text: String, split: Split, limits: ResponseParser.Limits = limits) -> HTTPClientError? {
        do {
            _ = try parse(text, split: split, limits: limits)
            return nil
        } catch {
            return error
        }
    }

    @Test(arguments: Split.allCases)
    func contentLength(split: Split) throws {
        let response = try parse("HTTP/1.1 201 Created\r\nContent-Length: 5\r\nX-A: 1\r\nx-a:  2 \r\n\r\nhello", split: split)
        #expect(response.status == 201)
        #expect(response.reason == "Created")
        #expect(response.body == Array("hello".utf8))
        #expect(response.headers.values(of: "X-A") == ["1", "2"])
    }

    @Test(arguments: Split.allCases)
    func completeBeforeCloseIgnoresWhatFollows(split: Split) throws {
        var parser = ResponseParser(limits: Self.limits)
        try parser.feed(Array("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA".utf8))
        #expect(parser.isComplete)
        #expect(parser.response.body == Array("ok".utf8))
    }

    @Test(arguments: Split.allCases)
    func chunkedWithExtensionsAndTrailers(split: Split) throws {
        let text = "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
            + "5;name=value\r\nhello\r\n1\r\n \r\nA\r\n0123456789\r\n0\r\nTrailer: x\r\n\r\n"
        let response = try parse(text, split: split)
        #expect(String(decoding: response.body, as: UTF8.self) == "hello 0123456789")
    }

    @Test(arguments: Split.allCases)
    func bareLineFeedsAreAccepted(split: Split) throws {
        let response = try parse("HTTP/1.0 200 OK\nContent-Length: 2\n\nok", split: split)
        #expect(response.body == Array("ok".utf8))
    }

    @Test(arguments: Split.allCases)
    func interimResponsesAreSkipped(split: Split) throws {
        let text = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\n"
            + "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nz"
        let response = try parse(text, split: split)
        #expect(response.status == 200)
        #expect(!response.headers.contains("link"))
        #expect(response.body == [UInt8(ascii: "z")])
    }

    @Test(arguments: Split.allCases)
    func bodyUntilClose(split: Split) throws {
        let response = try parse("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end", split: split)
        #expect(String(decoding: response.body, as: UTF8.self) == "until the end")
    }

    @Test(arguments: Split.allCases)
    func noBodyForHeadAnd204And304(split: Split) throws {
        #expect(try parse("HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n", split: split, head: true).body.isEmpty)
        #expect(try parse("HTTP/1.1 204 No Content\r\n\r\n", split: split).status == 204)
        #expect(try parse("HTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n", split: split).body.isEmpty)
    }

    @Test(arguments: Split.allCases)
    func malformedResponsesAreRefused(split: Split) {
        let cases = [
            "HTTP/2 200 OK\r\n\r\n",                                        // not 1.x
            "HTTP/1.1 2000 OK\r\n\r\n",                                      // four digits
            "HTTP/1.1 099 Low\r\n\r\n",                                      // below 100
            "SSH-2.0-OpenSSH\r\n\r\n",                                       // another protocol
            "HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n",                 // bad length
            "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",  // conflicting lengths
            "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",                 // negative
            "HTTP/1.1 200 OK\r\nFolded: a\r\n b\r\n\r\n",                    // obs-fold
            "HTTP/1.1 200 OK\r\nNo colon here\r\n\r\n",                      // not a field
            "HTTP/1.1 200 OK\r\nBad Name: v\r\n\r\n",                        // space in a name
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",   // bad chunk size
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n",  // chunk overrun
            "HTTP/1.1 101 Switching Protocols\r\n\r\n",                      // upgrade not asked for
        ]
        for text in cases {
            guard case .badResponse? = error(text, split: split) else {
                Issue.record("accepted or misjudged: \(text.debugDescription)")
                continue
            }
        }
    }

    @Test(arguments: Split.allCases)
    func shortReadsAreBadResponses(split: Split) {
        #expect(error("", split: split) == .badResponse("connection closed before a response"))
        #expect(error("HTTP/1.1 200 OK\r\nContent-", split: split)
                == .badResponse("connection closed in the middle of the header section"))
        #expect(error("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", split: split)
                == .badResponse("connection closed with 7 bytes of the body still to come"))
        #expect(error("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab", split: split)
                == .badResponse("connection closed in the middle of a chunked body"))
    }

    @Test(arguments: Split.allCases)
    func limitsAreCheckedBeforeBuffering(split: Split) {
        let tooLarge = HTTPClientError.responseTooLarge(limit: 64)
        #expect(error("HTTP/1.1 200 OK\r\nContent-Length: 65\r\n\r\n", split: split) == tooLarge)
        #expect(error("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n41\r\n", split: split) == tooLarge)
        #expect(error("HTTP/1.1 200 OK\r\n\r\n" + String(repeating: "x", count: 65), split: split) == tooLarge)
        #expect(error("HTTP/1.1 200 OK\r\nBig: " + String(repeating: "h", count: 300) + "\r\n\r\n", split: split)
                == .badResponse("header section larger than 256 bytes"))
        #expect(error("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + String(repeating: "0", count: 2000),
                      split: split) == .badResponse("chunk-size line longer than 1024 bytes"))
        #expect(error("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n" + String(repeating: "T: v\r\n", count: 60),
                      split: split) == .badResponse("trailer section larger than 256 bytes"))
    }

    @Test func mediaTypeDropsParametersAndCase() {
        let response = HTTPResponse(status: 200, headers: ["content-type": "Application/JSON ; charset=utf-8"])
        #expect(response.mediaType == "application/json")
    }
}
