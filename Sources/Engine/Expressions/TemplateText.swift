/// Text with `{{ expression }}` tags, as step configs hold it.
///
/// - A text without `{{` is returned unchanged (no parsing, no cache lookup).
/// - A text that is exactly one tag, give or take surrounding whitespace, yields the tag's raw
///   value: `"{{ steps.fetch.body }}"` is the object itself, `" {{ 2 + 2 }} "` the number 4.
/// - Otherwise each tag's value is interpolated: strings as they are, null as nothing, numbers
///   as JSON prints them ("3", not "3.0"), booleans, arrays and objects as canonical JSON.
/// - `\{{` is a literal `{{` (so is `{{ "{{" }}`). A tag ends at the first `}}` outside string
///   literals and outside the expression's own braces: `{{ {"a": {"b": 1}} }}` is one tag.
///
/// Error offsets count characters from the start of the whole text.
public enum TemplateText {
    /// Parses (once, then from a bounded cache) and renders `text` against `scope`.
    public static func render(_ text: String, scope: JSONValue) throws(ExpressionError) -> JSONValue {
        guard containsTag(text) else { return .string(text) }
        var evaluator = Expression.Evaluator()
        return try parsed(text).render(scope, with: &evaluator)
    }

    /// Renders every string inside `value` (object keys stay as they are), sharing one step
    /// budget. An error names the failing string's path, e.g. `headers.Authorization` or
    /// `items[2]`.
    public static func renderDeep(_ value: JSONValue, scope: JSONValue) throws(ExpressionError) -> JSONValue {
        var evaluator = Expression.Evaluator()
        return try renderDeep(value, scope: scope, path: "", depth: 0, with: &evaluator) ?? value
    }

    /// Whether `text` has any `{{` (and so needs rendering at all).
    public static func containsTag(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            var previousWasBrace = false
            for byte in bytes {
                let isBrace = byte == UInt8(ascii: "{")
                if isBrace && previousWasBrace { return true }
                previousWasBrace = isBrace
            }
            return false
        }
    }

    /// nil when nothing inside changed, so configs without tags are not copied.
    static func renderDeep(_ value: JSONValue, scope: JSONValue, path: String, depth: Int,
                           with evaluator: inout Expression.Evaluator) throws(ExpressionError) -> JSONValue? {
        switch value {
        case .string(let text):
            guard containsTag(text) else { return nil }
            do {
                return try parsed(text).render(scope, with: &evaluator)
            } catch {
                var error = error
                error.path = path
                throw error
            }
        case .array(let items):
            try checkDepth(depth, path: path)
            var result: [JSONValue]?
            for (i, item) in items.enumerated() {
                guard let rendered = try renderDeep(item, scope: scope, path: "\(path)[\(i)]", depth: depth + 1, with: &evaluator)
                else { continue }
                if result == nil { result = items }
                result![i] = rendered
            }
            return result.map { .array($0) }
        case .object(let members):
            try checkDepth(depth, path: path)
            var result: [String: JSONValue]?
            for (key, member) in members {
                let memberPath = path.isEmpty ? key : "\(path).\(key)"
                guard let rendered = try renderDeep(member, scope: scope, path: memberPath, depth: depth + 1, with: &evaluator)
                else { continue }
                if result == nil { result = members }
                result![key] = rendered
            }
            return result.map { .object($0) }
        case .null, .bool, .number:
            return nil
        }
    }

    static func checkDepth(_ depth: Int, path: String) throws(ExpressionError) {
        guard depth < ExpressionLimits.maxDepth else {
            throw ExpressionError("value nested deeper than \(ExpressionLimits.maxDepth) levels", offset: 0, path: path)
        }
    }

    static let cache = BoundedCache<Result<ParsedTemplate, ExpressionError>>()

    static func parsed(_ text: String) throws(ExpressionError) -> ParsedTemplate {
        try cache.value(for: text) { Result { () throws(ExpressionError) in try ParsedTemplate(text) } }.get()
    }
}

/// A template split into literal text and tags.
struct ParsedTemplate: Sendable {
    enum Part: Sendable {
        case text(String)
        /// `characterOffset`: where the expression's source starts in the whole text.
        case tag(Expression, characterOffset: Int)
    }

    var parts: [Part] = []
    /// The tag to return raw, when the text is that one tag and whitespace.
    var single: (expression: Expression, characterOffset: Int)?

    init(_ text: String) throws(ExpressionError) {
        let bytes = Array(text.utf8)
        var literal: [UInt8] = []
        var i = 0
        while i < bytes.count {
            func braces(at j: Int) -> Bool {
                j + 1 < bytes.count && bytes[j] == UInt8(ascii: "{") && bytes[j + 1] == UInt8(ascii: "{")
            }
            if bytes[i] == UInt8(ascii: "\\") && braces(at: i + 1) {
                literal += [UInt8(ascii: "{"), UInt8(ascii: "{")]
                i += 3
            } else if braces(at: i) {
                if !literal.isEmpty { parts.append(.text(String(decoding: literal, as: UTF8.self))) }
                literal = []
                let start = i + 2
                let (expression, end) = try Self.parseTag(bytes, from: start, in: text)
                parts.append(.tag(expression, characterOffset: ExpressionFailure.characterOffset(ofUTF8Offset: start, in: text)))
                i = end
            } else {
                literal.append(bytes[i])
                i += 1
            }
        }
        if !literal.isEmpty { parts.append(.text(String(decoding: literal, as: UTF8.self))) }
        single = Self.singleTag(parts)
    }

    static func singleTag(_ parts: [Part]) -> (expression: Expression, characterOffset: Int)? {
        var found: (Expression, Int)?
        for part in parts {
            switch part {
            case .text(let s):
                guard s.allSatisfy(\.isWhitespace) else { return nil }
            case .tag(let expression, let offset):
                guard found == nil else { return nil }
                found = (expression, offset)
            }
        }
        return found
    }

    /// Parses the tag whose expression starts at `start`; returns it and the offset after `}}`.
    static func parseTag(_ bytes: [UInt8], from start: Int, in text: String) throws(ExpressionError) -> (Expression, Int) {
        // The window lets the lexer see the source limit plus the closing "}}" and no further.
        let limit = min(bytes.count, start + ExpressionLimits.maxSourceBytes + 2)
        let lexer = Expression.Lexer(bytes: bytes, base: start, limit: limit)
        do throws(ExpressionFailure) {
            var parser = try Expression.Parser(lexer: lexer)
            if case .punct(.rbrace) = parser.token.kind, parser.lexer.byte(at: parser.token.end) == UInt8(ascii: "}") {
                throw ExpressionFailure("empty {{ }} tag", at: parser.token.start)
            }
            if parser.token.kind == .end { throw ExpressionFailure("unterminated {{ (no closing }})", at: -2) }
            let root = try parser.parseExpression(depth: 0)
            let end = parser.token.start
            guard end <= ExpressionLimits.maxSourceBytes else { throw parser.lexer.tooLong() }
            guard case .punct(.rbrace) = parser.token.kind, parser.lexer.byte(at: parser.token.end) == UInt8(ascii: "}") else {
                if parser.token.kind == .end { throw ExpressionFailure("unterminated {{ (no closing }})", at: -2) }
                throw ExpressionFailure("expected }} to close the tag but found \(parser.token.quoted)", at: parser.token.start)
            }
            let source = String(decoding: bytes[start..<(start + end)], as: UTF8.self)
            return (Expression(source: source, root: root), start + end + 2)
        } catch {
            // Offsets are relative to the tag's source: report them in the whole text.
            throw ExpressionError(error.message,
                                  offset: ExpressionFailure.characterOffset(ofUTF8Offset: start + error.utf8Offset, in: text))
        }
    }

    func render(_ scope: JSONValue, with evaluator: inout Expression.Evaluator) throws(ExpressionError) -> JSONValue {
        if let (expression, offset) = single { return try Self.evaluate(expression, offset, scope, &evaluator) }
        var out = ""
        for part in parts {
            switch part {
            case .text(let s):
                out += s
            case .tag(let expression, let offset):
                let value = try Self.evaluate(expression, offset, scope, &evaluator)
                do {
                    out += try evaluator.interpolated(value, at: 0)
                    try evaluator.requireLength(out.utf8.count, at: 0)
                } catch {
                    throw ExpressionError(error.message, offset: offset)
                }
            }
        }
        // Literal text after the last tag counts too.
        do {
            try evaluator.requireLength(out.utf8.count, at: 0)
        } catch {
            throw ExpressionError(error.message, offset: 0)
        }
        return .string(out)
    }

    static func evaluate(_ expression: Expression, _ offset: Int, _ scope: JSONValue,
                         _ evaluator: inout Expression.Evaluator) throws(ExpressionError) -> JSONValue {
        do {
            return try expression.evaluate(scope, with: &evaluator)
        } catch {
            var error = error
            error.offset += offset
            throw error
        }
    }
}
