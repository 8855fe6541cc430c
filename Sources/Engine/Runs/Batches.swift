import Storage
import Synchronization

public enum BatchStatus: Int32, Sendable, Hashable {
    case unspecified = 0, running, completed, canceled
}

/// One run per row of a dataset (proto BatchRun). Rows are not stored: the dataset is the
/// uploaded file, and each row's run carries (batch id, row) in its origin, so the batch's
/// progress is read off its runs and a restarted batch finds the rows it already started.
public struct BatchRun: Sendable, Hashable {
    public var id: String
    public var tenantID: String
    public var workflowID: String
    public var fileID: String
    public var version: Int32
    /// Workflow input -> dataset column; empty: every column is the input of its name.
    public var columnMapping: [String: String]
    public var miniBatchSize: Int
    public var totalRows: Int
    public var createdAt: Instant
    public var status: BatchStatus = .running
    public var outputFileID = ""
    public var finishedAt: Instant?
}

/// A row of a batch as GetBatchRun reports it.
public struct BatchRow: Sendable, Hashable {
    public var row: Int
    public var runID: String
    public var status: RunStatus
    public var error: StepError?
}

/// Batch records in the log (record type `batch`): canonical JSON like the other records.
enum BatchRecord {
    case created(BatchRun)
    case finished(id: String, outputFileID: String, at: Instant)
    /// Removed with its workflow (PurgeWorkflow).
    case deleted(id: String)

    var json: JSONValue {
        var b = JSONBuilder()
        b["v"] = 1
        switch self {
        case .created(let r):
            b.set("t", "batch_created")
            b.set("id", r.id)
            b.set("tenant", r.tenantID)
            b.set("wf", r.workflowID)
            b.set("file", r.fileID)
            b.set("version", r.version)
            b.set("mapping", r.columnMapping.mapValues(JSONValue.string))
            b.set("mini", Int32(r.miniBatchSize))
            b.set("rows", int64: Int64(r.totalRows))
            b.set("at", r.createdAt)
        case .finished(let id, let output, let at):
            b.set("t", "batch_finished")
            b.set("id", id)
            b.set("output", output)
            b.set("at", at)
        case .deleted(let id):
            b.set("t", "batch_deleted")
            b.set("id", id)
        }
        return b.value
    }

    init(bytes: [UInt8]) throws(DecodeError) {
        let value: JSONValue
        do { value = try JSONValue.parse(bytes) } catch { throw DecodeError(path: "batch", message: error.description) }
        let r = try JSONReader(value, path: "batch")
        switch try r.string("t") {
        case "batch_created":
            var mapping: [String: String] = [:]
            for (k, v) in try r.objectMember("mapping") { mapping[k] = v.stringValue ?? "" }
            self = .created(BatchRun(id: try r.string("id"), tenantID: try r.string("tenant"), workflowID: try r.string("wf"),
                                     fileID: try r.string("file"), version: try r.int32("version"), columnMapping: mapping,
                                     miniBatchSize: Int(try r.int32("mini")), totalRows: Int(try r.int64("rows")),
                                     createdAt: try r.instant("at")))
        case "batch_finished":
            self = .finished(id: try r.string("id"), outputFileID: try r.string("output"), at: try r.instant("at"))
        case "batch_deleted":
            self = .deleted(id: try r.string("id"))
        case let other:
            throw r.fail("t", "unknown batch record \"\(other)\"")
        }
    }
}

/// Datasets: CSV with a header row (RFC 4180 quoting), or JSON lines (one object per line).
public enum Dataset {
    public static let maxRows = 100_000

    public static func rows(_ bytes: [UInt8]) throws(DomainError) -> [[String: JSONValue]] {
        let start = bytes.firstIndex { $0 != 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D && $0 != 0xEF && $0 != 0xBB && $0 != 0xBF }
        if let start, bytes[start] == UInt8(ascii: "{") { return try jsonLines(bytes) }
        return try csv(bytes)
    }

    static func jsonLines(_ bytes: [UInt8]) throws(DomainError) -> [[String: JSONValue]] {
        var out: [[String: JSONValue]] = []
        for (n, line) in bytes.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.drop { $0 == 0x20 || $0 == 0x0D }
            if trimmed.allSatisfy({ $0 == 0x20 || $0 == 0x0D || $0 == 0x09 }) { continue }
            guard case .object(let o)? = try? JSONValue.parse(Array(line)) else {
                throw .invalid("file_id", "dataset line \(n + 1) is not a JSON object")
            }
            out.append(o)
            if out.count > maxRows { throw .invalid("file_id", "a dataset has at most \(maxRows) rows") }
        }
        return out
    }

    static func csv(_ bytes: [UInt8]) throws(DomainError) -> [[String: JSONValue]] {
        var records: [[String]] = []
        var field: [UInt8] = []
        var record: [String] = []
        var quoted = false, wasQuoted = false
        var i = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        var line = 1
        func endField() { record.append(String(decoding: field, as: UTF8.self)); field.removeAll(keepingCapacity: true); wasQuoted = false }
        while i < bytes.count {
            let c = bytes[i]
            if quoted {
                if c == UInt8(ascii: "\"") {
                    if i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "\"") { field.append(c); i += 1 } else { quoted = false }
                } else {
                    if c == 0x0A { line += 1 }
                    field.append(c)
                }
            } else if c == UInt8(ascii: "\"") && field.isEmpty && !wasQuoted {
                quoted = true
                wasQuoted = true
            } else if c == UInt8(ascii: ",") {
                endField()
            } else if c == 0x0A || c == 0x0D {
                if c == 0x0D, i + 1 < bytes.count, bytes[i + 1] == 0x0A { i += 1 }
                endField()
                if !(record.count == 1 && record[0].isEmpty) { records.append(record) }
                record.removeAll()
                line += 1
                if records.count > maxRows + 1 { throw .invalid("file_id", "a dataset has at most \(maxRows) rows") }
            } else {
                field.append(c)
            }
            i += 1
        }
        if quoted { throw .invalid("file_id", "dataset CSV: a quoted field is not closed (line \(line))") }
        if !field.isEmpty || !record.isEmpty {
            endField()
            records.append(record)
        }
        guard let header = records.first, !header.isEmpty, !header.contains(where: \.isEmpty) else {
            throw .invalid("file_id", "dataset CSV needs a header row naming every column")
        }
        var out: [[String: JSONValue]] = []
        for (n, r) in records.dropFirst().enumerated() {
            guard r.count == header.count else {
                throw .invalid("file_id", "dataset CSV row \(n + 1) has \(r.count) fields; the header has \(header.count)")
            }
            var row: [String: JSONValue] = [:]
            for (k, v) in zip(header, r) { row[k] = .string(v) }
            out.append(row)
        }
        return out
    }

    /// A row's run inputs: mapped columns, with CSV text converted to the declared types.
    static func inputs(row: [String: JSONValue], mapping: [String: String], declared: [InputDeclaration])
        -> Result<[String: JSONValue], StepFailure> {
        var inputs: [String: JSONValue] = [:]
        if mapping.isEmpty {
            inputs = row
        } else {
            for (input, column) in mapping {
                guard let v = row[column] else {
                    return .failure(StepFailure(StepFailure.invalidConfig, "no column \"\(column)\" for input \"\(input)\""))
                }
                inputs[input] = v
            }
        }
        for d in declared {
            guard case .string(let text)? = inputs[d.name] else { continue }
            switch d.type {
            case .number, .integer:
                if let n = Double(text) { inputs[d.name] = .number(n) }
            case .boolean:
                if text.lowercased() == "true" { inputs[d.name] = true } else if text.lowercased() == "false" { inputs[d.name] = false }
            case .object, .array:
                if let v = try? JSONValue.parse(text) { inputs[d.name] = v }
            default: break
            }
            if text.isEmpty && !d.required { inputs[d.name] = nil }
        }
        do throws(DomainError) {
            return .success(try RunInputs.check(inputs, against: declared))
        } catch {
            if case .invalidArgument(let problems) = error {
                return .failure(StepFailure(StepFailure.invalidConfig, problems.map { $0.message }.joined(separator: "; ")))
            }
            return .failure(StepFailure(StepFailure.invalidConfig, "\(error)"))
        }
    }
}

struct BatchState: Sendable {
    var batch: BatchRun
    /// Rows whose inputs did not fit the workflow: they get no run.
    var rowErrors: [Int: StepError] = [:]
}

extension Executor {
    public struct BatchRequest: Sendable {
        public var tenantID: String
        public var workflowID: String
        public var fileID: String
        public var columnMapping: [String: String]
        public var miniBatchSize: Int
        public var version: Int32
        public init(tenantID: String, workflowID: String, fileID: String, columnMapping: [String: String] = [:],
                    miniBatchSize: Int = 0, version: Int32 = 0) {
            self.tenantID = tenantID
            self.workflowID = workflowID
            self.fileID = fileID
            self.columnMapping = columnMapping
            self.miniBatchSize = miniBatchSize
            self.version = version
        }
    }

    /// Starts a batch: parses the dataset, records the batch, and runs its rows
    /// `miniBatchSize` at a time in the background.
    public func startBatch(_ request: BatchRequest) async throws -> BatchRun {
        guard request.miniBatchSize >= 0, request.miniBatchSize <= 1000 else {
            throw DomainError.invalid("mini_batch_size", "mini_batch_size must be between 0 and 1000")
        }
        let (workflow, file) = try await workflows.read { s throws(DomainError) -> (Workflow, AttachedFile) in
            let w = try s.get(tenant: request.tenantID, id: request.workflowID)
            guard let f = s.file(tenant: request.tenantID, fileID: request.fileID) else {
                throw .notFound("file \(request.fileID) not found")
            }
            return (w, f)
        }
        if workflow.deleted { throw DomainError.failedPrecondition("workflow \(workflow.id) is deleted") }
        let rows = try Dataset.rows(try workflows.store.openBlob(file.blobID).bytes)
        if let first = rows.first {
            let missing = request.columnMapping.values.filter { first[$0] == nil }.sorted()
            if !missing.isEmpty {
                throw DomainError.invalid("column_mapping", "the dataset has no column \(missing.map { "\"\($0)\"" }.joined(separator: ", "))")
            }
        }
        let at = now()
        let batch = BatchRun(id: environment.ids.make(prefix: "bat", tenant: request.tenantID, at: at), tenantID: request.tenantID,
                             workflowID: workflow.id, fileID: request.fileID,
                             version: request.version == 0 ? workflow.currentVersion : request.version,
                             columnMapping: request.columnMapping,
                             miniBatchSize: request.miniBatchSize == 0 ? 10 : request.miniBatchSize,
                             totalRows: rows.count, createdAt: at)
        _ = try await workflows.store.append([Record(type: WorkflowStore.RecordType.batch,
                                                     payload: BatchRecord.created(batch).json.canonicalBytes())])
        tables.withLock { $0.batches[batch.id] = BatchState(batch: batch) }
        Task { await drive(batch.id, rows: rows, declared: workflow.metadata.inputs) }
        return batch
    }

    /// Recovery: batches as their records left them; unfinished ones are driven again.
    func recoverBatches() async {
        var states: [String: BatchState] = [:]
        for record in workflows.recoveredRuns.batches {
            switch record {
            case .created(let b): states[b.id] = states[b.id] ?? BatchState(batch: b)
            case .finished(let id, let output, let at):
                states[id]?.batch.status = .completed
                states[id]?.batch.outputFileID = output
                states[id]?.batch.finishedAt = at
            case .deleted(let id):
                states[id] = nil
            }
        }
        tables.withLock { t in for (id, s) in states { t.batches[id] = s } }
        for s in states.values where s.batch.status == .running {
            let b = s.batch
            guard let file = try? await workflows.read({ st throws(DomainError) in st.file(tenant: b.tenantID, fileID: b.fileID) }),
                  let bytes = try? workflows.store.openBlob(file.blobID).bytes, let rows = try? Dataset.rows(bytes),
                  let declared = try? await workflows.read({ st throws(DomainError) in try st.get(tenant: b.tenantID, id: b.workflowID).metadata.inputs })
            else { continue }
            Task { await drive(b.id, rows: rows, declared: declared) }
        }
    }

    /// Runs every row not yet run, at most miniBatchSize at once; then writes the results
    /// file (JSON lines) and finishes the batch.
    private func drive(_ batchID: String, rows: [[String: JSONValue]], declared: [InputDeclaration]) async {
        guard let batch = tables.withLock({ $0.batches[batchID]?.batch }) else { return }
        await withTaskGroup(of: Void.self) { group in
            var inFlight = 0
            for (i, row) in rows.enumerated() {
                if inFlight == batch.miniBatchSize {
                    await group.next()
                    inFlight -= 1
                }
                inFlight += 1
                group.addTask { await self.runRow(batch, row: i, values: row, declared: declared) }
            }
        }
        // Its workflow was purged meanwhile: no results to write, nowhere to attach them.
        guard tables.withLock({ $0.batches[batchID] != nil }) else { return }
        var lines: [UInt8] = []
        let (runIDs, errors) = tables.withLock { ($0.batchRuns[batchID] ?? [:], $0.batches[batchID]?.rowErrors ?? [:]) }
        for i in 0..<rows.count {
            var b = JSONBuilder()
            b["row"] = .number(Double(i))
            if let id = runIDs[i], let run = tables.withLock({ $0.cells[id] })?.run {
                b.set("run_id", id)
                b.set("status", run.status.name)
                b.set("outputs", present: .object(run.outputs))
                b.set("error", present: run.error?.json)
            } else {
                b.set("status", "FAILED")
                b.set("error", present: errors[i]?.json)
            }
            lines += b.value.canonicalBytes()
            lines.append(0x0A)
        }
        do {
            let info = try await workflows.store.putBlob(OneChunk(bytes: lines))
            let at = now()
            let file = AttachedFile(blobID: info.id, name: "\(batchID)-results.jsonl", contentType: "application/x-ndjson",
                                    purpose: "BATCH_OUTPUT", stepID: "", size: Int64(info.size), sha256: info.sha256, at: at)
            _ = try await workflows.execute { s, _ throws(DomainError) in
                try s.attachFile(tenant: batch.tenantID, id: batch.workflowID, file: file)
            }
            let outputID = "file_" + info.id
            _ = try await workflows.store.append([Record(type: WorkflowStore.RecordType.batch,
                                                         payload: BatchRecord.finished(id: batchID, outputFileID: outputID, at: at).json.canonicalBytes())])
            tables.withLock { t in
                t.batches[batchID]?.batch.status = .completed
                t.batches[batchID]?.batch.outputFileID = outputID
                t.batches[batchID]?.batch.finishedAt = at
            }
        } catch {
            tables.withLock { t in
                // A purge that removed the batch (and its workflow) is not a failure of the log.
                guard t.batches[batchID] != nil else { return }
                t.failure = t.failure ?? "batch \(batchID) could not write its results: \(error)"
            }
        }
    }

    private func runRow(_ batch: BatchRun, row: Int, values: [String: JSONValue], declared: [InputDeclaration]) async {
        if let id = tables.withLock({ $0.batchRuns[batch.id]?[row] }), let cell = tables.withLock({ $0.cells[id] }) {
            _ = await waitForEnd(cell)
            return
        }
        switch Dataset.inputs(row: values, mapping: batch.columnMapping, declared: declared) {
        case .failure(let error):
            tables.withLock { $0.batches[batch.id]?.rowErrors[row] = StepError(error) }
        case .success(let inputs):
            let origin = RunOrigin(trigger: .batch, batchID: batch.id, batchRow: Int64(row))
            do {
                let run = try await start(StartRequest(tenantID: batch.tenantID, workflowID: batch.workflowID,
                                                       version: batch.version, inputs: inputs, origin: origin))
                if let cell = tables.withLock({ $0.cells[run.id] }) { _ = await waitForEnd(cell) }
            } catch {
                tables.withLock { $0.batches[batch.id]?.rowErrors[row] = StepError(code: StepFailure.internalError, message: "\(error)") }
            }
        }
    }

    /// Removes the workflow's batches (their output files go with the workflow); returns how
    /// many. Rows still running find their batch gone and stop there.
    func removeBatches(tenant: String, workflowID: String) async throws -> Int {
        let ids = tables.withLock { t in
            t.batches.values.filter { $0.batch.tenantID == tenant && $0.batch.workflowID == workflowID }.map(\.batch.id)
        }
        guard !ids.isEmpty else { return 0 }
        _ = try await workflows.store.append(ids.map {
            Record(type: WorkflowStore.RecordType.batch, payload: BatchRecord.deleted(id: $0).json.canonicalBytes())
        })
        tables.withLock { t in
            for id in ids {
                t.batches[id] = nil
                t.batchRuns[id] = nil
            }
        }
        return ids.count
    }

    public func batch(tenant: String, id: String) throws(DomainError) -> (batch: BatchRun, rows: [BatchRow]) {
        let (state, runIDs, cells) = tables.withLock { t in (t.batches[id], t.batchRuns[id] ?? [:], t.cells) }
        guard let state, state.batch.tenantID == tenant else { throw .notFound("batch \(id) not found") }
        var rows: [BatchRow] = []
        for i in 0..<state.batch.totalRows {
            if let runID = runIDs[i], let run = cells[runID]?.run {
                rows.append(BatchRow(row: i, runID: runID, status: run.status, error: run.error))
            } else if let error = state.rowErrors[i] {
                rows.append(BatchRow(row: i, runID: "", status: .failed, error: error))
            } else {
                rows.append(BatchRow(row: i, runID: "", status: .queued, error: nil))
            }
        }
        return (state.batch, rows)
    }

    /// A stored file of the tenant: its bytes and checksum.
    public func file(tenant: String, fileID: String) async throws -> BlobInfoAndBytes {
        let file = try await workflows.read { s throws(DomainError) -> AttachedFile in
            guard let f = s.file(tenant: tenant, fileID: fileID) else { throw .notFound("file \(fileID) not found") }
            return f
        }
        let blob = try workflows.store.openBlob(file.blobID)
        return BlobInfoAndBytes(size: blob.info.size, sha256: blob.info.sha256, bytes: blob.bytes)
    }
}

public struct BlobInfoAndBytes: Sendable {
    public var size: Int
    public var sha256: String
    public var bytes: [UInt8]
}

/// An async sequence of one chunk (putBlob takes a stream).
struct OneChunk: AsyncSequence, Sendable {
    typealias Element = [UInt8]
    let bytes: [UInt8]
    struct Iterator: AsyncIteratorProtocol {
        var bytes: [UInt8]?
        mutating func next() async -> [UInt8]? {
            defer { bytes = nil }
            return bytes
        }
    }
    func makeAsyncIterator() -> Iterator { Iterator(bytes: bytes) }
}
