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

/// Log records are format 2, binary (ByteWriter / ByteReader of BinaryCodec.swift, with the
/// snapshot's encodings of metadata, versions and files): a create's event as canonical JSON was
/// a tenth of the server's time under load, and replaying JSON events dominated restarts.
/// Format 1, canonical JSON objects {"v":1,"type":"...",...} with 64-bit times as decimal
/// strings, is still read: logs written before stay readable.
extension WorkflowEvent {
    public static let formatVersion = 1
    /// The first byte of a format-2 record (a format-1 record starts with "{").
    static let binaryFormat: UInt8 = 2

    enum BinaryKind: UInt8 {
        case created = 1, versioned, metadataUpdated, statusChanged, deleted, restored, purged, templateSaved, fileAttached
    }

    /// The log record (format 2).
    public func encoded() -> [UInt8] {
        var w = ByteWriter(capacity: 256)
        w.byte(Self.binaryFormat)
        w.string(tenantID)
        /// The kind, the workflow and (for events that carry one) the time.
        func head(_ kind: BinaryKind, _ workflowID: String, _ at: Instant? = nil) {
            w.byte(kind.rawValue)
            w.string(workflowID)
            if let at { w.instant(at) }
        }
        switch self {
        case .created(let e):
            head(.created, e.workflowID, e.at)
            w.metadata(e.metadata)
            w.int32(e.status.rawValue)
            w.version(e.version)
            w.string(e.requestID)
        case .versioned(let e):
            head(.versioned, e.workflowID)
            w.version(e.version)
        case .metadataUpdated(let e):
            head(.metadataUpdated, e.workflowID, e.at)
            w.metadata(e.metadata)
        case .statusChanged(let e):
            head(.statusChanged, e.workflowID, e.at)
            w.int32(e.status.rawValue)
        case .deleted(let e):
            head(.deleted, e.workflowID, e.at)
        case .restored(let e):
            head(.restored, e.workflowID, e.at)
            w.string(e.name)
        case .purged(let e):
            head(.purged, e.workflowID)
        case .templateSaved(let e):
            // Rare: the template's canonical JSON, as snapshots keep templates.
            head(.templateSaved, "")
            w.lengthPrefixed(e.template.json.canonicalBytes())
        case .fileAttached(let e):
            head(.fileAttached, e.workflowID)
            w.file(e.file)
        }
        return w.bytes
    }

    init(binary bytes: [UInt8]) throws(DecodeError) {
        var r = ByteReader(bytes, from: 1, path: "event")
        let tenant = try r.string()
        let raw = try r.byte()
        guard let kind = BinaryKind(rawValue: raw) else { throw r.fail("unknown event kind \(raw)") }
        let id = try r.string()
        switch kind {
        case .created:
            let at = try r.instant(), metadata = try r.metadata()
            let status = try r.enumValue(WorkflowStatus.self)
            self = .created(Created(tenantID: tenant, workflowID: id, at: at, metadata: metadata, status: status,
                                    version: try r.version(), requestID: try r.string()))
        case .versioned:
            self = .versioned(Versioned(tenantID: tenant, workflowID: id, version: try r.version()))
        case .metadataUpdated:
            let at = try r.instant()
            self = .metadataUpdated(MetadataUpdated(tenantID: tenant, workflowID: id, at: at, metadata: try r.metadata()))
        case .statusChanged:
            let at = try r.instant()
            self = .statusChanged(StatusChanged(tenantID: tenant, workflowID: id, at: at,
                                                status: try r.enumValue(WorkflowStatus.self)))
        case .deleted:
            self = .deleted(Deleted(tenantID: tenant, workflowID: id, at: try r.instant()))
        case .restored:
            let at = try r.instant()
            self = .restored(Restored(tenantID: tenant, workflowID: id, at: at, name: try r.string()))
        case .purged:
            self = .purged(Purged(tenantID: tenant, workflowID: id))
        case .templateSaved:
            let bytes = try r.lengthPrefixed()
            let json: JSONValue
            do throws(JSONParseError) { json = try JSONValue.parse(bytes, depthLimit: 128) } catch {
                throw DecodeError(path: "event.template", message: error.description)
            }
            self = .templateSaved(TemplateSaved(tenantID: tenant, template: try Template(json: json, path: "event.template")))
        case .fileAttached:
            self = .fileAttached(FileAttached(tenantID: tenant, workflowID: id, file: try r.file()))
        }
        guard r.atEnd else { throw r.fail("trailing bytes") }
    }

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

    /// Reads a log record of either format.
    public init(bytes: [UInt8]) throws(DecodeError) {
        if bytes.first == Self.binaryFormat {
            try self.init(binary: bytes)
            return
        }
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
