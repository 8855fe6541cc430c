/// A parsed expression of Spindle's small, safe expression language.
///
/// No loops, no recursion, no user functions: an evaluation visits each node of the tree at
/// most once per enclosing function call, spends from a step budget, and refuses to build
/// strings, arrays or nesting past `ExpressionLimits`. Every failure is an `ExpressionError`
/// naming the offset; nothing traps.
///
/// ```
/// inputs.name ?? "world"                        names resolve in the scope object
/// steps.fetch.body.items[0].id                  .name, [index], .0 (negative counts from the end)
/// len(input.rows) > 10 && !inputs.dry_run       && || short-circuit and return booleans
/// inputs.mode == "fast" ? 1 : round(x * 1.5, 2) deep JSON ==, ternary, whitelisted functions
/// ```
/// Equality and hashing go by the source text, which determines the parsed form.
public struct Expression: Sendable, Hashable {
    public let source: String
    let root: Node

    /// Parses `source` (at most `ExpressionLimits.maxSourceBytes` UTF-8 bytes).
    public init(_ source: String) throws(ExpressionError) {
        guard source.utf8.count <= ExpressionLimits.maxSourceBytes else {
            throw ExpressionError("expression longer than \(ExpressionLimits.maxSourceBytes) bytes", offset: 0)
        }
        let bytes = Array(source.utf8)
        do {
            var parser = try Parser(lexer: Lexer(bytes: bytes, base: 0, limit: bytes.count))
            self.init(source: source, root: try parser.parseAll())
        } catch {
            throw error.publicError(in: source)
        }
    }

    init(source: String, root: Node) {
        self.source = source
        self.root = root
    }

    /// The expression's value in `scope` (an object such as {"inputs": ..., "steps": ...}).
    public func evaluate(_ scope: JSONValue) throws(ExpressionError) -> JSONValue {
        var evaluator = Evaluator()
        return try evaluate(scope, with: &evaluator)
    }

    func evaluate(_ scope: JSONValue, with evaluator: inout Evaluator) throws(ExpressionError) -> JSONValue {
        do {
            return try evaluator.evaluate(root, in: scope)
        } catch {
            throw error.publicError(in: source)
        }
    }

    public static func == (a: Expression, b: Expression) -> Bool { a.source == b.source }
    public func hash(into hasher: inout Hasher) { hasher.combine(source) }
}

extension Expression {
    static let cache = BoundedCache<Result<Expression, ExpressionError>>()

    /// `Expression(source)`, parsed once and then served from a process-wide bounded cache
    /// (parse errors are cached too): the same sources are evaluated for every run.
    public static func cached(_ source: String) throws(ExpressionError) -> Expression {
        try cache.value(for: source) { Result { () throws(ExpressionError) in try Expression(source) } }.get()
    }
}
