/// A file uploaded to a workflow (a test file or a dataset), kept in the store's blobs.
public struct AttachedFile: Sendable, Hashable {
    /// The blob's id in the store.
    public var blobID: String
    public var name: String
    public var contentType: String
    /// "TEST_FILE" or "DATASET".
    public var purpose: String
    /// The step it belongs to; "" for the whole workflow.
    public var stepID: String
    public var size: Int64
    public var sha256: String
    public var at: Instant

    public init(blobID: String, name: String, contentType: String, purpose: String, stepID: String,
                size: Int64, sha256: String, at: Instant) {
        self.blobID = blobID
        self.name = name
        self.contentType = contentType
        self.purpose = purpose
        self.stepID = stepID
        self.size = size
        self.sha256 = sha256
        self.at = at
    }

    var json: JSONValue {
        var b = JSONBuilder()
        b.set("blob_id", blobID)
        b.set("name", name)
        b.set("content_type", contentType)
        b.set("purpose", purpose)
        b.set("step_id", stepID)
        b.set("size", int64: size)
        b.set("sha256", sha256)
        b.set("at", at)
        return b.value
    }

    init(json: JSONValue, path: String) throws(DecodeError) {
        let r = try JSONReader(json, path: path)
        self.init(blobID: try r.string("blob_id"), name: try r.string("name"), contentType: try r.string("content_type"),
                  purpose: try r.string("purpose"), stepID: try r.string("step_id"), size: try r.int64("size"),
                  sha256: try r.string("sha256"), at: try r.instant("at"))
        guard !blobID.isEmpty else { throw r.fail("blob_id", "missing") }
    }
}

extension WorkflowState {
    /// Records an uploaded file against a live workflow (and step, when given).
    public func attachFile(tenant: String, id: String, file: AttachedFile) throws(DomainError) -> CommandResult {
        let r = try record(tenant: tenant, id: id)
        guard !r.workflow.deleted else { throw .failedPrecondition("workflow \(id) is deleted") }
        if !file.stepID.isEmpty, !r.workflow.definition.steps.contains(where: { $0.id == file.stepID }) {
            throw .notFound("step \(file.stepID) not found in workflow \(id)")
        }
        return CommandResult(events: [.fileAttached(.init(tenantID: tenant, workflowID: id, file: file))], workflowID: id)
    }
}

extension WorkflowState {
    /// A file of the tenant by its id ("file_" + blob id), whatever workflow it is attached to.
    public func file(tenant: String, fileID: String) -> AttachedFile? {
        guard fileID.hasPrefix("file_"), let t = tenants[tenant] else { return nil }
        let blob = String(fileID.dropFirst(5))
        for id in t.index.ids {
            if let f = t.records[id]?.files.first(where: { $0.blobID == blob }) { return f }
        }
        return nil
    }
}
