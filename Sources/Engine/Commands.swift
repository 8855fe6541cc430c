/// What a command decided: the events to append (none for a no-op or an idempotent retry) and
/// the workflow it is about. Apply the events, then read the workflow back with `get`.
public struct CommandResult: Sendable, Hashable {
    public var events: [WorkflowEvent]
    public var workflowID: String
    /// Public so an adapter can combine commands (or issue events the engine made) in one
    /// `WorkflowStore.execute`.
    public init(events: [WorkflowEvent], workflowID: String) {
        self.events = events
        self.workflowID = workflowID
    }
}

/// What Purge removed, for its reply.
public struct PurgeReport: Sendable, Hashable {
    public var workflowID: String
    public var name: String
    public var versionsRemoved: Int
    /// The uploaded files that went with it (their blobs are deleted by the store).
    public var files: [AttachedFile] = []
}

/// A definition that passed validation against a workflow's inputs, with its hash.
public struct CheckedDefinition: Sendable, Hashable {
    public let definition: WorkflowDefinition
    public let hash: String
    /// The inputs it was checked against.
    public let inputs: [InputDeclaration]
}

/// Fields a metadata update can name in its field mask (proto names).
public enum MetadataField: String, Sendable, CaseIterable {
    case name, description, tags, kind, inputs, config, origin
    case triggerType = "trigger_type"
    case webhookURL = "webhook_url"
    case testInputs = "test_inputs"
    case originInstance = "origin.instance"
    case originZone = "origin.zone"
    case originReference = "origin.reference"
}

extension WorkflowState {
    // MARK: Create, duplicate, templates

    /// Creates a DRAFT workflow. Without a definition it gets `WorkflowDefinition.initial`. A name
    /// taken by a live workflow becomes "name (1)", "name (2)", ... A non-empty request id seen
    /// less than 24 hours before (`requestWindowNanos`, by the environment's clock) returns the
    /// workflow that request made, and no events; after that it creates anew.
    public func create(tenant: String, metadata: WorkflowMetadata, definition: WorkflowDefinition? = nil,
                       requestID: String = "", env: Environment) throws(DomainError) -> CommandResult {
        if let earlier = earlierCreate(tenant: tenant, requestID: requestID, env: env) { return earlier }
        return try create(tenant: tenant, metadata: metadata,
                          checked: Self.check(definition, inputs: metadata.inputs), requestID: requestID, env: env)
    }

    /// `create` with the definition checked beforehand (`check`, which needs no state: callers
    /// run it before queueing on the store's actor, so validation and hashing run in parallel).
    public func create(tenant: String, metadata: WorkflowMetadata, checked: CheckedDefinition,
                       requestID: String = "", env: Environment) throws(DomainError) -> CommandResult {
        if let earlier = earlierCreate(tenant: tenant, requestID: requestID, env: env) { return earlier }
        guard !metadata.name.isEmpty else { throw .invalid("name", "name is required") }
        guard checked.inputs == metadata.inputs else {
            return try create(tenant: tenant, metadata: metadata, definition: checked.definition, requestID: requestID, env: env)
        }
        return makeCreated(tenant: tenant, metadata: metadata, definition: checked.definition, hash: checked.hash,
                           summary: "Initial version", requestID: requestID, env: env)
    }

    /// How long a create's request id brings back the workflow it made: 24 hours.
    public static let requestWindowNanos: Int64 = 24 * 3600 * 1_000_000_000

    /// The workflow a create with `requestID` made within the window, as a no-event result.
    private func earlierCreate(tenant: String, requestID: String, env: Environment) -> CommandResult? {
        guard !requestID.isEmpty, let t = tenants[tenant], let id = t.requests[requestID],
              let made = t.records[id]?.workflow.createdAt else { return nil }
        guard env.clock.now().nanosSinceEpoch - made.nanosSinceEpoch < Self.requestWindowNanos else { return nil }
        return CommandResult(events: [], workflowID: id)
    }

    /// Validates a definition (nil: `WorkflowDefinition.initial`) against the workflow's declared
    /// inputs and hashes it. Pure: safe to run anywhere.
    public static func check(_ definition: WorkflowDefinition?, inputs: [InputDeclaration]) throws(DomainError)
        -> CheckedDefinition {
        let def = definition ?? .initial
        let errors = validate(def, inputs: inputs)
        guard errors.isEmpty else { throw .invalidArgument(errors) }
        return CheckedDefinition(definition: def, hash: definition == nil ? WorkflowDefinition.initialHash : def.hash,
                                 inputs: inputs)
    }

    private func makeCreated(tenant: String, metadata: WorkflowMetadata, definition: WorkflowDefinition, hash: String? = nil,
                             summary: String, requestID: String, env: Environment) -> CommandResult {
        let now = env.clock.now()
        let id = env.ids.workflowID(tenant: tenant, at: now)
        var meta = metadata
        meta.name = tenants[tenant]?.liveNames.uniqueName(metadata.name) ?? metadata.name
        let version = WorkflowVersion(number: 1, changeSummary: summary, createdAt: now, definition: definition,
                                      definitionHash: hash)
        let event = WorkflowEvent.created(.init(tenantID: tenant, workflowID: id, at: now, metadata: meta,
                                                status: .draft, version: version, requestID: requestID))
        return CommandResult(events: [event], workflowID: id)
    }

    /// A DRAFT copy named "<name> (Copy)" (itself suffixed on a clash) with the current definition.
    public func duplicate(tenant: String, id: String, env: Environment) throws(DomainError) -> CommandResult {
        let source = try record(tenant: tenant, id: id).workflow
        var meta = source.metadata
        meta.name = "\(source.name) (Copy)"
        return makeCreated(tenant: tenant, metadata: meta, definition: source.definition,
                           summary: "Duplicated from \(id) version \(source.currentVersion)", requestID: "", env: env)
    }

    /// A new workflow from a built-in or tenant template; the name defaults to the template's.
    public func installTemplate(tenant: String, templateID: String, name: String = "",
                                env: Environment) throws(DomainError) -> CommandResult {
        let template = try getTemplate(tenant: tenant, id: templateID)
        let meta = WorkflowMetadata(name: name.isEmpty ? template.name : name, description: template.description,
                                    tags: template.tags, inputs: template.inputs)
        return makeCreated(tenant: tenant, metadata: meta, definition: template.definition,
                           summary: "Installed from template \(template.id)", requestID: "", env: env)
    }

    /// Saves a workflow's current definition, inputs and tags as a tenant template "tpl_<ULID>".
    public func saveAsTemplate(tenant: String, id: String, name: String = "", description: String = "",
                               env: Environment) throws(DomainError) -> (events: [WorkflowEvent], templateID: String) {
        let wf = try record(tenant: tenant, id: id).workflow
        let templateID = env.ids.make(prefix: "tpl", tenant: tenant, at: env.clock.now())
        let template = Template(id: templateID, name: name.isEmpty ? wf.name : name,
                                description: description.isEmpty ? wf.metadata.description : description,
                                definition: wf.definition, inputs: wf.metadata.inputs, tags: wf.metadata.tags)
        return ([.templateSaved(.init(tenantID: tenant, template: template))], templateID)
    }

    // MARK: Definition changes (each makes a version when the hash changes)

    /// The record, checked to be live and at the expected etag ("" skips the check).
    func writable(tenant: String, id: String, expectedEtag: String) throws(DomainError) -> WorkflowRecord {
        let r = try record(tenant: tenant, id: id)
        if !expectedEtag.isEmpty, expectedEtag != r.workflow.etag {
            throw .aborted("etag mismatch: expected \(expectedEtag), workflow is at \(r.workflow.etag)")
        }
        guard !r.workflow.deleted else { throw .failedPrecondition("workflow \(id) is deleted; restore it first") }
        return r
    }

    /// Validates `definition` and makes version N+1 if its hash differs from the current one;
    /// an unchanged definition gives no events. `force` makes a version even then (rollback).
    private func newVersion(tenant: String, record r: WorkflowRecord, definition: WorkflowDefinition,
                            summary: String, force: Bool = false, env: Environment) throws(DomainError) -> CommandResult {
        let errors = validate(definition, inputs: r.workflow.metadata.inputs)
        guard errors.isEmpty else { throw .invalidArgument(errors) }
        let hash = definition.hash
        let id = r.workflow.id
        if !force, hash == r.versions.last?.definitionHash { return CommandResult(events: [], workflowID: id) }
        let version = WorkflowVersion(number: Int32(r.versions.count + 1), changeSummary: summary,
                                      createdAt: env.clock.now(), definition: definition, definitionHash: hash)
        return CommandResult(events: [.versioned(.init(tenantID: tenant, workflowID: id, version: version))], workflowID: id)
    }

    public func updateDefinition(tenant: String, id: String, definition: WorkflowDefinition, changeSummary: String = "",
                                 expectedEtag: String = "", env: Environment) throws(DomainError) -> CommandResult {
        let r = try writable(tenant: tenant, id: id, expectedEtag: expectedEtag)
        let summary = changeSummary.isEmpty ? Engine.changeSummary(from: r.workflow.definition, to: definition) : changeSummary
        return try newVersion(tenant: tenant, record: r, definition: definition, summary: summary, env: env)
    }

    /// UpdateWorkflow: metadata (through `mask`) and/or a new definition, as one command. The etag
    /// is checked once, against the workflow as the caller saw it; the definition is validated
    /// against the updated inputs. Works on a copy of the one record, never of the tenant.
    public func update(tenant: String, id: String, metadata: WorkflowMetadata?, mask: [String] = [],
                       definition: WorkflowDefinition?, changeSummary: String = "", expectedEtag: String = "",
                       env: Environment) throws(DomainError) -> CommandResult {
        var r = try writable(tenant: tenant, id: id, expectedEtag: expectedEtag)
        var events: [WorkflowEvent] = []
        if let metadata {
            events += try updateMetadata(tenant: tenant, id: id, metadata: metadata, mask: mask, env: env).events
            for case .metadataUpdated(let e) in events { r.workflow.metadata = e.metadata }
        }
        if let definition {
            let summary = changeSummary.isEmpty ? Engine.changeSummary(from: r.workflow.definition, to: definition) : changeSummary
            events += try newVersion(tenant: tenant, record: r, definition: definition, summary: summary, env: env).events
        }
        return CommandResult(events: events, workflowID: id)
    }

    /// Back to `WorkflowDefinition.initial` (a single "input" step), as a new version.
    public func reset(tenant: String, id: String, expectedEtag: String = "", env: Environment) throws(DomainError) -> CommandResult {
        let r = try writable(tenant: tenant, id: id, expectedEtag: expectedEtag)
        return try newVersion(tenant: tenant, record: r, definition: .initial, summary: "Reset", env: env)
    }

    /// A new version whose definition equals version `number`'s; no version (and no events)
    /// when that is already the current definition. The etag and deleted checks apply either way.
    public func rollback(tenant: String, id: String, to number: Int32, changeSummary: String = "",
                         expectedEtag: String = "", env: Environment) throws(DomainError) -> CommandResult {
        let r = try writable(tenant: tenant, id: id, expectedEtag: expectedEtag)
        let target = try getVersion(tenant: tenant, id: id, number: number)
        return try newVersion(tenant: tenant, record: r, definition: target.definition,
                              summary: changeSummary.isEmpty ? "Rollback to version \(number)" : changeSummary, env: env)
    }

    /// Inserts a step at `index` (appended when nil); with a step_order, its id goes last there.
    public func addStep(tenant: String, id: String, step: Step, at index: Int? = nil, changeSummary: String = "",
                        expectedEtag: String = "", env: Environment) throws(DomainError) -> CommandResult {
        let r = try writable(tenant: tenant, id: id, expectedEtag: expectedEtag)
        var def = r.workflow.definition
        if def.steps.contains(where: { $0.id == step.id }) { throw .alreadyExists("step \(step.id) already exists") }
        let at = index ?? def.steps.count
        guard (0...def.steps.count).contains(at) else { throw .invalid("index", "index \(at) is outside 0...\(def.steps.count)") }
        def.steps.insert(step, at: at)
        if !def.stepOrder.isEmpty { def.stepOrder.append(step.id) }
        return try newVersion(tenant: tenant, record: r, definition: def,
                              summary: changeSummary.isEmpty ? "Added step \(step.id)" : changeSummary, env: env)
    }

    /// Removes a step, as a new version. Refused (FAILED_PRECONDITION, naming them) while other
    /// steps depend on it or map from it, unless `cascade`: then those steps go too, and the
    /// ones depending on them, transitively (what `removal` returns, in that order). Removed
    /// steps also leave step_order and every remaining condition / approval branch list
    /// (`if_true`, `if_false`, `on_approve`, `on_decline`). The service and the engine share
    /// this one meaning of cascade.
    public func removeStep(tenant: String, id: String, stepID: String, cascade: Bool = false, changeSummary: String = "",
                           expectedEtag: String = "", env: Environment) throws(DomainError) -> CommandResult {
        let r = try writable(tenant: tenant, id: id, expectedEtag: expectedEtag)
        let (def, removed) = try r.workflow.definition.removal(of: stepID, cascade: cascade)
        let summary = changeSummary.isEmpty
            ? "Removed step\(removed.count == 1 ? "" : "s") \(removed.joined(separator: ", "))" : changeSummary
        return try newVersion(tenant: tenant, record: r, definition: def, summary: summary, env: env)
    }

    // MARK: Metadata and status

    /// Replaces the fields named in `mask` (proto paths, see `MetadataField`) with those of
    /// `metadata`; an empty mask means every field. Renaming onto a live workflow's name is
    /// ALREADY_EXISTS (only Create suffixes). No change gives no events.
    public func updateMetadata(tenant: String, id: String, metadata new: WorkflowMetadata, mask: [String] = [],
                               expectedEtag: String = "", env: Environment) throws(DomainError) -> CommandResult {
        let r = try writable(tenant: tenant, id: id, expectedEtag: expectedEtag)
        var fields: [MetadataField] = []
        for (i, path) in mask.enumerated() {
            guard let f = MetadataField(rawValue: path) else {
                throw .invalid("update_mask.paths[\(i)]", "unknown or read-only field \"\(path)\"")
            }
            fields.append(f)
        }
        if fields.isEmpty { fields = MetadataField.allCases }
        var meta = r.workflow.metadata
        for f in fields {
            switch f {
            case .name: meta.name = new.name
            case .description: meta.description = new.description
            case .tags: meta.tags = new.tags
            case .kind: meta.kind = new.kind
            case .inputs: meta.inputs = new.inputs
            case .config: meta.config = new.config
            case .origin: meta.origin = new.origin
            case .triggerType: meta.triggerType = new.triggerType
            case .webhookURL: meta.webhookURL = new.webhookURL
            case .testInputs: meta.testInputs = new.testInputs
            case .originInstance: meta.origin.instance = new.origin.instance
            case .originZone: meta.origin.zone = new.origin.zone
            case .originReference: meta.origin.reference = new.origin.reference
            }
        }
        guard !meta.name.isEmpty else { throw .invalid("name", "name is required") }
        if let other = tenants[tenant]?.liveNames[meta.name], other != id {
            throw .alreadyExists("a workflow named \"\(meta.name)\" already exists (\(other))")
        }
        let errors = validate(r.workflow.definition, inputs: meta.inputs)
        guard errors.isEmpty else { throw .invalidArgument(errors) }
        guard meta != r.workflow.metadata else { return CommandResult(events: [], workflowID: id) }
        let event = WorkflowEvent.metadataUpdated(.init(tenantID: tenant, workflowID: id, at: env.clock.now(), metadata: meta))
        return CommandResult(events: [event], workflowID: id)
    }

    /// model.md's transitions; the same status is a no-op; anything else FAILED_PRECONDITION.
    public func setStatus(tenant: String, id: String, status: WorkflowStatus, expectedEtag: String = "",
                          env: Environment) throws(DomainError) -> CommandResult {
        let r = try writable(tenant: tenant, id: id, expectedEtag: expectedEtag)
        let current = r.workflow.status
        if status == current { return CommandResult(events: [], workflowID: id) }
        guard current.canTransition(to: status) else {
            throw .failedPrecondition("cannot go from \(current.name) to \(status.name)")
        }
        let event = WorkflowEvent.statusChanged(.init(tenantID: tenant, workflowID: id, at: env.clock.now(), status: status))
        return CommandResult(events: [event], workflowID: id)
    }

    // MARK: Delete, restore, purge

    /// Soft delete: hidden from List unless include_deleted, frees the name. Deleting a deleted
    /// workflow is a no-op.
    public func delete(tenant: String, id: String, expectedEtag: String = "", env: Environment) throws(DomainError) -> CommandResult {
        let r = try record(tenant: tenant, id: id)
        if r.workflow.deleted { return CommandResult(events: [], workflowID: id) }
        _ = try writable(tenant: tenant, id: id, expectedEtag: expectedEtag)
        return CommandResult(events: [.deleted(.init(tenantID: tenant, workflowID: id, at: env.clock.now()))], workflowID: id)
    }

    /// Undoes a soft delete; the name gets a " (n)" suffix if a live workflow took it meanwhile.
    public func restore(tenant: String, id: String, env: Environment) throws(DomainError) -> CommandResult {
        let r = try record(tenant: tenant, id: id)
        guard r.workflow.deleted else { return CommandResult(events: [], workflowID: id) }
        let name = tenants[tenant]!.liveNames.uniqueName(r.workflow.name)
        return CommandResult(events: [.restored(.init(tenantID: tenant, workflowID: id, at: env.clock.now(), name: name))],
                             workflowID: id)
    }

    /// Removes a workflow and its history for good (deleted or not); a retried create with its
    /// request id will then make a new one.
    public func purge(tenant: String, id: String) throws(DomainError) -> (events: [WorkflowEvent], report: PurgeReport) {
        let r = try record(tenant: tenant, id: id)
        return ([.purged(.init(tenantID: tenant, workflowID: id))],
                PurgeReport(workflowID: id, name: r.workflow.name, versionsRemoved: r.versions.count, files: r.files))
    }
}

extension WorkflowDefinition {
    /// This definition without `stepID` and (with `cascade`) every step that depends on it or
    /// maps from it, transitively; with the removed ids, `stepID` first, then the others in
    /// definition order. Without `cascade`, FAILED_PRECONDITION while anything references it.
    public func removal(of stepID: String, cascade: Bool) throws(DomainError) -> (WorkflowDefinition, [String]) {
        guard steps.contains(where: { $0.id == stepID }) else { throw .notFound("step \(stepID) not found") }
        func uses(_ s: Step, _ target: String) -> Bool {
            s.id != target && (s.dependsOn.contains(target) || s.inputMappings.contains { $0.fromStep == target })
        }
        var gone: Set<String> = [stepID]
        if cascade {
            var queue = [stepID]
            while let next = queue.popLast() {
                for s in steps where !gone.contains(s.id) && uses(s, next) {
                    gone.insert(s.id)
                    queue.append(s.id)
                }
            }
        } else {
            let dependents = steps.filter { uses($0, stepID) }.map(\.id)
            if !dependents.isEmpty {
                throw .failedPrecondition("step \(stepID) is used by \(dependents.joined(separator: ", ")); remove those first or cascade")
            }
        }
        var def = self
        def.steps.removeAll { gone.contains($0.id) }
        def.stepOrder.removeAll { gone.contains($0) }
        for i in def.steps.indices {
            for key in Branching.keys(of: def.steps[i]) {
                guard case .array(let list)? = def.steps[i].config[key] else { continue }
                def.steps[i].config[key] = .array(list.filter { $0.stringValue.map { !gone.contains($0) } ?? true })
            }
        }
        return (def, [stepID] + steps.map(\.id).filter { $0 != stepID && gone.contains($0) })
    }
}
