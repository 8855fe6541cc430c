extension JSONValue {
    /// What conditions, `!`, `&&`, `||` and `? :` take as true: everything except null,
    /// false, 0, "", [] and {}.
    public var isTruthy: Bool {
        switch self {
        case .null: false
        case .bool(let b): b
        case .number(let n): n != 0 && !n.isNaN
        case .string(let s): !s.isEmpty
        case .array(let a): !a.isEmpty
        case .object(let o): !o.isEmpty
        }
    }

    /// The value at a dotted input-mapping path such as "body.items.0.id": each segment is an
    /// object key, or for an array a whole-number index (negative counts from the end). The
    /// empty path is the value itself; nil when any step is missing or of the wrong kind.
    public func value(atPath path: String) -> JSONValue? {
        if path.isEmpty { return self }
        var current = self
        for segment in path.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false) {
            switch current {
            case .object(let members):
                guard let next = members[String(decoding: segment, as: UTF8.self)] else { return nil }
                current = next
            case .array(let items):
                guard let i = Self.arrayIndex(segment, count: items.count) else { return nil }
                current = items[i]
            default:
                return nil
            }
        }
        return current
    }

    /// A segment of ASCII digits, optionally after "-", naming an element that exists.
    private static func arrayIndex(_ segment: Substring.UTF8View.SubSequence, count: Int) -> Int? {
        var digits = segment[...]
        let negative = digits.first == UInt8(ascii: "-")
        if negative { digits = digits.dropFirst() }
        guard !digits.isEmpty, digits.count <= 18,
              digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
        let magnitude = digits.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
        let index = negative ? count - magnitude : magnitude
        return index >= 0 && index < count ? index : nil
    }
}
