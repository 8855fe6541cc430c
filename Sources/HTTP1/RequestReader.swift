// HTTP/1.1 request parsing (RFC 9112) as a pure state machine over bytes: no sockets, no
// threads, no C. The transport feeds it whatever the socket gave and pulls events; a fuzz
// target or a test drives it the same way. Hostile input is the normal case here: every
// size has a limit, and a request that breaks one ends in an `HTTP1ParseError` carrying the
// status to answer with (400, 413, 431, 501, 505) before the connection is closed.

/// Limits on one request. A request past any of them is refused with the status shown.
public struct HTTP1Limits: Sendable {
    /// Request line ("GET /path HTTP/1.1"): 414 past this.
    public var maxRequestLineBytes = 8192
    /// The whole head (request line + header fields + CRLFs), and a chunked body's trailer
    /// section: 431 past this.
    public var maxHeadBytes = 16384
    /// Header fields in one head: 431 past this.
    public var maxHeaderCount = 100
    /// Request body after chunked decoding: 413 past this.
    public var maxBodyBytes = 4 << 20
    /// A chunk-size line ("1a2b;ext=1"): 400 past this.
    public var maxChunkLineBytes = 256

    public init() {}
}

/// One header field: the name lower-cased, the value with surrounding whitespace trimmed.
public struct HTTP1Field: Sendable, Equatable {
    public var name: String
    public var value: String
    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// How the request body is delimited (RFC 9112 §6.3).
public enum HTTP1BodyFraming: Sendable, Equatable {
    case none
    case length(Int)
    case chunked
}

/// A parsed request line and header section.
public struct HTTP1RequestHead: Sendable, Equatable {
    public var method: String
    /// The request target as sent, origin form ("/api/v1/workflows?page=1").
    public var target: String
    /// 0 for HTTP/1.0, 1 for HTTP/1.1.
    public var minorVersion: Int
    public var fields: [HTTP1Field]
    public var framing: HTTP1BodyFraming
    /// Whether the connection stays open after this exchange (1.1 default; 1.0 needs
    /// `Connection: keep-alive`; `Connection: close` ends it either way).
    public var keepAlive: Bool
    /// `Expect: 100-continue` with a body to come.
    public var expectsContinue: Bool

    /// The first value of a header, by lower-case name.
    public func first(_ name: String) -> String? {
        fields.first { $0.name == name }?.value
    }

    /// The path part of the target (before "?").
    public var path: Substring { target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)[0] }
}

/// Why a request was refused; `status` is the HTTP status to answer with.
public struct HTTP1ParseError: Error, Equatable, Sendable, CustomStringConvertible {
    public var status: Int
    public var message: String
    public init(_ status: Int, _ message: String) {
        self.status = status
        self.message = message
    }
    public var description: String { "\(status): \(message)" }
}

/// What the reader found, in request order.
public enum HTTP1Event: Sendable, Equatable {
    case head(HTTP1RequestHead)
    /// Decoded body bytes (any split).
    case body([UInt8])
    /// The request (head and body) is complete.
    case end
}

/// Incremental request reader: `append` bytes as they arrive, then call `next()` until it
/// returns nil (more bytes needed). After `.end` the next call parses the following request
/// (pipelining); a transport that answers in order simply stops calling `next()` until its
/// response is written. After a thrown error the reader stays failed.
public struct HTTP1RequestReader: Sendable {
    private enum State: Sendable, Equatable {
        case head
        case fixed(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailers(bytes: Int)
        case failed
    }

    public let limits: HTTP1Limits
    private var buffer: [UInt8] = []
    private var start = 0
    private var state = State.head
    private var bodyBytes = 0
    /// Where the search for the head's end resumes (bytes already scanned).
    private var scanned = 0
    /// Empty lines skipped before the current request's head. Counted across calls, so how
    /// many are tolerated does not depend on how the bytes were split.
    private var emptyLinesSkipped = 0

    public init(limits: HTTP1Limits = HTTP1Limits()) { self.limits = limits }

    /// Bytes received and not yet turned into events.
    public var bufferedCount: Int { buffer.count - start }

    /// True between requests with nothing buffered: a clean place for the peer to stop.
    public var isIdle: Bool { state == .head && bufferedCount == 0 }

    /// True while a request head is being read (what a header read timeout guards).
    public var isReadingHead: Bool { state == .head }

    public mutating func append<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        if start > 0 && start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
            scanned = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The next event, or nil when more bytes are needed.
    public mutating func next() throws(HTTP1ParseError) -> HTTP1Event? {
        do {
            let event = try step()
            compact()
            return event
        } catch {
            state = .failed
            throw error
        }
    }

    private mutating func compact() {
        if start > 64 * 1024 && start * 2 > buffer.count {
            buffer.removeFirst(start)
            scanned -= start
            start = 0
        }
    }

    private mutating func step() throws(HTTP1ParseError) -> HTTP1Event? {
        switch state {
        case .failed:
            throw HTTP1ParseError(400, "the connection already failed")
        case .head:
            return try readHead()
        case .fixed(let remaining):
            if remaining == 0 {
                state = .head
                return .end
            }
            let available = buffer.count - start
            guard available > 0 else { return nil }
            let take = min(available, remaining)
            let bytes = Array(buffer[start..<(start + take)])
            start += take
            state = .fixed(remaining: remaining - take)
            return .body(bytes)
        case .chunkSize:
            guard let line = try readLine(limit: limits.maxChunkLineBytes, what: "chunk-size line") else { return nil }
            let size = try Self.chunkSize(line)
            if size == 0 {
                state = .trailers(bytes: 0)
                return try step()
            }
            guard bodyBytes + size <= limits.maxBodyBytes else {
                throw HTTP1ParseError(413, "request body larger than \(limits.maxBodyBytes) bytes")
            }
            bodyBytes += size
            state = .chunkData(remaining: size)
            return try step()
        case .chunkData(let remaining):
            let available = buffer.count - start
            guard available > 0 else { return nil }
            let take = min(available, remaining)
            let bytes = Array(buffer[start..<(start + take)])
            start += take
            state = take == remaining ? .chunkDataEnd : .chunkData(remaining: remaining - take)
            return .body(bytes)
        case .chunkDataEnd:
            guard buffer.count - start >= 2 else { return nil }
            guard buffer[start] == cr && buffer[start + 1] == lf else {
                throw HTTP1ParseError(400, "chunk data not followed by CRLF")
            }
            start += 2
            state = .chunkSize
            return try step()
        case .trailers(var seen):
            // Trailer fields are read and dropped (nothing here uses them), within the head
            // limit. A loop, not recursion: thousands of tiny lines must not grow the stack.
            while true {
                let before = start
                guard let line = try readLine(limit: limits.maxHeadBytes - seen, what: "trailer section") else {
                    state = .trailers(bytes: seen)
                    if seen + (buffer.count - start) > limits.maxHeadBytes {
                        throw HTTP1ParseError(431, "trailer section larger than \(limits.maxHeadBytes) bytes")
                    }
                    return nil
                }
                if line.isEmpty {
                    state = .head
                    return .end
                }
                seen += start - before
                if seen > limits.maxHeadBytes {
                    throw HTTP1ParseError(431, "trailer section larger than \(limits.maxHeadBytes) bytes")
                }
            }
        }
    }

    /// One CRLF-terminated line (without the CRLF), consumed; nil if incomplete.
    private mutating func readLine(limit: Int, what: String) throws(HTTP1ParseError) -> ArraySlice<UInt8>? {
        var index = start
        let end = min(buffer.count, start + limit + 2)
        while index + 1 < end {
            if buffer[index] == cr {
                guard buffer[index + 1] == lf else { throw HTTP1ParseError(400, "bare CR in \(what)") }
                let line = buffer[start..<index]
                start = index + 2
                return line
            }
            if buffer[index] == lf { throw HTTP1ParseError(400, "bare LF in \(what)") }
            index += 1
        }
        if buffer.count - start > limit + 1 {
            throw HTTP1ParseError(what == "chunk-size line" ? 400 : 431, "\(what) longer than \(limit) bytes")
        }
        return nil
    }

    private static func chunkSize(_ line: ArraySlice<UInt8>) throws(HTTP1ParseError) -> Int {
        var size = 0
        var digits = 0
        for byte in line {
            guard let digit = hexValue(byte) else {
                if byte == UInt8(ascii: ";") || byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") { break }
                throw HTTP1ParseError(400, "invalid chunk size")
            }
            digits += 1
            guard digits <= 15 else { throw HTTP1ParseError(413, "chunk size too large") }
            size = size * 16 + digit
        }
        guard digits > 0 else { throw HTTP1ParseError(400, "empty chunk size") }
        return size
    }

    // MARK: The head

    private mutating func readHead() throws(HTTP1ParseError) -> HTTP1Event? {
        // Tolerate empty lines before a request (RFC 9112 §2.2), a few of them.
        while buffer.count - start >= 2 && buffer[start] == cr && buffer[start + 1] == lf && emptyLinesSkipped < 4 {
            start += 2
            emptyLinesSkipped += 1
        }
        guard start < buffer.count else { return nil }
        scanned = max(scanned, start)
        let limit = min(buffer.count, start + limits.maxHeadBytes)
        var index = max(scanned, start + 3)
        var headEnd: Int?
        while index < limit {
            if buffer[index] == lf && buffer[index - 1] == cr && buffer[index - 2] == lf && buffer[index - 3] == cr {
                headEnd = index + 1
                break
            }
            index += 1
        }
        guard let end = headEnd else {
            scanned = max(start, index - 3)
            try checkIncompleteHead()
            return nil
        }
        let head = try Self.parseHead(buffer[start..<(end - 4)], limits: limits)
        start = end
        scanned = end
        emptyLinesSkipped = 0
        bodyBytes = 0
        switch head.framing {
        case .none: state = .fixed(remaining: 0)
        case .length(let n): state = .fixed(remaining: n)
        case .chunked: state = .chunkSize
        }
        return .head(head)
    }

    /// An unfinished head that already breaks a limit is refused now, not when it ends.
    private func checkIncompleteHead() throws(HTTP1ParseError) {
        let pending = buffer[start...]
        let lineEnd = pending.firstIndex(of: lf)
        let lineLength = (lineEnd ?? pending.endIndex) - pending.startIndex
        if lineLength > limits.maxRequestLineBytes {
            throw HTTP1ParseError(414, "request line longer than \(limits.maxRequestLineBytes) bytes")
        }
        if pending.count >= limits.maxHeadBytes {
            throw HTTP1ParseError(431, "request header section larger than \(limits.maxHeadBytes) bytes")
        }
    }

    /// Parses a complete head (without its final CRLF CRLF). Pure; the fuzz target's entry.
    public static func parseHead(_ bytes: ArraySlice<UInt8>, limits: HTTP1Limits = HTTP1Limits()) throws(HTTP1ParseError) -> HTTP1RequestHead {
        var lines: [ArraySlice<UInt8>] = []
        var lineStart = bytes.startIndex
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == cr {
                guard index + 1 < bytes.endIndex, bytes[index + 1] == lf else {
                    throw HTTP1ParseError(400, "bare CR in the request head")
                }
                lines.append(bytes[lineStart..<index])
                index += 2
                lineStart = index
                continue
            }
            if byte == lf { throw HTTP1ParseError(400, "bare LF in the request head") }
            if byte == 0 { throw HTTP1ParseError(400, "NUL in the request head") }
            index += 1
        }
        lines.append(bytes[lineStart..<bytes.endIndex])
        guard lines[0].count <= limits.maxRequestLineBytes else {
            throw HTTP1ParseError(414, "request line longer than \(limits.maxRequestLineBytes) bytes")
        }
        guard lines.count - 1 <= limits.maxHeaderCount else {
            throw HTTP1ParseError(431, "more than \(limits.maxHeaderCount) header fields")
        }
        var head = try parseRequestLine(lines[0])
        for line in lines.dropFirst() {
            head.fields.append(try parseField(line))
        }
        try applyFieldSemantics(&head, limits: limits)
        return head
    }

    private static func parseRequestLine(_ line: ArraySlice<UInt8>) throws(HTTP1ParseError) -> HTTP1RequestHead {
        let parts = line.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw HTTP1ParseError(400, "malformed request line") }
        let method = parts[0], target = parts[1], version = parts[2]
        guard !method.isEmpty, method.allSatisfy(isTokenByte) else { throw HTTP1ParseError(400, "invalid method") }
        guard let first = target.first, first == UInt8(ascii: "/") || (target.count == 1 && first == UInt8(ascii: "*")),
              target.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw HTTP1ParseError(400, "invalid request target (origin form expected)")
        }
        let minor: Int
        switch String(decoding: version, as: UTF8.self) {
        case "HTTP/1.1": minor = 1
        case "HTTP/1.0": minor = 0
        case let other where other.hasPrefix("HTTP/") && other.count == 8:
            throw HTTP1ParseError(505, "HTTP version \(other.dropFirst(5)) is not supported")
        default: throw HTTP1ParseError(400, "malformed HTTP version")
        }
        return HTTP1RequestHead(method: String(decoding: method, as: UTF8.self),
                                target: String(decoding: target, as: UTF8.self), minorVersion: minor,
                                fields: [], framing: .none, keepAlive: minor == 1, expectsContinue: false)
    }

    private static func parseField(_ line: ArraySlice<UInt8>) throws(HTTP1ParseError) -> HTTP1Field {
        guard let first = line.first else { throw HTTP1ParseError(400, "empty header line") }
        if first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") {
            throw HTTP1ParseError(400, "obsolete line folding in a header field")
        }
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else {
            throw HTTP1ParseError(400, "header field without a colon")
        }
        let name = line[line.startIndex..<colon]
        guard !name.isEmpty, name.allSatisfy(isTokenByte) else {
            throw HTTP1ParseError(400, "invalid header field name")
        }
        var value = line[(colon + 1)...]
        while let b = value.first, b == 0x20 || b == 0x09 { value = value.dropFirst() }
        while let b = value.last, b == 0x20 || b == 0x09 { value = value.dropLast() }
        guard value.allSatisfy({ $0 == 0x09 || ($0 >= 0x20 && $0 != 0x7F) }) else {
            throw HTTP1ParseError(400, "control character in a header field value")
        }
        return HTTP1Field(String(decoding: name, as: UTF8.self).lowercased(), String(decoding: value, as: UTF8.self))
    }

    private static func applyFieldSemantics(_ head: inout HTTP1RequestHead, limits: HTTP1Limits) throws(HTTP1ParseError) {
        var contentLength: Int?
        var chunked = false
        var hosts = 0
        for field in head.fields {
            switch field.name {
            case "content-length":
                // A list of equal values is allowed (RFC 9110 §8.6); anything else is refused.
                for item in field.value.split(separator: ",") {
                    let text = item.trimmingSpaces
                    guard !text.isEmpty, text.count <= 18, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                          let n = Int(text) else {
                        throw HTTP1ParseError(400, "invalid Content-Length")
                    }
                    if let seen = contentLength, seen != n { throw HTTP1ParseError(400, "conflicting Content-Length values") }
                    contentLength = n
                }
            case "transfer-encoding":
                guard field.value.lowercased().trimmingSpaces == "chunked", !chunked else {
                    throw HTTP1ParseError(501, "Transfer-Encoding \"\(field.value)\" is not supported (only chunked)")
                }
                chunked = true
            case "connection":
                for option in field.value.lowercased().split(separator: ",") {
                    switch option.trimmingSpaces {
                    case "close": head.keepAlive = false
                    case "keep-alive": if head.minorVersion == 0 { head.keepAlive = true }
                    default: break
                    }
                }
            case "expect":
                guard field.value.lowercased() == "100-continue" else {
                    throw HTTP1ParseError(417, "Expect \"\(field.value)\" is not supported")
                }
                head.expectsContinue = true
            case "host":
                hosts += 1
            default:
                break
            }
        }
        if head.minorVersion == 1 && hosts != 1 {
            throw HTTP1ParseError(400, hosts == 0 ? "missing Host header" : "more than one Host header")
        }
        if chunked && contentLength != nil {
            // Request smuggling guard (RFC 9112 §6.3): never guess which one a proxy used.
            throw HTTP1ParseError(400, "both Transfer-Encoding and Content-Length")
        }
        if chunked {
            head.framing = .chunked
        } else if let n = contentLength, n > 0 {
            guard n <= limits.maxBodyBytes else {
                throw HTTP1ParseError(413, "request body of \(n) bytes is larger than \(limits.maxBodyBytes)")
            }
            head.framing = .length(n)
        }
        if head.framing == .none { head.expectsContinue = false }
    }
}

private let cr = UInt8(ascii: "\r")
private let lf = UInt8(ascii: "\n")

/// RFC 9110 tchar.
private func isTokenByte(_ b: UInt8) -> Bool {
    switch b {
    case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
        return true
    default:
        return "!#$%&'*+-.^_`|~".utf8.contains(b)
    }
}

private func hexValue(_ b: UInt8) -> Int? {
    switch b {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): return Int(b - UInt8(ascii: "0"))
    case UInt8(ascii: "a")...UInt8(ascii: "f"): return Int(b - UInt8(ascii: "a") + 10)
    case UInt8(ascii: "A")...UInt8(ascii: "F"): return Int(b - UInt8(ascii: "A") + 10)
    default: return nil
    }
}

extension StringProtocol {
    var trimmingSpaces: Substring {
        var s = Substring(self)
        while let c = s.first, c == " " || c == "\t" { s = s.dropFirst() }
        while let c = s.last, c == " " || c == "\t" { s = s.dropLast() }
        return s
    }
}
