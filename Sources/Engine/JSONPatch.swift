/// One RFC 6902 JSON Patch operation. `path` and `from` are RFC 6901 pointers.
public struct PatchOperation: Sendable, Hashable, CustomStringConvertible {
    public enum Op: String, Sendable, Hashable, CaseIterable { case add, remove, replace, move, copy, test }
    public var op: Op
    public var path: String
    public var from: String?    // move and copy
    public var value: JSONValue?  // add, replace and test

    public init(op: Op, path: String, from: String? = nil, value: JSONValue? = nil) {
        self.op = op
        self.path = path
        self.from = from
        self.value = value
    }

    public var json: JSONValue {
        var o: [String: JSONValue] = ["op": .string(op.rawValue), "path": .string(path)]
        if let from { o["from"] = .string(from) }
        if let value { o["value"] = value }
        return .object(o)
    }

    public var description: String { json.canonicalString() }
}

/// Why a patch does not apply.
public struct PatchError: Error, Sendable, Hashable {
    public var index: Int      // which operation
    public var message: String
}

// MARK: - Pointers (RFC 6901)

public enum JSONPointer {
    /// "~" becomes "~0" and "/" becomes "~1", in that order.
    public static func escape(_ token: String) -> String {
        token.replacing("~", with: "~0").replacing("/", with: "~1")
    }

    public static func unescape(_ token: Substring) -> String {
        String(token).replacing("~1", with: "/").replacing("~0", with: "~")
    }

    public static func tokens(_ pointer: String) -> [String]? {
        if pointer.isEmpty { return [] }
        guard pointer.hasPrefix("/") else { return nil }
        return pointer.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map(unescape)
    }

    static func child(_ path: String, _ token: String) -> String { path + "/" + escape(token) }
}

// MARK: - Diff

/// The operations that turn `from` into `to`: objects compared key by key (keys in UTF-8
/// order), arrays index by index (shared prefix diffed in place, extra items added at the end or
/// removed from the end, last first), anything else replaced. Applying the result to `from`
/// yields `to`; equal values give no operations.
public func diff(from: JSONValue, to: JSONValue) -> [PatchOperation] {
    var ops: [PatchOperation] = []
    diff(from, to, path: "", into: &ops)
    return ops
}

private func diff(_ a: JSONValue, _ b: JSONValue, path: String, into ops: inout [PatchOperation]) {
    if a == b { return }
    switch (a, b) {
    case (.object(let x), .object(let y)):
        for key in JSONValue.sortedKeys(x) where y[key] == nil {
            ops.append(PatchOperation(op: .remove, path: JSONPointer.child(path, key)))
        }
        for key in JSONValue.sortedKeys(y) {
            if let old = x[key] {
                diff(old, y[key]!, path: JSONPointer.child(path, key), into: &ops)
            } else {
                ops.append(PatchOperation(op: .add, path: JSONPointer.child(path, key), value: y[key]!))
            }
        }
    case (.array(let x), .array(let y)):
        let common = min(x.count, y.count)
        for i in 0..<common { diff(x[i], y[i], path: "\(path)/\(i)", into: &ops) }
        for i in stride(from: x.count - 1, through: common, by: -1) {
            ops.append(PatchOperation(op: .remove, path: "\(path)/\(i)"))
        }
        for i in common..<max(common, y.count) { ops.append(PatchOperation(op: .add, path: "\(path)/\(i)", value: y[i])) }
    default:
        ops.append(PatchOperation(op: .replace, path: path, value: b))
    }
}

// MARK: - Apply

/// Applies a patch as RFC 6902 says: operations in order, all or nothing.
public func apply(_ patch: [PatchOperation], to document: JSONValue) throws(PatchError) -> JSONValue {
    var doc = document
    for (i, op) in patch.enumerated() {
        do throws(PatchFailure) {
            doc = try applyOne(op, to: doc)
        } catch {
            throw PatchError(index: i, message: "\(op.op.rawValue) \(op.path): \(error.message)")
        }
    }
    return doc
}

struct PatchFailure: Error { var message: String }

private func applyOne(_ op: PatchOperation, to doc: JSONValue) throws(PatchFailure) -> JSONValue {
    guard let path = JSONPointer.tokens(op.path) else { throw PatchFailure(message: "not a JSON pointer") }
    switch op.op {
    case .add:
        guard let value = op.value else { throw PatchFailure(message: "missing value") }
        if path.isEmpty { return value }
        return try edit(doc, path[...]) { target, last throws(PatchFailure) in try insert(value, into: &target, at: last) }
    case .remove:
        if path.isEmpty { throw PatchFailure(message: "cannot remove the whole document") }
        return try edit(doc, path[...]) { target, last throws(PatchFailure) in _ = try remove(from: &target, at: last) }
    case .replace:
        guard let value = op.value else { throw PatchFailure(message: "missing value") }
        _ = try get(doc, path[...])
        if path.isEmpty { return value }
        return try edit(doc, path[...]) { target, last throws(PatchFailure) in
            _ = try remove(from: &target, at: last)
            try insert(value, into: &target, at: last)
        }
    case .move, .copy:
        guard let fromText = op.from, let from = JSONPointer.tokens(fromText) else { throw PatchFailure(message: "bad from") }
        let value = try get(doc, from[...])
        var d = doc
        if op.op == .move {
            if from == path { return doc }
            if path.count > from.count, Array(path.prefix(from.count)) == from {
                throw PatchFailure(message: "cannot move a value into itself")
            }
            if from.isEmpty { throw PatchFailure(message: "cannot move the whole document") }
            d = try edit(d, from[...]) { target, last throws(PatchFailure) in _ = try remove(from: &target, at: last) }
        }
        if path.isEmpty { return value }
        return try edit(d, path[...]) { target, last throws(PatchFailure) in try insert(value, into: &target, at: last) }
    case .test:
        guard try get(doc, path[...]) == op.value else { throw PatchFailure(message: "test failed") }
        return doc
    }
}

private func arrayIndex(_ token: String, count: Int, allowEnd: Bool) throws(PatchFailure) -> Int {
    if allowEnd, token == "-" { return count }
    guard let i = Int(token), i >= 0, String(i) == token, i < count || (allowEnd && i == count) else {
        throw PatchFailure(message: "bad array index \"\(token)\"")
    }
    return i
}

private func get(_ doc: JSONValue, _ path: ArraySlice<String>) throws(PatchFailure) -> JSONValue {
    guard let token = path.first else { return doc }
    switch doc {
    case .object(let o):
        guard let child = o[token] else { throw PatchFailure(message: "no member \"\(token)\"") }
        return try get(child, path.dropFirst())
    case .array(let a):
        return try get(a[try arrayIndex(token, count: a.count, allowEnd: false)], path.dropFirst())
    default:
        throw PatchFailure(message: "cannot descend into a scalar")
    }
}

/// Walks to the parent of the path's last token and lets `body` change it there.
private func edit(_ doc: JSONValue, _ path: ArraySlice<String>,
                  _ body: (inout JSONValue, String) throws(PatchFailure) -> Void) throws(PatchFailure) -> JSONValue {
    // Callers deal with the root (empty path) themselves.
    guard let token = path.first else { throw PatchFailure(message: "empty path") }
    if path.count == 1 {
        var d = doc
        try body(&d, token)
        return d
    }
    switch doc {
    case .object(var o):
        guard let child = o[token] else { throw PatchFailure(message: "no member \"\(token)\"") }
        o[token] = try edit(child, path.dropFirst(), body)
        return .object(o)
    case .array(var a):
        let i = try arrayIndex(token, count: a.count, allowEnd: false)
        a[i] = try edit(a[i], path.dropFirst(), body)
        return .array(a)
    default:
        throw PatchFailure(message: "cannot descend into a scalar")
    }
}

private func insert(_ value: JSONValue, into target: inout JSONValue, at token: String) throws(PatchFailure) {
    switch target {
    case .object(var o):
        o[token] = value
        target = .object(o)
    case .array(var a):
        a.insert(value, at: try arrayIndex(token, count: a.count, allowEnd: true))
        target = .array(a)
    default:
        throw PatchFailure(message: "cannot add into a scalar")
    }
}

private func remove(from target: inout JSONValue, at token: String) throws(PatchFailure) -> JSONValue {
    switch target {
    case .object(var o):
        guard let old = o.removeValue(forKey: token) else { throw PatchFailure(message: "no member \"\(token)\"") }
        target = .object(o)
        return old
    case .array(var a):
        let old = a.remove(at: try arrayIndex(token, count: a.count, allowEnd: false))
        target = .array(a)
        return old
    default:
        throw PatchFailure(message: "cannot remove from a scalar")
    }
}

// MARK: - Summary

/// What changed between two definitions, counted by step id: "Added 1 step, modified 1 step",
/// "Removed 2 steps", "Reordered steps" (same steps, other order or step_order), "No changes".
public func changeSummary(from old: WorkflowDefinition, to new: WorkflowDefinition) -> String {
    var before: [String: JSONValue] = [:]
    for s in old.steps where before[s.id] == nil { before[s.id] = s.json }
    var after: [String: JSONValue] = [:]
    for s in new.steps where after[s.id] == nil { after[s.id] = s.json }
    let added = after.keys.filter { before[$0] == nil }.count
    let removed = before.keys.filter { after[$0] == nil }.count
    let modified = after.filter { id, json in before[id].map { $0 != json } ?? false }.count
    var parts: [String] = []
    func count(_ n: Int, _ verb: String) {
        if n > 0 { parts.append("\(verb) \(n) step\(n == 1 ? "" : "s")") }
    }
    count(added, "added")
    count(modified, "modified")
    count(removed, "removed")
    if parts.isEmpty { return old == new ? "No changes" : "Reordered steps" }
    let text = parts.joined(separator: ", ")
    return text.prefix(1).uppercased() + text.dropFirst()
}
