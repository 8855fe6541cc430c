import Gzip

/// A `grpc-encoding` this server can read and write.
public enum MessageEncoding: String, Sendable, CaseIterable {
    case identity
    case deflate
    case gzip

    /// The value of `grpc-accept-encoding` the server sends.
    public static let acceptHeader = "identity,deflate,gzip"

    var zlibFormat: ZlibFormat? {
        switch self {
        case .identity: return nil
        case .deflate: return .deflate
        case .gzip: return .gzip
        }
    }

    /// Parses a `grpc-accept-encoding` list, keeping only encodings we support.
    static func parseAcceptList(_ header: String?) -> [MessageEncoding] {
        guard let header else { return [] }
        return header.split(separator: ",").compactMap {
            MessageEncoding(rawValue: $0.trimmingSpaces().lowercased())
        }
    }

    func compress(_ body: ArraySlice<UInt8>) throws(RPCError) -> [UInt8] {
        guard let format = zlibFormat else { return Array(body) }
        do {
            return try Zlib.compress(body, format: format)
        } catch {
            throw RPCError(.internal, "compressing the response with \(rawValue) failed: \(error)")
        }
    }

    func decompress(_ body: ArraySlice<UInt8>, limit: Int) throws(RPCError) -> [UInt8] {
        guard let format = zlibFormat else { return Array(body) }
        do {
            return try Zlib.decompress(body, format: format, limit: limit)
        } catch .tooLarge(let limit) {
            throw RPCError(.resourceExhausted,
                           "decompressed message larger than max (limit \(limit) bytes)")
        } catch {
            throw RPCError(.internal, "could not decompress \(rawValue) message: \(error)")
        }
    }
}

extension Substring {
    func trimmingSpaces() -> Substring {
        var s = self
        while s.first == " " || s.first == "\t" { s = s.dropFirst() }
        while s.last == " " || s.last == "\t" { s = s.dropLast() }
        return s
    }
}
