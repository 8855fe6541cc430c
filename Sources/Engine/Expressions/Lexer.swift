extension Expression {
    enum Punct: String, Sendable {
        case lparen = "(", rparen = ")", lbracket = "[", rbracket = "]", lbrace = "{", rbrace = "}"
        case comma = ",", colon = ":", dot = ".", question = "?", coalesce = "??"
        case or = "||", and = "&&", equal = "==", notEqual = "!=", not = "!"
        case less = "<", lessEqual = "<=", greater = ">", greaterEqual = ">="
        case plus = "+", minus = "-", times = "*", divide = "/", remainder = "%"
    }

    enum TokenKind: Sendable, Equatable {
        case number(Double)
        case string(String)
        /// Identifiers and the words true, false, null and in.
        case name(String)
        case punct(Punct)
        case end
    }

    /// `start` and `end` are UTF-8 offsets from the start of the expression source.
    struct Token: Sendable {
        var kind: TokenKind
        var start: Int
        var end: Int

        /// How error messages name the token.
        var quoted: String {
            switch kind {
            case .number: "a number"
            case .string: "a string"
            case .name(let n): "\"\(n)\""
            case .punct(let p): "\"\(p.rawValue)\""
            case .end: "the end of the expression"
            }
        }
    }

    /// Turns UTF-8 bytes into tokens on demand. It reads `bytes[base..<limit]`; offsets are
    /// relative to `base`, so an expression inside a template reports offsets into its own
    /// source. When `limit` cuts the text short (a template tag longer than the source limit),
    /// reaching it is a "too long" error rather than the end of the expression.
    struct Lexer {
        let bytes: [UInt8]
        let base: Int
        let limit: Int
        let cutShort: Bool
        var position: Int
        /// After ".", digits lex as an integer only, so `items.0.id` is two index steps.
        var afterDot = false

        init(bytes: [UInt8], base: Int, limit: Int) {
            self.bytes = bytes
            self.base = base
            self.limit = limit
            self.cutShort = limit < bytes.count
            self.position = base
        }

        func fail(_ message: String, at absolute: Int) -> ExpressionFailure {
            ExpressionFailure(message, at: absolute - base)
        }

        func tooLong() -> ExpressionFailure {
            ExpressionFailure("expression longer than \(ExpressionLimits.maxSourceBytes) bytes", at: 0)
        }

        /// The raw byte after the last token, for the template's second "}".
        func byte(at relative: Int) -> UInt8? {
            let i = base + relative
            return i < limit ? bytes[i] : nil
        }

        mutating func next() throws(ExpressionFailure) -> Token {
            skipWhitespace()
            let start = position
            guard position < limit else {
                if cutShort { throw tooLong() }
                return Token(kind: .end, start: start - base, end: start - base)
            }
            let wasAfterDot = afterDot
            afterDot = false
            let c = bytes[position]
            let kind: TokenKind
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                kind = .number(try number(integerOnly: wasAfterDot))
            case UInt8(ascii: "\""), UInt8(ascii: "'"):
                kind = .string(try string(quote: c))
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "_"):
                while position < limit, Self.isNameByte(bytes[position]) { position += 1 }
                kind = .name(String(decoding: bytes[start..<position], as: UTF8.self))
            default:
                let p = try punct(c)
                afterDot = p == .dot
                kind = .punct(p)
            }
            return Token(kind: kind, start: start - base, end: position - base)
        }

        static func isNameByte(_ c: UInt8) -> Bool {
            switch c {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"): true
            default: false
            }
        }

        mutating func skipWhitespace() {
            while position < limit {
                switch bytes[position] {
                case 0x20, 0x09, 0x0A, 0x0D: position += 1
                default: return
                }
            }
        }

        mutating func punct(_ c: UInt8) throws(ExpressionFailure) -> Punct {
            let next: UInt8? = position + 1 < limit ? bytes[position + 1] : nil
            let two: Punct? = switch (c, next) {
            case (UInt8(ascii: "?"), UInt8(ascii: "?")): .coalesce
            case (UInt8(ascii: "|"), UInt8(ascii: "|")): .or
            case (UInt8(ascii: "&"), UInt8(ascii: "&")): .and
            case (UInt8(ascii: "="), UInt8(ascii: "=")): .equal
            case (UInt8(ascii: "!"), UInt8(ascii: "=")): .notEqual
            case (UInt8(ascii: "<"), UInt8(ascii: "=")): .lessEqual
            case (UInt8(ascii: ">"), UInt8(ascii: "=")): .greaterEqual
            default: nil
            }
            if let two {
                position += 2
                return two
            }
            guard c < 0x80, let one = Punct(rawValue: String(UnicodeScalar(c))) else {
                throw fail(unexpectedCharacterMessage(), at: position)
            }
            position += 1
            return one
        }

        func unexpectedCharacterMessage() -> String {
            var iterator = bytes[position..<limit].makeIterator()
            var decoder = UTF8()
            guard case .scalarValue(let scalar) = decoder.decode(&iterator) else { return "unexpected byte" }
            let shown = scalar.properties.isWhitespace || scalar.value < 0x20
                ? "U+" + String(scalar.value, radix: 16, uppercase: true) : "\"\(Character(scalar))\""
            switch scalar {
            case "=": return "unexpected character \"=\" (comparison is ==)"
            case "&": return "unexpected character \"&\" (logical and is &&)"
            case "|": return "unexpected character \"|\" (logical or is ||)"
            default: return "unexpected character \(shown)"
            }
        }

        mutating func skipDigits() -> Bool {
            let start = position
            while position < limit, bytes[position] >= UInt8(ascii: "0"), bytes[position] <= UInt8(ascii: "9") {
                position += 1
            }
            return position > start
        }

        func isDigit(at i: Int) -> Bool {
            i < limit && bytes[i] >= UInt8(ascii: "0") && bytes[i] <= UInt8(ascii: "9")
        }

        mutating func number(integerOnly: Bool) throws(ExpressionFailure) -> Double {
            let start = position
            _ = skipDigits()
            if !integerOnly {
                if position < limit, bytes[position] == UInt8(ascii: "."), isDigit(at: position + 1) {
                    position += 1
                    _ = skipDigits()
                }
                if position < limit, bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E") {
                    var i = position + 1
                    if i < limit, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
                    if isDigit(at: i) {
                        position = i
                        _ = skipDigits()
                    }
                }
            }
            if position < limit, Self.isNameByte(bytes[position]) {
                throw fail("invalid number", at: start)
            }
            let text = String(decoding: bytes[start..<position], as: UTF8.self)
            guard let value = Double(text), value.isFinite else { throw fail("number too large", at: start) }
            return value
        }

        mutating func string(quote: UInt8) throws(ExpressionFailure) -> String {
            let start = position
            position += 1
            var out: [UInt8] = []
            while true {
                guard position < limit else {
                    if cutShort { throw tooLong() }
                    throw fail("unterminated string", at: start)
                }
                let c = bytes[position]
                if c == quote {
                    position += 1
                    return String(decoding: out, as: UTF8.self)
                }
                guard c == UInt8(ascii: "\\") else {
                    out.append(c)
                    position += 1
                    continue
                }
                let escapeStart = position
                position += 1
                guard position < limit else { continue }  // reported as unterminated above
                let e = bytes[position]
                position += 1
                switch e {
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "0"): out.append(0x00)
                case UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                case UInt8(ascii: "u"): out.append(contentsOf: try unicodeEscape(at: escapeStart).utf8)
                default:
                    let shown = e >= 0x20 && e < 0x7F ? "\\" + String(UnicodeScalar(e)) : "\\ followed by a byte 0x\(String(e, radix: 16))"
                    throw fail("invalid escape \(shown) (use \\n \\t \\r \\b \\f \\0 \\\" \\' \\\\ \\/ or \\uXXXX)", at: escapeStart)
                }
            }
        }

        mutating func hex4(escapeAt: Int) throws(ExpressionFailure) -> UInt32 {
            let digits = bytes[position..<Swift.min(position + 4, limit)]
            guard digits.count == 4, digits.allSatisfy({ Character(UnicodeScalar($0)).isHexDigit }),
                  let value = UInt32(String(decoding: digits, as: UTF8.self), radix: 16)
            else { throw fail("\\u needs four hex digits", at: escapeAt) }
            position += 4
            return value
        }

        /// `\uXXXX`, with a surrogate pair written as two escapes.
        mutating func unicodeEscape(at escapeAt: Int) throws(ExpressionFailure) -> String {
            var value = try hex4(escapeAt: escapeAt)
            if (0xD800...0xDBFF).contains(value) {
                guard position + 1 < limit, bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u")
                else { throw fail("unpaired surrogate in \\u escape", at: escapeAt) }
                position += 2
                let low = try hex4(escapeAt: escapeAt)
                guard (0xDC00...0xDFFF).contains(low) else { throw fail("unpaired surrogate in \\u escape", at: escapeAt) }
                value = 0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00)
            }
            guard let scalar = UnicodeScalar(value) else { throw fail("unpaired surrogate in \\u escape", at: escapeAt) }
            return String(Character(scalar))
        }
    }
}
