extension Expression {
    /// Walks a parsed expression against a scope, spending from a step budget.
    ///
    /// One evaluator serves one `evaluate`, `render` or `renderDeep` call, so a template with
    /// many tags, or a config with many strings, shares one budget.
    struct Evaluator {
        var stepsLeft: Int

        init(steps: Int = ExpressionLimits.maxSteps) {
            self.stepsLeft = steps
        }

        mutating func charge(_ steps: Int, at offset: Int) throws(ExpressionFailure) {
            stepsLeft -= steps
            if stepsLeft < 0 { throw Self.overBudget(at: offset) }
        }

        static func overBudget(at offset: Int) -> ExpressionFailure {
            ExpressionFailure("too much work: more than \(ExpressionLimits.maxSteps) evaluation steps", at: offset)
        }

        mutating func chargeBytes(_ count: Int, at offset: Int) throws(ExpressionFailure) {
            try charge(1 + count / ExpressionLimits.bytesPerStep, at: offset)
        }

        mutating func chargeElements(_ count: Int, at offset: Int) throws(ExpressionFailure) {
            try charge(1 + count / ExpressionLimits.elementsPerStep, at: offset)
        }

        mutating func evaluate(_ node: Node, in scope: JSONValue) throws(ExpressionFailure) -> JSONValue {
            // Not charge(1, at: node.offset): finding a chain's offset walks to its first operand,
            // which is worth doing only on the way out.
            stepsLeft -= 1
            if stepsLeft < 0 { throw Self.overBudget(at: node.offset) }
            switch node {
            case .literal(let value, _):
                return value
            case .name(let name, _):
                return Self.lookup(name, in: scope)
            case .access(let base, let accessors):
                return try access(base, accessors, in: scope)
            case .array(let items, let at):
                var values: [JSONValue] = []
                values.reserveCapacity(items.count)
                for item in items {
                    let value = try evaluate(item, in: scope)
                    try requireDepth(value, below: ExpressionLimits.maxDepth, at: at)
                    values.append(value)
                }
                return .array(values)
            case .object(let members, let at):
                var object: [String: JSONValue] = [:]
                object.reserveCapacity(members.count)
                for member in members {
                    let value = try evaluate(member.value, in: scope)
                    try requireDepth(value, below: ExpressionLimits.maxDepth, at: at)
                    object[member.key] = value
                }
                return .object(object)
            case .not(let operand, _):
                return .bool(!(try evaluate(operand, in: scope).isTruthy))
            case .negate(let operand, let at):
                let value = try evaluate(operand, in: scope)
                guard case .number(let n) = value else { throw ExpressionFailure("unary - needs a number; got \(value.kindName)", at: at) }
                return .number(n == 0 ? 0 : -n)
            case .logical(let op, let operands):
                return try logical(op, operands, in: scope)
            case .chain(let first, let links):
                var value = try evaluate(first, in: scope)
                for link in links {
                    let right = try evaluate(link.operand, in: scope)
                    value = try apply(link.op, value, right, at: link.at)
                }
                return value
            case .conditional(let condition, let then, let otherwise):
                return try evaluate(try evaluate(condition, in: scope).isTruthy ? then : otherwise, in: scope)
            case .call(let function, let arguments, let at):
                return try call(function, arguments, at: at, in: scope)
            }
        }

        /// A name is a member of the scope; failing that, a member of the scope's "input" (the
        /// step's mapped input), so `{{summary}}` finds a field an input mapping wrote. Null when
        /// neither has it.
        static func lookup(_ name: String, in scope: JSONValue) -> JSONValue {
            guard case .object(let members) = scope else { return .null }
            if let value = members[name] { return value }
            if case .object(let input)? = members["input"], let value = input[name] { return value }
            return .null
        }

        mutating func access(_ base: Node, _ accessors: [Accessor], in scope: JSONValue) throws(ExpressionFailure) -> JSONValue {
            var value = try evaluate(base, in: scope)
            for accessor in accessors {
                if value == .null { return .null }
                switch accessor {
                case .member(let key, let at):
                    try charge(1, at: at)
                    guard case .object(let members) = value else {
                        throw ExpressionFailure("cannot read .\(key) of \(Self.article(value.kindName))", at: at)
                    }
                    value = members[key] ?? .null
                case .index(let node, let at):
                    let key = try evaluate(node, in: scope)
                    value = try index(value, by: key, at: at)
                }
            }
            return value
        }

        func index(_ value: JSONValue, by key: JSONValue, at: Int) throws(ExpressionFailure) -> JSONValue {
            switch (value, key) {
            case (.array(let items), .number(let n)):
                guard let i = Self.integer(n) else {
                    throw ExpressionFailure("an array index must be a whole number; got \(JSONValue.format(n))", at: at)
                }
                let position = i < 0 ? i + items.count : i
                return items.indices.contains(position) ? items[position] : .null
            case (.array, _):
                throw ExpressionFailure("an array index must be a number; got \(key.kindName)", at: at)
            case (.object(let members), .string(let k)):
                return members[k] ?? .null
            case (.object, _):
                throw ExpressionFailure("an object key must be a string; got \(key.kindName)", at: at)
            default:
                throw ExpressionFailure("cannot index \(Self.article(value.kindName)) with []", at: at)
            }
        }

        mutating func logical(_ op: LogicalOperator, _ operands: [Node], in scope: JSONValue) throws(ExpressionFailure) -> JSONValue {
            switch op {
            case .coalesce:
                var value = JSONValue.null
                for operand in operands {
                    value = try evaluate(operand, in: scope)
                    if value != .null { return value }
                }
                return value
            case .or:
                for operand in operands {
                    if try evaluate(operand, in: scope).isTruthy { return .bool(true) }
                }
                return .bool(false)
            case .and:
                for operand in operands {
                    if !(try evaluate(operand, in: scope).isTruthy) { return .bool(false) }
                }
                return .bool(true)
            }
        }

        // MARK: Operators

        mutating func apply(_ op: BinaryOperator, _ left: JSONValue, _ right: JSONValue, at: Int) throws(ExpressionFailure) -> JSONValue {
            switch op {
            case .equal: return .bool(try equal(left, right, at: at))
            case .notEqual: return .bool(!(try equal(left, right, at: at)))
            case .less, .lessEqual, .greater, .greaterEqual:
                guard let order = try compare(left, right, at: at) else {
                    throw ExpressionFailure("\(op.rawValue) needs two numbers or two strings; got \(left.kindName) and \(right.kindName)",
                                            at: at)
                }
                let holds = switch op {
                case .less: order < 0
                case .lessEqual: order <= 0
                case .greater: order > 0
                default: order >= 0
                }
                return .bool(holds)
            case .in:
                return .bool(try contains(right, left, at: at, operation: "in"))
            case .add:
                return try add(left, right, at: at)
            case .subtract, .multiply, .divide, .remainder:
                guard case .number(let a) = left, case .number(let b) = right else {
                    throw ExpressionFailure("\(op.rawValue) needs two numbers; got \(left.kindName) and \(right.kindName)", at: at)
                }
                if (op == .divide || op == .remainder) && b == 0 { throw ExpressionFailure("division by zero", at: at) }
                let result = switch op {
                case .subtract: a - b
                case .multiply: a * b
                case .divide: a / b
                default: a.truncatingRemainder(dividingBy: b)
                }
                return try Self.finite(result, of: op.rawValue, at: at)
            }
        }

        mutating func add(_ left: JSONValue, _ right: JSONValue, at: Int) throws(ExpressionFailure) -> JSONValue {
            switch (left, right) {
            case (.number(let a), .number(let b)):
                return try Self.finite(a + b, of: "+", at: at)
            case (.array(let a), .array(let b)):
                try requireCount(a.count + b.count, at: at)
                try chargeElements(a.count + b.count, at: at)
                return .array(a + b)
            case (.string, _), (_, .string):
                let a = try interpolated(left, at: at)
                let b = try interpolated(right, at: at)
                try requireLength(a.utf8.count + b.utf8.count, at: at)
                try chargeBytes(a.utf8.count + b.utf8.count, at: at)
                return .string(a + b)
            default:
                throw ExpressionFailure("+ needs two numbers, two strings or two arrays; got \(left.kindName) and \(right.kindName)",
                                        at: at)
            }
        }

        static func finite(_ n: Double, of operation: String, at: Int) throws(ExpressionFailure) -> JSONValue {
            guard n.isFinite else { throw ExpressionFailure("the result of \(operation) is too large for a number", at: at) }
            return .number(n == 0 ? 0 : n)
        }

        /// Deep JSON equality (numbers by value, objects regardless of order), charged by size.
        mutating func equal(_ a: JSONValue, _ b: JSONValue, at: Int) throws(ExpressionFailure) -> Bool {
            switch (a, b) {
            case (.array(let x), .array(let y)):
                guard x.count == y.count else { return false }
                try chargeElements(x.count, at: at)
                for i in x.indices {
                    if !(try equal(x[i], y[i], at: at)) { return false }
                }
                return true
            case (.object(let x), .object(let y)):
                guard x.count == y.count else { return false }
                try chargeElements(x.count, at: at)
                for (key, value) in x {
                    guard let other = y[key], try equal(value, other, at: at) else { return false }
                }
                return true
            default:
                return a == b
            }
        }

        /// -1, 0 or 1 for two numbers or two strings (by UTF-8 bytes); nil for other pairs.
        mutating func compare(_ a: JSONValue, _ b: JSONValue, at: Int) throws(ExpressionFailure) -> Int? {
            switch (a, b) {
            case (.number(let x), .number(let y)):
                return x < y ? -1 : (x > y ? 1 : 0)
            case (.string(let x), .string(let y)):
                try chargeBytes(min(x.utf8.count, y.utf8.count), at: at)
                if x == y { return 0 }
                return x.utf8.lexicographicallyPrecedes(y.utf8) ? -1 : 1
            default:
                return nil
            }
        }

        /// `item in container`: an element of an array, a substring of a string, a key of an
        /// object; false for a null container.
        mutating func contains(_ container: JSONValue, _ item: JSONValue, at: Int, operation: String) throws(ExpressionFailure) -> Bool {
            switch (container, item) {
            case (.null, _):
                return false
            case (.array(let items), _):
                for element in items {
                    if try equal(element, item, at: at) { return true }
                }
                return false
            case (.string(let s), .string(let part)):
                try chargeBytes(s.utf8.count + part.utf8.count, at: at)
                return ByteSearch.firstMatch(of: part, in: s) != nil
            case (.object(let members), .string(let key)):
                return members[key] != nil
            case (.string, _), (.object, _):
                let inWhat = Self.article(container.kindName)
                throw ExpressionFailure("\(operation) needs a string to look for in \(inWhat); got \(item.kindName)", at: at)
            default:
                throw ExpressionFailure("\(operation) needs an array, a string or an object to look in; got \(container.kindName)", at: at)
            }
        }

        // MARK: Limits and conversions

        func requireLength(_ bytes: Int, at: Int) throws(ExpressionFailure) {
            guard bytes <= ExpressionLimits.maxStringBytes else {
                throw ExpressionFailure("string longer than \(ExpressionLimits.maxStringBytes) bytes", at: at)
            }
        }

        func requireCount(_ count: Int, at: Int) throws(ExpressionFailure) {
            guard count <= ExpressionLimits.maxArrayCount else {
                throw ExpressionFailure("array longer than \(ExpressionLimits.maxArrayCount) elements", at: at)
            }
        }

        /// Refuses a value whose arrays and objects nest `limit` or more deep, so values built by
        /// expressions (and stored as step outputs) stay within what the JSON parser reads back.
        /// Scalars cost nothing; containers are walked, and the walk is charged.
        mutating func requireDepth(_ value: JSONValue, below limit: Int, at: Int) throws(ExpressionFailure) {
            switch value {
            case .array(let items):
                guard limit > 1 else { throw tooDeep(at: at) }
                try chargeElements(items.count, at: at)
                for item in items { try requireDepth(item, below: limit - 1, at: at) }
            case .object(let members):
                guard limit > 1 else { throw tooDeep(at: at) }
                try chargeElements(members.count, at: at)
                for item in members.values { try requireDepth(item, below: limit - 1, at: at) }
            default:
                return
            }
        }

        func tooDeep(at: Int) -> ExpressionFailure {
            ExpressionFailure("value nested deeper than \(ExpressionLimits.maxDepth) levels", at: at)
        }

        /// A Double that is a whole number small enough to be exact, as an Int.
        static func integer(_ n: Double) -> Int? {
            guard n == n.rounded(.towardZero), abs(n) <= 9_007_199_254_740_992 else { return nil }
            return Int(n)
        }

        /// "a number", "an array", and plain "null".
        static func article(_ kind: String) -> String {
            switch kind {
            case "null": kind
            case "array", "object": "an \(kind)"
            default: "a \(kind)"
            }
        }

        /// How a value reads inside a string: strings as they are, null as nothing, numbers
        /// as JSON prints them, anything else as canonical JSON.
        mutating func interpolated(_ value: JSONValue, at: Int) throws(ExpressionFailure) -> String {
            switch value {
            case .string(let s): s
            case .null: ""
            case .number(let n): JSONValue.format(n)
            case .bool(let b): b ? "true" : "false"
            case .array, .object: try canonicalJSON(value, at: at)
            }
        }

        /// `JSONValue.canonicalString()`, but charged and cut off at the string limit.
        mutating func canonicalJSON(_ value: JSONValue, at: Int) throws(ExpressionFailure) -> String {
            var out = ""
            try write(value, into: &out, at: at)
            return out
        }

        mutating func write(_ value: JSONValue, into out: inout String, at: Int) throws(ExpressionFailure) {
            switch value {
            case .null, .bool, .number:
                out += value.canonicalString()
            case .string(let s):
                try requireLength(out.utf8.count + s.utf8.count + 2, at: at)
                try chargeBytes(s.utf8.count, at: at)
                JSONValue.writeString(s, into: &out)
            case .array(let items):
                try chargeElements(items.count, at: at)
                out += "["
                for (i, item) in items.enumerated() {
                    if i > 0 { out += "," }
                    try write(item, into: &out, at: at)
                }
                out += "]"
            case .object(let members):
                try chargeElements(members.count * Self.log2(members.count), at: at)
                out += "{"
                for (i, key) in JSONValue.sortedKeys(members).enumerated() {
                    if i > 0 { out += "," }
                    try write(.string(key), into: &out, at: at)
                    out += ":"
                    try write(members[key]!, into: &out, at: at)
                }
                out += "}"
            }
            try requireLength(out.utf8.count, at: at)
        }

        static func log2(_ n: Int) -> Int { n < 2 ? 1 : Int.bitWidth - n.leadingZeroBitCount }
    }
}
