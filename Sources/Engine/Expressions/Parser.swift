extension Expression {
    /// The parsed form. Offsets are UTF-8 offsets into the expression source.
    ///
    /// Runs of one binary precedence level are a single node (`chain`, `logical`) and runs of
    /// `.name` / `[index]` are a single `access`, so the tree is only as deep as the source's
    /// nesting (at most `maxDepth` levels, a few nodes each), however long the source is: the
    /// evaluator recurses over it without risk to the stack.
    indirect enum Node: Sendable {
        case literal(JSONValue, at: Int)
        case name(String, at: Int)
        case access(Node, [Accessor])
        case array([Node], at: Int)
        case object([Member], at: Int)
        case not(Node, at: Int)
        case negate(Node, at: Int)
        case logical(LogicalOperator, [Node])
        case chain(Node, [Link])
        case conditional(Node, then: Node, else: Node)
        case call(Builtin, [Node], at: Int)

        var offset: Int {
            switch self {
            case .literal(_, let at), .name(_, let at), .array(_, let at), .object(_, let at),
                 .not(_, let at), .negate(_, let at), .call(_, _, let at): at
            case .access(let base, _), .chain(let base, _), .conditional(let base, _, _): base.offset
            case .logical(_, let operands): operands[0].offset
            }
        }
    }

    enum Accessor: Sendable {
        case member(String, at: Int)
        case index(Node, at: Int)
    }

    struct Member: Sendable {
        var key: String
        var value: Node
    }

    struct Link: Sendable {
        var op: BinaryOperator
        var operand: Node
        /// Where the operator stands: arithmetic and comparison errors point at it.
        var at: Int
    }

    enum LogicalOperator: Sendable { case coalesce, or, and }

    enum BinaryOperator: String, Sendable {
        case equal = "==", notEqual = "!=", less = "<", lessEqual = "<=", greater = ">", greaterEqual = ">="
        case `in` = "in", add = "+", subtract = "-", multiply = "*", divide = "/", remainder = "%"
    }

    /// Binary precedence levels, loosest first. The ternary `? :` is looser than all of them.
    enum Level: Int, Comparable {
        case coalesce = 1, or, and, equality, comparison, additive, multiplicative

        static func < (a: Level, b: Level) -> Bool { a.rawValue < b.rawValue }
        var tighter: Level? { Level(rawValue: rawValue + 1) }
    }

    /// Recursive descent over tokens, with precedence climbing for the binary operators.
    /// `depth` counts the enclosing brackets, calls, unary operators and ternary branches.
    struct Parser {
        var lexer: Lexer
        var token: Token

        init(lexer: Lexer) throws(ExpressionFailure) {
            self.lexer = lexer
            self.token = Token(kind: .end, start: 0, end: 0)
            try advance()
        }

        mutating func advance() throws(ExpressionFailure) {
            token = try lexer.next()
        }

        func fail(_ message: String, at offset: Int? = nil) -> ExpressionFailure {
            ExpressionFailure(message, at: offset ?? token.start)
        }

        func nested(_ depth: Int, at offset: Int) throws(ExpressionFailure) -> Int {
            guard depth < ExpressionLimits.maxDepth else {
                throw fail("expression nested deeper than \(ExpressionLimits.maxDepth) levels", at: offset)
            }
            return depth + 1
        }

        func isPunct(_ p: Punct) -> Bool { token.kind == .punct(p) }

        mutating func expect(_ p: Punct) throws(ExpressionFailure) {
            guard isPunct(p) else { throw fail("expected \"\(p.rawValue)\" but found \(token.quoted)") }
            try advance()
        }

        /// A whole source: one expression, then the end.
        mutating func parseAll() throws(ExpressionFailure) -> Node {
            if token.kind == .end { throw fail("empty expression") }
            let node = try parseExpression(depth: 0)
            guard token.kind == .end else { throw fail("expected the end of the expression but found \(token.quoted)") }
            return node
        }

        mutating func parseExpression(depth: Int) throws(ExpressionFailure) -> Node {
            let condition = try parseBinary(minimum: .coalesce, depth: depth)
            guard isPunct(.question) else { return condition }
            let inner = try nested(depth, at: token.start)
            try advance()
            let then = try parseExpression(depth: inner)
            try expect(.colon)
            let otherwise = try parseExpression(depth: inner)
            return .conditional(condition, then: then, else: otherwise)
        }

        /// The current token as a binary operator: a logical one or an ordinary one, and its level.
        enum Infix {
            case logical(LogicalOperator, Level)
            case binary(BinaryOperator, Level)

            var level: Level {
                switch self {
                case .logical(_, let level), .binary(_, let level): level
                }
            }
        }

        var infix: Infix? {
            switch token.kind {
            case .punct(let p):
                switch p {
                case .coalesce: .logical(.coalesce, .coalesce)
                case .or: .logical(.or, .or)
                case .and: .logical(.and, .and)
                case .equal: .binary(.equal, .equality)
                case .notEqual: .binary(.notEqual, .equality)
                case .less: .binary(.less, .comparison)
                case .lessEqual: .binary(.lessEqual, .comparison)
                case .greater: .binary(.greater, .comparison)
                case .greaterEqual: .binary(.greaterEqual, .comparison)
                case .plus: .binary(.add, .additive)
                case .minus: .binary(.subtract, .additive)
                case .times: .binary(.multiply, .multiplicative)
                case .divide: .binary(.divide, .multiplicative)
                case .remainder: .binary(.remainder, .multiplicative)
                default: nil
                }
            case .name("in"): .binary(.in, .comparison)
            default: nil
            }
        }

        mutating func parseBinary(minimum: Level, depth: Int) throws(ExpressionFailure) -> Node {
            var left = try parseUnary(depth: depth)
            while let first = infix, first.level >= minimum {
                // Everything tighter than this level is taken by the operands, so after this run
                // the next operator (if any) is looser: the loop builds at most one node per level.
                let level = first.level
                if case .logical(let logical, _) = first {
                    var operands = [left]
                    while let next = infix, next.level == level {
                        try advance()
                        operands.append(try parseOperand(above: level, depth: depth))
                    }
                    left = .logical(logical, operands)
                } else {
                    var links: [Link] = []
                    while case .binary(let op, level)? = infix {
                        let at = token.start
                        try advance()
                        links.append(Link(op: op, operand: try parseOperand(above: level, depth: depth), at: at))
                    }
                    left = .chain(left, links)
                }
            }
            return left
        }

        mutating func parseOperand(above level: Level, depth: Int) throws(ExpressionFailure) -> Node {
            if let tighter = level.tighter { return try parseBinary(minimum: tighter, depth: depth) }
            return try parseUnary(depth: depth)
        }

        mutating func parseUnary(depth: Int) throws(ExpressionFailure) -> Node {
            let at = token.start
            if isPunct(.not) {
                let inner = try nested(depth, at: at)
                try advance()
                return .not(try parseUnary(depth: inner), at: at)
            }
            if isPunct(.minus) {
                let inner = try nested(depth, at: at)
                try advance()
                let operand = try parseUnary(depth: inner)
                if case .literal(.number(let n), _) = operand { return .literal(.number(0 - n), at: at) }
                return .negate(operand, at: at)
            }
            return try parsePostfix(depth: depth)
        }

        mutating func parsePostfix(depth: Int) throws(ExpressionFailure) -> Node {
            let base = try parsePrimary(depth: depth)
            var accessors: [Accessor] = []
            while true {
                if isPunct(.dot) {
                    try advance()
                    switch token.kind {
                    case .name(let key):
                        accessors.append(.member(key, at: token.start))
                    case .number(let n):
                        // The lexer reads only digits after ".", so this is a whole number.
                        accessors.append(.index(.literal(.number(n), at: token.start), at: token.start))
                    default:
                        throw fail("expected a member name after \".\" but found \(token.quoted)")
                    }
                    try advance()
                } else if isPunct(.lbracket) {
                    let at = token.start
                    let inner = try nested(depth, at: at)
                    try advance()
                    let index = try parseExpression(depth: inner)
                    try expect(.rbracket)
                    accessors.append(.index(index, at: at))
                } else if isPunct(.lparen) {
                    throw fail("only the built-in functions can be called, as name(arguments)")
                } else {
                    break
                }
            }
            return accessors.isEmpty ? base : .access(base, accessors)
        }

        mutating func parsePrimary(depth: Int) throws(ExpressionFailure) -> Node {
            let at = token.start
            switch token.kind {
            case .number(let n):
                try advance()
                return .literal(.number(n), at: at)
            case .string(let s):
                try advance()
                return .literal(.string(s), at: at)
            case .name("true"):
                try advance()
                return .literal(.bool(true), at: at)
            case .name("false"):
                try advance()
                return .literal(.bool(false), at: at)
            case .name("null"):
                try advance()
                return .literal(.null, at: at)
            case .name("in"):
                throw fail("expected an expression but found \"in\"")
            case .name(let name):
                try advance()
                guard isPunct(.lparen) else { return .name(name, at: at) }
                return try parseCall(name, at: at, depth: depth)
            case .punct(.lparen):
                let inner = try nested(depth, at: at)
                try advance()
                let node = try parseExpression(depth: inner)
                try expect(.rparen)
                return node
            case .punct(.lbracket):
                return try parseArray(at: at, depth: try nested(depth, at: at))
            case .punct(.lbrace):
                return try parseObject(at: at, depth: try nested(depth, at: at))
            default:
                throw fail("expected an expression but found \(token.quoted)")
            }
        }

        /// Items up to `close`, separated by commas; a trailing comma is allowed.
        mutating func parseList(closing close: Punct,
                                item: (inout Parser) throws(ExpressionFailure) -> Void) throws(ExpressionFailure) {
            try advance()
            while !isPunct(close) {
                try item(&self)
                if isPunct(.comma) {
                    try advance()
                } else {
                    try expect(close)
                    return
                }
            }
            try advance()
        }

        mutating func parseCall(_ name: String, at: Int, depth: Int) throws(ExpressionFailure) -> Node {
            guard let function = Builtin(rawValue: name) else { throw fail("unknown function \"\(name)\"", at: at) }
            let inner = try nested(depth, at: at)
            var arguments: [Node] = []
            try parseList(closing: .rparen) { (p: inout Parser) throws(ExpressionFailure) in
                arguments.append(try p.parseExpression(depth: inner))
            }
            if let problem = function.arityProblem(arguments.count) { throw fail(problem, at: at) }
            return .call(function, arguments, at: at)
        }

        mutating func parseArray(at: Int, depth: Int) throws(ExpressionFailure) -> Node {
            var items: [Node] = []
            try parseList(closing: .rbracket) { (p: inout Parser) throws(ExpressionFailure) in
                items.append(try p.parseExpression(depth: depth))
            }
            return .array(items, at: at)
        }

        mutating func parseObject(at: Int, depth: Int) throws(ExpressionFailure) -> Node {
            var members: [Member] = []
            var seen: Set<String> = []
            try parseList(closing: .rbrace) { (p: inout Parser) throws(ExpressionFailure) in
                let key: String
                switch p.token.kind {
                case .string(let s), .name(let s): key = s
                default: throw p.fail("expected a key (a name or a string) but found \(p.token.quoted)")
                }
                guard seen.insert(key).inserted else { throw p.fail("duplicate key \"\(key)\" in object") }
                try p.advance()
                try p.expect(.colon)
                members.append(Member(key: key, value: try p.parseExpression(depth: depth)))
            }
            return .object(members, at: at)
        }
    }
}
