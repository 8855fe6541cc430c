// The gRPC 5-byte deframer, fed in chunks of a size the first byte picks (the deframer must
// give the same messages for any split), then each compressed message inflated as the server
// would (gzip and deflate, with the server's size limit).
import FuzzSupport
import Gzip
import RPC

func deframe(_ data: ArraySlice<UInt8>, chunk: Int) -> Result<[FramedMessage], MessageDeframer.Failure> {
    var deframer = MessageDeframer(maxMessageSize: 64 << 10)
    var messages: [FramedMessage] = []
    var offset = data.startIndex
    do throws(MessageDeframer.Failure) {
        while offset < data.endIndex {
            let end = min(data.endIndex, offset + chunk)
            try deframer.feed(data[offset..<end]) { messages.append(FramedMessage(compressed: $0.compressed, bytes: Array($0.bytes)[...])) }
            offset = end
        }
        try deframer.finish()
        return .success(messages)
    } catch {
        return .failure(error)
    }
}

fuzz { bytes in
    var input = FuzzInput(bytes)
    let chunk = Int(input.byte()) + 1
    let data = input.rest()[...]
    let whole = deframe(data, chunk: data.count + 1)
    let split = deframe(data, chunk: chunk)
    guard whole == split else { finding("deframer result depends on the split (chunk \(chunk))") }
    if case .success(let messages) = whole {
        for m in messages where m.compressed {
            _ = try? Zlib.decompress(m.bytes, format: .gzip, limit: 64 << 10)
            _ = try? Zlib.decompress(m.bytes, format: .deflate, limit: 64 << 10)
        }
    }
}
