// A compact binary form for the engine's hottest records (run events, and workflows in snapshots): varints, length-
// prefixed UTF-8 strings, and a tagged encoding of `JSONValue`. Written once per event on the
// run path, so it must cost a fraction of canonical JSON: no key sorting, no text escaping, no
// number formatting. Reading is bounds-checked everywhere and depth-limited: a damaged record
// is a `DecodeError`, never a crash.

struct ByteWriter {
    private(set) var bytes: [UInt8]
    /// Objects' members in UTF-8 key order, so equal values give equal bytes (snapshots);
    /// otherwise in storage order (decoding builds a dictionary again).
    let sortingKeys: Bool
    /// Set while encoding a record whose plain encoding is over the value blob threshold:
    /// values then go through it (`ValueSpill`), which turns large ones into references.
    var spill: ValueSpill?

    init(capacity: Int = 128, sortingKeys: Bool = false) {
        bytes = []
        bytes.reserveCapacity(capacity)
        self.sortingKeys = sortingKeys
    }

    mutating func byte(_ b: UInt8) { bytes.append(b) }

    mutating func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    mutating func count(_ n: Int) { varint(UInt64(n)) }
    mutating func int64(_ value: Int64) { varint(UInt64(bitPattern: (value << 1) ^ (value >> 63))) }
    mutating func int32(_ value: Int32) { int64(Int64(value)) }
    mutating func bool(_ value: Bool) { bytes.append(value ? 1 : 0) }
    mutating func double(_ value: Double) { withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }

    mutating func span(_ value: TimeSpan?) {
        guard let value else { return bool(false) }
        bool(true)
        int64(value.seconds)
        int32(value.nanos)
    }

    mutating func string(_ value: String) {
        var s = value
        s.withUTF8 { utf8 in
            varint(UInt64(utf8.count))
            bytes.append(contentsOf: utf8)
        }
    }

    /// Length-prefixed raw bytes.
    /// Empties the writer, keeping its capacity (a scratch buffer reused per item).
    mutating func removeAll() { bytes.removeAll(keepingCapacity: true) }

    mutating func lengthPrefixed(_ value: [UInt8]) {
        varint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    mutating func strings(_ values: [String]) {
        varint(UInt64(values.count))
        for v in values { string(v) }
    }

    mutating func instant(_ value: Instant) { int64(value.nanosSinceEpoch) }

    mutating func instant(_ value: Instant?) {
        guard let value else { return bool(false) }
        bool(true)
        instant(value)
    }

    mutating func append(_ raw: [UInt8]) { bytes.append(contentsOf: raw) }

    mutating func json(_ value: JSONValue) {
        if let spill { return spill.json(value, into: &self) }
        plain(value)
    }

    /// The value inline, large or not.
    mutating func plain(_ value: JSONValue) {
        let saved = spill
        spill = nil
        defer { spill = saved }
        tagged(value)
    }

    /// The value's tag and contents; items and members go through `json`, so a spill (when
    /// set) sees each of them.
    mutating func tagged(_ value: JSONValue) {
        switch value {
        case .null: byte(JSONTag.null)
        case .bool(let b): byte(b ? JSONTag.true : JSONTag.false)
        case .number(let n):
            byte(JSONTag.number)
            double(n)
        case .string(let s):
            byte(JSONTag.string)
            string(s)
        case .array(let items):
            byte(JSONTag.array)
            varint(UInt64(items.count))
            for item in items { json(item) }
        case .object(let members):
            byte(JSONTag.object)
            self.members(members)
        }
    }

    /// An object position of a record (inputs, outputs): its members.
    mutating func object(_ members: [String: JSONValue]) {
        if let spill { return spill.object(members, into: &self) }
        self.members(members)
    }

    private mutating func members(_ members: [String: JSONValue]) {
        varint(UInt64(members.count))
        if sortingKeys {
            for key in JSONValue.sortedKeys(members) {
                string(key)
                json(members[key]!)
            }
            return
        }
        for (key, value) in members {
            string(key)
            json(value)
        }
    }

    mutating func json(_ value: JSONValue?) {
        guard let value else { return bool(false) }
        bool(true)
        json(value)
    }
}

enum JSONTag {
    static let null: UInt8 = 0, `false`: UInt8 = 1, `true`: UInt8 = 2, number: UInt8 = 3, string: UInt8 = 4,
               array: UInt8 = 5, object: UInt8 = 6
    /// A value kept in a blob (`ValueBlobs`): its 32-byte SHA-256, then its encoding's size.
    static let blob: UInt8 = 7
}

/// Reads `bytes[offset..<end]` (all of `bytes` unless told otherwise: one record of several).
struct ByteReader {
    let bytes: [UInt8]
    private(set) var offset: Int
    let end: Int
    let path: String
    /// Where values kept in blobs are read from (run records); nil where none can be.
    var values: ValueBlobs?

    init(_ bytes: [UInt8], from offset: Int = 0, to end: Int? = nil, path: String) {
        self.bytes = bytes
        self.offset = offset
        self.end = end ?? bytes.count
        self.path = path
    }

    var atEnd: Bool { offset == end }

    func fail(_ what: String) -> DecodeError {
        DecodeError(path: path, message: "\(what) at byte \(offset) of \(end)")
    }

    mutating func byte() throws(DecodeError) -> UInt8 {
        guard offset < end else { throw fail("truncated") }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func varint() throws(DecodeError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let b = try byte()
            if shift == 63 && b > 1 { throw fail("varint overflows 64 bits") }
            result |= UInt64(b & 0x7F) << shift
            if b < 0x80 { return result }
            shift += 7
        }
    }

    mutating func int64() throws(DecodeError) -> Int64 {
        let raw = try varint()
        return Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
    }

    mutating func int32() throws(DecodeError) -> Int32 {
        let v = try int64()
        guard let small = Int32(exactly: v) else { throw fail("\(v) does not fit 32 bits") }
        return small
    }

    mutating func bool() throws(DecodeError) -> Bool {
        switch try byte() {
        case 0: return false
        case 1: return true
        case let b: throw fail("bad boolean \(b)")
        }
    }

    /// A count of items that each take at least one byte: never more than the bytes left.
    mutating func count() throws(DecodeError) -> Int {
        let n = try varint()
        guard n <= UInt64(end - offset) else { throw fail("count \(n) runs past the end") }
        return Int(n)
    }

    mutating func double() throws(DecodeError) -> Double {
        guard end - offset >= 8 else { throw fail("truncated number") }
        var raw: UInt64 = 0
        for i in 0..<8 { raw |= UInt64(bytes[offset + i]) << (8 * UInt64(i)) }
        offset += 8
        return Double(bitPattern: raw)
    }

    mutating func span() throws(DecodeError) -> TimeSpan? {
        guard try bool() else { return nil }
        return TimeSpan(seconds: try int64(), nanos: try int32())
    }

    /// Where the next length-prefixed item lies; skips over it.
    mutating func range() throws(DecodeError) -> Range<Int> {
        let n = try count()
        defer { offset += n }
        return offset..<(offset + n)
    }

    mutating func string() throws(DecodeError) -> String {
        let n = try count()
        let slice = bytes[offset..<offset + n]
        // Ids and names are mostly ASCII: checked here in one pass, not by the generic validator.
        let span = slice.span
        var ascii = true
        for i in 0..<span.count where span[i] >= 0x80 {
            ascii = false
            break
        }
        guard ascii || String(validating: slice, as: UTF8.self) != nil else { throw fail("string is not UTF-8") }
        offset += n
        return String(decoding: slice, as: UTF8.self)
    }

    /// The number `shared` gives the string (a string it holds is not made again).
    mutating func string(sharing shared: inout SharedStrings) throws(DecodeError) -> UInt32 {
        let start = offset
        let n = try count()
        if let known = shared.number(of: bytes[offset..<offset + n]) {
            offset += n
            return known
        }
        offset = start
        return shared.add(try string())
    }

    /// Length-prefixed raw bytes.
    mutating func lengthPrefixed() throws(DecodeError) -> [UInt8] { Array(bytes[try range()]) }

    mutating func strings() throws(DecodeError) -> [String] {
        let n = try count()
        var out: [String] = []
        out.reserveCapacity(n)
        for _ in 0..<n { out.append(try string()) }
        return out
    }

    mutating func instant() throws(DecodeError) -> Instant { Instant(nanosSinceEpoch: try int64()) }

    mutating func optionalInstant() throws(DecodeError) -> Instant? { try bool() ? try instant() : nil }

    mutating func enumValue<E: RawRepresentable>(_: E.Type) throws(DecodeError) -> E where E.RawValue == Int32 {
        let raw = try int32()
        guard let value = E(rawValue: raw) else { throw fail("unknown \(E.self) \(raw)") }
        return value
    }

    mutating func json(depth: Int = 0) throws(DecodeError) -> JSONValue {
        guard depth <= JSONValue.defaultDepthLimit else { throw fail("value nested deeper than \(JSONValue.defaultDepthLimit)") }
        switch try byte() {
        case JSONTag.null: return .null
        case JSONTag.false: return .bool(false)
        case JSONTag.true: return .bool(true)
        case JSONTag.number:
            let n = try double()
            guard n.isFinite else { throw fail("number is not finite") }
            return .number(n)
        case JSONTag.string: return .string(try string())
        case JSONTag.array:
            let n = try count()
            var items: [JSONValue] = []
            items.reserveCapacity(n)
            for _ in 0..<n { items.append(try json(depth: depth + 1)) }
            return .array(items)
        case JSONTag.object: return .object(try object(depth: depth + 1))
        case JSONTag.blob:
            guard end - offset >= 32 else { throw fail("truncated value reference") }
            let digest = Array(bytes[offset..<offset + 32])
            offset += 32
            let size = try varint()
            guard let values else { throw fail("a value kept in a blob, with no blob store to read it from") }
            guard size <= UInt64(Int.max) else { throw fail("value reference of \(size) bytes") }
            return try values.value(digest, bytes: Int(size), depth: depth)
        case let tag: throw fail("unknown value tag \(tag)")
        }
    }

    mutating func object(depth: Int = 0) throws(DecodeError) -> [String: JSONValue] {
        let n = try count()
        var members: [String: JSONValue] = [:]
        members.reserveCapacity(n)
        for _ in 0..<n {
            let key = try string()
            guard members.updateValue(try json(depth: depth), forKey: key) == nil else { throw fail("duplicate key \"\(key)\"") }
        }
        return members
    }

    /// `.none` when absent (a bare `nil` here would be JSONValue's nil literal, `.null`).
    mutating func optionalJSON() throws(DecodeError) -> JSONValue? {
        guard try bool() else { return .none }
        return try json()
    }
}

/// Strings that many decoded records repeat (the tenant and workflow ids of a million archived
/// runs): each kept once, and known by its number. The last few handed out are compared byte
/// for byte before any new string is made, since records of one workflow tend to come together.
struct SharedStrings {
    private(set) var strings: [String] = []
    private var numbers: [String: UInt32] = [:]
    private var recent: [UInt32] = []
    static let recentCount = 4

    subscript(number: UInt32) -> String { strings[Int(number)] }

    func number(of bytes: ArraySlice<UInt8>) -> UInt32? {
        let given = bytes.span
        return recent.first { n in
            let known = strings[Int(n)].utf8.span
            guard known.count == given.count else { return false }
            for i in 0..<known.count where known[i] != given[i] { return false }
            return true
        }
    }

    mutating func add(_ s: String) -> UInt32 {
        let n = numbers[s] ?? {
            strings.append(s)
            numbers[s] = UInt32(strings.count - 1)
            return UInt32(strings.count - 1)
        }()
        if recent.count == Self.recentCount { recent.removeFirst() }
        recent.append(n)
        return n
    }
}
