/// The names of one tenant's live (not deleted) workflows, unique among them, and for each
/// clashing base name the first free " (n)" suffix. A create whose name is taken gets
/// "base (1)", "base (2)", ...: the first free one. Trying 1, 2, 3, ... made every further
/// "Untitled" of a tenant that had 10,000 of them try all 10,000 names first.
struct LiveNames: Sendable, Hashable {
    private var owners: [String: String] = [:]
    /// base -> n: "base (n)" is free and every "base (m)" with 1 <= m < n is taken. A base with
    /// no entry has n = 1. Follows from `owners` alone, so equality and hashing ignore it.
    private var firstFree: [String: Int] = [:]

    init() {}

    /// The id of the live workflow named `name`.
    subscript(name: String) -> String? { owners[name] }

    /// `base` if no live workflow has it, else the first free "base (n)".
    func uniqueName(_ base: String) -> String {
        owners[base] == nil ? base : Self.suffixed(base, firstFree[base, default: 1])
    }

    mutating func claim(_ name: String, by id: String) {
        owners[name] = id
        guard let (base, n) = Self.split(name), n == firstFree[base, default: 1] else { return }
        var next = n + 1
        while owners[Self.suffixed(base, next)] != nil { next += 1 }
        firstFree[base] = next
    }

    /// Frees `name` if `id` holds it.
    mutating func release(_ name: String, by id: String) {
        guard owners[name] == id else { return }
        owners[name] = nil
        if let (base, n) = Self.split(name), n < firstFree[base, default: 1] { firstFree[base] = n }
    }

    static func == (a: LiveNames, b: LiveNames) -> Bool { a.owners == b.owners }
    func hash(into hasher: inout Hasher) { hasher.combine(owners) }

    private static func suffixed(_ base: String, _ n: Int) -> String { "\(base) (\(n))" }

    /// "base (n)" -> (base, n), for the n >= 1 that `suffixed` writes (no sign, no leading zero).
    static func split(_ name: String) -> (base: String, n: Int)? {
        guard name.utf8.last == UInt8(ascii: ")") else { return nil }  // most names: no copy
        let bytes = Array(name.utf8)
        guard bytes.count >= 4 else { return nil }
        var i = bytes.count - 2
        var n = 0, digits = 0
        while i >= 0, bytes[i] >= UInt8(ascii: "0"), bytes[i] <= UInt8(ascii: "9") {
            digits += 1
            i -= 1
        }
        guard digits > 0, digits <= 18, i >= 1, bytes[i] == UInt8(ascii: "("), bytes[i - 1] == UInt8(ascii: " "),
              bytes[i + 1] != UInt8(ascii: "0") else { return nil }
        for b in bytes[(i + 1)...(bytes.count - 2)] { n = n * 10 + Int(b - UInt8(ascii: "0")) }
        return (String(decoding: bytes[..<(i - 1)], as: UTF8.self), n)
    }
}
