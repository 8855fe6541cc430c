import Crypto
import Testing
import Storage
@testable import Engine

@Suite struct CanonicalTests {
    static let def = WorkflowDefinition(steps: [
        Step(id: "fetch", type: "http_request", config: ["url": "http://x", "method": "GET"],
             retry: RetryPolicy(maxAttempts: 3, initialBackoff: TimeSpan(milliseconds: 1500)), timeout: TimeSpan(seconds: 2)),
        Step(id: "shape", type: "transform", config: ["expression": "x"], dependsOn: ["fetch"]),
    ])

    @Test func canonicalFormIsExact() {
        #expect(Self.def.canonicalJSON == #"{"steps":[{"config":{"method":"GET","url":"http://x"},"id":"fetch","#
            + #""retry":{"initial_backoff":"1.5s","max_attempts":3},"timeout":"2s","type":"http_request"},"#
            + #"{"config":{"expression":"x"},"depends_on":["fetch"],"id":"shape","type":"transform"}]}"#)
        #expect(Self.def.hash == SHA256.hex(Array(Self.def.canonicalJSON.utf8)))
        #expect(Self.def.hash.count == 64 && Self.def.hash == Self.def.hash.lowercased())
    }

    @Test func keyOrderAndWhitespaceDoNotChangeTheHash() throws {
        let text = """
        { "steps" : [ { "type":"http_request", "timeout":"2s", "retry":{"max_attempts":3,"initial_backoff":"1.500s"},
          "id":"fetch", "config":{"url":"http://x","method":"GET"} },
          {"id":"shape","depends_on":["fetch"],"config":{"expression":"x"},"type":"transform", "name": ""} ] }
        """
        let parsed = try WorkflowDefinition(json: JSONValue.parse(text))
        #expect(parsed == Self.def)
        #expect(parsed.hash == Self.def.hash)
    }

    @Test func everySemanticChangeChangesTheHash() {
        var variants: [WorkflowDefinition] = []
        func variant(_ change: (inout WorkflowDefinition) -> Void) {
            var d = Self.def
            change(&d)
            variants.append(d)
        }
        variant { $0.steps[0].config["url"] = "http://y" }
        variant { $0.steps[0].config["extra"] = 1 }
        variant { $0.steps[0].config["method"] = .number(1) }
        variant { $0.steps[1].dependsOn = [] }
        variant { $0.steps[0].retry?.maxAttempts = 4 }
        variant { $0.steps[0].retry = nil }
        variant { $0.steps[0].timeout = TimeSpan(seconds: 2, nanos: 1) }
        variant { $0.steps[1].name = "Shape" }
        variant { $0.steps.swapAt(0, 1) }
        variant { $0.stepOrder = ["fetch", "shape"] }
        variant { $0.steps[1].fallback = Fallback(type: "script") }
        variant { $0.steps[1].inputMappings = [InputMapping(fromStep: "fetch")] }
        let hashes = Set(variants.map(\.hash) + [Self.def.hash])
        #expect(hashes.count == variants.count + 1)
    }

    @Test func definitionRoundTripsThroughJSON() throws {
        for template in BuiltinTemplates.all {
            let text = template.definition.canonicalJSON
            #expect(try WorkflowDefinition(json: JSONValue.parse(text)) == template.definition)
        }
    }

    @Test func malformedDefinitionsNameThePath() {
        #expect(throws: DecodeError(path: "definition.steps[0].depends_on", message: "expected an array")) {
            try WorkflowDefinition(json: ["steps": [["id": "a", "depends_on": "b"]]])
        }
        #expect(throws: DecodeError(path: "definition.steps[0].timeout", message: "expected a duration like \"1.5s\"")) {
            try WorkflowDefinition(json: ["steps": [["id": "a", "timeout": "5 minutes"]]])
        }
    }

    @Test(arguments: [("1.5s", 1, 500_000_000), ("0s", 0, 0), ("-0.25s", 0, -250_000_000), ("3.000000001s", 3, 1)])
    func durations(text: String, seconds: Int64, nanos: Int32) {
        let span = TimeSpan(canonical: text)
        #expect(span == TimeSpan(seconds: seconds, nanos: nanos))
        #expect(span?.canonicalString == text)
    }

    @Test func builtinTemplatesValidate() {
        #expect(BuiltinTemplates.all.map(\.id) == ["http-fetch-transform", "approval-gate", "llm-summarize"])
        for t in BuiltinTemplates.all { #expect(validate(t.definition, inputs: t.inputs) == [], "\(t.id)") }
        #expect(BuiltinTemplates.approvalGate.definition.steps.map(\.type) == ["transform", "human_approval", "webhook"])
    }
}

@Suite struct DiffTests {
    @Test func pathsAreEscaped() {
        let ops = diff(from: ["a/b": 1, "m~n": 1], to: ["a/b": 2])
        #expect(ops == [PatchOperation(op: .remove, path: "/m~0n"), PatchOperation(op: .replace, path: "/a~1b", value: 2)])
    }

    @Test func seedExampleShape() {
        var v2 = CanonicalTests.def
        v2.steps[0].config["url"] = "https://new-url.com"
        v2.steps.append(Step(id: "notify", type: "webhook", config: ["url": "u"], dependsOn: ["shape"]))
        let ops = diff(from: CanonicalTests.def.json, to: v2.json)
        #expect(ops.map(\.description) == [
            #"{"op":"replace","path":"/steps/0/config/url","value":"https://new-url.com"}"#,
            #"{"op":"add","path":"/steps/2","value":{"config":{"url":"u"},"depends_on":["shape"],"id":"notify","type":"webhook"}}"#,
        ])
        #expect(changeSummary(from: CanonicalTests.def, to: v2) == "Added 1 step, modified 1 step")
    }

    @Test func summaries() {
        let a = WorkflowDefinition(steps: [step("a"), step("b"), step("c")])
        #expect(changeSummary(from: a, to: a) == "No changes")
        #expect(changeSummary(from: a, to: WorkflowDefinition(steps: [step("a")])) == "Removed 2 steps")
        #expect(changeSummary(from: a, to: WorkflowDefinition(steps: [step("c"), step("b"), step("a")])) == "Reordered steps")
        #expect(changeSummary(from: a, to: WorkflowDefinition(steps: [step("a", "wait"), step("d"), step("e")]))
                == "Added 2 steps, modified 1 step, removed 2 steps")
    }

    @Test func diffThenApplyGivesTheTargetOnGeneratedPairs() throws {
        var rng = SplitMix(seed: 42)
        var nonTrivial = 0
        for _ in 0..<2000 {
            let a = randomJSON(&rng, depth: 4)
            // Half the targets are mutations of the source, so nested edits get exercised.
            let b = Bool.random(using: &rng) ? randomJSON(&rng, depth: 4) : mutate(a, &rng)
            let ops = diff(from: a, to: b)
            if ops.count > 1 { nonTrivial += 1 }
            #expect(try apply(ops, to: a) == b, "\(a.canonicalString()) -> \(b.canonicalString())")
            if a == b { #expect(ops.isEmpty) }
        }
        #expect(nonTrivial > 100)
    }

    @Test func diffOfDefinitionsApplies() throws {
        var rng = SplitMix(seed: 9)
        for _ in 0..<200 {
            let a = randomDefinition(&rng), b = randomDefinition(&rng)
            #expect(try apply(diff(from: a.json, to: b.json), to: a.json) == b.json)
        }
    }

    @Test func applyImplementsTheOtherOperations() throws {
        let doc: JSONValue = ["a": [1, 2, 3], "b": ["c": "d"]]
        let patch = [
            PatchOperation(op: .test, path: "/b/c", value: "d"),
            PatchOperation(op: .move, path: "/a/-", from: "/b/c"),
            PatchOperation(op: .copy, path: "/e", from: "/a"),
            PatchOperation(op: .add, path: "/a/0", value: 0),
            PatchOperation(op: .remove, path: "/b"),
        ]
        #expect(try apply(patch, to: doc) == ["a": [0, 1, 2, 3, "d"], "e": [1, 2, 3, "d"]])
        #expect(throws: PatchError(index: 0, message: "test /a/0: test failed")) {
            try apply([PatchOperation(op: .test, path: "/a/0", value: 9)], to: doc)
        }
        #expect(throws: PatchError(index: 0, message: "remove /a/3: bad array index \"3\"")) {
            try apply([PatchOperation(op: .remove, path: "/a/3")], to: doc)
        }
        #expect(throws: PatchError(index: 0, message: "move /b/c/x: cannot move a value into itself")) {
            try apply([PatchOperation(op: .move, path: "/b/c/x", from: "/b")], to: doc)
        }
        #expect(try apply([PatchOperation(op: .replace, path: "", value: 5)], to: doc) == 5)
    }
}

func mutate(_ v: JSONValue, _ rng: inout SplitMix) -> JSONValue {
    switch v {
    case .object(var o):
        if let key = o.keys.sorted().randomElement(using: &rng), Bool.random(using: &rng) {
            o[key] = mutate(o[key]!, &rng)
        } else {
            o["n\(Int.random(in: 0..<3, using: &rng))"] = randomJSON(&rng, depth: 1)
        }
        return .object(o)
    case .array(var a):
        switch Int.random(in: 0..<3, using: &rng) {
        case 0 where !a.isEmpty: a.remove(at: Int.random(in: 0..<a.count, using: &rng))
        case 1 where !a.isEmpty: let i = Int.random(in: 0..<a.count, using: &rng); a[i] = mutate(a[i], &rng)
        default: a.insert(randomJSON(&rng, depth: 1), at: Int.random(in: 0...a.count, using: &rng))
        }
        return .array(a)
    default:
        return randomJSON(&rng, depth: 2)
    }
}

func randomDefinition(_ rng: inout SplitMix) -> WorkflowDefinition {
    let types = StepType.allCases.map(\.rawValue)
    var steps: [Step] = []
    for i in 0..<Int.random(in: 0..<6, using: &rng) {
        let deps = steps.map(\.id).filter { _ in Int.random(in: 0..<3, using: &rng) == 0 }
        steps.append(step("s\(Int.random(in: 0..<8, using: &rng))_\(i)", types.randomElement(using: &rng)!, deps: deps,
                          retry: Bool.random(using: &rng) ? RetryPolicy(maxAttempts: 2) : nil))
    }
    return WorkflowDefinition(steps: steps)
}
