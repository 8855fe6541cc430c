import Foundation
import Synchronization
import Testing
@testable import Engine

/// A webhook endpoint tests script: each call is recorded, and `outcome` decides it by its
/// number (from 1).
final class FakeWebhook: Sendable {
    let calls = Mutex<[(url: String, document: JSONValue)]>([])
    let reports = Mutex<[WebhookReport]>([])
    let outcome: @Sendable (Int) -> WebhookAttempt

    init(_ outcome: @escaping @Sendable (Int) -> WebhookAttempt) { self.outcome = outcome }

    var count: Int { calls.withLock { $0.count } }
    var finalReports: [WebhookReport] {
        reports.withLock { $0.filter { if case .retrying = $0.outcome { false } else { true } } }
    }

    func hooks(_ policy: WebhookPolicy) -> RunWebhooks {
        RunWebhooks(policy: policy, deliver: { url, document in
            let n = self.calls.withLock { $0.append((url, document)); return $0.count }
            return self.outcome(n)
        }, report: { r in self.reports.withLock { $0.append(r) } })
    }

    static let unavailable = WebhookAttempt.failed(error: "http://hook returned 503", retryable: true)
}

/// One server's life on a data directory: the store and an executor with a webhook.
struct WebhookHarness {
    let store: WorkflowStore
    let executor: Executor

    static func open(_ dir: String, clock: ManualClock, hook: FakeWebhook, policy: WebhookPolicy) async throws -> WebhookHarness {
        let (store, _) = try WorkflowStore.open(directory: dir, environment: Environment(clock: clock.clock))
        let executor = Executor(workflows: store, sleeper: clock.sleeper, webhooks: hook.hooks(policy))
        await executor.recover()
        return WebhookHarness(store: store, executor: executor)
    }

    func workflow(webhookURL: String) async throws -> String {
        try await store.execute { state, env throws(DomainError) in
            try state.create(tenant: "t", metadata: WorkflowMetadata(name: "hooked", webhookURL: webhookURL),
                             definition: WorkflowDefinition(steps: [runStep("a", "transform", ["expression": "6 * 7"])]), env: env)
        }.workflowID
    }
}

@Suite(.serialized) struct RunWebhookTests {
    func tempDir() -> String {
        let path = NSTemporaryDirectory() + "spindle-webhook-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// A start on `dir` finds no delivery owed and calls no webhook.
    func expectNothingOwed(_ dir: String, clock: ManualClock, policy: WebhookPolicy) async throws {
        let hook = FakeWebhook { _ in .delivered(status: 200) }
        let h = try await WebhookHarness.open(dir, clock: clock, hook: hook, policy: policy)
        try await Task.sleep(for: .milliseconds(50))
        #expect(hook.count == 0 && h.executor.webhookTable.pending.withLock { $0.isEmpty })
        await h.store.close()
    }

    /// Waits until the delivery sleeps on the clock, then moves the clock to its deadline.
    func fireBackoff(_ clock: ManualClock) async throws {
        #expect(try await eventually { clock.nextDeadline != nil })
        if let next = clock.nextDeadline { clock.advance(to: next) }
    }

    @Test func aFailedDeliveryIsRetriedWithBackoffAcrossARestart() async throws {
        let dir = tempDir()
        let clock = ManualClock(start: Instant(millisSinceEpoch: 1_790_000_000_000))
        let policy = WebhookPolicy(maxAttempts: 4, initialBackoffMillis: 1000, maxBackoffMillis: 60_000)
        let first = FakeWebhook { _ in FakeWebhook.unavailable }
        let h = try await WebhookHarness.open(dir, clock: clock, hook: first, policy: policy)
        let wf = try await h.workflow(webhookURL: "http://hook/done")
        let run = try await h.executor.runToPause(.init(tenantID: "t", workflowID: wf))
        #expect(run.status == .completed)
        // The first attempt failed; the second is due in 1 s, and that is on the log.
        #expect(try await eventually { first.reports.withLock { $0.count } == 1 })
        let failedAt = clock.now
        #expect(first.reports.withLock { $0[0].outcome } == .retrying(nextAt: Instant(millisSinceEpoch: failedAt.millisSinceEpoch + 1000)))
        let doc = first.calls.withLock { $0[0] }
        #expect(doc.url == "http://hook/done")
        #expect(doc.document["run_id"] == .string(run.id) && doc.document["status"] == "COMPLETED")
        #expect(doc.document["outputs"]?["a"] == 42)
        await h.store.close()

        // Restarted: the delivery waits for its next attempt's time, then goes on counting.
        let second = FakeWebhook { n in n == 1 ? FakeWebhook.unavailable : .delivered(status: 204) }
        let h2 = try await WebhookHarness.open(dir, clock: clock, hook: second, policy: policy)
        try await Task.sleep(for: .milliseconds(30))
        #expect(second.count == 0)
        #expect(try await eventually { clock.nextDeadline == Instant(millisSinceEpoch: failedAt.millisSinceEpoch + 1000) })
        try await fireBackoff(clock)  // attempt 2 fails: 2 s more
        #expect(try await eventually { second.reports.withLock { $0.count } == 1 })
        #expect(second.reports.withLock { $0[0] }.attempts == 2)
        try await fireBackoff(clock)  // attempt 3 gets through
        #expect(try await eventually { !second.finalReports.isEmpty })
        let done = second.finalReports
        #expect(done.map(\.outcome) == [.delivered] && done.map(\.attempts) == [3])
        #expect(second.calls.withLock { $0.map(\.document) } == [doc.document, doc.document])
        await h2.store.close()
        // Delivered is durable: the next start owes nothing.
        try await expectNothingOwed(dir, clock: clock, policy: policy)
    }

    /// The executor keeps the URLs of workflows that have one (every workflow write passes
    /// them), and forgets one that is cleared.
    @Test func onlyWorkflowsWithAWebhookURLAreRemembered() async throws {
        let dir = tempDir()
        let clock = ManualClock(start: Instant(millisSinceEpoch: 1_790_000_000_000))
        let hook = FakeWebhook { _ in .delivered(status: 200) }
        let h = try await WebhookHarness.open(dir, clock: clock, hook: hook, policy: WebhookPolicy())
        let urls = { h.executor.webhookTable.urls.withLock { $0 } }
        h.executor.rememberWebhookURL(tenant: "t", workflowID: "wf_none", url: "")
        #expect(urls().isEmpty)
        let wf = try await h.workflow(webhookURL: "http://hook/a")
        h.executor.rememberWebhookURL(tenant: "t", workflowID: wf, url: "http://hook/a")
        h.executor.rememberWebhookURL(tenant: "t", workflowID: "wf_none", url: "")
        #expect(Array(urls().values) == ["http://hook/a"])
        h.executor.rememberWebhookURL(tenant: "t", workflowID: wf, url: "")
        #expect(urls().isEmpty)
        await h.store.close()
    }

    @Test func attemptsAreBoundedAcrossRestartsThenGivenUp() async throws {
        let dir = tempDir()
        let clock = ManualClock(start: Instant(millisSinceEpoch: 1_790_000_000_000))
        let policy = WebhookPolicy(maxAttempts: 3, initialBackoffMillis: 500)
        let first = FakeWebhook { _ in FakeWebhook.unavailable }
        let h = try await WebhookHarness.open(dir, clock: clock, hook: first, policy: policy)
        let wf = try await h.workflow(webhookURL: "http://hook/done")
        _ = try await h.executor.runToPause(.init(tenantID: "t", workflowID: wf))
        #expect(try await eventually { first.reports.withLock { $0.count } == 1 })
        try await fireBackoff(clock)
        #expect(try await eventually { first.reports.withLock { $0.count } == 2 })
        await h.store.close()

        // Two attempts were made before the restart: one is left.
        let second = FakeWebhook { _ in FakeWebhook.unavailable }
        let h2 = try await WebhookHarness.open(dir, clock: clock, hook: second, policy: policy)
        try await fireBackoff(clock)
        #expect(try await eventually { !second.finalReports.isEmpty })
        #expect(second.count == 1)
        #expect(second.finalReports.map(\.outcome) == [.gaveUp] && second.finalReports.map(\.attempts) == [3])
        await h2.store.close()
        try await expectNothingOwed(dir, clock: clock, policy: policy)
    }

    @Test func aFailureNoRetryCanFixIsGivenUpAtOnce() async throws {
        let clock = ManualClock(start: Instant(millisSinceEpoch: 1_790_000_000_000))
        let hook = FakeWebhook { _ in .failed(error: "http://hook returned 404", retryable: false) }
        let h = try await WebhookHarness.open(tempDir(), clock: clock, hook: hook, policy: WebhookPolicy(maxAttempts: 5))
        let wf = try await h.workflow(webhookURL: "http://hook/done")
        _ = try await h.executor.runToPause(.init(tenantID: "t", workflowID: wf))
        #expect(try await eventually { !hook.finalReports.isEmpty })
        #expect(hook.count == 1 && hook.finalReports.map(\.outcome) == [.gaveUp])
        await h.store.close()
    }

    @Test func backoffDoublesUpToItsCap() {
        let p = WebhookPolicy(maxAttempts: 10, initialBackoffMillis: 500, maxBackoffMillis: 3000)
        #expect((1...6).map(p.backoffMillis(after:)) == [500, 1000, 2000, 3000, 3000, 3000])
    }

    @Test func recordsRoundTripAndFoldForward() throws {
        var p = PendingWebhook(runID: "run_1", tenantID: "t", workflowID: "wf_1", seq: 9, url: "http://h",
                               document: ["status": "FAILED"])
        let next = Instant(millisSinceEpoch: 1_790_000_001_000)
        let records: [WebhookRecord] = [
            .pending(p), .failed(key: p.key, attempt: 1, error: "503", nextAt: next),
            // A snapshot's copy, older than what the log says after it: ignored.
            .pending(p),
        ]
        let decoded = try records.map { try WebhookRecord(bytes: $0.json.canonicalBytes()) }
        let folded = WebhookTable.fold(decoded)
        p.attempts = 1
        p.nextAt = next
        p.lastError = "503"
        #expect(folded == [p.key: p])
        #expect(WebhookTable.fold(decoded + [.done(key: p.key, delivered: true, attempts: 2, error: "")]).isEmpty)
        #expect(throws: DecodeError.self) { try WebhookRecord(bytes: Array(#"{"t":"webhook_lost"}"#.utf8)) }
    }
}
