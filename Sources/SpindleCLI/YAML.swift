// A strict YAML subset for workflow definition files, parsed into the same JSON tree the
// JSON form gives. Hostile-input code: a pure function of the text, every failure a
// SyntaxError with line and column, bounded in size and depth (the libFuzzer target in
// fuzz/ calls `YAML.parse` directly).
//
// Supported: block mappings and sequences (indentation by spaces; "- key: v" compact
// mappings; a sequence at its key's indentation), plain scalars (null ~ true false, decimal
// numbers, everything else a string), single- and double-quoted scalars (one line),
// literal `|` and folded `>` blocks with `-` / `+` chomping and an indentation digit,
// comments, an optional leading `---`, and flow `[...]` / `{...}` collections on one line.
// Refused with a clear error: tabs in indentation, anchors, aliases, tags, directives,
// duplicate keys, multi-line plain scalars, several documents.
public import ProtoJSON

public enum YAML {
    public struct Limits: Sendable {
        public var maxBytes = 1 << 20
        public var maxDepth = 64
        public init() {}
    }

    public static func parse(_ text: String, limits: Limits = Limits()) throws(SyntaxError) -> JSON {
        guard text.utf8.count <= limits.maxBytes else {
            throw SyntaxError(line: 1, column: 1, "input of \(text.utf8.count) bytes is over the limit of \(limits.maxBytes)")
        }
        var parser = try Parser(text, limits: limits)
        return try parser.document()
    }

    struct Line {
        var number: Int
        /// Columns of leading spaces (the virtual lines made for "- " items count the dash).
        var indent: Int
        /// The text after the indentation, comment not yet removed.
        var text: Substring
        var isBlank: Bool { text.isEmpty || text.first == "#" }
    }

    struct Parser {
        var lines: [Line] = []
        var i = 0
        let limits: Limits

        init(_ text: String, limits: Limits) throws(SyntaxError) {
            self.limits = limits
            var number = 0
            for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
                number += 1
                var line = raw
                if line.last == "\r" { line = line.dropLast() }
                var indent = 0
                while line.first == " " { line = line.dropFirst(); indent += 1 }
                if line.first == "\t" && !line.allSatisfy({ $0 == "\t" || $0 == " " }) {
                    throw SyntaxError(line: number, column: indent + 1, "tabs are not allowed for indentation")
                }
                if line.allSatisfy({ $0 == " " || $0 == "\t" }) { line = line[line.endIndex...] }
                lines.append(Line(number: number, indent: indent, text: line))
            }
        }

        func error(_ line: Line, _ column: Int, _ message: String) -> SyntaxError {
            SyntaxError(line: line.number, column: line.indent + column + 1, message)
        }

        /// The next line with content, skipping blanks and comments.
        mutating func nextContent() -> Line? {
            while i < lines.count, lines[i].isBlank { i += 1 }
            return i < lines.count ? lines[i] : nil
        }

        mutating func document() throws(SyntaxError) -> JSON {
            if let first = nextContent(), first.indent == 0, first.text.hasPrefix("%") {
                throw error(first, 0, "directives are not supported")
            }
            if let first = nextContent(), first.indent == 0, first.text == "---" || first.text.hasPrefix("--- ") {
                let rest = first.text.dropFirst(3).drop(while: { $0 == " " })
                if rest.isEmpty || rest.first == "#" { i += 1 } else {
                    lines[i].text = rest
                    lines[i].indent += first.text.count - rest.count
                }
            }
            guard let first = nextContent() else { return .null }
            if first.indent != 0 { throw error(first, 0, "the document must start at column 1") }
            let value = try block(indent: 0, depth: 0)
            if let extra = nextContent() {
                if extra.text == "---" || extra.text.hasPrefix("--- ") || extra.text == "..." {
                    throw error(extra, 0, "only one document is supported")
                }
                throw error(extra, 0, "unexpected content (check the indentation)")
            }
            return value
        }

        /// The node whose first line is the next content line, at exactly `indent`.
        mutating func block(indent: Int, depth: Int) throws(SyntaxError) -> JSON {
            guard depth < limits.maxDepth else {
                throw error(lines[i], 0, "nested deeper than \(limits.maxDepth) levels")
            }
            guard let line = nextContent() else { return .null }
            if isSequenceItem(line.text) { return try sequence(indent: line.indent, depth: depth) }
            if try keySplit(line) != nil { return try mapping(indent: line.indent, depth: depth) }
            i += 1
            let value = try inlineValue(line, from: 0, depth: depth)
            return value
        }

        func isSequenceItem(_ text: Substring) -> Bool {
            text == "-" || text.hasPrefix("- ") || text.hasPrefix("-\t")
        }

        mutating func sequence(indent: Int, depth: Int) throws(SyntaxError) -> JSON {
            var items: [JSON] = []
            while let line = nextContent(), line.indent == indent, isSequenceItem(line.text) {
                let rest = line.text.dropFirst().drop(while: { $0 == " " })
                if rest.isEmpty || rest.first == "#" {
                    i += 1
                    if let next = nextContent(), next.indent > indent {
                        items.append(try block(indent: next.indent, depth: depth + 1))
                    } else {
                        items.append(.null)
                    }
                } else {
                    // The item's content becomes a line of its own, indented past the dash, so
                    // "- id: a" continues with "  type: b" as one mapping.
                    lines[i].indent = indent + (line.text.count - rest.count)
                    lines[i].text = rest
                    items.append(try block(indent: lines[i].indent, depth: depth + 1))
                }
            }
            if let line = nextContent(), line.indent > indent {
                throw error(line, 0, "unexpected indentation inside a sequence")
            }
            return .array(items)
        }

        mutating func mapping(indent: Int, depth: Int) throws(SyntaxError) -> JSON {
            var members: [JSONMember] = []
            while let line = nextContent(), line.indent == indent, !isSequenceItem(line.text) {
                guard let (key, valueStart) = try keySplit(line) else {
                    if line.indent == 0 && (line.text == "---" || line.text.hasPrefix("--- ") || line.text == "...") {
                        throw error(line, 0, "only one document is supported")
                    }
                    throw error(line, 0, "expected \"key: value\"")
                }
                if members.contains(where: { $0.key == key }) { throw error(line, 0, "duplicate key \"\(key)\"") }
                let rest = dropSpaces(line.text.dropFirst(valueStart))
                let restColumn = line.text.count - rest.count
                i += 1
                let value: JSON
                if rest.isEmpty || rest.first == "#" {
                    if let next = nextContent(), next.indent > indent {
                        value = try block(indent: next.indent, depth: depth + 1)
                    } else if let next = nextContent(), next.indent == indent, isSequenceItem(next.text) {
                        value = try sequence(indent: indent, depth: depth + 1)
                    } else {
                        value = .null
                    }
                } else if rest.first == "|" || rest.first == ">" {
                    value = .string(try blockScalar(header: rest, line: line, column: restColumn, parentIndent: indent))
                } else {
                    value = try inlineValue(line, from: restColumn, depth: depth + 1)
                }
                members.append(JSONMember(key, value))
            }
            if let line = nextContent(), line.indent > indent {
                throw error(line, 0, "unexpected indentation inside a mapping")
            }
            return .object(members)
        }

        /// "key: ..." → the key and where its value starts; nil when the line is no mapping entry.
        func keySplit(_ line: Line) throws(SyntaxError) -> (String, Int)? {
            let text = line.text
            guard let first = text.first else { return nil }
            if first == "\"" || first == "'" {
                var scan = Scanner(text: text, line: line, parser: self)
                let key = try scan.quoted()
                scan.skipSpaces()
                guard scan.peek == ":" else { return nil }
                scan.advance()
                guard scan.atEnd || scan.peek == " " else { return nil }
                return (key, scan.offset)
            }
            if "[{&*!|>%@`".contains(first) { return nil }
            var previous: Character = " "
            for (offset, c) in text.enumerated() {
                if c == "#" && previous == " " { return nil }
                if c == ":" {
                    let next = text.dropFirst(offset + 1).first
                    if next == nil || next == " " {
                        let key = String(text.prefix(offset)).trimmingTrailingSpaces()
                        guard !key.isEmpty else { return nil }
                        return (key, offset + 1)
                    }
                }
                previous = c
            }
            return nil
        }

        mutating func blockScalar(header: Substring, line: Line, column: Int, parentIndent: Int) throws(SyntaxError) -> String {
            let literal = header.first == "|"
            var chomp: Character = " "
            var explicitIndent: Int?
            for (k, c) in header.dropFirst().enumerated() {
                if c == "-" || c == "+", chomp == " " { chomp = c; continue }
                if let d = c.wholeNumberValue, d > 0, explicitIndent == nil { explicitIndent = d; continue }
                if c == " " {
                    let rest = header.dropFirst(k + 1).drop(while: { $0 == " " })
                    if rest.isEmpty || rest.first == "#" { break }
                }
                throw error(line, column + k + 1, "bad block scalar header \"\(header)\"")
            }
            var body: [Substring] = []
            var contentIndent = explicitIndent.map { parentIndent + $0 }
            while i < lines.count {
                let l = lines[i]
                if l.text.isEmpty {
                    body.append("")
                    i += 1
                    continue
                }
                if contentIndent == nil {
                    guard l.indent > parentIndent else { break }
                    contentIndent = l.indent
                }
                guard let ci = contentIndent, l.indent >= ci else { break }
                body.append(Substring(String(repeating: " ", count: l.indent - ci)) + l.text)
                i += 1
            }
            // Trailing blank lines belong to the scalar only for chomping; give back none
            // of them (blank lines are skipped by the block parser anyway).
            var trailing = 0
            while let last = body.last, last.isEmpty { body.removeLast(); trailing += 1 }
            var text: String
            if literal {
                text = body.joined(separator: "\n")
            } else {
                text = ""
                var previousWasText = false
                for piece in body {
                    if piece.isEmpty {
                        text += "\n"
                        previousWasText = false
                    } else if piece.first == " " {
                        if previousWasText { text += "\n" }
                        text += piece + "\n"
                        previousWasText = false
                    } else {
                        if previousWasText { text += " " }
                        text += piece
                        previousWasText = true
                    }
                }
                if text.hasSuffix("\n") && !previousWasText { text.removeLast() }
            }
            if body.isEmpty { return chomp == "+" ? String(repeating: "\n", count: trailing) : "" }
            switch chomp {
            case "-": return text
            case "+": return text + "\n" + String(repeating: "\n", count: trailing)
            default: return text + "\n"
            }
        }

        /// A value on the rest of one line: quoted, flow collection or plain scalar.
        func inlineValue(_ line: Line, from column: Int, depth: Int) throws(SyntaxError) -> JSON {
            var scan = Scanner(text: line.text, line: line, parser: self)
            scan.offsetBy(column)
            let value = try scan.value(depth: depth, flow: false)
            scan.skipSpaces()
            if !scan.atEnd && scan.peek != "#" {
                throw error(line, scan.offset, "unexpected text after the value")
            }
            return value
        }
    }

    /// A character scanner over one line, for quoted scalars, flow collections and plain scalars.
    struct Scanner {
        let chars: [Character]
        let line: Line
        let parser: Parser
        var offset = 0

        init(text: Substring, line: Line, parser: Parser) {
            chars = Array(text)
            self.line = line
            self.parser = parser
        }

        var atEnd: Bool { offset >= chars.count }
        var peek: Character? { offset < chars.count ? chars[offset] : nil }
        mutating func advance() { offset += 1 }
        mutating func offsetBy(_ n: Int) { offset += n }
        mutating func skipSpaces() { while peek == " " || peek == "\t" { offset += 1 } }
        func error(_ message: String) -> SyntaxError { parser.error(line, offset, message) }

        mutating func value(depth: Int, flow: Bool) throws(SyntaxError) -> JSON {
            guard depth < parser.limits.maxDepth else { throw error("nested deeper than \(parser.limits.maxDepth) levels") }
            skipSpaces()
            guard let c = peek else { return .null }
            switch c {
            case "\"", "'": return .string(try quoted())
            case "[": return try flowSequence(depth: depth)
            case "{": return try flowMapping(depth: depth)
            case "&", "*": throw error("anchors and aliases are not supported")
            case "!": throw error("tags are not supported")
            case "|", ">": throw error("a block scalar (\(c)) must follow a mapping key")
            case "@", "`": throw error("\(c) cannot start a plain scalar")
            default:
                let start = offset
                return try resolve(try plain(flow: flow), at: start)
            }
        }

        mutating func plain(flow: Bool) throws(SyntaxError) -> String {
            let start = offset
            var text = ""
            while let c = peek {
                if c == "#" && (offset == start || chars[offset - 1] == " ") { break }
                if c == ":" && (offset + 1 >= chars.count || chars[offset + 1] == " ") {
                    if flow { break }
                    throw error("a plain value cannot contain \": \" (quote it)")
                }
                if flow && (c == "," || c == "]" || c == "}" || c == "[" || c == "{") { break }
                text.append(c)
                advance()
            }
            return text.trimmingTrailingSpaces()
        }

        /// A plain scalar's value. A number is held to the JSON parser's length limit, so a
        /// file means the same in YAML and in JSON (found by the yaml fuzz target).
        func resolve(_ text: String, at start: Int) throws(SyntaxError) -> JSON {
            switch text {
            case "", "~", "null", "Null", "NULL": return .null
            case "true", "True", "TRUE": return .bool(true)
            case "false", "False", "FALSE": return .bool(false)
            default:
                guard let n = YAML.number(text) else { return .string(text) }
                guard n.utf8.count <= JSONParser.maxNumberLength else {
                    throw parser.error(line, start, "number longer than \(JSONParser.maxNumberLength) characters")
                }
                return .number(n)
            }
        }

        mutating func quoted() throws(SyntaxError) -> String {
            let quote = chars[offset]
            let startColumn = offset
            advance()
            var out = ""
            while true {
                guard let c = peek else {
                    throw parser.error(line, startColumn, "unterminated quoted scalar (quoted values must close on the same line)")
                }
                advance()
                if c == quote {
                    if quote == "'" && peek == "'" { out.append("'"); advance(); continue }
                    return out
                }
                if quote == "\"" && c == "\\" {
                    guard let e = peek else { throw error("unterminated escape") }
                    advance()
                    switch e {
                    case "\"": out.append("\"")
                    case "\\": out.append("\\")
                    case "/": out.append("/")
                    case "n": out.append("\n")
                    case "t": out.append("\t")
                    case "r": out.append("\r")
                    case "0": out.append("\0")
                    case " ": out.append(" ")
                    case "x": out.unicodeScalars.append(try hexScalar(2))
                    case "u": out.unicodeScalars.append(try hexScalar(4))
                    case "U": out.unicodeScalars.append(try hexScalar(8))
                    default: throw error("unknown escape \\\(e)")
                    }
                    continue
                }
                out.append(c)
            }
        }

        mutating func hexScalar(_ count: Int) throws(SyntaxError) -> Unicode.Scalar {
            var v: UInt32 = 0
            for _ in 0..<count {
                guard let c = peek, let a = c.asciiValue, let d = hexDigit(a) else { throw error("expected \(count) hex digits") }
                v = v << 4 | d
                advance()
            }
            guard let u = Unicode.Scalar(v) else { throw error("escape is not a Unicode scalar") }
            return u
        }

        mutating func flowSequence(depth: Int) throws(SyntaxError) -> JSON {
            advance()
            var items: [JSON] = []
            while true {
                skipSpaces()
                guard let c = peek else { throw error("unterminated \"[\" (flow collections must close on the same line)") }
                if c == "]" { advance(); return .array(items) }
                items.append(try value(depth: depth + 1, flow: true))
                skipSpaces()
                if atEnd { throw error("unterminated \"[\" (flow collections must close on the same line)") }
                if peek == "," { advance(); continue }
                if peek == "]" { advance(); return .array(items) }
                throw error("expected \",\" or \"]\"")
            }
        }

        mutating func flowMapping(depth: Int) throws(SyntaxError) -> JSON {
            advance()
            var members: [JSONMember] = []
            while true {
                skipSpaces()
                guard let c = peek else { throw error("unterminated \"{\" (flow collections must close on the same line)") }
                if c == "}" { advance(); return .object(members) }
                let keyColumn = offset
                let key: String
                switch try value(depth: depth + 1, flow: true) {
                case .string(let s): key = s
                case .number(let n): key = n
                case .bool(let b): key = b ? "true" : "false"
                case .null: key = ""
                default: throw parser.error(line, keyColumn, "a mapping key must be a scalar")
                }
                skipSpaces()
                guard peek == ":" else { throw error("expected \":\" after the key") }
                advance()
                if members.contains(where: { $0.key == key }) { throw parser.error(line, keyColumn, "duplicate key \"\(key)\"") }
                members.append(JSONMember(key, try value(depth: depth + 1, flow: true)))
                skipSpaces()
                if atEnd { throw error("unterminated \"{\" (flow collections must close on the same line)") }
                if peek == "," { advance(); continue }
                if peek == "}" { advance(); return .object(members) }
                throw error("expected \",\" or \"}\"")
            }
        }
    }

    /// A plain scalar that reads as a number: decimal integers and floats (YAML 1.2 core
    /// schema: [-+]? digits [. digits] [e [-+]? digits]), normalized to JSON's syntax (no "+",
    /// no leading zeros: 0755 stays a string, as do hex, .inf and .nan).
    static func number(_ text: String) -> String? {
        let c = Array(text.utf8)
        var i = 0
        func digits() -> Int {
            let start = i
            while i < c.count, c[i] >= 48, c[i] <= 57 { i += 1 }
            return i - start
        }
        var sign = ""
        if i < c.count, c[i] == UInt8(ascii: "-") || c[i] == UInt8(ascii: "+") {
            if c[i] == UInt8(ascii: "-") { sign = "-" }
            i += 1
        }
        let intStart = i
        let intDigits = digits()
        guard intDigits > 0, intDigits == 1 || c[intStart] != UInt8(ascii: "0") else { return nil }
        if i < c.count, c[i] == UInt8(ascii: ".") {
            i += 1
            guard digits() > 0 else { return nil }
        }
        if i < c.count, c[i] == UInt8(ascii: "e") || c[i] == UInt8(ascii: "E") {
            i += 1
            if i < c.count, c[i] == UInt8(ascii: "-") || c[i] == UInt8(ascii: "+") { i += 1 }
            guard digits() > 0 else { return nil }
        }
        guard i == c.count else { return nil }
        return sign + String(decoding: c[intStart...], as: UTF8.self)
    }
}


extension String {
    func trimmingTrailingSpaces() -> String {
        var s = Substring(self)
        while s.last == " " || s.last == "\t" { s = s.dropLast() }
        return String(s)
    }
}

func dropSpaces(_ s: Substring) -> Substring { s.drop(while: { $0 == " " || $0 == "\t" }) }
