import Testing
@testable import Engine

func step(_ id: String, _ type: String = "transform", deps: [String] = [], config: [String: JSONValue]? = nil,
          mappings: [InputMapping] = [], retry: RetryPolicy? = nil, fallback: Fallback? = nil) -> Step {
    let defaults: [String: JSONValue] = [
        "template": ["template": "t"], "transform": ["expression": "x"], "condition": ["expression": "x"],
        "loop": ["items": "$.xs", "step": "s"], "wait": ["duration": "1s"], "http_request": ["url": "http://a"],
        "script": ["command": "true"], "webhook": ["url": "http://b"], "subworkflow": ["workflow_id": "wf_x"],
        "agent_task": ["prompt": "p"],
    ][type] ?? [:]
    return Step(id: id, type: type, config: config ?? defaults, dependsOn: deps, inputMappings: mappings,
                retry: retry, fallback: fallback)
}

@Suite struct ValidationTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var def: WorkflowDefinition
        var inputs: [InputDeclaration] = []
        var expected: [(ValidationCode, String, String)]  // code, step id, field
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "valid chain", def: WorkflowDefinition(steps: [step("a"), step("b", deps: ["a"])]), expected: []),
        Case(name: "empty id", def: WorkflowDefinition(steps: [step("")]), expected: [(.emptyStepID, "", "steps[0].id")]),
        Case(name: "invalid id", def: WorkflowDefinition(steps: [step("a b")]),
             expected: [(.invalidStepID, "a b", "steps[0].id")]),
        Case(name: "id too long", def: WorkflowDefinition(steps: [step(String(repeating: "x", count: 65))]),
             expected: [(.invalidStepID, String(repeating: "x", count: 65), "steps[0].id")]),
        Case(name: "duplicate id", def: WorkflowDefinition(steps: [step("a"), step("a")]),
             expected: [(.duplicateStepID, "a", "steps[1].id")]),
        Case(name: "unknown type", def: WorkflowDefinition(steps: [step("a", "teleport")]),
             expected: [(.unknownStepType, "a", "steps[a].type")]),
        Case(name: "missing config", def: WorkflowDefinition(steps: [step("a", "http_request", config: ["method": "GET"])]),
             expected: [(.missingRequiredConfig, "a", "steps[a].config.url")]),
        Case(name: "loop needs items and step or workflow_id",
             def: WorkflowDefinition(steps: [step("l", "loop", config: [:]), step("m", "loop", config: ["items": 1, "workflow_id": "w"])]),
             expected: [(.missingRequiredConfig, "l", "steps[l].config.items"),
                        (.missingRequiredConfig, "l", "steps[l].config.step")]),
        Case(name: "wait takes duration or until", def: WorkflowDefinition(steps: [step("w", "wait", config: ["until": "t"])]),
             expected: []),
        Case(name: "human approval needs nothing", def: WorkflowDefinition(steps: [step("h", "human_approval", config: [:])]),
             expected: []),
        Case(name: "fallback type and config",
             def: WorkflowDefinition(steps: [step("a", fallback: Fallback(type: "webhook")), step("b", fallback: Fallback(type: "nope"))]),
             expected: [(.missingRequiredConfig, "a", "steps[a].fallback.config.url"),
                        (.unknownStepType, "b", "steps[b].fallback.type")]),
        Case(name: "unknown dependency", def: WorkflowDefinition(steps: [step("b", deps: ["zz"])]),
             expected: [(.unknownDependency, "b", "steps[b].depends_on[0]")]),
        Case(name: "self dependency", def: WorkflowDefinition(steps: [step("a", deps: ["a"])]),
             expected: [(.selfDependency, "a", "steps[a].depends_on[0]")]),
        Case(name: "cycle", def: WorkflowDefinition(steps: [step("a", deps: ["b"]), step("b", deps: ["a"])]),
             expected: [(.cycle, "a", "steps[a].depends_on")]),
        Case(name: "mapping unknown step",
             def: WorkflowDefinition(steps: [step("a", mappings: [InputMapping(fromStep: "ghost", fromField: "x")])]),
             expected: [(.mappingUnknownStep, "a", "steps[a].input_mappings[0].from_step")]),
        Case(name: "mapping from a sibling is not upstream",
             def: WorkflowDefinition(steps: [step("a"), step("b"), step("c", deps: ["b"], mappings: [
                 InputMapping(fromStep: "b", fromField: "body"), InputMapping(fromStep: "a", fromField: "x")])]),
             expected: [(.mappingNotUpstream, "c", "steps[c].input_mappings[1].from_step")]),
        Case(name: "mapping from a transitive dependency is fine",
             def: WorkflowDefinition(steps: [step("a"), step("b", deps: ["a"]), step("c", deps: ["b"], mappings: [
                 InputMapping(fromStep: "a", fromField: "body.items.0.id", toField: "id")])]),
             expected: []),
        Case(name: "retry limits",
             def: WorkflowDefinition(steps: [step("r", retry: RetryPolicy(maxAttempts: -1, initialBackoff: TimeSpan(seconds: 5),
                                                                        maxBackoff: TimeSpan(seconds: 1), backoffMultiplier: 0.5))]),
             expected: [(.invalidRetry, "r", "steps[r].retry.max_attempts"),
                        (.invalidRetry, "r", "steps[r].retry.backoff_multiplier"),
                        (.invalidRetry, "r", "steps[r].retry.max_backoff")]),
        Case(name: "unset multiplier is fine", def: WorkflowDefinition(steps: [step("r", retry: RetryPolicy(maxAttempts: 3))]),
             expected: []),
        Case(name: "step_order not a permutation",
             def: WorkflowDefinition(steps: [step("a"), step("b")], stepOrder: ["a", "c"]),
             expected: [(.stepOrderMismatch, "", "step_order")]),
        Case(name: "step_order against depends_on",
             def: WorkflowDefinition(steps: [step("a"), step("b", deps: ["a"])], stepOrder: ["b", "a"]),
             expected: [(.stepOrderMismatch, "b", "step_order[0]")]),
        Case(name: "inputs", def: WorkflowDefinition(steps: [step("a")]),
             inputs: [InputDeclaration(name: ""), InputDeclaration(name: "q"), InputDeclaration(name: "q")],
             expected: [(.invalidInput, "", "inputs[0].name"), (.invalidInput, "", "inputs[2].name")]),
        Case(name: "branch lists name direct dependents",
             def: WorkflowDefinition(steps: [
                 step("c", "condition", config: ["expression": "x", "if_true": ["yes"], "if_false": ["no"]]),
                 step("yes", deps: ["c"]), step("no", deps: ["c"]), step("far", deps: ["no"]),
                 step("h", "human_approval", config: ["on_approve": ["ok"], "on_decline": ["no_way"]]),
                 step("ok", deps: ["h"]), step("no_way", deps: ["h", "yes"]),
             ]),
             expected: []),
        Case(name: "bad branch lists",
             def: WorkflowDefinition(steps: [
                 step("c", "condition", config: ["expression": "x", "if_true": ["ghost", "b"], "if_false": "b"]),
                 step("b", deps: ["c"]), step("d", deps: ["b"]),
                 step("h", "human_approval", config: ["on_approve": ["ok", 7, "d"], "on_decline": ["ok"]]),
                 step("ok", deps: ["h"]),
             ]),
             expected: [(.invalidBranch, "c", "steps[c].config.if_true[0]"),
                        (.invalidBranch, "c", "steps[c].config.if_false"),
                        (.invalidBranch, "h", "steps[h].config.on_approve[1]"),
                        (.invalidBranch, "h", "steps[h].config.on_approve[2]"),
                        (.invalidBranch, "h", "steps[h].config.on_decline[0]")]),
    ]

    @Test(arguments: cases)
    func table(_ c: Case) {
        let errors = validate(c.def, inputs: c.inputs)
        #expect(errors.map { "\($0.code.rawValue) \($0.stepID) \($0.field)" }
                == c.expected.map { "\($0.0.rawValue) \($0.1) \($0.2)" })
    }

    @Test func everyDefinitionCodeIsCovered() {
        let covered = Set(Self.cases.flatMap { $0.expected.map(\.0) })
        #expect(covered == Set(ValidationCode.allCases).subtracting([.invalidRequest]))
    }

    @Test func allErrorsAtOnceInAFixedOrder() {
        let def = WorkflowDefinition(steps: [
            step("fetch", "http_request", deps: ["ghost"], config: [:]),
            step("x", "teleport", deps: ["y"]),
            step("y", deps: ["x"], mappings: [InputMapping(fromStep: "fetch")]),
            step("fetch"),
        ])
        let errors = validate(def, inputs: [InputDeclaration(name: "")])
        #expect(errors.map(\.code) == [.invalidInput, .missingRequiredConfig, .unknownDependency, .unknownStepType,
                                       .mappingNotUpstream, .duplicateStepID, .cycle])
        // Same input, same output: callers can diff error lists.
        #expect(validate(def, inputs: [InputDeclaration(name: "")]) == errors)
        #expect(errors.last?.message == "cycle: x -> y -> x")
    }

    @Test func branchMessagesSayWhatIsWrong() {
        let def = WorkflowDefinition(steps: [
            step("c", "condition", config: ["expression": "x", "if_true": ["ghost", "d"], "if_false": ["b", "b"]]),
            step("b", deps: ["c"]), step("d", deps: ["b"]),
        ])
        #expect(validate(def).map(\.message) == [
            "if_true of \"c\" names \"ghost\", which doesn't exist",
            "if_true of \"c\" names \"d\", which does not depend on \"c\"",
        ])
        let both = WorkflowDefinition(steps: [
            step("c", "condition", config: ["expression": "x", "if_true": ["b"], "if_false": ["b"]]), step("b", deps: ["c"]),
        ])
        #expect(validate(both).map(\.message) == ["\"b\" is in both if_true and if_false of \"c\""])
    }

    @Test func cyclePathIsConcrete() {
        let def = WorkflowDefinition(steps: [
            step("start"), step("a", deps: ["start", "c"]), step("b", deps: ["a"]), step("c", deps: ["b"]),
        ])
        let cycles = validate(def).filter { $0.code == .cycle }
        #expect(cycles.map(\.message) == ["cycle: a -> c -> b -> a"])
        #expect(cycles.first?.field == "steps[a].depends_on")
    }

    @Test func twoSeparateCyclesAreBothReported() {
        let def = WorkflowDefinition(steps: [
            step("a", deps: ["b"]), step("b", deps: ["a"]), step("p", deps: ["q"]), step("q", deps: ["p"]),
        ])
        #expect(validate(def).map(\.message) == ["cycle: a -> b -> a", "cycle: p -> q -> p"])
    }

    @Test func duplicateStepsAreNamedByIndex() {
        let def = WorkflowDefinition(steps: [step("a", "nope"), step("a", "nope")])
        #expect(validate(def).map(\.field) == ["steps[0].type", "steps[1].id", "steps[1].type"])
    }
}

@Suite struct GraphTests {
    @Test func topologicalOrderIsStableByDefinitionOrder() throws {
        let def = WorkflowDefinition(steps: [
            step("report", deps: ["join"]), step("b"), step("join", deps: ["b", "a"]), step("a"), step("z"),
        ])
        #expect(def.topologicalOrder()?.map(\.id) == ["b", "a", "join", "report", "z"])
    }

    @Test func orderAlreadySortedIsKept() {
        let def = WorkflowDefinition(steps: [step("a"), step("b", deps: ["a"]), step("c"), step("d", deps: ["c", "b"])])
        #expect(def.topologicalOrder()?.map(\.id) == ["a", "b", "c", "d"])
    }

    @Test func stepOrderBreaksTies() {
        let def = WorkflowDefinition(steps: [step("a"), step("b"), step("c", deps: ["a"])], stepOrder: ["b", "a", "c"])
        #expect(def.topologicalOrder()?.map(\.id) == ["b", "a", "c"])
    }

    @Test func cycleHasNoOrder() {
        #expect(WorkflowDefinition(steps: [step("a", deps: ["b"]), step("b", deps: ["a"])]).topologicalOrder() == nil)
    }

    @Test func outputVariablesOfLeaves() {
        let def = WorkflowDefinition(steps: [
            step("fetch", "http_request"), step("shape", deps: ["fetch"]),
            step("notify", "webhook", deps: ["fetch"], config: ["url": "u", "outputs": ["status", "body"]]),
        ])
        #expect(def.outputVariables().map(\.name) == ["shape-output", "notify-status", "notify-body"])
        #expect(def.outputVariables().first == OutputVariable(stepID: "shape", variable: "output"))
    }
}
