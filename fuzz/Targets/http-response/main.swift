// The HTTP/1.1 response parser of the http step (Effects), through its ResponseParsing door.
// Byte 0 picks the chunk size the bytes are fed in and whether the request was a HEAD; the
// rest is what the server sent before closing. The parser takes any split of its input: the
// result must be the same fed whole as fed in chunks.
import FuzzSupport
import Effects

fuzz { bytes in
    var input = FuzzInput(bytes)
    let control = input.byte()
    let data = input.rest()
    let isHead = control & 0x80 != 0
    let chunk = Int(control & 0x7f) + 1
    let whole = ResponseParsing.parse(data, chunkBytes: data.count + 1, isHeadRequest: isHead)
    let split = ResponseParsing.parse(data, chunkBytes: chunk, isHeadRequest: isHead)
    guard whole == split else { finding("response differs fed whole and in chunks of \(chunk): \(whole) vs \(split)") }
}
