// The HTTP/1.1 client: one connection per request (`Connection: close`), run on a dedicated
// thread so that resolving, connecting and reading never block Swift's cooperative pool.

/// An HTTP/1.1 client for http and https URLs.
///
/// Each `send` resolves the host, connects (trying each address in turn), does the TLS
/// handshake for https (SNI, the peer's chain verified against the system CAs plus
/// `Configuration.extraCAFile`, its name or IP address checked), writes the request and reads
/// the whole response, all within the request's timeout. Cancelling the calling task aborts
/// the connection at once and throws `.canceled`.
///
/// Not done: redirects (a 3xx is a response like any other), proxies, compression (no
/// Accept-Encoding is sent), connection reuse. A name lookup that is abandoned (cancel,
/// timeout) finishes on its helper thread and is dropped: getaddrinfo cannot be stopped.
public final class HTTPClient: Sendable {
    public struct Configuration: Sendable {
        /// PEM file of CAs trusted besides the system's (a private CA; tests).
        public var extraCAFile: String?
        /// A response body larger than this fails with `.responseTooLarge`.
        public var maxResponseBytes: Int
        /// The status line and header fields together (and the trailers, apart).
        public var maxHeaderBytes: Int
        public var userAgent: String

        public init(extraCAFile: String? = nil, maxResponseBytes: Int = 10 << 20, maxHeaderBytes: Int = 64 << 10,
                    userAgent: String = "spindle") {
            self.extraCAFile = extraCAFile
            self.maxResponseBytes = maxResponseBytes
            self.maxHeaderBytes = maxHeaderBytes
            self.userAgent = userAgent
        }
    }

    public let configuration: Configuration
    private let tls: TLSContextCache

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
        tls = TLSContextCache(extraCAFile: configuration.extraCAFile)
    }

    public func send(_ request: HTTPRequest) async throws(HTTPClientError) -> HTTPResponse {
        let url = try HTTPURL(parsing: request.url)
        let exchange = Exchange(
            url: url, head: try RequestHead.encode(request, url: url, userAgent: configuration.userAgent),
            limits: .init(headerBytes: configuration.maxHeaderBytes, bodyBytes: configuration.maxResponseBytes),
            isHeadRequest: request.method == "HEAD", tls: url.secure ? tls : nil)
        guard !Task.isCancelled else { throw .canceled }
        let deadline = ContinuousClock.now + request.timeout
        let result: Result<HTTPResponse, HTTPClientError>
        do {
            result = try await DedicatedThread.run(name: "spindle-http") { wakeup, completion in
                let interrupts = Interrupts(wakeup: wakeup, deadline: deadline)
                completion.resume(Result { () throws(HTTPClientError) in try exchange.perform(interrupts) })
            }
        } catch {
            throw .connection("cannot start the request: \(error)")
        }
        return try result.get()
    }
}

/// One request and its response, on the request's own thread. Every descriptor and TLS
/// object is released before `perform` returns.
private struct Exchange: Sendable {
    /// Bytes read from the connection at a time.
    static let readChunkBytes = 64 << 10

    let url: HTTPURL
    let head: [UInt8]
    let limits: ResponseParser.Limits
    let isHeadRequest: Bool
    let tls: TLSContextCache?

    func perform(_ interrupts: Interrupts) throws(HTTPClientError) -> HTTPResponse {
        let context = try tls?.context()
        let addresses = try Resolver.resolve(host: url.host, port: url.port, numeric: url.isIPLiteral,
                                             interrupts: interrupts)
        let tcp = try TCPStream.connect(to: addresses, interrupts)
        let stream: any ByteStream = if let context { try TLSStream(context, over: tcp, url: url, interrupts) } else { tcp }
        try stream.writeAll(head, interrupts)

        var parser = ResponseParser(limits: limits, isHeadRequest: isHeadRequest)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.readChunkBytes, alignment: 8)
        defer { buffer.deallocate() }
        while !parser.isComplete {
            let count = try stream.read(into: buffer, interrupts)
            if count == 0 { return try parser.finish() }
            try parser.feed(UnsafeRawBufferPointer(rebasing: buffer[..<count]))
        }
        return parser.response
    }
}
