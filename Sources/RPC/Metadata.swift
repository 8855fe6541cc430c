import ProtoWire

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
        if name.utf8.first == UInt8(ascii: ":") { return true }
        switch name.utf8.count {  // by length first: at most three string comparisons
        case 2: return name == "te"
        case 4: return name == "host"
        case 10: return name == "connection"
        case 11: return name == "grpc-status"
        case 12: return name == "content-type" || name == "grpc-timeout" || name == "grpc-message"
        case 13: return name == "grpc-encoding"
        case 14: return name == "content-length"
        case 20: return name == "grpc-accept-encoding"
        case 23: return name == "grpc-status-details-bin"
        default: return false
        }
    }

    /// Adds a request header field as custom metadata; `-bin` values are base64-decoded
    /// (padded or not, possibly a comma-separated list). False when a value does not decode.
    mutating func appendRequestField(_ field: HeaderField) -> Bool {
        guard field.name.hasSuffix("-bin") else {
            entries.append((field.name, .string(field.value)))
            return true
        }
        for part in field.value.split(separator: ",", omittingEmptySubsequences: false) {
            guard let bytes = Base64.decode(part.trimmingSpaces()) else { return false }
            entries.append((field.name, .binary(bytes)))
        }
        return true
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
