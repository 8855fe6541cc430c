/// What a run's actor needs to know about its workflow version, worked out once per version
/// and shared by every run of it: the steps by id, the effective dependencies both ways, and,
/// for the steps in run order, their dependencies' positions and whether they branch.
final class RunPlan: Sendable {
    let definition: WorkflowDefinition
    /// Step ids in run order (the order of `Run.steps`).
    let order: [String]
    let steps: [String: Step]
    /// Effective dependencies: depends_on, or step_order's chain for a linear workflow.
    let deps: [String: [String]]
    let dependents: [String: [String]]
    /// The steps in run order with their types, as a QUEUED event lists them.
    let typedOrder: [(id: String, type: String)]
    /// For each step in run order: the positions of its dependencies.
    let depIndices: [[Int]]
    /// For each step in run order: whether it can rule out dependents (a condition or an approval).
    let branches: [Bool]

    /// Steps whose attempts need no expression scope, primary and fallback: their type does not
    /// evaluate expressions and their config has no `{{ }}` tag (so rendering would change
    /// nothing). Building the scope is most of a constant step's cost.
    private let scopeless: Set<String>
    private let scopelessFallbacks: Set<String>

    func needsScope(_ id: String, fallback: Bool) -> Bool {
        !(fallback ? scopelessFallbacks : scopeless).contains(id)
    }

    private static func needsScope(type: String, config: [String: JSONValue]) -> Bool {
        type == StepType.transform.rawValue || type == StepType.condition.rawValue || type == StepType.loop.rawValue
            || config.values.contains(where: hasTag)
    }

    private static func hasTag(_ value: JSONValue) -> Bool {
        switch value {
        case .string(let s): TemplateText.containsTag(s)
        case .array(let items): items.contains(where: hasTag)
        case .object(let members): members.values.contains(where: hasTag)
        default: false
        }
    }

    init(definition: WorkflowDefinition, order: [String]) {
        self.definition = definition
        self.order = order
        var steps: [String: Step] = [:]
        for s in definition.steps { steps[s.id] = s }
        self.steps = steps
        var deps: [String: [String]] = [:]
        let linear = definition.steps.allSatisfy { $0.dependsOn.isEmpty } && !definition.stepOrder.isEmpty
        for s in definition.steps { deps[s.id] = s.dependsOn }
        if linear {
            for (i, id) in definition.stepOrder.enumerated() where i > 0 && steps[id] != nil {
                deps[id] = [definition.stepOrder[i - 1]].filter { steps[$0] != nil }
            }
        }
        var dependents: [String: [String]] = [:]
        for s in definition.steps {
            for d in deps[s.id] ?? [] { dependents[d, default: []].append(s.id) }
        }
        self.deps = deps
        self.dependents = dependents
        scopeless = Set(definition.steps.filter { !Self.needsScope(type: $0.type, config: $0.config) }.map(\.id))
        scopelessFallbacks = Set(definition.steps.filter { s in
            s.fallback.map { !Self.needsScope(type: $0.type, config: $0.config) } ?? false
        }.map(\.id))
        typedOrder = order.map { ($0, steps[$0]?.type ?? "") }
        var position: [String: Int] = [:]
        for (i, id) in order.enumerated() { position[id] = i }
        depIndices = order.map { id in (deps[id] ?? []).compactMap { position[$0] } }
        branches = order.map { id in
            let type = steps[id]?.type
            return type == StepType.condition.rawValue || type == StepType.humanApproval.rawValue
        }
    }

    /// Whether this plan's run order is `run`'s (a run recovered from an older log may have
    /// another; its actor then gets a plan of its own).
    func fits(_ run: Run) -> Bool {
        run.steps.count == order.count && zip(run.steps, order).allSatisfy { $0.stepID == $1 }
    }
}
