import Dispatch
import Synchronization

// The workflow part of a snapshot in binary: a snapshot of 100k workflows was ~50 MB of JSON
// that took 13 s to parse and decode at start-up. Here every workflow is one length-prefixed
// record of varints and length-prefixed UTF-8 (no keys, no escapes, no number text), so the
// records can be found by their lengths alone and decoded on every core at once. Written and
// read with the ByteWriter / ByteReader of BinaryCodec.swift, as run events are.
//
//     "SPWFBIN1" | varint tenants | per tenant (sorted by name):
//         string name | bytes templates (canonical JSON array) | varint workflows |
//         per workflow (id order): varint length | record
//
// Reading is bounds-checked and depth-limited throughout: a damaged record is a DecodeError
// naming the tenant and the workflow's position, never a crash.

// MARK: - The model

extension ByteWriter {
    mutating func record(_ r: WorkflowRecord) {
        let w = r.workflow
        string(w.id)
        metadata(w.metadata)
        int32(w.status.rawValue)
        instant(w.createdAt)
        instant(w.updatedAt)
        bool(w.deleted)
        if w.deleted { instant(w.deletedAt ?? w.updatedAt) }
        varint(r.revision)
        string(r.requestID)
        count(r.versions.count)
        for v in r.versions { version(v) }
        count(r.files.count)
        for f in r.files { file(f) }
    }

    mutating func version(_ v: WorkflowVersion) {
        int32(v.number)
        string(v.changeSummary)
        string(v.definitionHash)
        instant(v.createdAt)
        definition(v.definition)
    }

    mutating func file(_ f: AttachedFile) {
        for s in [f.blobID, f.name, f.contentType, f.purpose, f.stepID, f.sha256] { string(s) }
        int64(f.size)
        instant(f.at)
    }

    mutating func metadata(_ m: WorkflowMetadata) {
        string(m.name)
        string(m.description)
        strings(m.tags)
        int32(m.triggerType.rawValue)
        int32(m.kind.rawValue)
        count(m.inputs.count)
        for i in m.inputs {
            string(i.name)
            int32(i.type.rawValue)
            bool(i.required)
            json(i.defaultValue)
            string(i.description)
        }
        object(m.config)
        string(m.webhookURL)
        strings([m.origin.instance, m.origin.zone, m.origin.reference])
        count(m.testInputs.count)
        for t in m.testInputs { object(t) }
    }

    mutating func definition(_ d: WorkflowDefinition) {
        count(d.steps.count)
        for s in d.steps {
            strings([s.id, s.name, s.type])
            object(s.config)
            strings(s.dependsOn)
            count(s.inputMappings.count)
            for m in s.inputMappings { strings([m.fromStep, m.fromField, m.toField, m.transform]) }
            bool(s.retry != nil)
            if let r = s.retry {
                int32(r.maxAttempts)
                span(r.initialBackoff)
                span(r.maxBackoff)
                double(r.backoffMultiplier)
                strings(r.retryableErrors)
            }
            span(s.timeout)
            bool(s.fallback != nil)
            if let f = s.fallback {
                string(f.type)
                object(f.config)
            }
        }
        strings(d.stepOrder)
    }
}

extension ByteReader {
    mutating func record(tenant: String) throws(DecodeError) -> WorkflowRecord {
        let id = try string()
        let meta = try metadata()
        let status = try enumValue(WorkflowStatus.self)
        let created = try instant(), updated = try instant()
        let deleted = try bool()
        let deletedAt = deleted ? try instant() : nil
        let revision = try varint()
        let requestID = try string()
        let versionCount = try count()
        guard versionCount > 0 else { throw fail("a workflow has at least one version") }
        var versions: [WorkflowVersion] = []
        versions.reserveCapacity(versionCount)
        for _ in 0..<versionCount { versions.append(try version()) }
        var files: [AttachedFile] = []
        for _ in 0..<(try count()) { files.append(try file()) }
        let last = versions[versions.count - 1]
        let wf = Workflow(id: id, tenantID: tenant, metadata: meta, status: status, definition: last.definition,
                          createdAt: created, updatedAt: updated, currentVersion: last.number,
                          etag: WorkflowState.etag(revision), deleted: deleted, deletedAt: deletedAt)
        return WorkflowRecord(workflow: wf, versions: versions, revision: revision, requestID: requestID, files: files)
    }

    mutating func version() throws(DecodeError) -> WorkflowVersion {
        let number = try int32(), summary = try string(), hash = try string(), at = try instant()
        return WorkflowVersion(number: number, changeSummary: summary, createdAt: at, definition: try definition(),
                               definitionHash: hash)
    }

    mutating func file() throws(DecodeError) -> AttachedFile {
        let s = try (string(), string(), string(), string(), string(), string())
        return AttachedFile(blobID: s.0, name: s.1, contentType: s.2, purpose: s.3, stepID: s.4, size: try int64(),
                            sha256: s.5, at: try instant())
    }

    mutating func metadata() throws(DecodeError) -> WorkflowMetadata {
        let name = try string(), description = try string(), tags = try strings()
        let trigger = try enumValue(TriggerType.self), kind = try enumValue(WorkflowKind.self)
        var inputs: [InputDeclaration] = []
        for _ in 0..<(try count()) {
            let name = try string(), type = try enumValue(InputType.self), required = try bool()
            let value = try optionalJSON()
            inputs.append(InputDeclaration(name: name, type: type, required: required, defaultValue: value,
                                           description: try string()))
        }
        let config = try object(), webhook = try string(), origin = try strings()
        guard origin.count == 3 else { throw fail("origin has \(origin.count) fields") }
        var tests: [[String: JSONValue]] = []
        for _ in 0..<(try count()) { tests.append(try object()) }
        return WorkflowMetadata(name: name, description: description, tags: tags, triggerType: trigger, kind: kind,
                                inputs: inputs, config: config, webhookURL: webhook,
                                origin: Origin(instance: origin[0], zone: origin[1], reference: origin[2]), testInputs: tests)
    }

    mutating func definition() throws(DecodeError) -> WorkflowDefinition {
        var steps: [Step] = []
        for _ in 0..<(try count()) {
            let names = try strings()
            guard names.count == 3 else { throw fail("step has \(names.count) names") }
            let config = try object(), deps = try strings()
            var mappings: [InputMapping] = []
            for _ in 0..<(try count()) {
                let m = try strings()
                guard m.count == 4 else { throw fail("input mapping has \(m.count) fields") }
                mappings.append(InputMapping(fromStep: m[0], fromField: m[1], toField: m[2], transform: m[3]))
            }
            var retry: RetryPolicy?
            if try bool() {
                retry = RetryPolicy(maxAttempts: try int32(), initialBackoff: try span(), maxBackoff: try span(),
                                    backoffMultiplier: try double(), retryableErrors: try strings())
            }
            let timeout = try span()
            let fallback = try bool() ? Fallback(type: try string(), config: try object()) : nil
            steps.append(Step(id: names[0], name: names[1], type: names[2], config: config, dependsOn: deps,
                              inputMappings: mappings, retry: retry, timeout: timeout, fallback: fallback))
        }
        return WorkflowDefinition(steps: steps, stepOrder: try strings())
    }
}

// MARK: - The whole state

extension WorkflowState {
    static let binarySnapshotMagic = Array("SPWFBIN1".utf8)

    /// The binary workflow section (see the top of this file).
    func binarySnapshotBytes() -> [UInt8] {
        // Sized for the usual record up front (untouched capacity costs no memory), so a big
        // state is not copied again at each doubling; one scratch writer serves every record.
        var out = ByteWriter(capacity: (1 << 16) + workflowCount * 1024, sortingKeys: true)
        var one = ByteWriter(capacity: 4096, sortingKeys: true)
        for b in Self.binarySnapshotMagic { out.byte(b) }
        out.count(tenants.count)
        for name in tenants.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            let t = tenants[name]!
            out.string(name)
            out.lengthPrefixed(JSONValue.array(t.templates.keys.sorted().map { t.templates[$0]!.json }).canonicalBytes())
            out.count(t.index.count)
            for id in t.index.ids {
                one.removeAll()
                one.record(t.records[id]!)
                out.lengthPrefixed(one.bytes)
            }
        }
        return out.bytes
    }

    /// Records decoded in parallel: a tenant's workflows are cut into chunks, one per task.
    init(binarySnapshot bytes: [UInt8]) throws(DecodeError) {
        self.init()
        var r = ByteReader(bytes, from: Self.binarySnapshotMagic.count, path: "snapshot")
        for _ in 0..<(try r.count()) {
            let name = try r.string()
            let templatesJSON = try r.lengthPrefixed()
            var ranges: [Range<Int>] = []
            let n = try r.count()
            ranges.reserveCapacity(n)
            for _ in 0..<n { ranges.append(try r.range()) }
            var t = TenantState(loading: try Self.decodeInParallel(bytes, ranges, tenant: name))
            let parsed: JSONValue
            do throws(JSONParseError) { parsed = try JSONValue.parse(templatesJSON, depthLimit: 128) } catch {
                throw DecodeError(path: "snapshot.tenants.\(name).templates", message: error.description)
            }
            for (i, tv) in (parsed.arrayValue ?? []).enumerated() {
                let template = try Template(json: tv, path: "snapshot.tenants.\(name).templates[\(i)]")
                t.templates[template.id] = template
            }
            tenants[name] = t
        }
        guard r.atEnd else { throw r.fail("trailing bytes") }
    }

    private static func decodeInParallel(_ bytes: [UInt8], _ ranges: [Range<Int>],
                                         tenant: String) throws(DecodeError) -> [WorkflowRecord] {
        let chunk = 2048
        let chunks = (ranges.count + chunk - 1) / chunk
        let results = Mutex<[Int: Result<[WorkflowRecord], DecodeError>]>([:])
        DispatchQueue.concurrentPerform(iterations: chunks) { c in
            let part = ranges[(c * chunk)..<min(ranges.count, (c + 1) * chunk)]
            var out: [WorkflowRecord] = []
            out.reserveCapacity(part.count)
            let result: Result<[WorkflowRecord], DecodeError>
            do throws(DecodeError) {
                for (i, range) in zip(part.indices, part) {
                    var r = ByteReader(bytes, from: range.lowerBound, to: range.upperBound,
                                       path: "snapshot.tenants.\(tenant).workflows[\(i)]")
                    out.append(try r.record(tenant: tenant))
                    guard r.atEnd else { throw r.fail("trailing bytes") }
                }
                result = .success(out)
            } catch {
                result = .failure(error)
            }
            results.withLock { $0[c] = result }
        }
        var all: [WorkflowRecord] = []
        all.reserveCapacity(ranges.count)
        let done = results.withLock { $0 }
        for c in 0..<chunks { all += try done[c]!.get() }
        return all
    }
}
