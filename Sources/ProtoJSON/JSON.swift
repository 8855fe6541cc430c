// The one JSON tree of the HTTP face and the CLI. Numbers keep their literal text, so an
// int64 survives without passing through a Double; objects keep their members in written
// order (output is in field order, lookups are by name). The parser is strict RFC 8259 over
// bytes from the network or a file: duplicate members, leading zeros, lone surrogates and
// control characters are errors, every error says line, column and byte offset, and depth,
// size and number length are bounded. The printer writes compact or indented text. The CLI's
// YAML parser produces the same tree, so a definition file reads the same in either form.

/// A JSON value.
public indirect enum JSON: Sendable, Equatable {
    case null
    case bool(Bool)
    /// The number's text as written (validated RFC 8259 syntax).
    case number(String)
    case string(String)
    case array([JSON])
    case object([JSONMember])

    public static func number(_ value: Int64) -> JSON { .number(String(value)) }

    /// A double as proto3 JSON writes it: integral values without a fraction, NaN and the
    /// infinities as their strings, -0 kept (its bits differ from 0); `float` prints the
    /// shortest text that reads back as the same Float.
    public static func number(_ v: Double, float: Bool = false) -> JSON {
        if v.isNaN { return .string("NaN") }
        if v.isInfinite { return .string(v > 0 ? "Infinity" : "-Infinity") }
        if v == 0 && v.sign == .minus { return .number("-0") }
        if v == v.rounded() && abs(v) < 1e15 { return .number(String(Int64(v))) }
        return .number(float ? Float(v).description : v.description)
    }

    /// A member of an object (objects the parser made have no duplicate names).
    public subscript(key: String) -> JSON? {
        guard case .object(let members) = self else { return nil }
        return members.first(where: { $0.key == key })?.value
    }

    /// An object's member names in order; nil for anything else.
    public var objectKeys: [String]? {
        guard case .object(let members) = self else { return nil }
        return members.map(\.key)
    }

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }
}

public struct JSONMember: Sendable, Equatable {
    public var key: String
    public var value: JSON
    public init(_ key: String, _ value: JSON) {
        self.key = key
        self.value = value
    }
}

/// A parse error with its 1-based line and column (and, for JSON, the byte offset).
public struct SyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public var message: String
    /// Bytes from the start of the input; nil where the parser counts lines (YAML).
    public var offset: Int?
    public init(line: Int, column: Int, _ message: String, offset: Int? = nil) {
        (self.line, self.column, self.message, self.offset) = (line, column, message, offset)
    }
    public var description: String { "line \(line), column \(column): \(message)" }
}

public enum JSONParser {
    public static let maxDepth = 64
    public static let maxBytes = 4 << 20
    /// Longer number literals are refused (no value needs them; they cost time to convert).
    public static let maxNumberLength = 64

    public static func parse(_ text: String) throws(SyntaxError) -> JSON {
        try parse(Array(text.utf8))
    }

    public static func parse(_ bytes: [UInt8]) throws(SyntaxError) -> JSON {
        guard bytes.count <= maxBytes else {
            throw SyntaxError(line: 1, column: 1, "input of \(bytes.count) bytes is over the limit of \(maxBytes)", offset: 0)
        }
        var p = Cursor(bytes: bytes)
        p.skipSpace()
        let value = try p.value(depth: 0)
        p.skipSpace()
        if !p.atEnd { throw p.error("unexpected text after the JSON value") }
        return value
    }

    struct Cursor {
        let bytes: [UInt8]
        var at = 0
        var atEnd: Bool { at >= bytes.count }
        var peek: UInt8? { at < bytes.count ? bytes[at] : nil }

        func error(_ message: String) -> SyntaxError {
            var line = 1, column = 1
            for b in bytes[..<min(at, bytes.count)] {
                if b == 0x0A { line += 1; column = 1 } else if b & 0xC0 != 0x80 { column += 1 }
            }
            return SyntaxError(line: line, column: column, message, offset: at)
        }

        mutating func skipSpace() {
            while let b = peek, b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D { at += 1 }
        }

        mutating func expect(_ literal: String) throws(SyntaxError) {
            for b in literal.utf8 {
                guard peek == b else { throw error("expected \"\(literal)\"") }
                at += 1
            }
        }

        mutating func value(depth: Int) throws(SyntaxError) -> JSON {
            guard depth < JSONParser.maxDepth else { throw error("nested deeper than \(JSONParser.maxDepth) levels") }
            guard let b = peek else { throw error("unexpected end of input") }
            switch b {
            case UInt8(ascii: "{"):
                at += 1
                var members: [JSONMember] = []
                var seen: Set<String> = []
                skipSpace()
                if peek == UInt8(ascii: "}") { at += 1; return .object(members) }
                while true {
                    skipSpace()
                    guard peek == UInt8(ascii: "\"") else { throw error("expected a string key") }
                    let start = at
                    let key = try string()
                    guard seen.insert(key).inserted else {
                        at = start
                        throw error("duplicate member \"\(key)\"")
                    }
                    skipSpace()
                    try expect(":")
                    skipSpace()
                    members.append(JSONMember(key, try value(depth: depth + 1)))
                    skipSpace()
                    if peek == UInt8(ascii: ",") { at += 1; continue }
                    if peek == UInt8(ascii: "}") { at += 1; return .object(members) }
                    throw error("expected \",\" or \"}\"")
                }
            case UInt8(ascii: "["):
                at += 1
                var items: [JSON] = []
                skipSpace()
                if peek == UInt8(ascii: "]") { at += 1; return .array(items) }
                while true {
                    skipSpace()
                    items.append(try value(depth: depth + 1))
                    skipSpace()
                    if peek == UInt8(ascii: ",") { at += 1; continue }
                    if peek == UInt8(ascii: "]") { at += 1; return .array(items) }
                    throw error("expected \",\" or \"]\"")
                }
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): try expect("true"); return .bool(true)
            case UInt8(ascii: "f"): try expect("false"); return .bool(false)
            case UInt8(ascii: "n"): try expect("null"); return .null
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
            default: throw error("unexpected character")
            }
        }

        mutating func number() throws(SyntaxError) -> String {
            let start = at
            if peek == UInt8(ascii: "-") { at += 1 }
            guard let first = peek, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) else { throw error("bad number") }
            if first == UInt8(ascii: "0") {
                at += 1
                if let b = peek, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b) { throw error("leading zero in a number") }
            } else {
                digits()
            }
            if peek == UInt8(ascii: ".") {
                at += 1
                guard digits() > 0 else { throw error("a digit must follow the decimal point") }
            }
            if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
                at += 1
                if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { at += 1 }
                guard digits() > 0 else { throw error("a digit must follow the exponent") }
            }
            guard at - start <= JSONParser.maxNumberLength else {
                at = start
                throw error("number longer than \(JSONParser.maxNumberLength) characters")
            }
            return String(decoding: bytes[start..<at], as: UTF8.self)
        }

        @discardableResult
        mutating func digits() -> Int {
            let start = at
            while let b = peek, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b) { at += 1 }
            return at - start
        }

        mutating func string() throws(SyntaxError) -> String {
            at += 1  // the opening quote
            var out: [UInt8] = []
            while true {
                guard let b = peek else { throw error("unterminated string") }
                at += 1
                switch b {
                case UInt8(ascii: "\""):
                    guard let s = String(validating: out, as: UTF8.self) else { throw error("string is not valid UTF-8") }
                    return s
                case UInt8(ascii: "\\"):
                    guard let e = peek else { throw error("unterminated escape") }
                    at += 1
                    switch e {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                    case UInt8(ascii: "b"): out.append(0x08)
                    case UInt8(ascii: "f"): out.append(0x0C)
                    case UInt8(ascii: "n"): out.append(0x0A)
                    case UInt8(ascii: "r"): out.append(0x0D)
                    case UInt8(ascii: "t"): out.append(0x09)
                    case UInt8(ascii: "u"):
                        var scalar = try hex4()
                        if (0xD800..<0xDC00).contains(scalar) {
                            guard peek == UInt8(ascii: "\\") else { throw error("unpaired surrogate") }
                            at += 1
                            try expect("u")
                            let low = try hex4()
                            guard (0xDC00..<0xE000).contains(low) else { throw error("unpaired surrogate") }
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        } else if (0xDC00..<0xE000).contains(scalar) {
                            throw error("unpaired surrogate")
                        }
                        guard let u = Unicode.Scalar(scalar) else { throw error("invalid \\u escape") }
                        out.append(contentsOf: Array(String(Character(u)).utf8))
                    default: throw error("unknown escape \\\(Character(Unicode.Scalar(e)))")
                    }
                default:
                    guard b >= 0x20 else {
                        at -= 1
                        throw error("control character in a string")
                    }
                    out.append(b)
                }
            }
        }

        mutating func hex4() throws(SyntaxError) -> UInt32 {
            var v: UInt32 = 0
            for _ in 0..<4 {
                guard let b = peek, let d = hexDigit(b) else { throw error("expected 4 hex digits") }
                v = v << 4 | d
                at += 1
            }
            return v
        }
    }
}

/// The value of one hex digit, upper or lower case.
public func hexDigit(_ b: UInt8) -> UInt32? {
    switch b {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(b - UInt8(ascii: "0"))
    case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt32(b - UInt8(ascii: "a") + 10)
    case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt32(b - UInt8(ascii: "A") + 10)
    default: return nil
    }
}

extension JSON {
    /// Compact (one line) or indented by two spaces.
    public func render(pretty: Bool = false) -> String {
        var out = ""
        write(to: &out, pretty: pretty, indent: 0)
        return out
    }

    /// The compact text as UTF-8, for a response body.
    public func bytes() -> [UInt8] { Array(render().utf8) }

    private func write(to out: inout String, pretty: Bool, indent: Int) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let n): out += n
        case .string(let s): JSON.quote(s, into: &out)
        case .array(let items):
            if items.isEmpty { out += "[]"; return }
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                if pretty { out += "\n" + String(repeating: " ", count: indent + 2) }
                item.write(to: &out, pretty: pretty, indent: indent + 2)
            }
            if pretty { out += "\n" + String(repeating: " ", count: indent) }
            out += "]"
        case .object(let members):
            if members.isEmpty { out += "{}"; return }
            out += "{"
            for (i, m) in members.enumerated() {
                if i > 0 { out += "," }
                if pretty { out += "\n" + String(repeating: " ", count: indent + 2) }
                JSON.quote(m.key, into: &out)
                out += pretty ? ": " : ":"
                m.value.write(to: &out, pretty: pretty, indent: indent + 2)
            }
            if pretty { out += "\n" + String(repeating: " ", count: indent) }
            out += "}"
        }
    }

    static func quote(_ s: String, into out: inout String) {
        out += "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 || u.value == 0x7F {
                    let hex = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        out += "\""
    }
}
