/// One output variable of a workflow: a leaf step's output, named "<step_id>-<variable>".
public struct OutputVariable: Sendable, Hashable {
    public var stepID: String
    public var variable: String
    public var name: String
    public init(stepID: String, variable: String) {
        self.stepID = stepID
        self.variable = variable
        self.name = "\(stepID)-\(variable)"
    }
}

extension WorkflowDefinition {
    /// The steps in an order where each comes after everything it depends on. Ties go to the
    /// step listed first in `step_order` when it is set, else first in the definition; so a
    /// definition already in dependency order keeps its order. Nil when the steps form a cycle.
    public func topologicalOrder() -> [Step]? {
        let graph = StepGraph(self)
        let n = steps.count
        // Priority of each step among those ready: its step_order position, else its index.
        var rank = Array(0..<n)
        if !stepOrder.isEmpty {
            var position: [String: Int] = [:]
            for (p, id) in stepOrder.enumerated() where position[id] == nil { position[id] = p }
            rank = steps.enumerated().map { i, step in position[step.id].map { $0 } ?? (stepOrder.count + i) }
        }
        var waiting = graph.deps.map(\.count)
        var dependents = [[Int]](repeating: [], count: n)
        for (i, ds) in graph.deps.enumerated() { for d in ds { dependents[d].append(i) } }
        var ready = MinHeap<(Int, Int)>(less: { $0.0 < $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) })
        for i in 0..<n where waiting[i] == 0 { ready.push((rank[i], i)) }
        var order: [Step] = []
        order.reserveCapacity(n)
        while let (_, i) = ready.pop() {
            order.append(steps[i])
            for j in dependents[i] {
                waiting[j] -= 1
                if waiting[j] == 0 { ready.push((rank[j], j)) }
            }
        }
        return order.count == n ? order : nil
    }

    /// Leaf steps (no other step depends on them), in definition order, with their variables:
    /// the step's config "outputs" list (strings) when set, else "output".
    public func outputVariables() -> [OutputVariable] {
        var used: Set<String> = []
        for step in steps { for dep in step.dependsOn where dep != step.id { used.insert(dep) } }
        var out: [OutputVariable] = []
        for step in steps where !used.contains(step.id) {
            let names = step.config["outputs"]?.arrayValue?.compactMap(\.stringValue) ?? []
            for variable in names.isEmpty ? ["output"] : names {
                out.append(OutputVariable(stepID: step.id, variable: variable))
            }
        }
        return out
    }
}

/// A binary min-heap under a caller's ordering.
struct MinHeap<Element> {
    private var items: [Element] = []
    private let less: (Element, Element) -> Bool

    init(less: @escaping (Element, Element) -> Bool) { self.less = less }

    var isEmpty: Bool { items.isEmpty }

    mutating func push(_ e: Element) {
        items.append(e)
        var i = items.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard less(items[i], items[parent]) else { break }
            items.swapAt(i, parent)
            i = parent
        }
    }

    mutating func pop() -> Element? {
        guard !items.isEmpty else { return nil }
        items.swapAt(0, items.count - 1)
        let top = items.removeLast()
        var i = 0
        while true {
            let l = 2 * i + 1, r = l + 1
            var m = i
            if l < items.count, less(items[l], items[m]) { m = l }
            if r < items.count, less(items[r], items[m]) { m = r }
            if m == i { break }
            items.swapAt(i, m)
            i = m
        }
        return top
    }
}
