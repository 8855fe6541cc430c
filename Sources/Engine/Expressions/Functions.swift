extension Expression {
    /// The whitelisted functions. A call names one of these; anything else fails to parse.
    enum Builtin: String, Sendable, CaseIterable {
        case len, upper, lower, trim, contains
        case startsWith = "starts_with", endsWith = "ends_with"
        case replace, split, join, substring, keys, values
        case string, number, int, bool
        case round, floor, ceil, abs, min, max, sum, avg
        case coalesce, json
        case parseJSON = "parse_json"
        case first, last, slice, sort, unique, flatten, range, pluck, merge, has
        case `default`

        /// The fewest and most arguments (nil: no upper bound).
        var arity: (min: Int, max: Int?) {
            switch self {
            case .len, .upper, .lower, .trim, .keys, .values, .string, .number, .int, .bool, .floor, .ceil,
                 .abs, .sum, .avg, .json, .parseJSON, .first, .last, .sort, .unique, .flatten: (1, 1)
            case .contains, .startsWith, .endsWith, .split, .pluck, .has, .default: (2, 2)
            case .replace: (3, 3)
            case .join, .round: (1, 2)
            case .substring, .slice: (2, 3)
            case .range: (1, 3)
            case .min, .max, .coalesce, .merge: (1, nil)
            }
        }

        /// Why `count` arguments are wrong for this function, or nil when they are right.
        func arityProblem(_ count: Int) -> String? {
            let (least, most) = arity
            if count >= least && count <= (most ?? Int.max) { return nil }
            let expected = switch most {
            case nil: "at least \(least) argument\(least == 1 ? "" : "s")"
            case least?: "\(least) argument\(least == 1 ? "" : "s")"
            case let most? where most == least + 1: "\(least) or \(most) arguments"
            case let most?: "\(least) to \(most) arguments"
            }
            return "\(rawValue) takes \(expected); got \(count)"
        }
    }

    /// A call's evaluated arguments, with typed accessors whose errors name the function, the
    /// argument and what it got, at the argument's offset.
    struct Arguments {
        let function: Builtin
        let values: [JSONValue]
        let nodes: [Node]

        var count: Int { values.count }
        subscript(i: Int) -> JSONValue { values[i] }
        func offset(_ i: Int) -> Int { nodes[i].offset }

        func mismatch(_ i: Int, _ expected: String) -> ExpressionFailure {
            let which = function.arity.max == 1 ? "" : " as argument \(i + 1)"
            return ExpressionFailure("\(function.rawValue) needs \(expected)\(which); got \(values[i].kindName)", at: offset(i))
        }

        /// An element of an array argument has the wrong type.
        func badElement(_ i: Int, _ element: Int, _ expected: String, got value: JSONValue) -> ExpressionFailure {
            ExpressionFailure("\(function.rawValue) needs \(expected); element \(element) is \(Evaluator.article(value.kindName))",
                              at: offset(i))
        }

        func string(_ i: Int) throws(ExpressionFailure) -> String {
            guard case .string(let s) = values[i] else { throw mismatch(i, "a string") }
            return s
        }

        func number(_ i: Int) throws(ExpressionFailure) -> Double {
            guard case .number(let n) = values[i] else { throw mismatch(i, "a number") }
            return n
        }

        func integer(_ i: Int) throws(ExpressionFailure) -> Int {
            let n = try number(i)
            guard let whole = Evaluator.integer(n) else {
                let which = function.arity.max == 1 ? "" : " as argument \(i + 1)"
                throw ExpressionFailure("\(function.rawValue) needs a whole number\(which); got \(JSONValue.format(n))", at: offset(i))
            }
            return whole
        }

        func array(_ i: Int) throws(ExpressionFailure) -> [JSONValue] {
            guard case .array(let a) = values[i] else { throw mismatch(i, "an array") }
            return a
        }

        /// The elements of array argument `i`, each converted by `extract` (nil: wrong type).
        func elements<T>(_ i: Int, _ expected: String, _ extract: (JSONValue) -> T?) throws(ExpressionFailure) -> [T] {
            let items = try array(i)
            var converted: [T] = []
            converted.reserveCapacity(items.count)
            for (index, item) in items.enumerated() {
                guard let value = extract(item) else { throw badElement(i, index, expected, got: item) }
                converted.append(value)
            }
            return converted
        }

        func object(_ i: Int) throws(ExpressionFailure) -> [String: JSONValue] {
            guard case .object(let o) = values[i] else { throw mismatch(i, "an object") }
            return o
        }
    }
}

extension Expression.Evaluator {
    typealias Builtin = Expression.Builtin

    mutating func call(_ function: Builtin, _ nodes: [Expression.Node], at: Int,
                       in scope: JSONValue) throws(ExpressionFailure) -> JSONValue {
        if function == .coalesce || function == .default {
            // Lazy: later arguments are not evaluated once one is not null.
            var value = JSONValue.null
            for node in nodes {
                value = try evaluate(node, in: scope)
                if value != .null { return value }
            }
            return value
        }
        var values: [JSONValue] = []
        values.reserveCapacity(nodes.count)
        for node in nodes { values.append(try evaluate(node, in: scope)) }
        let args = Expression.Arguments(function: function, values: values, nodes: nodes)
        switch function {
        case .len, .upper, .lower, .trim, .contains, .startsWith, .endsWith, .replace, .split, .join, .substring:
            return try stringFunction(args)
        case .keys, .values, .first, .last, .slice, .sort, .unique, .flatten, .range, .pluck, .merge, .has:
            return try collectionFunction(args)
        case .string, .number, .int, .bool, .json, .parseJSON:
            return try conversionFunction(args)
        case .round, .floor, .ceil, .abs, .min, .max, .sum, .avg:
            return try numberFunction(args)
        case .coalesce, .default:
            return .null  // handled above
        }
    }

    // MARK: Strings

    mutating func stringFunction(_ args: Expression.Arguments) throws(ExpressionFailure) -> JSONValue {
        let at = args.offset(0)
        switch args.function {
        case .len:
            switch args[0] {
            case .string(let s):
                try chargeBytes(s.utf8.count, at: at)
                return .number(Double(s.count))
            case .array(let a): return .number(Double(a.count))
            case .object(let o): return .number(Double(o.count))
            default: throw args.mismatch(0, "a string, an array or an object")
            }
        case .upper, .lower:
            let s = try args.string(0)
            try chargeBytes(s.utf8.count, at: at)
            let result = args.function == .upper ? s.uppercased() : s.lowercased()
            try requireLength(result.utf8.count, at: at)
            return .string(result)
        case .trim:
            let s = try args.string(0)
            try chargeBytes(s.utf8.count, at: at)
            guard let start = s.firstIndex(where: { !$0.isWhitespace }) else { return .string("") }
            let end = s.lastIndex(where: { !$0.isWhitespace })!
            return .string(String(s[start...end]))
        case .contains:
            return .bool(try contains(args[0], args[1], at: at, operation: "contains"))
        case .startsWith, .endsWith:
            let s = try args.string(0)
            let affix = try args.string(1)
            try chargeBytes(affix.utf8.count, at: at)
            guard affix.utf8.count <= s.utf8.count else { return .bool(false) }
            return .bool(args.function == .startsWith
                ? s.utf8.starts(with: affix.utf8) : s.utf8.suffix(affix.utf8.count).elementsEqual(affix.utf8))
        case .replace:
            return .string(try replace(args))
        case .split:
            return try split(args)
        case .join:
            let items = try args.array(0)
            let separator = args.count > 1 ? try args.string(1) : ""
            var out = ""
            for (i, item) in items.enumerated() {
                if i > 0 { out += separator }
                out += try interpolated(item, at: at)
                try requireLength(out.utf8.count, at: at)
            }
            try chargeBytes(out.utf8.count, at: at)
            return .string(out)
        case .substring:
            let s = try args.string(0)
            try chargeBytes(s.utf8.count, at: at)
            let characters = try sliceBounds(args, count: s.count)
            let lower = s.index(s.startIndex, offsetBy: characters.lowerBound)
            let upper = s.index(lower, offsetBy: characters.count)
            return .string(String(s[lower..<upper]))
        default:
            preconditionFailure("not a string function: \(args.function)")
        }
    }

    /// `slice` / `substring` bounds as JavaScript's `slice` reads them: negative counts from
    /// the end, out-of-range clamps, an end before the start is empty.
    func sliceBounds(_ args: Expression.Arguments, count: Int) throws(ExpressionFailure) -> Range<Int> {
        func resolve(_ i: Int) -> Int { i < 0 ? Swift.max(0, i + count) : Swift.min(i, count) }
        let lower = resolve(try args.integer(1))
        let upper = args.count > 2 ? resolve(try args.integer(2)) : count
        return lower..<Swift.max(lower, upper)
    }

    mutating func replace(_ args: Expression.Arguments) throws(ExpressionFailure) -> String {
        let s = try args.string(0)
        let target = try args.string(1)
        let replacement = try args.string(2)
        guard !target.isEmpty else { throw ExpressionFailure("replace needs a non-empty string to find", at: args.offset(1)) }
        try chargeBytes(s.utf8.count + target.utf8.count, at: args.offset(0))
        let growth = replacement.utf8.count - target.utf8.count
        var size = s.utf8.count
        var found: [Int] = []
        var tooLong = false
        ByteSearch.forEachMatch(of: target, in: s) { offset in
            size += growth
            if growth > 0 && size > ExpressionLimits.maxStringBytes {
                tooLong = true
                return false
            }
            found.append(offset)
            return true
        }
        if tooLong { size = ExpressionLimits.maxStringBytes + 1 }
        try requireLength(size, at: args.offset(0))
        try chargeBytes(size, at: args.offset(0))
        if found.isEmpty { return s }
        let bytes = Array(s.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(size)
        var last = 0
        for start in found {
            out.append(contentsOf: bytes[last..<start])
            out.append(contentsOf: replacement.utf8)
            last = start + target.utf8.count
        }
        out.append(contentsOf: bytes[last...])
        return String(decoding: out, as: UTF8.self)
    }

    mutating func split(_ args: Expression.Arguments) throws(ExpressionFailure) -> JSONValue {
        let s = try args.string(0)
        let separator = try args.string(1)
        let at = args.offset(0)
        try chargeBytes(s.utf8.count, at: at)
        if separator.isEmpty {
            // Into characters.
            var parts: [JSONValue] = []
            for character in s {
                guard parts.count < ExpressionLimits.maxArrayCount else { throw tooManyElements(at: at) }
                parts.append(.string(String(character)))
            }
            try chargeElements(parts.count, at: at)
            return .array(parts)
        }
        guard let found = ByteSearch.matches(of: separator, in: s, atMost: ExpressionLimits.maxArrayCount - 1) else {
            throw tooManyElements(at: at)
        }
        try chargeElements(found.count, at: at)
        let bytes = Array(s.utf8)
        var parts: [JSONValue] = []
        parts.reserveCapacity(found.count + 1)
        var last = 0
        for start in found {
            parts.append(.string(String(decoding: bytes[last..<start], as: UTF8.self)))
            last = start + separator.utf8.count
        }
        parts.append(.string(String(decoding: bytes[last...], as: UTF8.self)))
        return .array(parts)
    }

    func tooManyElements(at: Int) -> ExpressionFailure {
        ExpressionFailure("array longer than \(ExpressionLimits.maxArrayCount) elements", at: at)
    }

    // MARK: Arrays and objects

    mutating func collectionFunction(_ args: Expression.Arguments) throws(ExpressionFailure) -> JSONValue {
        let at = args.offset(0)
        switch args.function {
        case .keys, .values:
            let object = try args.object(0)
            try requireCount(object.count, at: at)
            try chargeElements(object.count * Self.log2(object.count), at: at)
            let keys = JSONValue.sortedKeys(object)
            return .array(args.function == .keys ? keys.map { .string($0) } : keys.map { object[$0]! })
        case .first:
            return try args.array(0).first ?? .null
        case .last:
            return try args.array(0).last ?? .null
        case .slice:
            let items = try args.array(0)
            let bounds = try sliceBounds(args, count: items.count)
            try chargeElements(bounds.count, at: at)
            return .array(Array(items[bounds]))
        case .sort:
            return .array(try sorted(args))
        case .unique:
            let items = try args.array(0)
            var seen: Set<JSONValue> = []
            var kept: [JSONValue] = []
            for item in items {
                try chargeSize(item, at: at)  // hashing walks the whole element
                if seen.insert(item).inserted { kept.append(item) }
            }
            return .array(kept)
        case .flatten:
            var flat: [JSONValue] = []
            for item in try args.array(0) {
                if case .array(let inner) = item {
                    try requireCount(flat.count + inner.count, at: at)
                    flat.append(contentsOf: inner)
                } else {
                    try requireCount(flat.count + 1, at: at)
                    flat.append(item)
                }
            }
            try chargeElements(flat.count, at: at)
            return .array(flat)
        case .range:
            return try range(args)
        case .pluck:
            let items = try args.array(0)
            let field = try args.string(1)
            try chargeElements(items.count, at: at)
            var plucked: [JSONValue] = []
            plucked.reserveCapacity(items.count)
            for (i, item) in items.enumerated() {
                switch item {
                case .object(let members): plucked.append(members[field] ?? .null)
                case .null: plucked.append(.null)
                default: throw args.badElement(0, i, "an array of objects", got: item)
                }
            }
            return .array(plucked)
        case .merge:
            var merged: [String: JSONValue] = [:]
            for i in 0..<args.count {
                switch args[i] {
                case .null: continue
                case .object(let members):
                    try chargeElements(members.count, at: args.offset(i))
                    merged.merge(members) { _, later in later }
                default: throw args.mismatch(i, "an object (or null)")
                }
            }
            return .object(merged)
        case .has:
            let key = try args.string(1)
            switch args[0] {
            case .null: return .bool(false)
            case .object(let members): return .bool(members[key] != nil)
            default: throw args.mismatch(0, "an object (or null)")
            }
        default:
            preconditionFailure("not a collection function: \(args.function)")
        }
    }

    /// Charges for a walk over every node of a value (what hashing it costs).
    mutating func chargeSize(_ value: JSONValue, at: Int) throws(ExpressionFailure) {
        switch value {
        case .array(let items):
            try chargeElements(items.count, at: at)
            for item in items { try chargeSize(item, at: at) }
        case .object(let members):
            try chargeElements(members.count, at: at)
            for item in members.values { try chargeSize(item, at: at) }
        case .string(let s):
            if s.utf8.count > ExpressionLimits.bytesPerStep { try chargeBytes(s.utf8.count, at: at) }
        default:
            return
        }
    }

    /// Numbers ascending, or strings by UTF-8 bytes; a mix is an error.
    mutating func sorted(_ args: Expression.Arguments) throws(ExpressionFailure) -> [JSONValue] {
        let items = try args.array(0)
        let at = args.offset(0)
        guard let head = items.first else { return [] }
        try chargeElements(items.count * Self.log2(items.count), at: at)
        let expected = "an array of numbers or an array of strings"
        switch head {
        case .number:
            return try args.elements(0, expected, \.numberValue).sorted().map { .number($0) }
        case .string:
            return try args.elements(0, expected, \.stringValue)
                .sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }.map { .string($0) }
        default:
            throw args.badElement(0, 0, expected, got: head)
        }
    }

    /// range(end), range(start, end) or range(start, end, step): whole numbers from start up
    /// to (not including) end.
    mutating func range(_ args: Expression.Arguments) throws(ExpressionFailure) -> JSONValue {
        let start = args.count > 1 ? try args.integer(0) : 0
        let end = try args.integer(args.count > 1 ? 1 : 0)
        let step = args.count > 2 ? try args.integer(2) : 1
        guard step != 0 else { throw ExpressionFailure("range needs a step other than 0", at: args.offset(2)) }
        // In Double: start, end and step are at most 2^53 in magnitude, so nothing overflows.
        let span = (Double(end) - Double(start)) / Double(step)
        let count = span <= 0 ? 0 : span.rounded(.up)
        guard count <= Double(ExpressionLimits.maxArrayCount) else {
            throw ExpressionFailure("range would have \(JSONValue.format(count)) elements; the limit is \(ExpressionLimits.maxArrayCount)",
                                    at: args.offset(0))
        }
        try chargeElements(Int(count), at: args.offset(0))
        return .array((0..<Int(count)).map { .number(Double(start + $0 * step)) })
    }

    // MARK: Conversions

    mutating func conversionFunction(_ args: Expression.Arguments) throws(ExpressionFailure) -> JSONValue {
        let at = args.offset(0)
        switch args.function {
        case .string:
            return .string(try interpolated(args[0], at: at))
        case .number:
            return .number(try toNumber(args))
        case .int:
            return .number(try toNumber(args).rounded(.towardZero) + 0)
        case .bool:
            if case .string(let s) = args[0] {
                switch s.lowercased() {
                case "true": return .bool(true)
                case "false": return .bool(false)
                default: break
                }
            }
            return .bool(args[0].isTruthy)
        case .json:
            return .string(try canonicalJSON(args[0], at: at))
        case .parseJSON:
            let text = try args.string(0)
            try requireLength(text.utf8.count, at: at)
            try chargeBytes(text.utf8.count * 4, at: at)
            let value: JSONValue
            do {
                value = try JSONValue.parse(text, depthLimit: ExpressionLimits.maxDepth)
            } catch {
                throw ExpressionFailure("parse_json: \(error)", at: at)
            }
            try requireCounts(value, at: at)
            return value
        default:
            preconditionFailure("not a conversion function: \(args.function)")
        }
    }

    /// A number, a numeric string (JSON number syntax, optional sign and surrounding spaces),
    /// or a boolean as 1 / 0.
    func toNumber(_ args: Expression.Arguments) throws(ExpressionFailure) -> Double {
        switch args[0] {
        case .number(let n): return n
        case .bool(let b): return b ? 1 : 0
        case .string(let s):
            guard let n = Self.parseNumber(s) else {
                let shown = s.utf8.count <= 40 ? JSONValue.string(s).canonicalString() : "a string"
                throw ExpressionFailure("\(args.function.rawValue) cannot read \(shown) as a number", at: args.offset(0))
            }
            return n
        default:
            throw args.mismatch(0, "a number, a numeric string or a boolean")
        }
    }

    static func parseNumber(_ text: String) -> Double? {
        var bytes = Array(text.utf8)[...]
        while let c = bytes.first, c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D { bytes = bytes.dropFirst() }
        while let c = bytes.last, c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D { bytes = bytes.dropLast() }
        // sign? digits* (. digits*)? ([eE] sign? digits)?  with at least one mantissa digit
        var i = bytes.startIndex
        func digits() -> Int {
            let from = i
            while i < bytes.endIndex, bytes[i] >= UInt8(ascii: "0"), bytes[i] <= UInt8(ascii: "9") { i += 1 }
            return i - from
        }
        if i < bytes.endIndex, bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+") { i += 1 }
        var mantissa = digits()
        if i < bytes.endIndex, bytes[i] == UInt8(ascii: ".") {
            i += 1
            mantissa += digits()
        }
        guard mantissa > 0 else { return nil }
        if i < bytes.endIndex, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
            i += 1
            if i < bytes.endIndex, bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+") { i += 1 }
            guard digits() > 0 else { return nil }
        }
        guard i == bytes.endIndex, let n = Double(String(decoding: bytes, as: UTF8.self)), n.isFinite else { return nil }
        return n == 0 ? 0 : n
    }

    /// Refuses arrays longer than the limit anywhere in a value (for parse_json's result).
    mutating func requireCounts(_ value: JSONValue, at: Int) throws(ExpressionFailure) {
        switch value {
        case .array(let items):
            try requireCount(items.count, at: at)
            try chargeElements(items.count, at: at)
            for item in items { try requireCounts(item, at: at) }
        case .object(let members):
            try chargeElements(members.count, at: at)
            for item in members.values { try requireCounts(item, at: at) }
        default:
            return
        }
    }

    // MARK: Numbers

    mutating func numberFunction(_ args: Expression.Arguments) throws(ExpressionFailure) -> JSONValue {
        let at = args.offset(0)
        switch args.function {
        case .round:
            let x = try args.number(0)
            let digits = args.count > 1 ? try args.integer(1) : 0
            guard (-15...15).contains(digits) else {
                throw ExpressionFailure("round needs digits from -15 to 15 as argument 2; got \(digits)", at: args.offset(1))
            }
            return .number(Self.round(x, digits: digits))
        case .floor:
            return .number(try args.number(0).rounded(.down) + 0)
        case .ceil:
            return .number(try args.number(0).rounded(.up) + 0)
        case .abs:
            return .number(Swift.abs(try args.number(0)))
        case .min, .max:
            return try extreme(args)
        case .sum, .avg:
            let numbers = try args.elements(0, "an array of numbers", \.numberValue)
            try chargeElements(numbers.count, at: at)
            if args.function == .avg && numbers.isEmpty { return .null }
            let total = numbers.reduce(0, +)
            return try Self.finite(args.function == .sum ? total : total / Double(numbers.count),
                                   of: args.function.rawValue, at: at)
        default:
            preconditionFailure("not a number function: \(args.function)")
        }
    }

    /// Rounds half away from zero at `digits` decimal places (negative: tens, hundreds, ...).
    static func round(_ x: Double, digits: Int) -> Double {
        var scale = 1.0
        for _ in 0..<Swift.abs(digits) { scale *= 10 }
        let result: Double
        if digits >= 0 {
            let scaled = x * scale
            // Past 2^52 a Double has no fraction left to round.
            result = scaled.isFinite && Swift.abs(scaled) < 4_503_599_627_370_496 ? scaled.rounded() / scale : x
        } else {
            result = (x / scale).rounded() * scale
        }
        return result == 0 ? 0 : result
    }

    /// min / max over the arguments, or over the elements of a single array argument; numbers
    /// or strings, not a mix; null for an empty array.
    mutating func extreme(_ args: Expression.Arguments) throws(ExpressionFailure) -> JSONValue {
        let candidates: [JSONValue]
        let fromArray: Bool
        if args.count == 1, case .array(let items) = args[0] {
            candidates = items
            fromArray = true
        } else {
            candidates = args.values
            fromArray = false
        }
        try chargeElements(candidates.count, at: args.offset(0))
        guard var best = candidates.first else { return .null }
        let wantsLess = args.function == .min
        for (i, candidate) in candidates.enumerated() {
            guard let order = try compare(candidate, best, at: args.offset(0)) else {
                let expected = "numbers or strings, all of one kind"
                throw fromArray ? args.badElement(0, i, expected, got: candidate) : args.mismatch(i, expected)
            }
            if wantsLess ? order < 0 : order > 0 { best = candidate }
        }
        return best
    }
}
