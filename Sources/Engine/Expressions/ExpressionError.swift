/// Why an expression or template could not be parsed or evaluated, and where.
///
/// `offset` counts characters (grapheme clusters) from the start of the source the caller
/// handed in: the expression's source for `Expression`, the whole text for `TemplateText`.
/// `path` names the string inside a deep value that failed (`renderDeep`), "" elsewhere.
public struct ExpressionError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public var offset: Int
    public var path: String

    public init(_ message: String, offset: Int, path: String = "") {
        self.message = message
        self.offset = offset
        self.path = path
    }

    /// `at 12: unknown function "foo"`, or `headers.auth: at 7: ...` inside a deep value.
    public var description: String {
        path.isEmpty ? "at \(offset): \(message)" : "\(path): at \(offset): \(message)"
    }
}

/// Every limit the language enforces. Together they bound the time, memory and stack depth of
/// any evaluation, whatever the source and the scope.
public enum ExpressionLimits {
    /// Longest expression source, and longest `{{ }}` tag body, in UTF-8 bytes.
    public static let maxSourceBytes = 4096
    /// Deepest nesting of brackets, calls, unary operators and ternary branches in a source,
    /// and of arrays and objects in a value an expression builds (the JSON parser's limit too).
    public static let maxDepth = 64
    /// Longest string an expression or template may produce, in UTF-8 bytes.
    public static let maxStringBytes = 1 << 20
    /// Most elements in an array an expression may produce.
    public static let maxArrayCount = 100_000
    /// Evaluation steps one `evaluate` / `render` / `renderDeep` call may spend. A step is a
    /// node visited, or a share of bulk work (`bytesPerStep` bytes, `elementsPerStep` elements).
    public static let maxSteps = 1_000_000

    static let bytesPerStep = 64
    static let elementsPerStep = 8
}

/// An error as the lexer, parser and evaluator raise it: the offset is in UTF-8 bytes from the
/// start of the expression source. The public API turns it into an `ExpressionError` with a
/// character offset; errors are rare, so the conversion is paid only on the failure path.
struct ExpressionFailure: Error {
    var message: String
    var utf8Offset: Int

    init(_ message: String, at utf8Offset: Int) {
        self.message = message
        self.utf8Offset = utf8Offset
    }

    func publicError(in source: String) -> ExpressionError {
        ExpressionError(message, offset: Self.characterOffset(ofUTF8Offset: utf8Offset, in: source))
    }

    /// Characters before a UTF-8 offset (rounded down to a character boundary).
    static func characterOffset(ofUTF8Offset offset: Int, in text: String) -> Int {
        let utf8 = text.utf8
        let clamped = min(max(offset, 0), utf8.count)
        let index = utf8.index(utf8.startIndex, offsetBy: clamped)
        return text.distance(from: text.startIndex, to: index)
    }
}

extension JSONValue {
    /// The word errors use for a value's type.
    var kindName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }
}
