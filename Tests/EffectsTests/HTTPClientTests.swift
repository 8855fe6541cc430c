import Engine
import Glibc
import Testing
@testable import Effects

/// The client against real peers on this machine: Python's http.server (plain and TLS) and a
/// listener that never answers.
@Suite struct HTTPClientTests {
    let client = HTTPClient()

    func send(_ request: HTTPRequest, with client: HTTPClient? = nil) async -> Result<HTTPResponse, HTTPClientError> {
        do {
            return .success(try await (client ?? self.client).send(request))
        } catch {
            return .failure(error)
        }
    }

    func expectTLSFailure(_ result: Result<HTTPResponse, HTTPClientError>, mentioning words: String = "",
                          sourceLocation: SourceLocation = #_sourceLocation) {
        guard case .failure(.tls(let why)) = result else {
            Issue.record("expected a TLS error, got \(result)", sourceLocation: sourceLocation)
            return
        }
        #expect(why.contains(words), "\(why)", sourceLocation: sourceLocation)
    }

    @Test func getParsesStatusHeadersAndBody() async throws {
        let peer = try await Peer.shared.value
        let response = try await client.send(HTTPRequest(url: peer.url("/echo?q=a b")))
        #expect(response.status == 200)
        #expect(response.mediaType == "application/json")
        #expect(response.headers.values(of: "x-multi") == ["a", "b"])
        let echo = try JSONValue.parse(response.body)
        #expect(echo["method"] == "GET")
        #expect(echo["path"] == "/echo?q=a%20b")
        #expect(echo["headers"]?["host"] == .string("127.0.0.1:\(peer.port)"))
        #expect(echo["headers"]?["connection"] == "close")
        #expect(echo["headers"]?["user-agent"] == "spindle")
    }

    @Test func postSendsBodyAndHeaders() async throws {
        let peer = try await Peer.shared.value
        let request = HTTPRequest(method: "POST", url: peer.url("/echo"),
                                  headers: ["X-Token": "abc", "Content-Length": "999", "Content-Type": "text/plain"],
                                  body: Array("hello there".utf8))
        let echo = try JSONValue.parse(try await client.send(request).body)
        #expect(echo["method"] == "POST")
        #expect(echo["body"] == "hello there")
        #expect(echo["headers"]?["x-token"] == "abc")
        #expect(echo["headers"]?["content-length"] == "11")  // the client frames the body itself
    }

    @Test func textChunkedAndReadUntilCloseBodies() async throws {
        let peer = try await Peer.shared.value
        let text = try await client.send(HTTPRequest(url: peer.url("/text")))
        #expect(String(decoding: text.body, as: UTF8.self) == "hello, text é")
        let chunked = try await client.send(HTTPRequest(url: peer.url("/chunked")))
        #expect(chunked.headers["transfer-encoding"] == "chunked")
        #expect(try JSONValue.parse(chunked.body) == ["items": [1, 2, 3]])
        let untilClose = try await client.send(HTTPRequest(url: peer.url("/close")))
        #expect(String(decoding: untilClose.body, as: UTF8.self) == "read until close")
    }

    @Test func headHasNoBody() async throws {
        let peer = try await Peer.shared.value
        let response = try await client.send(HTTPRequest(method: "HEAD", url: peer.url("/text")))
        #expect(response.status == 200)
        #expect(response.headers["content-length"] == "14")
        #expect(response.body.isEmpty)
    }

    @Test func errorStatusesAreResponses() async throws {
        let peer = try await Peer.shared.value
        let response = try await client.send(HTTPRequest(url: peer.url("/status/500")))
        #expect(response.status == 500)
        #expect(String(decoding: response.body, as: UTF8.self) == "status body 500")
    }

    @Test func names() async throws {
        let peer = try await Peer.shared.value
        let byName = try await client.send(HTTPRequest(url: "http://localhost:\(peer.port)/text"))
        #expect(byName.status == 200)
    }

    @Test(.enabled(if: ipv6LoopbackAvailable)) func ipv6Literals() async throws {
        let v6 = try await Peer.start(host: "::1")
        defer { v6.process.cancel() }
        let response = try await client.send(HTTPRequest(url: v6.url("/echo")))
        #expect(try JSONValue.parse(response.body)["headers"]?["host"] == .string("[::1]:\(v6.port)"))
    }

    @Test func connectionRefusedIsAConnectionError() async throws {
        let result = await send(HTTPRequest(url: "http://127.0.0.1:\(try closedPort())/"))
        guard case .failure(.connection(let why)) = result else {
            Issue.record("expected a connection error, got \(result)")
            return
        }
        #expect(why.contains("refused"))
    }

    @Test func silentServerTimesOut() async throws {
        let listener = try SilentListener()
        let started = ContinuousClock.now
        let result = await send(HTTPRequest(url: listener.url, timeout: .milliseconds(300)))
        #expect(result == .failure(.timeout))
        #expect(ContinuousClock.now - started < .seconds(5))
    }

    @Test func bodyThatStopsComingTimesOut() async throws {
        let peer = try await Peer.shared.value
        let result = await send(HTTPRequest(url: peer.url("/slow-body"), timeout: .milliseconds(400)))
        #expect(result == .failure(.timeout))
    }

    @Test func cancellingAHangingRequestReturnsPromptly() async throws {
        let listener = try SilentListener()
        let client = self.client
        let task = Task { try await client.send(HTTPRequest(url: listener.url, timeout: .seconds(60))) }
        try await Task.sleep(for: .milliseconds(150))
        await cancelPromptly(task, expecting: HTTPClientError.canceled)
    }

    @Test func alreadyCancelledTaskDoesNotConnect() async throws {
        let listener = try SilentListener()
        let client = self.client
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await client.send(HTTPRequest(url: listener.url))
        }
        let result = await task.result
        guard case .failure(let error) = result, error as? HTTPClientError == .canceled else {
            Issue.record("expected .canceled, got \(result)")
            return
        }
    }

    @Test func oversizeResponsesAreRejected() async throws {
        let peer = try await Peer.shared.value
        let small = HTTPClient(configuration: .init(maxResponseBytes: 1000))
        #expect(await send(HTTPRequest(url: peer.url("/big/1000")), with: small).map(\.body.count) == .success(1000))
        #expect(await send(HTTPRequest(url: peer.url("/big/1001")), with: small) == .failure(.responseTooLarge(limit: 1000)))
        // The default limit, 10 MiB, is checked against Content-Length before any body is read.
        #expect(await send(HTTPRequest(url: peer.url("/big/\(10 << 20 + 1)"))) == .failure(.responseTooLarge(limit: 10 << 20)))
    }

    @Test func invalidRequestsAreRefusedBeforeConnecting() async {
        #expect(await send(HTTPRequest(url: "ftp://x/")) == .failure(.invalidRequest("URL scheme \"ftp\" is not http or https")))
        guard case .failure(.invalidRequest) = await send(HTTPRequest(url: "http://x/", headers: ["X": "a\r\nInjected: 1"])),
              case .failure(.invalidRequest) = await send(HTTPRequest(method: "GET /", url: "http://x/")),
              case .failure(.invalidRequest) = await send(HTTPRequest(url: "http://user:pw@x/")),
              case .failure(.invalidRequest) = await send(HTTPRequest(url: "http://x:99999/"))
        else {
            Issue.record("an invalid request was sent")
            return
        }
    }

    @Test func unknownNamesFailWithoutHanging() async {
        let result = await send(HTTPRequest(url: "http://no-such-host.invalid/", timeout: .seconds(3)))
        switch result {
        case .failure(.connection), .failure(.timeout): break
        default: Issue.record("expected a connection error or a timeout, got \(result)")
        }
    }

    // MARK: TLS

    @Test func httpsWithTheTestCA() async throws {
        let peer = try await Peer.sharedTLS.value
        let certificates = try await TestCertificates.shared.value
        let client = HTTPClient(configuration: .init(extraCAFile: certificates.caCertificate))
        let byName = try await client.send(HTTPRequest(url: "https://localhost:\(peer.port)/echo"))
        #expect(try JSONValue.parse(byName.body)["headers"]?["host"] == .string("localhost:\(peer.port)"))
        let byAddress = try await client.send(HTTPRequest(method: "POST", url: peer.url("/echo"), body: Array("tls".utf8)))
        #expect(try JSONValue.parse(byAddress.body)["body"] == "tls")
        let chunked = try await client.send(HTTPRequest(url: peer.url("/chunked")))
        #expect(try JSONValue.parse(chunked.body) == ["items": [1, 2, 3]])
        let untilClose = try await client.send(HTTPRequest(url: peer.url("/close")))
        #expect(String(decoding: untilClose.body, as: UTF8.self) == "read until close")
    }

    @Test func httpsRefusesUntrustedCertificates() async throws {
        let peer = try await Peer.sharedTLS.value
        let certificates = try await TestCertificates.shared.value
        for client in [HTTPClient(), HTTPClient(configuration: .init(extraCAFile: certificates.otherCACertificate))] {
            expectTLSFailure(await send(HTTPRequest(url: peer.url("/text")), with: client), mentioning: "certificate")
        }
    }

    @Test(.enabled(if: ipv6LoopbackAvailable)) func httpsChecksTheHostName() async throws {
        // The certificate names localhost and 127.0.0.1, not ::1.
        let certificates = try await TestCertificates.shared.value
        let peer = try await Peer.start(host: "::1", certificate: certificates)
        defer { peer.process.cancel() }
        let client = HTTPClient(configuration: .init(extraCAFile: certificates.caCertificate))
        expectTLSFailure(await send(HTTPRequest(url: peer.url("/text")), with: client), mentioning: "mismatch")
    }

    @Test func httpsToAPlainServerIsATLSError() async throws {
        let peer = try await Peer.shared.value
        expectTLSFailure(await send(HTTPRequest(url: "https://127.0.0.1:\(peer.port)/", timeout: .seconds(5))))
    }

    @Test func missingExtraCAFileFailsHTTPSOnly() async throws {
        let peer = try await Peer.shared.value
        let client = HTTPClient(configuration: .init(extraCAFile: "/nonexistent/ca.pem"))
        #expect(try await client.send(HTTPRequest(url: peer.url("/text"))).status == 200)
        expectTLSFailure(await send(HTTPRequest(url: "https://127.0.0.1:1/"), with: client), mentioning: "CA file")
    }
}

@Suite struct HTTPURLTests {
    @Test func splitsURLs() throws {
        let plain = try HTTPURL(parsing: "HTTP://Example.COM/a/b?c=d#frag")
        #expect(plain == HTTPURL(secureForTest: false, host: "example.com", port: 80, target: "/a/b?c=d"))
        #expect(plain.authority == "example.com")
        let secure = try HTTPURL(parsing: "https://[::1]:8443")
        #expect(secure == HTTPURL(secureForTest: true, host: "::1", port: 8443, target: "/"))
        #expect(secure.authority == "[::1]:8443")
        #expect(secure.isIPLiteral)
        #expect(try HTTPURL(parsing: "http://10.0.0.1:8080?x").target == "/?x")
        #expect(try HTTPURL(parsing: "http://10.0.0.1:8080?x").isIPLiteral)
        #expect(try !HTTPURL(parsing: "https://localhost").isIPLiteral)
        #expect(try HTTPURL(parsing: "http://h/ü\"x").target == "/%C3%BC%22x")
    }

    @Test(arguments: ["", "example.com", "http://", "http:///path", "http://[::1/", "http://[zz]/", "http://h:0/",
                      "http://h:port/", "http://a b/", "mailto://x"])
    func refusesMalformedURLs(text: String) {
        #expect(throws: HTTPClientError.self) { try HTTPURL(parsing: text) }
    }
}

extension HTTPURL {
    init(secureForTest: Bool, host: String, port: UInt16, target: String) {
        self = try! HTTPURL(parsing: "http://placeholder/")
        self.secure = secureForTest
        self.host = host
        self.port = port
        self.target = target
    }
}
