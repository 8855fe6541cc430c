/// What happened to a tenant's workflows: the records of the durable log. Applying the same
/// events in the same order to an empty `WorkflowState` always gives the same state.
public enum WorkflowEvent: Sendable, Hashable {
    /// A new workflow with its first version (create, duplicate, install a template).
    case created(Created)
    /// A new definition version (update, reset, add/remove step, rollback).
    case versioned(Versioned)
    case metadataUpdated(MetadataUpdated)
    case statusChanged(StatusChanged)
    case deleted(Deleted)
    case restored(Restored)
    case purged(Purged)
    case templateSaved(TemplateSaved)
    /// An uploaded file recorded against a workflow (purge removes it with the workflow).
    case fileAttached(FileAttached)

    public struct Created: Sendable, Hashable {
        public var tenantID: String
        public var workflowID: String
        public var at: Instant
        public var metadata: WorkflowMetadata
        public var status: WorkflowStatus
        public var version: WorkflowVersion
        /// The create request's id ("" when none): a retry with it gets this workflow back.
        public var requestID: String
    }

    public struct Versioned: Sendable, Hashable {
        public var tenantID: String
        public var workflowID: String
        public var version: WorkflowVersion
    }

    public struct MetadataUpdated: Sendable, Hashable {
        public var tenantID: String
        public var workflowID: String
        public var at: Instant
        /// The whole metadata after the update (not just the masked fields): replay needs no mask.
        public var metadata: WorkflowMetadata
    }

    public struct StatusChanged: Sendable, Hashable {
        public var tenantID: String
        public var workflowID: String
        public var at: Instant
        public var status: WorkflowStatus
    }

    public struct Deleted: Sendable, Hashable {
        public var tenantID: String
        public var workflowID: String
        public var at: Instant
    }

    public struct Restored: Sendable, Hashable {
        public var tenantID: String
        public var workflowID: String
        public var at: Instant
        /// The name it comes back under (suffixed if a live workflow took the old one meanwhile).
        public var name: String
    }

    public struct Purged: Sendable, Hashable {
        public var tenantID: String
        public var workflowID: String
    }

    public struct FileAttached: Sendable, Hashable {
        public var tenantID: String
        public var workflowID: String
        public var file: AttachedFile
    }

    public struct TemplateSaved: Sendable, Hashable {
        public var tenantID: String
        public var template: Template
        public init(tenantID: String, template: Template) {
            self.tenantID = tenantID
            self.template = template
        }
    }

    public var tenantID: String {
        switch self {
        case .created(let e): e.tenantID
        case .versioned(let e): e.tenantID
        case .metadataUpdated(let e): e.tenantID
        case .statusChanged(let e): e.tenantID
        case .deleted(let e): e.tenantID
        case .restored(let e): e.tenantID
        case .purged(let e): e.tenantID
        case .templateSaved(let e): e.tenantID
        case .fileAttached(let e): e.tenantID
        }
    }
}

// MARK: - Encoding

/// Events are canonical JSON objects {"v":1,"type":"...",...}; "v" is the record format version,
/// so a later format can still read these. 64-bit times travel as decimal strings.
extension WorkflowEvent {
    public static let formatVersion = 1

    public var json: JSONValue {
        var b = JSONBuilder()
        b["v"] = .number(Double(Self.formatVersion))
        b.set("tenant_id", tenantID)
        switch self {
        case .created(let e):
            b.set("type", "created")
            b.set("workflow_id", e.workflowID)
            b.set("at", e.at)
            b.set("metadata", present: e.metadata.json)
            b.set("status", e.status.rawValue)
            b.set("version", present: e.version.json)
            b.set("request_id", e.requestID)
        case .versioned(let e):
            b.set("type", "versioned")
            b.set("workflow_id", e.workflowID)
            b.set("version", present: e.version.json)
        case .metadataUpdated(let e):
            b.set("type", "metadata_updated")
            b.set("workflow_id", e.workflowID)
            b.set("at", e.at)
            b.set("metadata", present: e.metadata.json)
        case .statusChanged(let e):
            b.set("type", "status_changed")
            b.set("workflow_id", e.workflowID)
            b.set("at", e.at)
            b.set("status", e.status.rawValue)
        case .deleted(let e):
            b.set("type", "deleted")
            b.set("workflow_id", e.workflowID)
            b.set("at", e.at)
        case .restored(let e):
            b.set("type", "restored")
            b.set("workflow_id", e.workflowID)
            b.set("at", e.at)
            b.set("name", e.name)
        case .purged(let e):
            b.set("type", "purged")
            b.set("workflow_id", e.workflowID)
        case .templateSaved(let e):
            b.set("type", "template_saved")
            b.set("template", present: e.template.json)
        case .fileAttached(let e):
            b.set("type", "file_attached")
            b.set("workflow_id", e.workflowID)
            b.set("file", present: e.file.json)
        }
        return b.value
    }

    public func encoded() -> [UInt8] { json.canonicalBytes() }

    public init(bytes: [UInt8]) throws(DecodeError) {
        let value: JSONValue
        do {
            value = try JSONValue.parse(bytes)
        } catch {
            throw DecodeError(path: "event", message: error.description)
        }
        try self.init(json: value)
    }

    public init(json: JSONValue) throws(DecodeError) {
        let r = try JSONReader(json, path: "event")
        let v = try r.int32("v")
        guard v == Self.formatVersion else { throw r.fail("v", "unsupported event format \(v)") }
        let tenant = try r.string("tenant_id")
        let id = try r.string("workflow_id")
        func member(_ key: String) throws(DecodeError) -> JSONValue {
            guard let m = r.object[key] else { throw r.fail(key, "missing") }
            return m
        }
        switch try r.string("type") {
        case "created":
            self = .created(Created(tenantID: tenant, workflowID: id, at: try r.instant("at"),
                                    metadata: try WorkflowMetadata(json: try member("metadata"), path: "event.metadata"),
                                    status: try r.enumValue("status", WorkflowStatus.self),
                                    version: try WorkflowVersion(json: try member("version"), path: "event.version"),
                                    requestID: try r.string("request_id")))
        case "versioned":
            self = .versioned(Versioned(tenantID: tenant, workflowID: id,
                                        version: try WorkflowVersion(json: try member("version"), path: "event.version")))
        case "metadata_updated":
            self = .metadataUpdated(MetadataUpdated(tenantID: tenant, workflowID: id, at: try r.instant("at"),
                                                    metadata: try WorkflowMetadata(json: try member("metadata"), path: "event.metadata")))
        case "status_changed":
            self = .statusChanged(StatusChanged(tenantID: tenant, workflowID: id, at: try r.instant("at"),
                                                status: try r.enumValue("status", WorkflowStatus.self)))
        case "deleted":
            self = .deleted(Deleted(tenantID: tenant, workflowID: id, at: try r.instant("at")))
        case "restored":
            self = .restored(Restored(tenantID: tenant, workflowID: id, at: try r.instant("at"), name: try r.string("name")))
        case "purged":
            self = .purged(Purged(tenantID: tenant, workflowID: id))
        case "template_saved":
            self = .templateSaved(TemplateSaved(tenantID: tenant,
                                                template: try Template(json: try member("template"), path: "event.template")))
        case "file_attached":
            self = .fileAttached(FileAttached(tenantID: tenant, workflowID: id,
                                              file: try AttachedFile(json: try member("file"), path: "event.file")))
        case let other:
            throw r.fail("type", "unknown event type \"\(other)\"")
        }
    }
}
