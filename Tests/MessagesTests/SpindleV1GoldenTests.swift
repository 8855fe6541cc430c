import Messages
import ProtoWire
import Testing

/// spindle.v1 built in Swift, against the reference runtime's bytes (the spindle_v1_* cases
/// of scripts/proto/gen-golden.py): encoding must match exactly, and decoding must give the
/// Swift value back.
struct SpindleV1GoldenTests {
    typealias V = GoogleProtobuf.Value
    typealias S = GoogleProtobuf.Struct

    func check<M: ProtoMessage>(_ value: M, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let golden = try Repo.goldenBytes(name + ".bin")
        #expect(value.serializedBytes() == golden, "encode \(name)", sourceLocation: sourceLocation)
        let decoded = try M(serializedBytes: golden)
        #expect(decoded == value, "decode \(name)", sourceLocation: sourceLocation)
    }

    static func string(_ s: String) -> V { V(.stringValue(s)) }

    /// fetch (http_request, every retry/timeout/fallback field) -> shape (transform, two
    /// mappings) -> notify (webhook, a multiplier explicitly set to zero).
    static func steps() -> [SpindleV1.Step] {
        var fetch = SpindleV1.Step(id: "fetch", type: "http_request", config: S([
            "method": string("GET"), "url": string("https://api.example.com/data"),
            "outputs": V(.listValue(.init([string("body"), string("status")]))),
        ]))
        fetch.name = "Fetch data"
        var retry = SpindleV1.RetryPolicy()
        retry.maxAttempts = 3
        retry.initialBackoff = .init(seconds: 0, nanos: 500_000_000)
        retry.maxBackoff = .init(seconds: 30, nanos: 0)
        retry.backoffMultiplier = .init(2)
        retry.retryableErrors = ["UNAVAILABLE", "DEADLINE_EXCEEDED"]
        fetch.retry = retry
        fetch.timeout = .init(seconds: 10, nanos: 0)
        var fallback = SpindleV1.Fallback()
        fallback.type = "http_request"
        fallback.config = S(["url": string("https://mirror.example.com/data")])
        fetch.fallback = fallback

        var shape = SpindleV1.Step(id: "shape", type: "transform", config: S(["expression": string("body.items")]),
                                   dependsOn: ["fetch"])
        shape.inputMappings = [
            .init(fromStep: "fetch", fromField: "body.items.0.id", toField: "first_id", transform: "upper(x)"),
            .init(fromStep: "fetch", fromField: "status", toField: "code"),
        ]
        var notify = SpindleV1.Step(id: "notify", type: "webhook", config: S(["url": string("https://hooks.example.com/x")]),
                                    dependsOn: ["shape"])
        notify.retry = .init()
        notify.retry?.backoffMultiplier = .init(0)
        return [fetch, shape, notify]
    }

    static func definition() -> SpindleV1.WorkflowDefinition {
        .init(steps: steps(), stepOrder: ["fetch", "shape", "notify"])
    }

    @Test func fullWorkflow() throws {
        var w = SpindleV1.Workflow()
        w.id = "wf_01JD8X3K5ZQ8V4N2M6P7R9T0AB"; w.tenantID = "acme"; w.name = "Fetch and notify"
        w.description = "Fetches, reshapes, posts."; w.tags = ["etl", "notifications"]
        w.status = .active; w.triggerType = .schedule; w.kind = .agent
        var city = SpindleV1.InputDeclaration()
        city.name = "city"; city.type = .string; city.required = true; city.description = "Where"
        var limit = SpindleV1.InputDeclaration()
        limit.name = "limit"; limit.type = .integer; limit.defaultValue = V(.numberValue(10))
        var dataset = SpindleV1.InputDeclaration()
        dataset.name = "dataset"; dataset.type = .file; dataset.defaultValue = V(.nullValue(.nullValue))
        w.inputs = [city, limit, dataset]
        w.config = S(["concurrency": V(.numberValue(4)), "region": Self.string("eu")])
        w.webhookURL = "https://hooks.example.com/done"
        w.origin = .init(); w.origin?.instance = "api-prod"; w.origin?.zone = "eu-west-1"; w.origin?.reference = "ticket-42"
        w.testInputs = [S(["city": Self.string("Paris")]), S()]
        w.definition = Self.definition()
        w.createdAt = .init(seconds: 1_767_225_600, nanos: 1000)
        w.updatedAt = .init(seconds: 1_767_229_200, nanos: 0)
        w.currentVersion = 3; w.etag = "W/\"3-a1b2\""; w.deleted = true
        w.deletedAt = .init(seconds: 1_767_232_800, nanos: 0)
        w.startedRunID = "run_01JD8X3K5ZQ8V4N2M6P7R9T0AB"
        try check(w, "spindle_v1_workflow_full")

        var unknown = SpindleV1.Workflow()
        unknown.status = .init(rawValue: 99); unknown.triggerType = .init(rawValue: -1); unknown.kind = .init(rawValue: 7)
        try check(unknown, "spindle_v1_workflow_unknown_enums")
    }

    @Test func wrappedMultiplierPresence() throws {
        var r = SpindleV1.RetryPolicy()
        r.maxAttempts = 1
        try check(r, "spindle_v1_retry_multiplier_unset")
        r = .init(); r.backoffMultiplier = .init(0)
        try check(r, "spindle_v1_retry_multiplier_zero")
        #expect(try SpindleV1.RetryPolicy(serializedBytes: Repo.goldenBytes("spindle_v1_retry_multiplier_zero.bin"))
            .backoffMultiplier == .init(0))
    }

    @Test func requests() throws {
        var create = SpindleV1.CreateWorkflowRequest()
        create.workflow = .init()
        create.workflow?.name = "Fetch and notify"; create.workflow?.triggerType = .manual
        create.workflow?.definition = Self.definition()
        create.requestID = "req-7"; create.start = true
        create.startInputs = S(["city": Self.string("Paris"), "dry_run": V(.boolValue(true))])
        try check(create, "spindle_v1_create_request")

        var list = SpindleV1.ListWorkflowsRequest()
        list.pageSize = 200; list.pageToken = "opaque=="; list.status = .paused; list.tag = "etl"
        list.triggerType = .webhook; list.nameContains = "fetch"; list.includeDeleted = true
        try check(list, "spindle_v1_list_request")

        var update = SpindleV1.UpdateWorkflowRequest()
        update.workflowID = "wf_1"; update.definition = .init(steps: [Self.steps()[2]])
        update.changeSummary = "Only notify"
        update.metadata = .init(); update.metadata?.name = "Renamed"; update.metadata?.kind = .chatbot
        update.updateMask = .init(); update.updateMask?.paths = ["name", "kind"]
        update.expectedEtag = "e1"
        try check(update, "spindle_v1_update_request")

        var status = SpindleV1.SetWorkflowStatusRequest()
        status.workflowID = "wf_1"; status.status = .archived; status.expectedEtag = "e2"
        try check(status, "spindle_v1_set_status_request")

        var remove = SpindleV1.RemoveStepRequest()
        remove.workflowID = "wf_1"; remove.stepID = "fetch"; remove.cascade = true
        remove.changeSummary = "drop fetch"; remove.expectedEtag = "e3"
        try check(remove, "spindle_v1_remove_step_request")

        var rollback = SpindleV1.RollbackWorkflowRequest()
        rollback.workflowID = "wf_1"; rollback.toVersion = 1; rollback.changeSummary = "Rollback to version 1"
        rollback.expectedEtag = "e4"
        try check(rollback, "spindle_v1_rollback_request")

        var save = SpindleV1.SaveAsTemplateRequest()
        save.workflowID = "wf_1"; save.templateID = "my-etl"; save.name = "My ETL"; save.description = "d"
        save.tags = ["a", "b"]
        try check(save, "spindle_v1_save_as_template_request")
    }

    @Test func validateOneofArmsAndEveryCode() throws {
        var req = SpindleV1.ValidateWorkflowRequest()
        req.target = .definition(.init())
        var input = SpindleV1.InputDeclaration()
        input.type = .object
        req.inputs = [input]
        try check(req, "spindle_v1_validate_request_definition")
        req = .init(); req.target = .workflowID("")
        try check(req, "spindle_v1_validate_request_workflow_id_empty")

        var resp = SpindleV1.ValidateWorkflowResponse()
        resp.errors = SpindleV1.ValidationCode.values.filter { $0.number != 0 }.map { name, number in
            .init(stepID: "s\(number)", field: "steps[\(number)].config.url", code: .init(rawValue: number), message: name)
        }
        resp.errors.append(.init(stepID: "a", field: "steps[a].depends_on[0]", code: .cycle, message: "a -> b -> a"))
        try check(resp, "spindle_v1_validate_response")
    }

    @Test func uploadStream() throws {
        var meta = SpindleV1.UploadFileMetadata()
        meta.workflowID = "wf_1"; meta.stepID = "fetch"; meta.fileName = "cases.csv"; meta.contentType = "text/csv"
        meta.purpose = .dataset
        try check(SpindleV1.UploadFilesRequest(.metadata(meta)), "spindle_v1_upload_metadata")
        meta = .init()
        meta.workflowID = "wf_1"; meta.stepID = ""; meta.fileName = "t.bin"; meta.purpose = .testFile
        try check(SpindleV1.UploadFilesRequest(.metadata(meta)), "spindle_v1_upload_metadata_step_empty")
        let chunk = Array(repeating: (0...255).map { UInt8($0) }, count: 4).flatMap { $0 }
        try check(SpindleV1.UploadFilesRequest(.chunk(chunk)), "spindle_v1_upload_chunk")
        try check(SpindleV1.UploadFilesRequest(.chunk([])), "spindle_v1_upload_chunk_empty")
        var resp = SpindleV1.UploadFilesResponse()
        resp.fileID = "file_01JD8X3K5ZQ8V4N2M6P7R9T0AB"; resp.size = 1024
        resp.sha256 = "785b0751fc2c53dc14a4ce3d800e69ef9ce1009eb327ccf458afe09c242c26c9"
        try check(resp, "spindle_v1_upload_response")
    }

    @Test func versionsAndDiff() throws {
        var diff = SpindleV1.DiffVersionsResponse()
        diff.operations = [
            .init(op: "add", path: "/steps/2", value: V(.structValue(S([
                "id": Self.string("notify"), "type": Self.string("webhook"),
                "dependsOn": V(.listValue(.init([Self.string("shape")]))),
            ])))),
            .init(op: "replace", path: "/steps/0/config/url", value: Self.string("https://new-url.com")),
            .init(op: "remove", path: "/stepOrder"),
            .init(op: "move", path: "/steps/1", from: "/steps/0"),
            .init(op: "test", path: "/steps/0/retry/maxAttempts", value: V(.numberValue(3))),
        ]
        diff.summary = "Added 1 step, modified 1 step"; diff.fromVersion = 1; diff.toVersion = 2
        try check(diff, "spindle_v1_diff_response")

        var v2 = SpindleV1.WorkflowVersion()
        v2.number = 2; v2.changeSummary = "Fixed URL"; v2.definitionHash = String(repeating: "ab", count: 32)
        v2.createdAt = .init(seconds: 1_767_229_200, nanos: 0)
        var v1 = SpindleV1.WorkflowVersion()
        v1.number = 1; v1.changeSummary = "Initial version"; v1.definitionHash = String(repeating: "0", count: 64)
        var versions = SpindleV1.ListVersionsResponse()
        versions.versions = [v2, v1]; versions.nextPageToken = "v1"
        try check(versions, "spindle_v1_list_versions_response")

        var full = SpindleV1.WorkflowVersion()
        full.number = 1; full.definition = Self.definition()
        try check(full, "spindle_v1_version")
    }

    @Test func responsesAndTemplates() throws {
        var purge = SpindleV1.PurgeWorkflowResponse()
        purge.workflowID = "wf_1"; purge.versionsRemoved = 4; purge.filesRemoved = 2; purge.bytesRemoved = 5_000_000_000
        purge.runsRemoved = 70_000; purge.schedulesRemoved = 3; purge.runsCanceled = 2
        try check(purge, "spindle_v1_purge_response")

        var removed = SpindleV1.RemoveStepResponse()
        removed.workflow = .init(); removed.workflow?.id = "wf_1"; removed.workflow?.currentVersion = 4
        removed.removedStepIDs = ["fetch", "shape", "notify"]
        try check(removed, "spindle_v1_remove_step_response")

        var outputs = SpindleV1.GetOutputVariablesResponse()
        outputs.variables = [.init(stepID: "notify", variable: "output", name: "notify-output"),
                             .init(stepID: "sum", variable: "text", name: "sum-text")]
        try check(outputs, "spindle_v1_output_variables")

        var template = SpindleV1.Template()
        template.id = "http-fetch-transform"; template.name = "Fetch and transform"
        template.description = "GET a URL, reshape the body"
        template.definition = .init(steps: Array(Self.steps().prefix(2)))
        var url = SpindleV1.InputDeclaration()
        url.name = "url"; url.type = .string; url.required = true
        template.inputs = [url]; template.tags = ["http"]
        try check(template, "spindle_v1_template")
    }
}
