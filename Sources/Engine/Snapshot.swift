import Storage
/// The whole state as bytes, for snapshots. Written in the binary form of SnapshotCodec.swift;
/// read in that form or in format 1, {"v":1,"tenants":{...}} JSON (snapshots written before
/// it). Each workflow is stored with its versions, revision and request id; the indexes are
/// rebuilt on load.
extension WorkflowState {
    public static let snapshotFormatVersion = 1

    public func snapshotBytes() -> [UInt8] { binarySnapshotBytes() }

    /// Format 1, JSON: still read, no longer written (tests check both read the same).
    func jsonSnapshotBytes() -> [UInt8] {
        var tenantsJSON: [String: JSONValue] = [:]
        for (tenant, t) in tenants {
            let workflows: [JSONValue] = t.index.ids.map { id in
                let r = t.records[id]!
                let w = r.workflow
                var b = JSONBuilder()
                b.set("id", w.id)
                b.set("metadata", present: w.metadata.json)
                b.set("status", w.status.rawValue)
                b.set("created_at", w.createdAt)
                b.set("updated_at", w.updatedAt)
                b.set("deleted_at", w.deletedAt)
                b.set("deleted", w.deleted)
                b.set("revision", int64: Int64(r.revision))
                b.set("request_id", r.requestID)
                b.set("versions", r.versions.map(\.json))
                b.set("files", r.files.map(\.json))
                return b.value
            }
            var tb = JSONBuilder()
            tb.set("workflows", workflows)
            tb.set("templates", t.templates.keys.sorted().map { t.templates[$0]!.json })
            tenantsJSON[tenant] = tb.value
        }
        let root: JSONValue = ["v": .number(Double(Self.snapshotFormatVersion)), "tenants": .object(tenantsJSON)]
        return root.canonicalBytes()
    }

    public init(snapshot bytes: [UInt8]) throws(DecodeError) {
        if bytes.starts(with: Self.binarySnapshotMagic) {
            try self.init(binarySnapshot: bytes)
            return
        }
        let value: JSONValue
        do {
            // Snapshots nest deeper than requests may: state > tenant > workflow > version > definition > config.
            value = try JSONValue.parse(bytes, depthLimit: 128)
        } catch {
            throw DecodeError(path: "snapshot", message: error.description)
        }
        let r = try JSONReader(value, path: "snapshot")
        let v = try r.int32("v")
        guard v == Self.snapshotFormatVersion else { throw r.fail("v", "unsupported snapshot format \(v)") }
        self.init()
        for (tenant, tv) in try r.objectMember("tenants") {
            let tr = try JSONReader(tv, path: "snapshot.tenants.\(tenant)")
            var records: [WorkflowRecord] = []
            for (i, wv) in try tr.array("workflows").enumerated() {
                records.append(try Self.decodeRecord(wv, tenant: tenant, path: "\(tr.path).workflows[\(i)]"))
            }
            var t = TenantState(loading: records)
            for (i, tv) in try tr.array("templates").enumerated() {
                let template = try Template(json: tv, path: "\(tr.path).templates[\(i)]")
                t.templates[template.id] = template
            }
            tenants[tenant] = t
        }
    }

    private static func decodeRecord(_ value: JSONValue, tenant: String, path: String) throws(DecodeError) -> WorkflowRecord {
        let r = try JSONReader(value, path: path)
        var versions: [WorkflowVersion] = []
        for (i, v) in try r.array("versions").enumerated() {
            versions.append(try WorkflowVersion(json: v, path: "\(path).versions[\(i)]"))
        }
        guard let last = versions.last else { throw r.fail("versions", "a workflow has at least one version") }
        let metadata = try WorkflowMetadata(json: r.object["metadata"] ?? [:], path: "\(path).metadata")
        let revision = UInt64(try r.int64("revision"))
        let deleted = try r.bool("deleted")
        let wf = Workflow(id: try r.string("id"), tenantID: tenant, metadata: metadata,
                          status: try r.enumValue("status", WorkflowStatus.self), definition: last.definition,
                          createdAt: try r.instant("created_at"), updatedAt: try r.instant("updated_at"),
                          currentVersion: last.number, etag: etag(revision), deleted: deleted,
                          deletedAt: deleted ? try r.instant("deleted_at") : nil)
        var files: [AttachedFile] = []
        if r.object["files"] != nil {
            for (i, f) in try r.array("files").enumerated() {
                files.append(try AttachedFile(json: f, path: "\(path).files[\(i)]"))
            }
        }
        return WorkflowRecord(workflow: wf, versions: versions, revision: revision, requestID: try r.string("request_id"),
                              files: files)
    }
}

/// The store's snapshot: the workflow state and the run records (unfinished runs' events,
/// batches, schedules, and the run archive's mark), in one file. Format 2: "SPNDLSN2" | u64
/// length | workflow state JSON | (u32 length | u8 record type | payload)*. Format 1 (before
/// runs) is the workflow state JSON alone, and still reads.
///
/// Finished runs are not in it: their histories are in the run archive, whose index is read
/// at start-up. The mark record says how many index entries the snapshot relies on, so a
/// missing or cut archive is refused rather than silently losing runs.
enum EngineSnapshot {
    static let magic = Array("SPNDLSN2".utf8)

    /// The record holding the archive's mark: its durable index entries, u64 little-endian.
    static func archiveMark(_ entries: UInt64) -> Record {
        var payload: [UInt8] = []
        append(entries, bytes: 8, to: &payload)
        return Record(type: WorkflowStore.RecordType.archiveMark, payload: payload)
    }

    static func join(workflows: [UInt8], records: [Record]) -> [UInt8] {
        var out = magic
        out.reserveCapacity(16 + workflows.count + records.reduce(0) { $0 + 5 + $1.payload.count })
        append(UInt64(workflows.count), bytes: 8, to: &out)
        out += workflows
        for r in records {
            append(UInt64(r.payload.count), bytes: 4, to: &out)
            out.append(r.type)
            out += r.payload
        }
        return out
    }

    static func split(_ bytes: [UInt8]) throws(DecodeError) -> (workflows: [UInt8], records: [Record]) {
        guard bytes.starts(with: magic) else { return (bytes, []) }
        var i = magic.count
        func read(_ n: Int) throws(DecodeError) -> Int {
            guard i + n <= bytes.count else { throw DecodeError(path: "snapshot", message: "truncated at byte \(i)") }
            var v = 0
            for k in 0..<n { v |= Int(bytes[i + k]) << (8 * k) }
            i += n
            return v
        }
        let wlen = try read(8)
        guard wlen <= bytes.count - i else { throw DecodeError(path: "snapshot", message: "workflow section overruns the file") }
        let workflows = Array(bytes[i..<(i + wlen)])
        i += wlen
        var records: [Record] = []
        while i < bytes.count {
            let n = try read(4)
            let type = try read(1)
            guard n <= bytes.count - i else { throw DecodeError(path: "snapshot", message: "record at byte \(i) overruns the file") }
            records.append(Record(type: UInt8(type), payload: Array(bytes[i..<(i + n)])))
            i += n
        }
        return (workflows, records)
    }

    private static func append(_ v: UInt64, bytes n: Int, to out: inout [UInt8]) {
        for k in 0..<n { out.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(k)))) }
    }
}

extension TenantState {
    /// A tenant's workflows as a snapshot holds them, with the indexes rebuilt.
    init(loading records: [WorkflowRecord]) {
        self.init()
        self.records.reserveCapacity(records.count)
        var rows: [ListRow] = []
        rows.reserveCapacity(records.count)
        for record in records {
            let w = record.workflow
            self.records[w.id] = record
            rows.append(ListRow(w))
            if !w.deleted { liveNames.claim(w.name, by: w.id) }
            if !record.requestID.isEmpty { requests[record.requestID] = w.id }
        }
        index = ListIndex(rows: rows)
    }
}
