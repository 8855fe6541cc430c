// The HTTP/1.1 request reader of the HTTP face (HTTP1), the parser every byte from a browser or
// curl goes through first. Byte 0 picks the chunk size the rest is appended in. The reader takes
// any split of its input: the requests it reads (heads, body bytes joined, ends) and the error
// it stops on must be the same fed whole as fed in chunks, and no body may pass its limit.
import FuzzSupport
import HTTP1

/// What a reader made of `data` appended `chunk` bytes at a time: events with each request's
/// body bytes joined (a body's split follows the input's), then the error it stopped on, if any.
func read(_ data: [UInt8], chunk: Int, limits: HTTP1Limits) -> (events: [HTTP1Event], error: HTTP1ParseError?) {
    var reader = HTTP1RequestReader(limits: limits)
    var events: [HTTP1Event] = []
    var body: [UInt8] = []
    var at = 0
    while at < data.count {
        reader.append(data[at..<min(at + chunk, data.count)])
        at += chunk
        do {
            while let event = try reader.next() {
                switch event {
                case .body(let bytes):
                    body += bytes
                    guard body.count <= limits.maxBodyBytes else { finding("body of \(body.count) bytes passed the limit") }
                case .end:
                    if !body.isEmpty { events.append(.body(body)) }
                    body = []
                    events.append(.end)
                case .head:
                    events.append(event)
                }
            }
        } catch {
            return (events, error)
        }
    }
    return (events, nil)
}

var limits = HTTP1Limits()
limits.maxBodyBytes = 1 << 16  // small enough for the fuzzer to reach
fuzz { bytes in
    var input = FuzzInput(bytes)
    let chunk = Int(input.byte()) + 1
    let data = input.rest()
    let whole = read(data, chunk: max(data.count, 1), limits: limits)
    let split = read(data, chunk: chunk, limits: limits)
    guard whole.events == split.events, whole.error == split.error else {
        finding("requests differ fed whole and in chunks of \(chunk): \(whole) vs \(split)")
    }
}
