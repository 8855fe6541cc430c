/// gRPC custom metadata: an ordered multi-map. Keys ending in `-bin` carry binary values,
/// sent base64-encoded; all other values are printable ASCII strings.
public struct Metadata: Sendable, Equatable, Sequence {
    public enum Value: Sendable, Equatable {
        case string(String)
        case binary([UInt8])
    }

    public private(set) var entries: [(key: String, value: Value)] = []

    public init() {}

    public init(_ pairs: [(String, String)]) {
        for (k, v) in pairs { add(k, v) }
    }

    public static func == (lhs: Metadata, rhs: Metadata) -> Bool {
        lhs.entries.count == rhs.entries.count
            && zip(lhs.entries, rhs.entries).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }

    public var isEmpty: Bool { entries.isEmpty }
    public var count: Int { entries.count }

    public func makeIterator() -> IndexingIterator<[(key: String, value: Value)]> {
        entries.makeIterator()
    }

    /// Adds a string value. The key is lower-cased.
    public mutating func add(_ key: String, _ value: String) {
        entries.append((key.lowercased(), .string(value)))
    }

    /// Adds a binary value; the key must end in `-bin`.
    public mutating func add(_ key: String, binary value: [UInt8]) {
        entries.append((key.lowercased(), .binary(value)))
    }

    public mutating func add(contentsOf other: Metadata) {
        entries.append(contentsOf: other.entries)
    }

    /// The first string value for `key`.
    public subscript(key: String) -> String? {
        for entry in entries where entry.key == key {
            if case .string(let s) = entry.value { return s }
        }
        return nil
    }

    /// The first binary value for `key` (which ends in `-bin`).
    public func binary(_ key: String) -> [UInt8]? {
        for entry in entries where entry.key == key {
            if case .binary(let b) = entry.value { return b }
        }
        return nil
    }

    /// Header fields that are transport or gRPC protocol fields, never custom metadata.
    static func isReserved(_ name: String) -> Bool {
        if name.hasPrefix(":") { return true }
        switch name {
        case "content-type", "te", "grpc-timeout", "grpc-encoding", "grpc-accept-encoding",
             "grpc-status", "grpc-message", "grpc-status-details-bin", "connection",
             "content-length", "host":
            return true
        default:
            return false
        }
    }

    /// Custom metadata from request header fields; `-bin` values are base64-decoded
    /// (padded or not). Returns nil with the offending key when a value does not decode.
    static func fromRequest(_ fields: [HeaderField]) -> Result<Metadata, RPCError> {
        var md = Metadata()
        for field in fields where !isReserved(field.name) {
            if field.name.hasSuffix("-bin") {
                // A comma-separated list of base64 values is allowed; keep each.
                for part in field.value.split(separator: ",", omittingEmptySubsequences: false) {
                    let trimmed = part.drop(while: { $0 == " " })
                    guard let bytes = Base64.decode(Substring(trimmed)) else {
                        return .failure(RPCError(.internal, "metadata \(field.name) is not valid base64"))
                    }
                    md.entries.append((field.name, .binary(bytes)))
                }
            } else {
                md.entries.append((field.name, .string(field.value)))
            }
        }
        return .success(md)
    }

    /// Header fields for a response: `-bin` values base64 (unpadded, as gRPC sends them).
    func appendFields(to fields: inout [HeaderField]) {
        for entry in entries where !Metadata.isReserved(entry.key) {
            switch entry.value {
            case .string(let s): fields.append(HeaderField(entry.key, s))
            case .binary(let b): fields.append(HeaderField(entry.key, Base64.encode(b, padded: false)))
            }
        }
    }
}

/// Standard base64 (RFC 4648 section 4), without Foundation.
public enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    private static let reverse: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (i, c) in alphabet.enumerated() { table[Int(c)] = UInt8(i) }
        // The URL-safe alphabet decodes too: some clients send it.
        table[Int(UInt8(ascii: "-"))] = 62
        table[Int(UInt8(ascii: "_"))] = 63
        return table
    }()

    public static func encode(_ bytes: [UInt8], padded: Bool = true) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var i = 0
        while i + 3 <= bytes.count {
            let n = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
            out.append(alphabet[Int(n >> 18 & 63)]); out.append(alphabet[Int(n >> 12 & 63)])
            out.append(alphabet[Int(n >> 6 & 63)]); out.append(alphabet[Int(n & 63)])
            i += 3
        }
        let rest = bytes.count - i
        if rest > 0 {
            var n = UInt32(bytes[i]) << 16
            if rest == 2 { n |= UInt32(bytes[i + 1]) << 8 }
            out.append(alphabet[Int(n >> 18 & 63)]); out.append(alphabet[Int(n >> 12 & 63)])
            if rest == 2 { out.append(alphabet[Int(n >> 6 & 63)]) }
            if padded { out.append(contentsOf: rest == 2 ? [0x3D] : [0x3D, 0x3D]) }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes padded or unpadded base64; nil when malformed.
    public static func decode(_ text: Substring) -> [UInt8]? {
        var utf8 = Array(text.utf8)
        while utf8.last == 0x3D { utf8.removeLast() }
        if utf8.count % 4 == 1 { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count * 3 / 4)
        var acc: UInt32 = 0
        var bits = 0
        for c in utf8 {
            let v = reverse[Int(c)]
            if v == 0xFF { return nil }
            acc = acc << 6 | UInt32(v)
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: acc >> UInt32(bits)))
            }
        }
        return out
    }
}
