// spindle.v1.WorkflowService: authenticate, map the request onto the engine, run it on the
// WorkflowStore, map the answer back. Semantics live in the Engine; this file only adapts.
import FoundationEssentials
public import Engine
import Messages
import ProtoWire
public import RPC
import Synchronization

public struct WorkflowService: Sendable {
    public static let serviceName = "spindle.v1.WorkflowService"
    /// Largest chunk of an upload (the proto's limit).
    public static let maxChunkBytes = 1 << 20
    static let maxPageSize = 200
    static let defaultPageSize = 50

    let store: WorkflowStore
    let authenticator: Authenticator
    /// Largest uploaded file, in bytes.
    let maxFileBytes: Int
    /// Runs CreateWorkflow's `start`; without one, `start` is refused.
    let executor: Executor?

    public init(store: WorkflowStore, authenticator: Authenticator, maxFileBytes: Int = 64 << 20, executor: Executor? = nil) {
        self.store = store
        self.authenticator = authenticator
        self.maxFileBytes = maxFileBytes
        self.executor = executor
    }

    typealias M = WorkflowMapping

    public func register(in router: inout Router) {
        let name = Self.serviceName
        router.unary(name, "CreateWorkflow") { (req: PB.CreateWorkflowRequest, ctx) in try await call(ctx) { try await create(req, $0) } }
        router.unary(name, "GetWorkflow") { (req: PB.GetWorkflowRequest, ctx) in
            try await call(ctx) { p in
                let id = try Self.required(req.workflowID, "workflow_id")
                return M.workflow(try await store.read { s throws(DomainError) in try s.get(tenant: p.tenant, id: id) })
            }
        }
        router.unary(name, "ListWorkflows") { (req: PB.ListWorkflowsRequest, ctx) in try await call(ctx) { try await list(req, $0) } }
        router.unary(name, "UpdateWorkflow") { (req: PB.UpdateWorkflowRequest, ctx) in try await call(ctx) { try await update(req, $0) } }
        router.unary(name, "SetWorkflowStatus") { (req: PB.SetWorkflowStatusRequest, ctx) in
            try await call(ctx) { p in
                let id = try Self.required(req.workflowID, "workflow_id")
                let status = try M.status(req.status, at: "status")
                guard status != .unspecified else { throw WorkflowErrors.invalid("status", "status must not be UNSPECIFIED") }
                let etag = req.expectedEtag
                return try await write(p) { s, env throws(DomainError) in
                    try s.setStatus(tenant: p.tenant, id: id, status: status, expectedEtag: etag, env: env)
                }
            }
        }
        router.unary(name, "ValidateWorkflow") { (req: PB.ValidateWorkflowRequest, ctx) in try await call(ctx) { try await validate(req, $0) } }
        router.unary(name, "DuplicateWorkflow") { (req: PB.DuplicateWorkflowRequest, ctx) in
            try await call(ctx) { p in
                let id = try Self.required(req.workflowID, "workflow_id")
                let newName = req.name
                return try await write(p) { s, env throws(DomainError) in
                    if newName.isEmpty { return try s.duplicate(tenant: p.tenant, id: id, env: env) }
                    let source = try s.get(tenant: p.tenant, id: id)
                    var meta = source.metadata
                    meta.name = newName
                    return try s.create(tenant: p.tenant, metadata: meta, definition: source.definition, env: env)
                }
            }
        }
        router.unary(name, "ResetWorkflow") { (req: PB.ResetWorkflowRequest, ctx) in
            try await call(ctx) { p in
                let id = try Self.required(req.workflowID, "workflow_id")
                let etag = req.expectedEtag
                return try await write(p) { s, env throws(DomainError) in try s.reset(tenant: p.tenant, id: id, expectedEtag: etag, env: env) }
            }
        }
        router.unary(name, "DeleteWorkflow") { (req: PB.DeleteWorkflowRequest, ctx) in
            try await call(ctx) { p in
                let id = try Self.required(req.workflowID, "workflow_id")
                let etag = req.expectedEtag
                return try await write(p) { s, env throws(DomainError) in try s.delete(tenant: p.tenant, id: id, expectedEtag: etag, env: env) }
            }
        }
        router.unary(name, "PurgeWorkflow") { (req: PB.PurgeWorkflowRequest, ctx) in
            try await call(ctx) { p in
                let id = try Self.required(req.workflowID, "workflow_id")
                let store = self.store
                // The runs, schedules and batches go first (the executor's side), then the workflow.
                let purge: @Sendable () async throws -> PurgeReport = { try await store.purge(tenant: p.tenant, id: id) }
                let (runs, report) = if let executor {
                    try await executor.purgeWorkflow(tenant: p.tenant, workflowID: id, removeWorkflow: purge)
                } else {
                    (RunPurgeReport(), try await purge())
                }
                var out = PB.PurgeWorkflowResponse()
                out.workflowID = report.workflowID
                out.versionsRemoved = Int32(clamping: report.versionsRemoved)
                out.filesRemoved = Int32(clamping: report.files.count)
                out.bytesRemoved = report.files.reduce(0) { $0 + $1.size }
                out.runsRemoved = Int32(clamping: runs.runsRemoved)
                out.runsCanceled = Int32(clamping: runs.runsCanceled)
                out.schedulesRemoved = Int32(clamping: runs.schedulesRemoved)
                return out
            }
        }
        router.unary(name, "ListSteps") { (req: PB.ListStepsRequest, ctx) in
            try await call(ctx) { p in
                let def = try await definition(p, req.workflowID, version: req.version)
                var out = PB.ListStepsResponse()
                out.steps = (def.topologicalOrder() ?? def.steps).map(M.step)
                return out
            }
        }
        router.unary(name, "AddStep") { (req: PB.AddStepRequest, ctx) in
            try await call(ctx) { p in
                let id = try Self.required(req.workflowID, "workflow_id")
                guard let pstep = req.step else { throw WorkflowErrors.invalid("step", "step is required") }
                let step = try M.step(pstep, at: "step")
                let (etag, summary) = (req.expectedEtag, req.changeSummary)
                return try await write(p) { s, env throws(DomainError) in
                    try s.addStep(tenant: p.tenant, id: id, step: step, changeSummary: summary, expectedEtag: etag, env: env)
                }
            }
        }
        router.unary(name, "RemoveStep") { (req: PB.RemoveStepRequest, ctx) in try await call(ctx) { try await removeStep(req, $0) } }
        router.unary(name, "GetOutputVariables") { (req: PB.GetOutputVariablesRequest, ctx) in
            try await call(ctx) { p in
                let def = try await definition(p, req.workflowID, version: req.version)
                var out = PB.GetOutputVariablesResponse()
                out.variables = def.outputVariables().map { PB.OutputVariable(stepID: $0.stepID, variable: $0.variable, name: $0.name) }
                return out
            }
        }
        router.unary(name, "ListVersions") { (req: PB.ListVersionsRequest, ctx) in try await call(ctx) { try await listVersions(req, $0) } }
        router.unary(name, "GetVersion") { (req: PB.GetVersionRequest, ctx) in
            try await call(ctx) { p in
                let id = try Self.required(req.workflowID, "workflow_id")
                let number = req.version
                guard number >= 1 else { throw WorkflowErrors.invalid("version", "version must be at least 1") }
                let v = try await store.read { s throws(DomainError) in try s.getVersion(tenant: p.tenant, id: id, number: number) }
                return M.version(v, withDefinition: true)
            }
        }
        router.unary(name, "DiffVersions") { (req: PB.DiffVersionsRequest, ctx) in
            try await call(ctx) { p in
                let id = try Self.required(req.workflowID, "workflow_id")
                let (from, to) = (req.fromVersion, req.toVersion)
                guard from >= 1 else { throw WorkflowErrors.invalid("from_version", "from_version must be at least 1") }
                guard to >= 1 else { throw WorkflowErrors.invalid("to_version", "to_version must be at least 1") }
                let d = try await store.read { s throws(DomainError) in try s.diffVersions(tenant: p.tenant, id: id, from: from, to: to) }
                var out = PB.DiffVersionsResponse()
                out.operations = d.operations.map(M.patch)
                out.summary = d.summary
                (out.fromVersion, out.toVersion) = (from, to)
                return out
            }
        }
        router.unary(name, "RollbackWorkflow") { (req: PB.RollbackWorkflowRequest, ctx) in
            try await call(ctx) { p in
                let id = try Self.required(req.workflowID, "workflow_id")
                let (to, etag, summary) = (req.toVersion, req.expectedEtag, req.changeSummary)
                guard to >= 1 else { throw WorkflowErrors.invalid("to_version", "to_version must be at least 1") }
                return try await write(p) { s, env throws(DomainError) in
                    try s.rollback(tenant: p.tenant, id: id, to: to, changeSummary: summary, expectedEtag: etag, env: env)
                }
            }
        }
        router.unary(name, "ListTemplates") { (req: PB.ListTemplatesRequest, ctx) in try await call(ctx) { try await listTemplates(req, $0) } }
        router.unary(name, "GetTemplate") { (req: PB.GetTemplateRequest, ctx) in
            try await call(ctx) { p in
                let id = try Self.required(req.templateID, "template_id")
                return M.template(try await store.read { s throws(DomainError) in try s.getTemplate(tenant: p.tenant, id: id) })
            }
        }
        router.unary(name, "InstallTemplate") { (req: PB.InstallTemplateRequest, ctx) in
            try await call(ctx) { p in
                let id = try Self.required(req.templateID, "template_id")
                let newName = try Self.required(req.name, "name")
                return try await write(p) { s, env throws(DomainError) in
                    try s.installTemplate(tenant: p.tenant, templateID: id, name: newName, env: env)
                }
            }
        }
        router.unary(name, "SaveAsTemplate") { (req: PB.SaveAsTemplateRequest, ctx) in try await call(ctx) { try await saveAsTemplate(req, $0) } }
        router.clientStreaming(name, "UploadFiles") { (requests: RequestStream<PB.UploadFilesRequest>, ctx) in
            try await call(ctx) { try await upload(requests, $0) }
        }
    }

    // MARK: Plumbing

    /// Authenticates, runs `body`, and turns whatever it throws into a precise status.
    func call<R>(_ ctx: ServerContext, _ body: (Principal) async throws -> R) async throws -> R {
        try await run(try authenticator.authenticate(ctx), body)
    }

    /// Runs `body` for an authenticated caller, mapping what it throws.
    func run<R>(_ principal: Principal, _ body: (Principal) async throws -> R) async throws -> R {
        do {
            return try await body(principal)
        } catch {
            throw WorkflowErrors.map(error)
        }
    }

    /// Runs a command (durable when it returns) and answers with the workflow it is about.
    func write(_ p: Principal, _ command: @escaping @Sendable (WorkflowState, Engine.Environment) throws(DomainError) -> CommandResult)
        async throws -> PB.Workflow {
        let tenant = p.tenant
        let (_, workflow) = try await store.execute(command) { s, result throws(DomainError) in
            try s.get(tenant: tenant, id: result.workflowID)
        }
        // Runs that end from now on tell the URL the workflow has now.
        executor?.rememberWebhookURL(tenant: tenant, workflowID: workflow.id, url: workflow.metadata.webhookURL)
        return M.workflow(workflow)
    }

    static func required(_ value: String, _ field: String) throws(RPCError) -> String {
        guard !value.isEmpty else { throw WorkflowErrors.invalid(field, "\(field) is required") }
        return value
    }

    static func pageSize(_ size: Int32, field: String = "page_size") throws(RPCError) -> Int {
        guard size >= 0 else { throw WorkflowErrors.invalid(field, "\(field) must not be negative (got \(size))") }
        guard size <= maxPageSize else { throw WorkflowErrors.invalid(field, "\(field) must be at most \(maxPageSize) (got \(size))") }
        return size == 0 ? defaultPageSize : Int(size)
    }

    /// The current definition (version 0) or a given version's.
    func definition(_ p: Principal, _ workflowID: String, version: Int32) async throws -> Engine.WorkflowDefinition {
        let id = try Self.required(workflowID, "workflow_id")
        guard version >= 0 else { throw WorkflowErrors.invalid("version", "version must not be negative (got \(version))") }
        return try await store.read { s throws(DomainError) in
            version == 0 ? try s.get(tenant: p.tenant, id: id).definition
                : try s.getVersion(tenant: p.tenant, id: id, number: version).definition
        }
    }

    /// Opaque page tokens for the lists the service pages itself: base64 of "<kind>:<key>".
    static func token(_ kind: String, _ key: String) -> String { Data("\(kind):\(key)".utf8).base64EncodedString() }

    static func untoken(_ kind: String, _ token: String) throws(RPCError) -> String? {
        if token.isEmpty { return nil }
        guard let data = Data(base64Encoded: token), let text = String(data: data, encoding: .utf8),
              text.hasPrefix(kind + ":") else {
            throw WorkflowErrors.invalid("page_token", "page_token is not one this call returned")
        }
        return String(text.dropFirst(kind.count + 1))
    }
}

// MARK: - The larger handlers

extension WorkflowService {
    func create(_ req: PB.CreateWorkflowRequest, _ p: Principal) async throws -> PB.Workflow {
        guard let w = req.workflow else { throw WorkflowErrors.invalid("workflow", "workflow is required") }
        guard !w.name.isEmpty else { throw WorkflowErrors.invalid("workflow.name", "workflow.name is required") }
        let meta = try M.metadata(w, at: "workflow.")
        let def = try w.definition.map { (d: PB.WorkflowDefinition) throws(MappingError) in try M.definition(d, at: "") }
        let requestID = req.requestID
        // Validation and hashing need no state: done here, in parallel, not on the store's actor.
        let checked = try WorkflowState.check(def, inputs: meta.inputs)
        guard req.start else {
            return try await write(p) { s, env throws(DomainError) in
                try s.create(tenant: p.tenant, metadata: meta, checked: checked, requestID: requestID, env: env)
            }
        }
        // Create-and-start: the inputs are checked first, so a bad input creates nothing.
        guard let executor else { throw RPCError(.unimplemented, "this server does not run workflows") }
        let startInputs = try M.object(req.startInputs, at: "start_inputs")
        _ = try Executor.checkInputs(startInputs, against: meta.inputs)
        var created = try await write(p) { s, env throws(DomainError) in
            try s.create(tenant: p.tenant, metadata: meta, checked: checked, requestID: requestID, env: env)
        }
        // A retried create (same request_id) finds the run the first one started.
        let key = requestID.isEmpty ? "" : "create-and-start:" + requestID
        let run = try await executor.start(.init(tenantID: p.tenant, workflowID: created.id, inputs: startInputs,
                                                 origin: RunOrigin(idempotencyKey: key)))
        created.startedRunID = run.id
        return created
    }

    func list(_ req: PB.ListWorkflowsRequest, _ p: Principal) async throws -> PB.ListWorkflowsResponse {
        let size = try Self.pageSize(req.pageSize)
        let filter = ListFilter(status: try M.status(req.status, at: "status"), tag: req.tag.isEmpty ? nil : req.tag,
                                triggerType: try M.triggerType(req.triggerType, at: "trigger_type"),
                                nameContains: req.nameContains.isEmpty ? nil : req.nameContains,
                                includeDeleted: req.includeDeleted)
        let token = req.pageToken
        let page = try await store.read { s throws(DomainError) in
            try s.list(tenant: p.tenant, filter: filter, pageSize: size, pageToken: token)
        }
        var out = PB.ListWorkflowsResponse()
        out.workflows = page.workflows.map(M.workflow)
        out.nextPageToken = page.nextPageToken
        return out
    }

    func update(_ req: PB.UpdateWorkflowRequest, _ p: Principal) async throws -> PB.Workflow {
        let id = try Self.required(req.workflowID, "workflow_id")
        let paths = req.updateMask?.paths ?? []
        if req.metadata != nil, paths.isEmpty {
            throw WorkflowErrors.invalid("update_mask", "update_mask must name the metadata fields to update")
        }
        if req.metadata == nil, !paths.isEmpty {
            throw WorkflowErrors.invalid("metadata", "update_mask names fields but metadata is unset")
        }
        guard req.definition != nil || !paths.isEmpty else {
            throw WorkflowErrors.invalid("definition", "nothing to update: set definition and/or metadata with update_mask")
        }
        for (i, path) in paths.enumerated() where MetadataField(rawValue: path) == nil {
            throw WorkflowErrors.invalid("update_mask.paths[\(i)]", "unknown or read-only field \"\(path)\"; maskable: "
                                         + MetadataField.allCases.map(\.rawValue).joined(separator: ", "))
        }
        let meta = try req.metadata.map { (w: PB.Workflow) throws(MappingError) in try M.metadata(w, at: "metadata.") }
        let def = try req.definition.map { (d: PB.WorkflowDefinition) throws(MappingError) in try M.definition(d, at: "") }
        let (etag, summary) = (req.expectedEtag, req.changeSummary)
        return try await write(p) { s, env throws(DomainError) in
            try s.update(tenant: p.tenant, id: id, metadata: meta, mask: paths, definition: def, changeSummary: summary,
                         expectedEtag: etag, env: env)
        }
    }

    func validate(_ req: PB.ValidateWorkflowRequest, _ p: Principal) async throws -> PB.ValidateWorkflowResponse {
        let errors: [Engine.ValidationError]
        switch req.target {
        case nil:
            throw WorkflowErrors.invalid("target", "set definition or workflow_id")
        case .definition(let d)?:
            let def = try M.definition(d, at: "")
            let inputs = try M.inputs(req.inputs, at: "inputs")
            errors = Engine.validate(def, inputs: inputs)
        case .workflowID(let raw)?:
            let id = try Self.required(raw, "workflow_id")
            let w = try await store.read { s throws(DomainError) in try s.get(tenant: p.tenant, id: id) }
            errors = Engine.validate(w.definition, inputs: w.metadata.inputs)
        }
        var out = PB.ValidateWorkflowResponse()
        out.valid = errors.isEmpty
        out.errors = errors.map(M.validationError)
        return out
    }

    /// The engine's RemoveStep (one meaning of cascade: the step and every step depending on it,
    /// transitively); the reply names what went.
    func removeStep(_ req: PB.RemoveStepRequest, _ p: Principal) async throws -> PB.RemoveStepResponse {
        let id = try Self.required(req.workflowID, "workflow_id")
        let stepID = try Self.required(req.stepID, "step_id")
        let (etag, summary, cascade) = (req.expectedEtag, req.changeSummary, req.cascade)
        let removed = RemovedSteps()
        let workflow = try await write(p) { s, env throws(DomainError) in
            let result = try s.removeStep(tenant: p.tenant, id: id, stepID: stepID, cascade: cascade, changeSummary: summary,
                                          expectedEtag: etag, env: env)
            removed.set(try s.get(tenant: p.tenant, id: id).definition.removal(of: stepID, cascade: cascade).1)
            return result
        }
        var out = PB.RemoveStepResponse()
        out.workflow = workflow
        out.removedStepIDs = removed.get()
        return out
    }

    func listVersions(_ req: PB.ListVersionsRequest, _ p: Principal) async throws -> PB.ListVersionsResponse {
        let id = try Self.required(req.workflowID, "workflow_id")
        let size = try Self.pageSize(req.pageSize)
        var below = Int32.max
        if let key = try Self.untoken("v", req.pageToken) {
            guard let n = Int32(key), n >= 1 else { throw WorkflowErrors.invalid("page_token", "page_token is not one this call returned") }
            below = n
        }
        let versions = try await store.read { s throws(DomainError) in try s.listVersions(tenant: p.tenant, id: id) }
        let page = versions.reversed().filter { $0.number < below }.prefix(size)
        var out = PB.ListVersionsResponse()
        out.versions = page.map { M.version($0, withDefinition: false) }
        if let last = page.last, last.number > 1 { out.nextPageToken = Self.token("v", String(last.number)) }
        return out
    }

    func listTemplates(_ req: PB.ListTemplatesRequest, _ p: Principal) async throws -> PB.ListTemplatesResponse {
        let size = try Self.pageSize(req.pageSize)
        let after = try Self.untoken("t", req.pageToken)
        let tag = req.tag
        let all = try await store.read { s throws(DomainError) in s.listTemplates(tenant: p.tenant) }
        var matching = all.filter { tag.isEmpty || $0.tags.contains(tag) }
        if let after {
            guard let i = matching.firstIndex(where: { $0.id == after }) else {
                throw WorkflowErrors.invalid("page_token", "page_token is not one this call returned")
            }
            matching.removeFirst(i + 1)
        }
        var out = PB.ListTemplatesResponse()
        out.templates = matching.prefix(size).map(M.template)
        if matching.count > size, let last = matching.prefix(size).last { out.nextPageToken = Self.token("t", last.id) }
        return out
    }

    static func isValidTemplateID(_ id: String) -> Bool {
        (1...64).contains(id.utf8.count) && id.utf8.allSatisfy { (97...122).contains($0) || (48...57).contains($0) || $0 == 45 }
    }

    func saveAsTemplate(_ req: PB.SaveAsTemplateRequest, _ p: Principal) async throws -> PB.Template {
        let id = try Self.required(req.workflowID, "workflow_id")
        let templateID = req.templateID
        guard Self.isValidTemplateID(templateID) else {
            throw WorkflowErrors.invalid("template_id", "template_id must match [a-z0-9-]{1,64} (got \"\(templateID)\")")
        }
        let name = try Self.required(req.name, "name")
        let (description, tags) = (req.description, req.tags)
        _ = try await store.execute { s, env throws(DomainError) in
            if (try? s.getTemplate(tenant: p.tenant, id: templateID)) != nil {
                throw .alreadyExists("template \(templateID) already exists")
            }
            let w = try s.get(tenant: p.tenant, id: id)
            let template = Engine.Template(id: templateID, name: name,
                                           description: description.isEmpty ? w.metadata.description : description,
                                           definition: w.definition, inputs: w.metadata.inputs,
                                           tags: tags.isEmpty ? w.metadata.tags : tags)
            return CommandResult(events: [.templateSaved(.init(tenantID: p.tenant, template: template))], workflowID: id)
        }
        return M.template(try await store.read { s throws(DomainError) in try s.getTemplate(tenant: p.tenant, id: templateID) })
    }
}

/// The step ids a RemoveStep command decided on, handed out of the store's closure.
final class RemovedSteps: Sendable {
    private let ids = Mutex<[String]>([])
    func set(_ value: [String]) { ids.withLock { $0 = value } }
    func get() -> [String] { ids.withLock { $0 } }
}
