import Testing
import Effects

/// The public door the fuzz target uses (fuzz/Targets/http-response) drives the parser as
/// HTTPClient does: the same answer for any chunk size, and the close ends an until-close body.
@Suite struct ResponseParsingTests {
    static let chunked = Array("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;x=1\r\nhello\r\n0\r\nT: y\r\n\r\n".utf8)

    @Test(arguments: [1, 2, 7, 1000])
    func anyChunkSizeGivesTheSameResponse(chunk: Int) throws {
        let response = try ResponseParsing.parse(Self.chunked, chunkBytes: chunk).get()
        #expect(response.status == 200)
        #expect(response.body == Array("hello".utf8))
        #expect(ResponseParsing.parse(Self.chunked, chunkBytes: chunk) == ResponseParsing.parse(Self.chunked, chunkBytes: 1 << 20))
    }

    @Test func closeEndsABodyWithoutLengthAndCutsAFixedOne() throws {
        let untilClose = try ResponseParsing.parse(Array("HTTP/1.0 200 OK\r\n\r\nabc".utf8), chunkBytes: 2).get()
        #expect(untilClose.body == Array("abc".utf8))
        let cut = ResponseParsing.parse(Array("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nabc".utf8), chunkBytes: 2)
        #expect(cut == .failure(.badResponse("connection closed with 6 bytes of the body still to come")))
        // A HEAD response has framing headers but no body: complete at the blank line.
        let head = try ResponseParsing.parse(Array("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n".utf8), chunkBytes: 3,
                                             isHeadRequest: true).get()
        #expect(head.body.isEmpty)
    }
}
