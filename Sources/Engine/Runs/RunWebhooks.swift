import Storage
import Synchronization

/// How a finished run's webhook delivery is retried: at most `maxAttempts` attempts, spaced
/// by an exponential backoff, counted across restarts.
public struct WebhookPolicy: Sendable, Hashable {
    public var maxAttempts: Int
    public var initialBackoffMillis: Int64
    public var maxBackoffMillis: Int64
    public var multiplier: Double

    public init(maxAttempts: Int = 5, initialBackoffMillis: Int64 = 500, maxBackoffMillis: Int64 = 30_000,
                multiplier: Double = 2) {
        self.maxAttempts = max(1, maxAttempts)
        self.initialBackoffMillis = max(0, initialBackoffMillis)
        self.maxBackoffMillis = max(self.initialBackoffMillis, maxBackoffMillis)
        self.multiplier = max(1, multiplier)
    }

    /// The wait after failed attempt `attempt` (counted from 1) before the next one.
    public func backoffMillis(after attempt: Int) -> Int64 {
        var wait = Double(initialBackoffMillis)
        for _ in 1..<max(1, attempt) where wait < Double(maxBackoffMillis) { wait *= multiplier }
        return min(Int64(wait), maxBackoffMillis)
    }
}

/// What one delivery attempt came to.
public enum WebhookAttempt: Sendable, Hashable {
    /// A 2xx status was received.
    case delivered(status: Int)
    /// `retryable`: another attempt could succeed (connection failures, timeouts, 408, 429, 5xx).
    case failed(error: String, retryable: Bool)
}

/// One step of a delivery, for the server's log.
public struct WebhookReport: Sendable, Hashable {
    public enum Outcome: Sendable, Hashable {
        /// Failed attempt `attempts`; the next one is at `nextAt` (durably: after a restart too).
        case retrying(nextAt: Instant)
        case delivered
        /// Out of attempts, or a failure no retry can fix.
        case gaveUp
        /// Its workflow was purged before it got through.
        case dropped
    }
    public var runID: String
    public var url: String
    public var attempts: Int
    public var error: String
    public var outcome: Outcome
}

/// The workflow webhook: each run that ends, of a workflow with a `webhook_url`, has its final
/// state POSTed there. The executor makes the delivery durable (a `WebhookRecord` in the run
/// log, written before the run's terminal event) and retries it by `policy`, across restarts;
/// `deliver` makes one attempt (the Effects HTTP client in the server).
public struct RunWebhooks: Sendable {
    public var policy: WebhookPolicy
    public var deliver: @Sendable (_ url: String, _ document: JSONValue) async -> WebhookAttempt
    public var report: @Sendable (WebhookReport) -> Void

    public init(policy: WebhookPolicy = WebhookPolicy(),
                deliver: @escaping @Sendable (_ url: String, _ document: JSONValue) async -> WebhookAttempt,
                report: @escaping @Sendable (WebhookReport) -> Void = { _ in }) {
        self.policy = policy
        self.deliver = deliver
        self.report = report
    }

    /// Outputs larger than this stay out of the webhook document (which is a log record
    /// until delivered, and one HTTP body): it says how large they were instead.
    public static let maxOutputsBytes = 1 << 20

    /// {"run_id", "workflow_id", "status", "outputs", "error", "finished_at"}: what the
    /// webhook receives for a run that ended. Outputs over `maxOutputsBytes` are replaced by
    /// {} and "outputs_omitted_bytes": their size (GetRun returns them).
    public static func document(_ run: Run) -> JSONValue {
        let outputs = JSONValue.object(run.outputs)
        let size = outputs.binarySize(stoppingAbove: maxOutputsBytes)
        var doc: [String: JSONValue] = [
            "run_id": .string(run.id), "workflow_id": .string(run.workflowID),
            "status": .string(run.status.name), "outputs": size > maxOutputsBytes ? .object([:]) : outputs,
            "finished_at": .string(String(run.finishedAt?.millisSinceEpoch ?? 0)),
        ]
        if size > maxOutputsBytes {
            doc["outputs_omitted_bytes"] = .number(Double(outputs.binarySize(stoppingAbove: .max)))
        }
        if let e = run.error { doc["error"] = ["code": .string(e.code), "message": .string(e.message)] }
        return .object(doc)
    }
}

/// A delivery not yet delivered or given up.
struct PendingWebhook: Sendable, Hashable {
    /// "<run id>/<seq of its terminal event>": a resumed run that ends again is told again.
    var key: String { "\(runID)/\(seq)" }
    var runID: String
    var tenantID: String
    var workflowID: String
    var seq: UInt64
    var url: String
    var document: JSONValue
    /// Failed attempts so far, the next one's time and the last failure.
    var attempts = 0
    var nextAt: Instant?
    var lastError = ""
}

/// Webhook records in the log (record type `webhook`): canonical JSON like the other records.
enum WebhookRecord {
    /// A delivery owed; also its progress, in snapshots.
    case pending(PendingWebhook)
    case failed(key: String, attempt: Int, error: String, nextAt: Instant)
    /// Delivered, given up or dropped: nothing more to do.
    case done(key: String, delivered: Bool, attempts: Int, error: String)

    var json: JSONValue {
        var b = JSONBuilder()
        b["v"] = 1
        switch self {
        case .pending(let p):
            b.set("t", "webhook_pending")
            b.set("run", p.runID)
            b.set("tenant", p.tenantID)
            b.set("wf", p.workflowID)
            b.set("seq", int64: Int64(p.seq))
            b.set("url", p.url)
            b.set("doc", present: p.document)
            b.set("attempts", Int32(clamping: p.attempts))
            b.set("next", p.nextAt)
            b.set("error", p.lastError)
        case .failed(let key, let attempt, let error, let next):
            b.set("t", "webhook_failed")
            b.set("key", key)
            b.set("attempt", Int32(clamping: attempt))
            b.set("error", error)
            b.set("next", next)
        case .done(let key, let delivered, let attempts, let error):
            b.set("t", "webhook_done")
            b.set("key", key)
            b.set("delivered", delivered)
            b.set("attempts", Int32(clamping: attempts))
            b.set("error", error)
        }
        return b.value
    }

    var record: Record { Record(type: WorkflowStore.RecordType.webhook, payload: json.canonicalBytes()) }

    init(bytes: [UInt8]) throws(DecodeError) {
        let value: JSONValue
        do { value = try JSONValue.parse(bytes) } catch { throw DecodeError(path: "webhook", message: error.description) }
        let r = try JSONReader(value, path: "webhook")
        switch try r.string("t") {
        case "webhook_pending":
            let seq = try r.int64("seq")
            let next = try r.instant("next")
            guard seq > 0 else { throw r.fail("seq", "expected a positive sequence number") }
            self = .pending(PendingWebhook(runID: try r.string("run"), tenantID: try r.string("tenant"),
                                           workflowID: try r.string("wf"), seq: UInt64(seq), url: try r.string("url"),
                                           document: r.object["doc"] ?? .null, attempts: Int(try r.int32("attempts")),
                                           nextAt: next.nanosSinceEpoch == 0 ? nil : next, lastError: try r.string("error")))
        case "webhook_failed":
            self = .failed(key: try r.string("key"), attempt: Int(try r.int32("attempt")), error: try r.string("error"),
                           nextAt: try r.instant("next"))
        case "webhook_done":
            self = .done(key: try r.string("key"), delivered: try r.bool("delivered"), attempts: Int(try r.int32("attempts")),
                         error: try r.string("error"))
        case let other: throw r.fail("t", "unknown webhook record \"\(other)\"")
        }
    }
}

/// The deliveries in flight, and each workflow's webhook URL as the executor last read it.
final class WebhookTable: Sendable {
    let pending = Mutex<[String: PendingWebhook]>([:])
    /// tenant + "\0" + workflow id -> URL ("" for none).
    let urls = Mutex<[String: String]>([:])

    /// Folds recovered records, in log order (a snapshot's, then the log's after it: a record
    /// may come twice, so progress only moves forward).
    static func fold(_ records: [WebhookRecord]) -> [String: PendingWebhook] {
        var table: [String: PendingWebhook] = [:]
        for record in records {
            switch record {
            case .pending(let p):
                if let known = table[p.key], known.attempts >= p.attempts { continue }
                table[p.key] = p
            case .failed(let key, let attempt, let error, let next):
                guard var p = table[key], attempt >= p.attempts else { continue }
                p.attempts = attempt
                p.nextAt = next
                p.lastError = error
                table[key] = p
            case .done(let key, _, _, _):
                table[key] = nil
            }
        }
        return table
    }
}

extension Executor {
    static func workflowKey(_ tenant: String, _ workflowID: String) -> String { tenant + "\u{0}" + workflowID }

    /// Notes a workflow's webhook URL as just read: runs of it that end use it. Only workflows
    /// with a URL are kept (no entry means none): every workflow write passes here, and most
    /// workflows have no webhook.
    public func rememberWebhookURL(tenant: String, workflowID: String, url: String) {
        guard webhooks != nil else { return }
        webhookTable.urls.withLock { urls in
            if !url.isEmpty {
                urls[Self.workflowKey(tenant, workflowID)] = url
            } else if !urls.isEmpty {
                urls[Self.workflowKey(tenant, workflowID)] = nil
            }
        }
    }

    /// Reads a workflow's webhook URL (for runs that did not start in this process).
    func refreshWebhookURL(tenant: String, workflowID: String) async {
        guard webhooks != nil,
              let url = try? await workflows.read({ s throws(DomainError) in try s.get(tenant: tenant, id: workflowID).metadata.webhookURL })
        else { return }
        rememberWebhookURL(tenant: tenant, workflowID: workflowID, url: url)
    }

    /// A run just ended (its terminal event is not queued yet): the delivery is queued for the
    /// log first, so a crash cannot keep the end and lose the delivery. It is attempted once
    /// the run's end is durable.
    func queueWebhook(for run: Run, cell: RunCell) {
        guard let hooks = webhooks,
              let url = webhookTable.urls.withLock({ $0[Self.workflowKey(run.tenantID, run.workflowID)] }), !url.isEmpty
        else { return }
        let p = PendingWebhook(runID: run.id, tenantID: run.tenantID, workflowID: run.workflowID, seq: run.lastSeq,
                               url: url, document: RunWebhooks.document(run))
        webhookTable.pending.withLock { $0[p.key] = p }
        workflows.store.append([WebhookRecord.pending(p).record]) { result in
            guard case .success = result else { return }
            Task {
                await cell.waitDurable(p.seq)
                await self.deliverWebhook(p.key, hooks: hooks)
            }
        }
    }

    /// After `recover`: the deliveries still owed, resumed at their next attempt's time. One
    /// whose run's end never became durable (the log was cut between them) is dropped: that
    /// run goes on, and tells its webhook when it ends.
    func recoverWebhooks() async {
        var table = WebhookTable.fold(workflows.recoveredRuns.webhooks)
        for (key, p) in table {
            if let cell = tables.withLock({ $0.cells[p.runID] }), cell.lastSeq < p.seq {
                table[key] = nil
            }
        }
        webhookTable.pending.withLock { $0 = table }
        guard let hooks = webhooks else { return }
        for key in table.keys { Task { await deliverWebhook(key, hooks: hooks) } }
    }

    /// Attempts the delivery until it gets through or runs out of attempts, recording each
    /// failure (with the next attempt's time) before waiting for it.
    func deliverWebhook(_ key: String, hooks: RunWebhooks) async {
        while true {
            guard let p = webhookTable.pending.withLock({ $0[key] }) else { return }
            if let next = p.nextAt, next > now() {
                do { try await sleeper.sleep(next) } catch { return }
                continue  // it may have been dropped meanwhile
            }
            let attempt = p.attempts + 1
            let error: String
            switch await hooks.deliver(p.url, p.document) {
            case .delivered:
                return await finishWebhook(p, delivered: true, attempts: attempt, error: "", hooks: hooks)
            case .failed(let e, let retryable):
                error = e
                if !retryable || attempt >= hooks.policy.maxAttempts {
                    return await finishWebhook(p, delivered: false, attempts: attempt, error: e, hooks: hooks)
                }
            }
            let next = Instant(nanosSinceEpoch: now().nanosSinceEpoch + hooks.policy.backoffMillis(after: attempt) * 1_000_000)
            let still = webhookTable.pending.withLock { t -> Bool in
                guard t[key] != nil else { return false }
                t[key]!.attempts = attempt
                t[key]!.nextAt = next
                t[key]!.lastError = error
                return true
            }
            guard still else { return }
            do {
                _ = try await workflows.store.append([WebhookRecord.failed(key: key, attempt: attempt, error: error, nextAt: next).record])
            } catch {
                return  // the log refuses writes: the next start resumes from what is durable
            }
            hooks.report(WebhookReport(runID: p.runID, url: p.url, attempts: attempt, error: error, outcome: .retrying(nextAt: next)))
        }
    }

    private func finishWebhook(_ p: PendingWebhook, delivered: Bool, attempts: Int, error: String, hooks: RunWebhooks) async {
        guard webhookTable.pending.withLock({ $0.removeValue(forKey: p.key) }) != nil else { return }
        _ = try? await workflows.store.append([WebhookRecord.done(key: p.key, delivered: delivered, attempts: attempts,
                                                                   error: error).record])
        hooks.report(WebhookReport(runID: p.runID, url: p.url, attempts: attempts, error: error,
                                   outcome: delivered ? .delivered : .gaveUp))
    }

    /// Drops the deliveries still owed for `runIDs` (their workflow is purged), durably;
    /// returns how many.
    func dropWebhooks(for runIDs: Set<String>) async throws -> Int {
        let dropped = webhookTable.pending.withLock { t -> [PendingWebhook] in
            let gone = t.values.filter { runIDs.contains($0.runID) }
            for p in gone { t[p.key] = nil }
            return gone
        }
        guard !dropped.isEmpty else { return 0 }
        _ = try await workflows.store.append(dropped.map {
            WebhookRecord.done(key: $0.key, delivered: false, attempts: $0.attempts, error: "its workflow was purged").record
        })
        for p in dropped {
            webhooks?.report(WebhookReport(runID: p.runID, url: p.url, attempts: p.attempts, error: "its workflow was purged",
                                           outcome: .dropped))
        }
        return dropped.count
    }

    /// The deliveries still owed, with their progress, for the store's snapshot.
    func snapshotWebhookRecords() -> [Record] {
        webhookTable.pending.withLock { t in t.values.map { WebhookRecord.pending($0).record } }
    }
}
