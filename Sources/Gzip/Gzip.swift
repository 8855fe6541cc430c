import CZlib

/// gzip and zlib ("deflate") compression for gRPC message bodies. The only code in this
/// module that touches zlib's C structures; callers see `[UInt8]` in and out.
public enum ZlibFormat: Sendable {
    /// RFC 1952 gzip framing (`grpc-encoding: gzip`).
    case gzip
    /// RFC 1950 zlib framing (`grpc-encoding: deflate`).
    case deflate

    fileprivate var windowBits: Int32 { self == .gzip ? 15 + 16 : 15 }
}

public enum ZlibError: Error, Equatable, Sendable {
    /// The input is not valid compressed data (or is truncated).
    case corrupt(String)
    /// Decompressing would produce more than the allowed number of bytes.
    case tooLarge(limit: Int)
    case internalError(Int32)
}

public enum Zlib {
    /// Compresses `input` in one shot.
    public static func compress(_ input: ArraySlice<UInt8>, format: ZlibFormat, level: Int32 = 6) throws(ZlibError) -> [UInt8] {
        var stream = z_stream()
        var rc = spindle_deflateInit2(&stream, level, format.windowBits)
        guard rc == Z_OK else { throw .internalError(rc) }
        defer { deflateEnd(&stream) }
        let bound = Int(deflateBound(&stream, uLong(input.count)))
        var output = [UInt8](repeating: 0, count: bound)
        let produced: Int = input.withUnsafeBufferPointer { inBuf in
            output.withUnsafeMutableBufferPointer { outBuf in
                stream.next_in = UnsafeMutablePointer(mutating: inBuf.baseAddress)
                stream.avail_in = uInt(inBuf.count)
                stream.next_out = outBuf.baseAddress
                stream.avail_out = uInt(outBuf.count)
                rc = deflate(&stream, Z_FINISH)
                return outBuf.count - Int(stream.avail_out)
            }
        }
        guard rc == Z_STREAM_END else { throw .internalError(rc) }
        output.removeSubrange(produced...)
        return output
    }

    /// Decompresses `input`, refusing to produce more than `limit` bytes: a small
    /// compressed message cannot make the server allocate without bound ("zip bomb").
    public static func decompress(_ input: ArraySlice<UInt8>, format: ZlibFormat, limit: Int) throws(ZlibError) -> [UInt8] {
        var stream = z_stream()
        var rc = spindle_inflateInit2(&stream, format.windowBits)
        guard rc == Z_OK else { throw .internalError(rc) }
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: min(max(input.count * 4, 4096), 256 * 1024))
        var failure: ZlibError? = nil
        input.withUnsafeBufferPointer { inBuf in
            stream.next_in = UnsafeMutablePointer(mutating: inBuf.baseAddress)
            stream.avail_in = uInt(inBuf.count)
            while true {
                let produced: Int = chunk.withUnsafeMutableBufferPointer { outBuf in
                    stream.next_out = outBuf.baseAddress
                    stream.avail_out = uInt(outBuf.count)
                    rc = inflate(&stream, Z_NO_FLUSH)
                    return outBuf.count - Int(stream.avail_out)
                }
                if rc != Z_OK && rc != Z_STREAM_END && !(rc == Z_BUF_ERROR && produced > 0) {
                    failure = .corrupt(rc == Z_BUF_ERROR ? "truncated compressed data" : "invalid compressed data (zlib \(rc))")
                    return
                }
                if output.count + produced > limit { failure = .tooLarge(limit: limit); return }
                output.append(contentsOf: chunk[..<produced])
                if rc == Z_STREAM_END { return }
                if produced == 0 && stream.avail_in == 0 {
                    failure = .corrupt("truncated compressed data")
                    return
                }
            }
        }
        if let failure { throw failure }
        return output
    }
}
