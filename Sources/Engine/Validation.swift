/// model.md's validation codes (proto names in `name`).
public enum ValidationCode: String, Sendable, Hashable, CaseIterable {
    case emptyStepID = "EMPTY_STEP_ID"
    case invalidStepID = "INVALID_STEP_ID"
    case duplicateStepID = "DUPLICATE_STEP_ID"
    case unknownStepType = "UNKNOWN_STEP_TYPE"
    case missingRequiredConfig = "MISSING_REQUIRED_CONFIG"
    case unknownDependency = "UNKNOWN_DEPENDENCY"
    case selfDependency = "SELF_DEPENDENCY"
    case cycle = "CYCLE"
    case mappingUnknownStep = "MAPPING_UNKNOWN_STEP"
    case mappingNotUpstream = "MAPPING_NOT_UPSTREAM"
    case invalidRetry = "INVALID_RETRY"
    case stepOrderMismatch = "STEP_ORDER_MISMATCH"
    case invalidInput = "INVALID_INPUT"
    case invalidBranch = "INVALID_BRANCH"
    /// Engine-only: a request field that is not part of a definition is malformed (a page token,
    /// a field-mask path, an empty name, an out-of-range number). Not in model.md's list;
    /// Services reports it as a plain BadRequest field violation.
    case invalidRequest = "INVALID_REQUEST"

    public var name: String { rawValue }
}

/// One problem: which step (id, "" when none), which field (a path such as
/// "steps[2].config.url" or "steps[b].depends_on[0]"), the code, and a sentence for people.
public struct ValidationError: Sendable, Hashable, CustomStringConvertible {
    public var stepID: String
    public var field: String
    public var code: ValidationCode
    public var message: String

    public init(stepID: String = "", field: String, code: ValidationCode, message: String) {
        self.stepID = stepID
        self.field = field
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue) \(field): \(message)" }
}

/// A step id: 1 to 64 characters of [A-Za-z0-9_-].
public func isValidStepID(_ id: String) -> Bool {
    guard (1...64).contains(id.utf8.count) else { return false }
    return id.utf8.allSatisfy { c in
        (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x5F || c == 0x2D
    }
}

/// Validates a definition against the workflow's declared inputs and returns every error, in a
/// fixed order: inputs; then each step in definition order (id, type, config, fallback,
/// depends_on, input_mappings, retry, branch lists); then cycles; then step_order.
///
/// Steps are named in field paths by id ("steps[fetch]") when the id is valid and unique, else by
/// index ("steps[2]"). Graph checks use the first step with each id.
public func validate(_ def: WorkflowDefinition, inputs: [InputDeclaration] = []) -> [ValidationError] {
    var errors: [ValidationError] = []
    validateInputs(inputs, into: &errors)

    let graph = StepGraph(def)
    for (i, step) in def.steps.enumerated() {
        validateIdentity(step, index: i, graph: graph, into: &errors)
        let at = graph.label(i)
        validateType(type: step.type, config: step.config, stepID: step.id, at: "\(at)", into: &errors)
        if let fallback = step.fallback {
            validateType(type: fallback.type, config: fallback.config, stepID: step.id, at: "\(at).fallback", into: &errors)
        }
        validateDependencies(step, at: at, graph: graph, into: &errors)
        validateMappings(step, index: i, at: at, graph: graph, into: &errors)
        if let retry = step.retry { validateRetry(retry, stepID: step.id, at: "\(at).retry", into: &errors) }
        validateBranches(step, index: i, at: at, graph: graph, into: &errors)
    }
    for cycle in graph.cycles() {
        let first = def.steps[cycle[0]].id
        let path = (cycle + [cycle[0]]).map { def.steps[$0].id }.joined(separator: " -> ")
        errors.append(ValidationError(stepID: first, field: "\(graph.label(cycle[0])).depends_on", code: .cycle,
                                      message: "cycle: \(path)"))
    }
    validateStepOrder(def, graph: graph, into: &errors)
    return errors
}

private func validateInputs(_ inputs: [InputDeclaration], into errors: inout [ValidationError]) {
    var seen: Set<String> = []
    for (i, input) in inputs.enumerated() {
        if input.name.isEmpty {
            errors.append(ValidationError(field: "inputs[\(i)].name", code: .invalidInput, message: "input name is empty"))
        } else if !seen.insert(input.name).inserted {
            errors.append(ValidationError(field: "inputs[\(i)].name", code: .invalidInput,
                                          message: "input \"\(input.name)\" is declared more than once"))
        }
    }
}

private func validateIdentity(_ step: Step, index i: Int, graph: StepGraph, into errors: inout [ValidationError]) {
    if step.id.isEmpty {
        errors.append(ValidationError(field: "steps[\(i)].id", code: .emptyStepID, message: "step \(i) has no id"))
    } else if !isValidStepID(step.id) {
        errors.append(ValidationError(stepID: step.id, field: "steps[\(i)].id", code: .invalidStepID,
                                      message: "step id \"\(step.id)\" must be 1-64 characters of A-Z a-z 0-9 _ -"))
    } else if graph.index[step.id] != i {
        errors.append(ValidationError(stepID: step.id, field: "steps[\(i)].id", code: .duplicateStepID,
                                      message: "step id \"\(step.id)\" is already used by step \(graph.index[step.id]!)"))
    }
}

private func validateType(type: String, config: [String: JSONValue], stepID: String, at: String,
                          into errors: inout [ValidationError]) {
    guard let known = StepType(rawValue: type) else {
        errors.append(ValidationError(stepID: stepID, field: "\(at).type", code: .unknownStepType,
                                      message: "unknown step type \"\(type)\""))
        return
    }
    for keys in known.requiredConfig where !keys.contains(where: { config[$0] != nil }) {
        let message = keys.count == 1
            ? "a \(type) step needs config \"\(keys[0])\""
            : "a \(type) step needs one of config " + keys.map { "\"\($0)\"" }.joined(separator: " or ")
        errors.append(ValidationError(stepID: stepID, field: "\(at).config.\(keys[0])", code: .missingRequiredConfig,
                                      message: message))
    }
}

private func validateDependencies(_ step: Step, at: String, graph: StepGraph, into errors: inout [ValidationError]) {
    for (j, dep) in step.dependsOn.enumerated() {
        if dep == step.id {
            errors.append(ValidationError(stepID: step.id, field: "\(at).depends_on[\(j)]", code: .selfDependency,
                                          message: "step \"\(step.id)\" depends on itself"))
        } else if graph.index[dep] == nil {
            errors.append(ValidationError(stepID: step.id, field: "\(at).depends_on[\(j)]", code: .unknownDependency,
                                          message: "step \"\(step.id)\" depends on \"\(dep)\", which doesn't exist"))
        }
    }
}

private func validateMappings(_ step: Step, index i: Int, at: String, graph: StepGraph,
                              into errors: inout [ValidationError]) {
    guard !step.inputMappings.isEmpty else { return }
    let upstream = graph.upstream(of: i)
    for (k, mapping) in step.inputMappings.enumerated() {
        let field = "\(at).input_mappings[\(k)].from_step"
        guard let from = graph.index[mapping.fromStep] else {
            errors.append(ValidationError(stepID: step.id, field: field, code: .mappingUnknownStep,
                                          message: "mapping reads from \"\(mapping.fromStep)\", which doesn't exist"))
            continue
        }
        if !upstream.contains(from) {
            errors.append(ValidationError(stepID: step.id, field: field, code: .mappingNotUpstream,
                                          message: "mapping reads from \"\(mapping.fromStep)\", which is not upstream of \"\(step.id)\""))
        }
    }
}

/// A condition's or an approval's branch lists name steps that depend on it directly (the
/// ones its outcome can rule out: see `Branching`); a typo would otherwise silently never skip.
private func validateBranches(_ step: Step, index i: Int, at: String, graph: StepGraph,
                              into errors: inout [ValidationError]) {
    let keys = Branching.keys(of: step)
    var listedBy: [String: String] = [:]
    for key in keys {
        guard let value = step.config[key] else { continue }
        let field = "\(at).config.\(key)"
        func fail(_ field: String, _ message: String) {
            errors.append(ValidationError(stepID: step.id, field: field, code: .invalidBranch, message: message))
        }
        guard let items = value.arrayValue else {
            fail(field, "\(key) of \"\(step.id)\" must be a list of step ids")
            continue
        }
        for (k, item) in items.enumerated() {
            guard let id = item.stringValue else {
                fail("\(field)[\(k)]", "\(key) of \"\(step.id)\" must be a list of step ids")
                continue
            }
            guard let j = graph.index[id] else {
                fail("\(field)[\(k)]", "\(key) of \"\(step.id)\" names \"\(id)\", which doesn't exist")
                continue
            }
            if !graph.deps[j].contains(i) {
                fail("\(field)[\(k)]", "\(key) of \"\(step.id)\" names \"\(id)\", which does not depend on \"\(step.id)\"")
            } else if let other = listedBy.updateValue(key, forKey: id), other != key {
                fail("\(field)[\(k)]", "\"\(id)\" is in both \(other) and \(key) of \"\(step.id)\"")
            }
        }
    }
}

private func validateRetry(_ retry: RetryPolicy, stepID: String, at: String, into errors: inout [ValidationError]) {
    func fail(_ field: String, _ message: String) {
        errors.append(ValidationError(stepID: stepID, field: "\(at).\(field)", code: .invalidRetry, message: message))
    }
    if retry.maxAttempts < 0 { fail("max_attempts", "max_attempts must not be negative") }
    if retry.backoffMultiplier != 0, !(retry.backoffMultiplier >= 1) {
        fail("backoff_multiplier", "backoff_multiplier must be at least 1 when set")
    }
    if let initial = retry.initialBackoff, initial.isNegative { fail("initial_backoff", "initial_backoff must not be negative") }
    if let max = retry.maxBackoff, max.isNegative { fail("max_backoff", "max_backoff must not be negative") }
    if let initial = retry.initialBackoff, let max = retry.maxBackoff, max < initial {
        fail("max_backoff", "max_backoff (\(max.canonicalString)) is less than initial_backoff (\(initial.canonicalString))")
    }
}

private func validateStepOrder(_ def: WorkflowDefinition, graph: StepGraph, into errors: inout [ValidationError]) {
    guard !def.stepOrder.isEmpty else { return }
    let ids = def.steps.map(\.id)
    guard def.stepOrder.sorted() == ids.sorted(), Set(ids).count == ids.count else {
        errors.append(ValidationError(field: "step_order", code: .stepOrderMismatch,
                                      message: "step_order must list every step id exactly once"))
        return
    }
    var position: [String: Int] = [:]
    for (p, id) in def.stepOrder.enumerated() { position[id] = p }
    for (p, id) in def.stepOrder.enumerated() {
        let step = def.steps[graph.index[id]!]
        for dep in step.dependsOn where (position[dep] ?? -1) > p {
            errors.append(ValidationError(stepID: id, field: "step_order[\(p)]", code: .stepOrderMismatch,
                                          message: "step_order puts \"\(id)\" before \"\(dep)\", which it depends on"))
        }
    }
}

// MARK: - The dependency graph

/// Steps as nodes (definition indexes), depends_on as edges to known steps.
struct StepGraph {
    let def: WorkflowDefinition
    /// The first step with each id.
    let index: [String: Int]
    /// For each step, the indexes of the known steps it depends on (no self-edges, no repeats).
    let deps: [[Int]]
    /// Steps whose id is valid and unique are named by id in field paths.
    let namedByID: [Bool]

    init(_ def: WorkflowDefinition) {
        self.def = def
        var index: [String: Int] = [:]
        var counts: [String: Int] = [:]
        for (i, step) in def.steps.enumerated() {
            if index[step.id] == nil { index[step.id] = i }
            counts[step.id, default: 0] += 1
        }
        self.index = index
        self.deps = def.steps.enumerated().map { i, step in
            var seen: Set<Int> = []
            return step.dependsOn.compactMap { dep in
                guard let d = index[dep], d != i, seen.insert(d).inserted else { return nil }
                return d
            }
        }
        self.namedByID = def.steps.map { isValidStepID($0.id) && counts[$0.id] == 1 }
    }

    func label(_ i: Int) -> String { namedByID[i] ? "steps[\(def.steps[i].id)]" : "steps[\(i)]" }

    /// Every step reachable through depends_on from step i (its transitive dependencies).
    func upstream(of i: Int) -> Set<Int> {
        var seen: Set<Int> = []
        var stack = deps[i]
        while let n = stack.popLast() {
            if seen.insert(n).inserted { stack.append(contentsOf: deps[n]) }
        }
        return seen
    }

    /// The cycles a depth-first search meets, each as the steps along it (first step repeated
    /// only in the rendered path). Searching from steps in definition order makes the result
    /// deterministic; every cyclic part of the graph yields at least one cycle.
    func cycles() -> [[Int]] {
        enum Mark { case unvisited, onStack, done }
        var mark = [Mark](repeating: .unvisited, count: deps.count)
        var stack: [Int] = []
        var found: [[Int]] = []
        // Iterative DFS: (node, next edge to follow).
        for root in deps.indices where mark[root] == .unvisited {
            var frames: [(node: Int, edge: Int)] = [(root, 0)]
            mark[root] = .onStack
            stack.append(root)
            while let top = frames.last {
                if top.edge < deps[top.node].count {
                    frames[frames.count - 1].edge += 1
                    let next = deps[top.node][top.edge]
                    switch mark[next] {
                    case .unvisited:
                        mark[next] = .onStack
                        stack.append(next)
                        frames.append((next, 0))
                    case .onStack:
                        found.append(Array(stack[stack.lastIndex(of: next)!...]))
                    case .done:
                        break
                    }
                } else {
                    mark[top.node] = .done
                    stack.removeLast()
                    frames.removeLast()
                }
            }
        }
        return found
    }
}
