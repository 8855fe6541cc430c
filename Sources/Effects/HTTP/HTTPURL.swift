// http and https URLs, split into what an HTTP/1.1 request needs.
import Glibc

struct HTTPURL: Sendable, Hashable {
    var secure: Bool
    /// A name (lower-cased), an IPv4 literal, or an IPv6 literal without its brackets.
    var host: String
    var port: UInt16
    /// The request target: path and query, "/" when the URL has no path. Bytes a request
    /// line cannot carry (spaces, controls, non-ASCII) are percent-encoded; the fragment is
    /// dropped.
    var target: String

    var isIPv6Literal: Bool { host.utf8.contains(UInt8(ascii: ":")) }

    var isIPLiteral: Bool {
        if isIPv6Literal { return true }
        var address = in_addr()
        return inet_pton(AF_INET, host, &address) == 1
    }

    /// The Host header: brackets around IPv6 literals, the port only when not the default.
    var authority: String {
        let name = isIPv6Literal ? "[\(host)]" : host
        return port == (secure ? 443 : 80) ? name : "\(name):\(port)"
    }

    init(parsing text: String) throws(HTTPClientError) {
        let bytes = Array(text.utf8)
        guard let schemeEnd = Self.find(Array("://".utf8), in: bytes),
              bytes[..<schemeEnd].allSatisfy({ isTokenByte($0) }) else {
            throw .invalidRequest("URL \"\(text)\" has no scheme (expected http:// or https://)")
        }
        switch lowercasedASCII(String(decoding: bytes[..<schemeEnd], as: UTF8.self)) {
        case "http": secure = false
        case "https": secure = true
        case let other: throw .invalidRequest("URL scheme \"\(other)\" is not http or https")
        }
        let authorityStart = schemeEnd + 3
        var authorityEnd = authorityStart
        while authorityEnd < bytes.count, !"/?#".utf8.contains(bytes[authorityEnd]) { authorityEnd += 1 }
        let authority = bytes[authorityStart..<authorityEnd]
        guard !authority.contains(UInt8(ascii: "@")) else {
            throw .invalidRequest("URL user info (user:password@) is not supported; send an Authorization header")
        }
        (host, port) = try Self.hostAndPort(authority, secure: secure)

        var rest = bytes[authorityEnd...]
        if let hash = rest.firstIndex(of: UInt8(ascii: "#")) { rest = rest[..<hash] }
        var target = rest.first == UInt8(ascii: "?") ? "/" : ""
        for byte in rest { target += Self.targetByte(byte) }
        self.target = target.isEmpty ? "/" : target
    }

    private static func hostAndPort(_ authority: ArraySlice<UInt8>, secure: Bool) throws(HTTPClientError)
        -> (String, UInt16)
    {
        var hostBytes: ArraySlice<UInt8>
        var portBytes: ArraySlice<UInt8>?
        if authority.first == UInt8(ascii: "[") {
            guard let close = authority.firstIndex(of: UInt8(ascii: "]")) else {
                throw .invalidRequest("URL has an unclosed IPv6 literal")
            }
            hostBytes = authority[(authority.startIndex + 1)..<close]
            let after = authority[(close + 1)...]
            if !after.isEmpty {
                guard after.first == UInt8(ascii: ":") else { throw .invalidRequest("URL has junk after \"]\"") }
                portBytes = after.dropFirst()
            }
            var address = in6_addr()
            guard inet_pton(AF_INET6, String(decoding: hostBytes, as: UTF8.self), &address) == 1 else {
                throw .invalidRequest("URL has an invalid IPv6 literal")
            }
        } else if let colon = authority.lastIndex(of: UInt8(ascii: ":")) {
            hostBytes = authority[..<colon]
            portBytes = authority[(colon + 1)...]
        } else {
            hostBytes = authority
        }
        guard !hostBytes.isEmpty else { throw .invalidRequest("URL has no host") }
        guard hostBytes.allSatisfy({ $0 > 0x20 && $0 < 0x7f && !"/\\?#[]@%".utf8.contains($0) }) else {
            throw .invalidRequest("URL host \"\(String(decoding: hostBytes, as: UTF8.self))\" has characters a host name cannot")
        }
        let host = lowercasedASCII(String(decoding: hostBytes, as: UTF8.self))
        guard let portBytes, !portBytes.isEmpty else { return (host, secure ? 443 : 80) }
        guard portBytes.count <= 5, portBytes.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
              let port = UInt16(String(decoding: portBytes, as: UTF8.self)), port > 0 else {
            throw .invalidRequest("URL port \"\(String(decoding: portBytes, as: UTF8.self))\" is not 1-65535")
        }
        return (host, port)
    }

    /// A byte of the path or query as a request line may carry it.
    private static func targetByte(_ byte: UInt8) -> String {
        let needsEscape = byte <= 0x20 || byte >= 0x7f || "\"<>\\^`{|}".utf8.contains(byte)
        guard needsEscape else { return String(UnicodeScalar(byte)) }
        let hex = Array("0123456789ABCDEF".utf8)
        return String(decoding: [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0x0f)]], as: UTF8.self)
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for start in 0...(haystack.count - needle.count) where haystack[start..<(start + needle.count)].elementsEqual(needle) {
            return start
        }
        return nil
    }
}
