import Foundation
import Testing
@testable import Engine
import Messages
import ProtoWire
import RPC
@testable import Services

/// A proto workflow using every field of the model, with awkward values (negative durations,
/// nested Structs, nulls, a pre-1970 timestamp is covered separately).
func fullProtoWorkflow() -> SpindleV1.Workflow {
    typealias PB = SpindleV1
    var config = GoogleProtobuf.Struct()
    var inner = GoogleProtobuf.Struct()
    inner.fields["flag"] = value(.boolValue(true))
    inner.fields["none"] = value(.nullValue(GoogleProtobuf.NullValue(rawValue: 0)))
    var list = GoogleProtobuf.ListValue()
    list.values = [value(.numberValue(1.5)), value(.stringValue("x")), value(.structValue(inner))]
    config.fields["url"] = value(.stringValue("https://example.com"))
    config.fields["items"] = value(.listValue(list))

    var fetch = PB.Step()
    (fetch.id, fetch.name, fetch.type, fetch.config) = ("fetch", "Fetch", "http_request", config)
    var retry = PB.RetryPolicy()
    retry.maxAttempts = 4
    retry.initialBackoff = GoogleProtobuf.Duration(seconds: 0, nanos: 250_000_000)
    retry.maxBackoff = GoogleProtobuf.Duration(seconds: 30, nanos: 1)
    retry.backoffMultiplier = GoogleProtobuf.DoubleValue(1.5)
    retry.retryableErrors = ["UNAVAILABLE", "DEADLINE_EXCEEDED"]
    fetch.retry = retry
    fetch.timeout = GoogleProtobuf.Duration(seconds: -1, nanos: -500)

    var shape = PB.Step()
    (shape.id, shape.type) = ("shape", "transform")
    var expr = GoogleProtobuf.Struct()
    expr.fields["expression"] = value(.stringValue("body"))
    shape.config = expr
    shape.dependsOn = ["fetch"]
    var mapping = PB.InputMapping()
    (mapping.fromStep, mapping.fromField, mapping.toField, mapping.transform) = ("fetch", "body.items.0", "data", "upper")
    shape.inputMappings = [mapping]
    var fallback = PB.Fallback()
    fallback.type = "script"
    var cmd = GoogleProtobuf.Struct()
    cmd.fields["command"] = value(.stringValue("echo"))
    fallback.config = cmd
    shape.fallback = fallback

    var w = PB.Workflow()
    w.name = "full"
    w.description = "every field"
    w.tags = ["a", "b"]
    w.triggerType = .init(rawValue: 3)
    w.kind = .init(rawValue: 2)
    var input = PB.InputDeclaration()
    (input.name, input.type, input.required, input.description) = ("url", .init(rawValue: 1), true, "where")
    input.defaultValue = value(.stringValue("https://x"))
    var bare = PB.InputDeclaration()
    (bare.name, bare.type) = ("n", .init(rawValue: 3))
    w.inputs = [input, bare]
    w.config = config
    w.webhookURL = "https://hook"
    var origin = PB.Origin()
    (origin.instance, origin.zone, origin.reference) = ("i", "z", "r")
    w.origin = origin
    w.testInputs = [expr, config]
    var def = PB.WorkflowDefinition()
    def.steps = [fetch, shape]
    def.stepOrder = ["fetch", "shape"]
    w.definition = def
    return w
}

func value(_ kind: GoogleProtobuf.Value.Kind) -> GoogleProtobuf.Value {
    var v = GoogleProtobuf.Value()
    v.kind = kind
    return v
}

@Suite struct WorkflowMappingTests {
    typealias PB = SpindleV1

    @Test func fullWorkflowRoundTripsThroughTheEngineModel() throws {
        let proto = fullProtoWorkflow()
        let meta = try WorkflowMapping.metadata(proto, at: "workflow.")
        let def = try WorkflowMapping.definition(proto.definition!, at: "")
        #expect(meta.triggerType == .webhook && meta.kind == .chatbot)
        #expect(def.steps[0].timeout == TimeSpan(seconds: -1, nanos: -500))
        #expect(def.steps[0].retry?.backoffMultiplier == 1.5)
        #expect(def.steps[0].config["items"]?.arrayValue?[2]["none"] == JSONValue.null)

        let engine = Engine.Workflow(id: "wf_01", tenantID: "t", metadata: meta, status: .active, definition: def,
                                     createdAt: Instant(nanosSinceEpoch: 1_700_000_000_123_456_789),
                                     updatedAt: Instant(nanosSinceEpoch: -1_500_000_000), currentVersion: 3,
                                     etag: "r7", deleted: true, deletedAt: Instant(nanosSinceEpoch: 5))
        let back = WorkflowMapping.workflow(engine)
        var expected = proto
        expected.id = "wf_01"
        expected.tenantID = "t"
        expected.status = .active
        expected.createdAt = GoogleProtobuf.Timestamp(seconds: 1_700_000_000, nanos: 123_456_789)
        // Timestamp nanos are never negative: -1.5 s is -2 s + 0.5 s.
        expected.updatedAt = GoogleProtobuf.Timestamp(seconds: -2, nanos: 500_000_000)
        expected.currentVersion = 3
        expected.etag = "r7"
        expected.deleted = true
        expected.deletedAt = GoogleProtobuf.Timestamp(seconds: 0, nanos: 5)
        #expect(back == expected)
        // And the wire bytes survive a decode as well.
        #expect(try PB.Workflow(serializedBytes: back.serializedBytes()) == expected)
        #expect(WorkflowMapping.instant(back.updatedAt!) == engine.updatedAt)
        #expect(WorkflowMapping.instant(back.createdAt!) == engine.createdAt)
    }

    @Test func unsetAndEmptyOptionalPartsStayUnset() throws {
        var step = PB.Step()
        (step.id, step.type) = ("w", "wait")
        let engine = try WorkflowMapping.step(step, at: "steps[w]")
        #expect(engine.config.isEmpty && engine.retry == nil && engine.timeout == nil && engine.fallback == nil)
        #expect(WorkflowMapping.step(engine) == step)
        var retry = PB.RetryPolicy()
        retry.maxAttempts = 2
        step.retry = retry
        #expect(WorkflowMapping.step(try WorkflowMapping.step(step, at: "s")).retry == retry)
    }

    @Test func badRequestShapesNameTheField() {
        var w = PB.Workflow()
        w.name = "x"
        w.kind = .init(rawValue: 9)
        #expect(throws: MappingError(field: "workflow.kind", message: "unknown WorkflowKind value 9")) {
            try WorkflowMapping.metadata(w, at: "workflow.")
        }
        var step = PB.Step()
        (step.id, step.type) = ("a", "wait")
        step.timeout = GoogleProtobuf.Duration(seconds: 1, nanos: -1)
        #expect(throws: MappingError(field: "steps[a].timeout", message: "seconds 1 and nanos -1 have different signs")) {
            try WorkflowMapping.definition({ var d = PB.WorkflowDefinition(); d.steps = [step]; return d }(), at: "")
        }
        step.timeout = GoogleProtobuf.Duration(seconds: 0, nanos: 1_000_000_000)
        #expect(throws: MappingError.self) { try WorkflowMapping.step(step, at: "s") }
        step.timeout = nil
        var config = GoogleProtobuf.Struct()
        config.fields["n"] = value(.numberValue(.nan))
        step.config = config
        #expect(throws: MappingError(field: "s.config.n", message: "nan is not a JSON number")) {
            try WorkflowMapping.step(step, at: "s")
        }
        var input = PB.InputDeclaration()
        input.type = .init(rawValue: 42)
        #expect(throws: MappingError(field: "inputs[0].type", message: "unknown InputType value 42")) {
            try WorkflowMapping.inputs([input], at: "inputs")
        }
    }

    @Test func validationCodesMapByName() {
        for code in Engine.ValidationCode.allCases where code != .invalidRequest {
            let mapped = WorkflowMapping.validationCode(code)
            #expect(PB.ValidationCode.values.first { $0.number == mapped.rawValue }?.name == "VALIDATION_CODE_" + code.rawValue)
        }
        #expect(WorkflowMapping.validationCode(.invalidRequest) == .unspecified)
    }

    @Test func patchOperationsCarryFromAndValue() {
        let op = WorkflowMapping.patch(Engine.PatchOperation(op: .move, path: "/steps/1", from: "/steps/0"))
        #expect(op == PB.PatchOperation(op: "move", path: "/steps/1", from: "/steps/0"))
        let add = WorkflowMapping.patch(Engine.PatchOperation(op: .add, path: "/a", value: ["k": [1, nil]]))
        guard case .structValue(let s)? = add.value?.kind, case .listValue(let l)? = s.fields["k"]?.kind else {
            Issue.record("value lost: \(add)")
            return
        }
        #expect(l.values.map(\.kind) == [.numberValue(1), .nullValue(GoogleProtobuf.NullValue(rawValue: 0))])
    }
}

@Suite struct WorkflowErrorTests {
    func decodeDetails(_ e: RPCError) throws -> (GoogleRPC.Status, [GoogleRPC.BadRequest.FieldViolation]) {
        let bytes = try #require(e.details)
        let status = try GoogleRPC.Status(serializedBytes: bytes)
        #expect(status.details.count == 1)
        let any = try #require(status.details.first)
        #expect(any.typeURL == "type.googleapis.com/google.rpc.BadRequest")
        return (status, try GoogleRPC.BadRequest(serializedBytes: any.value).fieldViolations)
    }

    @Test func domainErrorsMapToTheirCodes() {
        #expect(WorkflowErrors.status(.notFound("workflow wf_1 not found")) == RPCError(.notFound, "workflow wf_1 not found"))
        #expect(WorkflowErrors.status(.alreadyExists("x")).code == .alreadyExists)
        #expect(WorkflowErrors.status(.failedPrecondition("cannot go from PAUSED to DRAFT"))
                == RPCError(.failedPrecondition, "cannot go from PAUSED to DRAFT"))
        #expect(WorkflowErrors.status(.aborted("etag")).code == .aborted)
        for e in [DomainError.notFound("a"), .alreadyExists("b"), .failedPrecondition("c"), .aborted("d")] {
            #expect(WorkflowErrors.status(e).details == nil)
        }
    }

    @Test func invalidDefinitionCarriesOneViolationPerError() throws {
        let errors = [
            ValidationError(stepID: "b", field: "steps[b].depends_on[0]", code: .unknownDependency, message: "unknown step \"zz\""),
            ValidationError(stepID: "a", field: "steps[a].depends_on[0]", code: .cycle, message: "a -> b -> a"),
        ]
        let e = WorkflowErrors.status(.invalidArgument(errors))
        #expect(e.code == .invalidArgument)
        #expect(e.message.hasPrefix("invalid definition: 2 problems: steps[b].depends_on[0]: unknown step"))
        let (status, violations) = try decodeDetails(e)
        #expect(status.code == 3 && status.message == e.message)
        #expect(violations.map(\.field) == ["steps[b].depends_on[0]", "steps[a].depends_on[0]"])
        #expect(violations.map(\.description) == ["UNKNOWN_DEPENDENCY: unknown step \"zz\"", "CYCLE: a -> b -> a"])
    }

    @Test func requestShapeErrorsNameTheField() throws {
        let e = WorkflowErrors.invalid("page_size", "page_size must be at most 200 (got 500)")
        #expect(e.message == "page_size: page_size must be at most 200 (got 500)")
        let (_, violations) = try decodeDetails(e)
        #expect(violations.map(\.field) == ["page_size"])
        #expect(violations.first?.description == "INVALID_REQUEST: page_size must be at most 200 (got 500)")
        let mapped = WorkflowErrors.map(MappingError(field: "workflow.kind", message: "unknown WorkflowKind value 9"))
        #expect(try decodeDetails(mapped).1.map(\.field) == ["workflow.kind"])
    }

    @Test func rpcErrorsPassThroughUnchanged() {
        #expect(WorkflowErrors.map(RPCError(.unauthenticated, "no token")) == RPCError(.unauthenticated, "no token"))
    }
}
