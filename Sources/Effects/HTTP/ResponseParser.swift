// An incremental HTTP/1.x response parser. Pure: bytes in, a response out, no I/O; it takes
// any split of the input (tests feed it one byte at a time). Every buffer has a limit that is
// checked before the bytes are kept: the header section, chunk-size lines, trailers, the body.

struct ResponseParser {
    struct Limits: Sendable {
        var headerBytes: Int
        var bodyBytes: Int
    }

    /// Where the parser is. Line-oriented states read from `pending`; body states move bytes
    /// from `pending` to `body`.
    private enum State: Equatable {
        case head
        case fixedBody(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailers(bytesSoFar: Int)
        case untilClose
        case done
    }

    /// The longest chunk-size line accepted (size, extensions and CRLF).
    static let chunkLineLimit = 1024

    let limits: Limits
    /// HEAD responses carry framing headers but no body.
    let isHeadRequest: Bool
    private var state = State.head
    private var pending: [UInt8] = []
    /// Where the search for the end of the header section resumes.
    private var headScanFrom = 0
    private(set) var response = HTTPResponse(status: 0)

    init(limits: Limits, isHeadRequest: Bool = false) {
        self.limits = limits
        self.isHeadRequest = isHeadRequest
    }

    var isComplete: Bool { state == .done }

    /// Consumes `bytes`. Bytes after a complete response are ignored (the client asked for
    /// `Connection: close`, so nothing may follow).
    mutating func feed(_ bytes: some Sequence<UInt8>) throws(HTTPClientError) {
        guard state != .done else { return }
        pending.append(contentsOf: bytes)
        var offset = 0
        while state != .done, let used = try step(from: offset) {
            offset += used
        }
        pending.removeFirst(offset)
        if state == .head { headScanFrom -= offset }
    }

    /// The peer closed the connection: the response if it is complete (or ran until close).
    mutating func finish() throws(HTTPClientError) -> HTTPResponse {
        switch state {
        case .done: return response
        case .untilClose:
            state = .done
            return response
        case .head where pending.isEmpty && response.status == 0:
            throw .badResponse("connection closed before a response")
        case .head:
            throw .badResponse("connection closed in the middle of the header section")
        case .fixedBody(let remaining):
            throw .badResponse("connection closed with \(remaining) bytes of the body still to come")
        case .chunkSize, .chunkData, .chunkDataEnd, .trailers:
            throw .badResponse("connection closed in the middle of a chunked body")
        }
    }

    /// One step from `pending[offset...]`: the bytes used, or nil when more input is needed.
    private mutating func step(from offset: Int) throws(HTTPClientError) -> Int? {
        let available = pending.count - offset
        switch state {
        case .done:
            return nil
        case .head:
            return try parseHead(from: offset)
        case .fixedBody(let remaining):
            guard available > 0 else { return nil }
            let take = min(remaining, available)
            response.body.append(contentsOf: pending[offset..<(offset + take)])
            state = take == remaining ? .done : .fixedBody(remaining: remaining - take)
            return take
        case .untilClose:
            guard available > 0 else { return nil }
            guard response.body.count + available <= limits.bodyBytes else {
                throw .responseTooLarge(limit: limits.bodyBytes)
            }
            response.body.append(contentsOf: pending[offset...])
            return available
        case .chunkSize:
            guard let (line, used) = try nextLine(from: offset, limit: Self.chunkLineLimit,
                                                       tooLong: "chunk-size line longer than \(Self.chunkLineLimit) bytes")
            else { return nil }
            let size = try Self.chunkSize(line)
            if size == 0 {
                state = .trailers(bytesSoFar: 0)
            } else {
                guard response.body.count + size <= limits.bodyBytes else {
                    throw .responseTooLarge(limit: limits.bodyBytes)
                }
                state = .chunkData(remaining: size)
            }
            return used
        case .chunkData(let remaining):
            guard available > 0 else { return nil }
            let take = min(remaining, available)
            response.body.append(contentsOf: pending[offset..<(offset + take)])
            state = take == remaining ? .chunkDataEnd : .chunkData(remaining: remaining - take)
            return take
        case .chunkDataEnd:
            guard let (line, used) = try nextLine(from: offset, limit: 2, tooLong: "chunk data longer than its size") else { return nil }
            guard line.isEmpty else { throw .badResponse("chunk data longer than its size") }
            state = .chunkSize
            return used
        case .trailers(let bytesSoFar):
            // Trailer fields are read and dropped: nothing here needs them.
            let room = limits.headerBytes - bytesSoFar
            guard let (line, used) = try nextLine(from: offset, limit: room,
                                                       tooLong: "trailer section larger than \(limits.headerBytes) bytes") else { return nil }
            state = line.isEmpty ? .done : .trailers(bytesSoFar: bytesSoFar + used)
            return used
        }
    }

    /// A line ending in LF (CR before it optional) starting at `offset`, without its ending.
    private func nextLine(from offset: Int, limit: Int, tooLong: String) throws(HTTPClientError)
        -> (ArraySlice<UInt8>, Int)?
    {
        let end = min(pending.count, offset + max(limit, 0))
        guard let lf = pending[offset..<end].firstIndex(of: 0x0A) else {
            if end - offset >= limit { throw .badResponse(tooLong) }
            return nil
        }
        var line = pending[offset..<lf]
        if line.last == 0x0D { line = line.dropLast() }
        return (line, lf + 1 - offset)
    }

    // MARK: Header section

    private mutating func parseHead(from offset: Int) throws(HTTPClientError) -> Int? {
        // The end of the section is an empty line: LF (CR) LF.
        var index = max(offset, headScanFrom)
        var end: Int?
        while index < pending.count {
            if pending[index] == 0x0A {
                let next = index + 1
                if next < pending.count, pending[next] == 0x0A { end = next + 1; break }
                if next + 1 < pending.count, pending[next] == 0x0D, pending[next + 1] == 0x0A { end = next + 2; break }
            }
            index += 1
        }
        guard let end else {
            headScanFrom = max(offset, pending.count - 2)
            if pending.count - offset > limits.headerBytes {
                throw .badResponse("header section larger than \(limits.headerBytes) bytes")
            }
            return nil
        }
        guard end - offset <= limits.headerBytes else {
            throw .badResponse("header section larger than \(limits.headerBytes) bytes")
        }
        var lines = pending[offset..<end].split(separator: 0x0A, omittingEmptySubsequences: false).map { line in
            line.last == 0x0D ? line.dropLast() : line
        }
        while lines.last?.isEmpty == true { lines.removeLast() }
        guard let statusLine = lines.first else { throw .badResponse("empty status line") }
        let (status, reason) = try Self.statusLine(statusLine)
        var headers = HTTPHeaders()
        for line in lines.dropFirst() {
            guard line.first != 0x20, line.first != 0x09 else {
                throw .badResponse("obsolete folded header line")
            }
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > line.startIndex,
                  line[..<colon].allSatisfy(isTokenByte) else {
                throw .badResponse("malformed header line \"\(Self.preview(line))\"")
            }
            let value = String(decoding: line[(colon + 1)...], as: UTF8.self).trimmingASCIISpaces()
            headers.add(name: String(decoding: line[..<colon], as: UTF8.self), value: value)
        }
        headScanFrom = end
        if (100...199).contains(status) {
            // Interim responses (100 Continue, 103 Early Hints) precede the real one.
            guard status != 101 else { throw .badResponse("unexpected 101 Switching Protocols") }
            return end - offset
        }
        response.status = status
        response.reason = reason
        response.headers = headers
        state = try framing(status: status, headers: headers)
        return end - offset
    }

    /// RFC 9112 section 6.3: how the body is delimited.
    private func framing(status: Int, headers: HTTPHeaders) throws(HTTPClientError) -> State {
        if isHeadRequest || status == 204 || status == 304 { return .done }
        let codings = headers.values(of: "transfer-encoding")
            .flatMap { $0.split(separator: ",") }
            .map { lowercasedASCII(String($0).trimmingASCIISpaces()) }
        if let last = codings.last {
            return last == "chunked" ? .chunkSize : .untilClose
        }
        let lengths = Set(headers.values(of: "content-length")
            .flatMap { $0.split(separator: ",", omittingEmptySubsequences: false) }
            .map { String($0).trimmingASCIISpaces() })
        guard let text = lengths.first else { return .untilClose }
        guard lengths.count == 1, !text.isEmpty, text.utf8.count <= 18,
              text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }), let length = Int(text)
        else { throw .badResponse("invalid Content-Length") }
        guard length <= limits.bodyBytes else { throw .responseTooLarge(limit: limits.bodyBytes) }
        return length == 0 ? .done : .fixedBody(remaining: length)
    }

    private static func statusLine(_ line: ArraySlice<UInt8>) throws(HTTPClientError) -> (Int, String) {
        let bytes = Array(line)
        guard bytes.count >= 12, bytes[0..<7].elementsEqual("HTTP/1.".utf8),
              bytes[7] >= UInt8(ascii: "0"), bytes[7] <= UInt8(ascii: "9"), bytes[8] == 0x20,
              bytes[9..<12].allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
              bytes.count == 12 || bytes[12] == 0x20
        else { throw .badResponse("not an HTTP/1.x status line: \"\(preview(line))\"") }
        let status = bytes[9..<12].reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
        guard status >= 100 else { throw .badResponse("status \(status) is below 100") }
        let reason = bytes.count > 13 ? String(decoding: bytes[13...], as: UTF8.self) : ""
        return (status, reason)
    }

    private static func chunkSize(_ line: ArraySlice<UInt8>) throws(HTTPClientError) -> Int {
        let sizeText = line.split(separator: UInt8(ascii: ";"), maxSplits: 1, omittingEmptySubsequences: false)[0]
        let digits = String(decoding: sizeText, as: UTF8.self).trimmingASCIISpaces()
        guard !digits.isEmpty, digits.utf8.count <= 15, let size = Int(digits, radix: 16), size >= 0,
              digits.utf8.allSatisfy({ $0 != UInt8(ascii: "+") && $0 != UInt8(ascii: "-") })
        else { throw .badResponse("invalid chunk size \"\(preview(line))\"") }
        return size
    }

    /// The start of a line for an error message, control bytes and non-ASCII as "?".
    static func preview(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: bytes.prefix(80).map { $0 >= 0x20 && $0 < 0x7f ? $0 : UInt8(ascii: "?") }, as: UTF8.self)
    }
}
