import FoundationEssentials

/// The errors a command can give, closed so Services can map each to one gRPC code:
/// NOT_FOUND, ALREADY_EXISTS, INVALID_ARGUMENT, FAILED_PRECONDITION, ABORTED.
public enum DomainError: Error, Sendable, Hashable {
    case notFound(String)
    case alreadyExists(String)
    case invalidArgument([ValidationError])
    case failedPrecondition(String)
    case aborted(String)
    /// Over a size or count limit: a value over --max-value-bytes, a record over the log's limit,
    /// too many workers for a tenant.
    case resourceExhausted(String)

    static func invalid(_ field: String, _ message: String) -> DomainError {
        .invalidArgument([ValidationError(field: field, code: .invalidRequest, message: message)])
    }
}

/// A workflow with its version history and write counter.
public struct WorkflowRecord: Sendable, Hashable {
    public internal(set) var workflow: Workflow
    /// Oldest first; `versions[n - 1].number == n`.
    public internal(set) var versions: [WorkflowVersion]
    /// Counts writes; the etag is derived from it.
    var revision: UInt64
    var requestID: String
    /// Uploaded files, oldest first.
    public internal(set) var files: [AttachedFile] = []
}

/// One tenant's workflows, with the indexes List and Create need.
struct TenantState: Sendable, Hashable {
    var records: [String: WorkflowRecord] = [:]
    /// Every workflow in id order (ids are time-sortable, so newest-first is reverse order),
    /// with posting lists for List's filters.
    var index = ListIndex()
    /// Names of live (not deleted) workflows: unique among them.
    var liveNames = LiveNames()
    /// Create request id -> workflow id.
    var requests: [String: String] = [:]
    /// The tenant's own templates, by id.
    var templates: [String: Template] = [:]
}

/// Every tenant's workflows: a deterministic state machine. Commands check a request against
/// the state and return the events that carry it out (nothing changes until they are applied);
/// `apply` folds an event in. Replaying the log's events rebuilds the same state.
public struct WorkflowState: Sendable, Hashable {
    var tenants: [String: TenantState] = [:]

    /// Workflows of every tenant, deleted ones included (what a snapshot holds).
    public var workflowCount: Int { tenants.values.reduce(0) { $0 + $1.records.count } }

    public init() {}

    /// How many workflows a tenant has, deleted ones included.
    public func count(tenant: String) -> Int { tenants[tenant]?.index.count ?? 0 }

    static func etag(_ revision: UInt64) -> String { "r\(revision)" }

    public mutating func apply(_ events: [WorkflowEvent]) {
        for event in events { apply(event) }
    }

    public mutating func apply(_ event: WorkflowEvent) {
        // In place through the dictionary's modify accessor: copying a tenant out and back would
        // make every event cost O(tenant size).
        Self.apply(event, to: &tenants[event.tenantID, default: TenantState()])
    }

    private static func apply(_ event: WorkflowEvent, to t: inout TenantState) {
        let tenant = event.tenantID
        switch event {
        case .created(let e):
            let wf = Workflow(id: e.workflowID, tenantID: tenant, metadata: e.metadata, status: e.status,
                              definition: e.version.definition, createdAt: e.at, updatedAt: e.at,
                              currentVersion: e.version.number, etag: etag(1), deleted: false, deletedAt: nil)
            t.records[e.workflowID] = WorkflowRecord(workflow: wf, versions: [e.version], revision: 1,
                                                     requestID: e.requestID)
            t.index.set(ListRow(wf))
            t.liveNames.claim(e.metadata.name, by: e.workflowID)
            if !e.requestID.isEmpty { t.requests[e.requestID] = e.workflowID }
        case .versioned(let e):
            t.update(e.workflowID, at: e.version.createdAt) { r in
                r.versions.append(e.version)
                r.workflow.definition = e.version.definition
                r.workflow.currentVersion = e.version.number
            }
        case .metadataUpdated(let e):
            t.update(e.workflowID, at: e.at) { r in r.workflow.metadata = e.metadata }
        case .statusChanged(let e):
            t.update(e.workflowID, at: e.at) { r in r.workflow.status = e.status }
        case .deleted(let e):
            t.update(e.workflowID, at: e.at) { r in
                r.workflow.deleted = true
                r.workflow.deletedAt = e.at
            }
        case .restored(let e):
            t.update(e.workflowID, at: e.at) { r in
                r.workflow.deleted = false
                r.workflow.deletedAt = nil
                r.workflow.metadata.name = e.name
            }
        case .purged(let e):
            guard let r = t.records.removeValue(forKey: e.workflowID) else { return }
            t.index.remove(e.workflowID)
            t.liveNames.release(r.workflow.name, by: e.workflowID)
            if !r.requestID.isEmpty, t.requests[r.requestID] == e.workflowID { t.requests[r.requestID] = nil }
        case .templateSaved(let e):
            t.templates[e.template.id] = e.template
        case .fileAttached(let e):
            t.records[e.workflowID]?.files.append(e.file)
        }
    }
}

extension TenantState {
    /// Applies a change to one record, then keeps the derived fields and name index in step.
    mutating func update(_ id: String, at: Instant, _ change: (inout WorkflowRecord) -> Void) {
        guard var r = records[id] else { return }
        let oldName = r.workflow.name, wasLive = !r.workflow.deleted
        change(&r)
        r.revision += 1
        r.workflow.etag = WorkflowState.etag(r.revision)
        r.workflow.updatedAt = at
        if wasLive { liveNames.release(oldName, by: id) }
        if !r.workflow.deleted { liveNames.claim(r.workflow.name, by: id) }
        index.set(ListRow(r.workflow))
        records[id] = r
    }
}

// MARK: - Reading

/// List filters; nil / false means "any".
public struct ListFilter: Sendable, Hashable {
    public var status: WorkflowStatus?
    public var tag: String?
    public var triggerType: TriggerType?
    /// Case-insensitive substring of the name.
    public var nameContains: String?
    public var includeDeleted: Bool

    public init(status: WorkflowStatus? = nil, tag: String? = nil, triggerType: TriggerType? = nil,
                nameContains: String? = nil, includeDeleted: Bool = false) {
        self.status = status
        self.tag = tag
        self.triggerType = triggerType
        self.nameContains = nameContains
        self.includeDeleted = includeDeleted
    }
}

public struct ListPage: Sendable, Hashable {
    public var workflows: [Workflow]
    /// "" when there is nothing more.
    public var nextPageToken: String
}

extension WorkflowState {
    public static let defaultPageSize = 50
    public static let maxPageSize = 200

    /// A tenant's workflow. Another tenant's id is simply not found.
    public func get(tenant: String, id: String) throws(DomainError) -> Workflow {
        try record(tenant: tenant, id: id).workflow
    }

    func record(tenant: String, id: String) throws(DomainError) -> WorkflowRecord {
        guard let r = tenants[tenant]?.records[id] else { throw .notFound("workflow \(id) not found") }
        return r
    }

    /// Newest first. `pageSize` 0 means the default (50); above 200 is cut to 200. The page token
    /// is opaque to clients: base64 of the last id returned. The tenant's `ListIndex` finds the
    /// page from the token down, so a page costs about what it returns, never a copy of the tenant.
    public func list(tenant: String, filter: ListFilter = ListFilter(), pageSize: Int = 0,
                     pageToken: String = "") throws(DomainError) -> ListPage {
        guard pageSize >= 0 else { throw .invalid("page_size", "page_size must not be negative") }
        let size = pageSize == 0 ? Self.defaultPageSize : min(pageSize, Self.maxPageSize)
        var last: String?
        if !pageToken.isEmpty {
            guard let id = Self.decodeToken(pageToken) else { throw .invalid("page_token", "invalid page token") }
            last = id
        }
        guard let t = tenants[tenant] else { return ListPage(workflows: [], nextPageToken: "") }
        // One more than the page: whether it exists says if there is a next page.
        let ids = t.index.page(RowFilter(filter), before: last, limit: size + 1)
        let page = ids.prefix(size).map { t.records[$0]!.workflow }
        return ListPage(workflows: page, nextPageToken: ids.count > size ? Self.encodeToken(page.last!.id) : "")
    }

    static func encodeToken(_ id: String) -> String { Data(id.utf8).base64EncodedString() }

    static func decodeToken(_ token: String) -> String? {
        guard let data = Data(base64Encoded: token), let id = String(data: data, encoding: .utf8),
              id.hasPrefix("wf_"), id.utf8.count == 29, id.utf8.allSatisfy({ $0 < 0x80 }) else { return nil }
        return id
    }

    public func listVersions(tenant: String, id: String) throws(DomainError) -> [WorkflowVersion] {
        try record(tenant: tenant, id: id).versions
    }

    public func getVersion(tenant: String, id: String, number: Int32) throws(DomainError) -> WorkflowVersion {
        let r = try record(tenant: tenant, id: id)
        guard number >= 1, Int(number) <= r.versions.count else {
            throw .notFound("workflow \(id) has no version \(number)")
        }
        return r.versions[Int(number) - 1]
    }

    /// RFC 6902 operations from version `from` to version `to`, and a summary by step id.
    public func diffVersions(tenant: String, id: String, from: Int32, to: Int32)
        throws(DomainError) -> (operations: [PatchOperation], summary: String)
    {
        let a = try getVersion(tenant: tenant, id: id, number: from).definition
        let b = try getVersion(tenant: tenant, id: id, number: to).definition
        return (diff(from: a.json, to: b.json), changeSummary(from: a, to: b))
    }

    /// The current definition's steps in topological order (ties by definition order).
    public func listSteps(tenant: String, id: String) throws(DomainError) -> [Step] {
        let def = try get(tenant: tenant, id: id).definition
        // Stored definitions were validated, so they have an order; fall back to as-given.
        return def.topologicalOrder() ?? def.steps
    }

    public func outputVariables(tenant: String, id: String) throws(DomainError) -> [OutputVariable] {
        try get(tenant: tenant, id: id).definition.outputVariables()
    }

    /// Built-in templates first, then the tenant's own by id.
    public func listTemplates(tenant: String) -> [Template] {
        let own = (tenants[tenant]?.templates.values).map { Array($0) } ?? []
        return BuiltinTemplates.all + own.sorted { $0.id.utf8.lexicographicallyPrecedes($1.id.utf8) }
    }

    public func getTemplate(tenant: String, id: String) throws(DomainError) -> Template {
        if let t = BuiltinTemplates.all.first(where: { $0.id == id }) ?? tenants[tenant]?.templates[id] { return t }
        throw .notFound("template \(id) not found")
    }
}
