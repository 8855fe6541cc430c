// The bytes of an HTTP/1.1 request: request line, header section, body.

/// RFC 9110 tchar: what methods and header names are made of.
func isTokenByte(_ byte: UInt8) -> Bool {
    switch byte {
    case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
         UInt8(ascii: "0")...UInt8(ascii: "9"):
        true
    default:
        "!#$%&'*+-.^_`|~".utf8.contains(byte)
    }
}

enum RequestHead {
    /// Header fields the client writes itself, so that the body's framing is always its own.
    static let framingFields = ["content-length", "transfer-encoding", "connection"]

    /// The whole request, ready to write. Refuses a method or header that would let the
    /// caller's text split the request (CR, LF, NUL) or is not a token.
    static func encode(_ request: HTTPRequest, url: HTTPURL, userAgent: String) throws(HTTPClientError) -> [UInt8] {
        guard !request.method.isEmpty, request.method.utf8.allSatisfy(isTokenByte) else {
            throw .invalidRequest("method \"\(request.method)\" is not an HTTP token")
        }
        var headers = request.headers
        for name in framingFields { headers.remove(name: name) }
        for field in headers {
            guard !field.name.isEmpty, field.name.utf8.allSatisfy(isTokenByte) else {
                throw .invalidRequest("header name \"\(field.name)\" is not an HTTP token")
            }
            guard field.value.utf8.allSatisfy({ $0 != 0x0D && $0 != 0x0A && $0 != 0x00 }) else {
                throw .invalidRequest("header \(field.name) has a CR, LF or NUL in its value")
            }
        }
        if !headers.contains("host") { headers.add(name: "Host", value: url.authority) }
        if !headers.contains("user-agent") { headers.add(name: "User-Agent", value: userAgent) }
        let bodyExpected = ["POST", "PUT", "PATCH"].contains(request.method)
        if !request.body.isEmpty || bodyExpected {
            headers.add(name: "Content-Length", value: String(request.body.count))
        }
        headers.add(name: "Connection", value: "close")

        var text = "\(request.method) \(url.target) HTTP/1.1\r\n"
        for field in headers { text += "\(field.name): \(field.value.trimmingASCIISpaces())\r\n" }
        text += "\r\n"
        return Array(text.utf8) + request.body
    }
}
