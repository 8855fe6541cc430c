import Foundation
import Testing
@testable import Engine

/// task steps through the executor and the broker, with the manual clock: the worker is the
/// broker's session API (what the WorkerService adapts), so the lease timing is exact.
@Suite(.serialized) struct TaskStepTests {
    static func next(_ s: WorkerSession) async -> [WorkerOutbound] { await s.mailbox.next() ?? [] }

    /// The next task posted to the session (skipping the welcome and acks). The rest of its
    /// batch is dropped: only for a test with one task outstanding at a time.
    static func task(_ s: WorkerSession) async -> (TaskSpec, String)? {
        while let batch = await s.mailbox.next() {
            for m in batch { if case .task(let spec, let lease) = m { return (spec, lease) } }
        }
        return nil
    }

    @Test func aTaskStepRunsOnAWorkerAndItsDispatchIsDurableFirst() async throws {
        let h = try await RunHarness.make()
        let wf = try await h.workflow([
            runStep("a", "transform", ["expression": "inputs.n + 1"]),
            runStep("b", "task", ["queue": "q", "payload": "{{steps.a}}"], after: ["a"]),
        ])
        let session = try h.executor.tasks.connect(tenant: "t", WorkerHello(workerID: "w1", queues: ["q"], maxConcurrent: 1, credits: 1))
        let run = try await h.start(wf, inputs: ["n": 1])
        let (spec, lease) = try #require(await Self.task(session))
        #expect(spec.payload == 2 && spec.attempt == 1 && spec.taskID == "\(run.id)/b/1")
        // By the time the worker has the task, its dispatch is in the durable history.
        let notes = try h.events(run.id).compactMap { e -> TaskNote? in if case .task(let n) = e.kind { n } else { nil } }
        #expect(notes.map(\.what) == [.dispatched] && notes[0].leaseID == lease && notes[0].workerID == "w1")
        try h.executor.tasks.receive(session, .result(taskID: spec.taskID, attempt: 1, output: ["ok": true]))
        let done = try await h.finished(run.id)
        #expect(done.status == .completed && done.step("b")?.output == ["ok": true])
        // The ack comes once the step's end is durable.
        var acked = false
        while !acked, let batch = await session.mailbox.next() {
            for m in batch { if case .ack(let id, _, let ok, _) = m { acked = id == spec.taskID && ok } }
        }
        #expect(acked)
    }

    @Test func aLeaseWithoutHeartbeatsIsLostAfterItsTimeoutOnTheManualClock() async throws {
        let h = try await RunHarness.make()
        let wf = try await h.workflow([
            runStep("t", "task", ["queue": "q", "heartbeat_timeout": "2s"],
                    retry: RetryPolicy(maxAttempts: 2, initialBackoff: TimeSpan(seconds: 0, nanos: 1_000_000))),
        ])
        let s1 = try h.executor.tasks.connect(tenant: "t", WorkerHello(workerID: "w1", queues: ["q"], maxConcurrent: 1, credits: 5))
        let run = try await h.start(wf)
        let (first, _) = try #require(await Self.task(s1))
        // Heartbeats keep it: 1.5 s, heartbeat, another 1.5 s (3 s in all, past the 2 s timeout).
        h.clock.advance(byMillis: 1500)
        h.executor.tasks.tick()
        try h.executor.tasks.receive(s1, .heartbeat(taskID: first.taskID, attempt: 1, details: nil))
        h.clock.advance(byMillis: 1500)
        h.executor.tasks.tick()
        #expect(try h.executor.get(tenant: "t", runID: run.id).step("t")?.attempts == 1)
        // No heartbeat for 2 s: WORKER_LOST, retried; the second attempt waits for a worker.
        h.clock.advance(byMillis: 2100)
        h.executor.tasks.tick()
        let retrying = try await h.until(run.id, "the retry") { $0.step("t")?.status == .retrying }
        #expect(retrying.step("t")?.error?.code == StepFailure.workerLost)
        try await h.fireNextTimer()
        let s2 = try h.executor.tasks.connect(tenant: "t", WorkerHello(workerID: "w2", queues: ["q"], maxConcurrent: 1, credits: 1))
        let (second, _) = try #require(await Self.task(s2))
        #expect(second.attempt == 2)
        // The first worker wakes and reports attempt 1: refused, recorded, never applied.
        try h.executor.tasks.receive(s1, .result(taskID: first.taskID, attempt: 1, output: "stale"))
        _ = try await h.until(run.id, "the refusal") { _ in
            (try? h.events(run.id).contains { if case .task(let n) = $0.kind { n.what == .refused && n.attempt == 1 } else { false } }) ?? false
        }
        #expect(try h.executor.get(tenant: "t", runID: run.id).step("t")?.status == .running)
        try h.executor.tasks.receive(s2, .result(taskID: second.taskID, attempt: 2, output: "fresh"))
        let done = try await h.finished(run.id)
        #expect(done.status == .completed && done.step("t")?.output == "fresh")
    }

    @Test func aLoopOfTaskStepsMakesOneTaskPerItem() async throws {
        let h = try await RunHarness.make()
        let wf = try await h.workflow([
            runStep("each", "loop", ["items": [1, 2, 3], "concurrency": 3,
                                     "step": ["type": "task", "config": ["queue": "q", "payload": "{{item}}"]]]),
        ])
        let s = try h.executor.tasks.connect(tenant: "t", WorkerHello(workerID: "w", queues: ["q"], maxConcurrent: 3, credits: 3))
        let run = try await h.start(wf)
        var seen: [String: JSONValue] = [:]
        // Three dispatches at once can share a mailbox batch: take every task of each one.
        while seen.count < 3, let batch = await s.mailbox.next() {
            for m in batch { if case .task(let spec, _) = m { seen[spec.taskID] = spec.payload } }
        }
        #expect(Set(seen.keys) == ["\(run.id)/each/1.0", "\(run.id)/each/1.1", "\(run.id)/each/1.2"])
        for (id, payload) in seen {
            try h.executor.tasks.receive(s, .result(taskID: id, attempt: 1, output: .number((payload.numberValue ?? 0) * 10)))
        }
        let done = try await h.finished(run.id)
        #expect(done.status == .completed)
        #expect(done.step("each")?.output?["results"] == [10, 20, 30])
    }
}
