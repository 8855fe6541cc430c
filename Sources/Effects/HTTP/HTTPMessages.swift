// The HTTP client's public vocabulary: request, response, headers, errors.

/// Why an HTTP exchange failed. Each case is one thing a caller reacts to differently.
public enum HTTPClientError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The request could not be sent as given: a bad URL, method or header.
    case invalidRequest(String)
    /// Name resolution, connect, or the connection failing before a full response arrived.
    case connection(String)
    /// The TLS handshake failed: an untrusted or mismatched certificate, a protocol error.
    case tls(String)
    /// The request's overall timeout passed.
    case timeout
    /// The calling task was cancelled.
    case canceled
    /// The peer answered with something that is not HTTP/1.x, or cut its response short.
    case badResponse(String)
    /// The response body is larger than the client's limit.
    case responseTooLarge(limit: Int)

    public var description: String {
        switch self {
        case .invalidRequest(let why): "invalid request: \(why)"
        case .connection(let why): "connection failed: \(why)"
        case .tls(let why): "TLS failed: \(why)"
        case .timeout: "timed out"
        case .canceled: "canceled"
        case .badResponse(let why): "bad response: \(why)"
        case .responseTooLarge(let limit): "response body larger than \(limit) bytes"
        }
    }
}

/// Header fields in order, names compared case-insensitively (ASCII).
public struct HTTPHeaders: Sendable, Hashable, Sequence, ExpressibleByDictionaryLiteral {
    public struct Field: Sendable, Hashable {
        public var name: String
        public var value: String
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    public private(set) var fields: [Field] = []

    public init() {}

    public init(dictionaryLiteral elements: (String, String)...) {
        for (name, value) in elements { add(name: name, value: value) }
    }

    public mutating func add(name: String, value: String) {
        fields.append(Field(name: name, value: value))
    }

    /// Replaces every field named `name` with one holding `value`.
    public mutating func set(name: String, value: String) {
        remove(name: name)
        add(name: name, value: value)
    }

    public mutating func remove(name: String) {
        fields.removeAll { Self.same($0.name, name) }
    }

    /// The first value of `name`, if any.
    public subscript(name: String) -> String? {
        fields.first { Self.same($0.name, name) }?.value
    }

    public func values(of name: String) -> [String] {
        fields.filter { Self.same($0.name, name) }.map(\.value)
    }

    public func contains(_ name: String) -> Bool { self[name] != nil }

    public var count: Int { fields.count }

    public func makeIterator() -> IndexingIterator<[Field]> { fields.makeIterator() }

    static func same(_ a: String, _ b: String) -> Bool {
        a.utf8.count == b.utf8.count && zip(a.utf8, b.utf8).allSatisfy { lowerASCII($0) == lowerASCII($1) }
    }
}

func lowerASCII(_ byte: UInt8) -> UInt8 {
    byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte
}

func lowercasedASCII(_ text: String) -> String {
    String(decoding: text.utf8.map(lowerASCII), as: UTF8.self)
}

/// One HTTP/1.1 request. The client adds Host, Content-Length and `Connection: close`, and
/// drops any Content-Length, Transfer-Encoding or Connection given here (it frames the body
/// itself); a Host given here replaces the URL's.
public struct HTTPRequest: Sendable, Hashable {
    public var method: String
    public var url: String
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// Everything: resolving, connecting, the TLS handshake, sending, and reading the response.
    public var timeout: Duration

    public init(method: String = "GET", url: String, headers: HTTPHeaders = [:], body: [UInt8] = [],
                timeout: Duration = .seconds(30)) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
    }
}

/// A complete response: every interim (1xx) response is skipped.
public struct HTTPResponse: Sendable, Hashable {
    public var status: Int
    public var reason: String
    public var headers: HTTPHeaders
    public var body: [UInt8]

    public init(status: Int, reason: String = "", headers: HTTPHeaders = [:], body: [UInt8] = []) {
        self.status = status
        self.reason = reason
        self.headers = headers
        self.body = body
    }

    /// The media type of Content-Type, lower-cased and without parameters ("application/json").
    public var mediaType: String? {
        guard let value = headers["content-type"] else { return nil }
        let type = value.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        return lowercasedASCII(String(type).trimmingASCIISpaces())
    }
}

extension String {
    /// Without leading and trailing spaces and tabs (HTTP's optional whitespace).
    func trimmingASCIISpaces() -> String {
        let bytes = Array(utf8)
        var start = 0
        var end = bytes.count
        while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 { start += 1 }
        while end > start, bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09 { end -= 1 }
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }
}
