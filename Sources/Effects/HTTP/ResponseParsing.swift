/// A public door to the internal HTTP/1.1 response parser, for the fuzz target in fuzz/
/// (built in release, where `@testable` is not available). It drives the parser exactly as
/// `HTTPClient` does: feed what arrives until the response is complete, or finish at close.
public enum ResponseParsing {
    /// Parses `bytes` as everything a server sent before closing, fed `chunkBytes` at a time.
    public static func parse(_ bytes: [UInt8], chunkBytes: Int, isHeadRequest: Bool = false,
                             headerLimit: Int = 16 << 10, bodyLimit: Int = 1 << 20) -> Result<HTTPResponse, HTTPClientError> {
        var parser = ResponseParser(limits: .init(headerBytes: headerLimit, bodyBytes: bodyLimit),
                                    isHeadRequest: isHeadRequest)
        let step = max(1, chunkBytes)
        var offset = 0
        do throws(HTTPClientError) {
            while !parser.isComplete {
                if offset >= bytes.count { return .success(try parser.finish()) }
                let end = min(bytes.count, offset + step)
                try parser.feed(bytes[offset..<end])
                offset = end
            }
            return .success(parser.response)
        } catch {
            return .failure(error)
        }
    }
}
