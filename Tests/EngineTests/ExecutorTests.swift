import Foundation
import Storage
import Synchronization
import Testing
@testable import Engine

/// A runner tests control: each call is recorded, and the test's closure decides what an
/// attempt does (succeed, fail, hang until cancelled).
final class ScriptedRunner: StepRunner, @unchecked Sendable {
    let calls = Mutex<[StepInvocation]>([])
    let active = Mutex<(now: Int, max: Int)>((0, 0))
    let cancelled = Mutex(0)
    let body: @Sendable (StepInvocation, Int) async throws(StepFailure) -> JSONValue

    init(_ body: @escaping @Sendable (StepInvocation, Int) async throws(StepFailure) -> JSONValue) { self.body = body }

    func run(_ invocation: StepInvocation) async throws(StepFailure) -> JSONValue {
        let n = calls.withLock { $0.append(invocation); return $0.count }
        active.withLock { $0.now += 1; $0.max = max($0.max, $0.now) }
        defer { active.withLock { $0.now -= 1 } }
        do {
            return try await body(invocation, n)
        } catch {
            if error.code == StepFailure.canceledCode { cancelled.withLock { $0 += 1 } }
            throw error
        }
    }

    var count: Int { calls.withLock { $0.count } }

    /// Hangs until the task is cancelled.
    static func hang() async throws(StepFailure) -> JSONValue {
        while !Task.isCancelled { try? await Task.sleep(for: .milliseconds(5)) }
        throw .canceled
    }
}

struct RunHarness {
    let dir: String
    let store: WorkflowStore
    let executor: Executor
    let clock: ManualClock

    static func make(dir: String? = nil, runners: [String: any StepRunner] = [:], limits: Executor.Limits = .init(),
                     clock: ManualClock? = nil, options: StoreOptions = StoreOptions(),
                     values: ValueLimits = ValueLimits()) async throws -> RunHarness {
        let path = dir ?? NSTemporaryDirectory() + "spindle-exec-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let clock = clock ?? ManualClock(start: Instant(millisSinceEpoch: 1_790_000_000_000))
        let env = Environment(clock: clock.clock)
        let (store, _) = try WorkflowStore.open(directory: path, environment: env, options: options, valueLimits: values)
        let executor = Executor(workflows: store, runners: runners, limits: limits, sleeper: clock.sleeper)
        await executor.recover()
        return RunHarness(dir: path, store: store, executor: executor, clock: clock)
    }

    func reopen(runners: [String: any StepRunner] = [:], limits: Executor.Limits = .init(),
                values: ValueLimits = ValueLimits()) async throws -> RunHarness {
        await store.close()
        return try await RunHarness.make(dir: dir, runners: runners, limits: limits, clock: clock, values: values)
    }

    func workflow(_ steps: [Step], inputs: [InputDeclaration] = [], stepOrder: [String] = [], name: String = "wf") async throws -> String {
        try await store.execute { state, env throws(DomainError) in
            try state.create(tenant: "t", metadata: WorkflowMetadata(name: name, inputs: inputs),
                             definition: WorkflowDefinition(steps: steps, stepOrder: stepOrder), env: env)
        }.workflowID
    }

    func start(_ wf: String, inputs: [String: JSONValue] = [:], key: String = "") async throws -> Run {
        try await executor.start(.init(tenantID: "t", workflowID: wf, inputs: inputs, origin: RunOrigin(idempotencyKey: key)))
    }

    /// Waits (on real time, briefly) until `condition` holds for the run.
    func until(_ id: String, _ what: String = "", timeout: Double = 10, _ condition: (Run) -> Bool) async throws -> Run {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            // A child run's id is announced (in its parent's step) just before the child is
            // registered: until then it is not found, which is "not yet", not a failure.
            if let run = try? executor.get(tenant: "t", runID: id), condition(run) { return run }
            try await Task.sleep(for: .milliseconds(2))
        }
        let run = try executor.get(tenant: "t", runID: id)
        Issue.record("timed out waiting for \(what): run is \(run.status), steps \(run.steps.map { "\($0.stepID)=\($0.status)" })")
        return run
    }

    func finished(_ id: String) async throws -> Run { try await until(id, "the run to end") { $0.status.isTerminal } }

    /// Moves the manual clock to the next deadline anyone sleeps on, once someone does.
    func fireNextTimer() async throws {
        let deadline = Date().addingTimeInterval(10)
        while clock.nextDeadline == nil && Date() < deadline { try await Task.sleep(for: .milliseconds(2)) }
        if let next = clock.nextDeadline { clock.advance(to: next) }
    }

    func events(_ id: String) throws -> [RunEvent] {
        try executor.cell(tenant: "t", runID: id).durableEvents()
    }
}

func runStep(_ id: String, _ type: String, _ config: [String: JSONValue] = [:], after: [String] = [],
          retry: RetryPolicy? = nil, timeout: TimeSpan? = nil, fallback: Fallback? = nil,
          mappings: [InputMapping] = []) -> Step {
    Step(id: id, type: type, config: config, dependsOn: after, inputMappings: mappings, retry: retry, timeout: timeout,
         fallback: fallback)
}

@Suite(.serialized) struct ExecutorTests {
    @Test func aDAGRunsToCompletionWithGapFreeDurableEvents() async throws {
        let h = try await RunHarness.make()
        let wf = try await h.workflow([
            runStep("a", "transform", ["expression": "inputs.n"]),
            runStep("b", "transform", ["expression": "steps.a"], after: ["a"]),
            runStep("c", "transform", ["expression": "input.x"], after: ["a"], mappings: [InputMapping(fromStep: "a", toField: "x")]),
        ], inputs: [InputDeclaration(name: "n", type: .number, required: true)])
        let started = try await h.start(wf, inputs: ["n": 7])
        #expect([.queued, .running, .completed].contains(started.status))  // a run this small may be done already
        let run = try await h.finished(started.id)
        #expect(run.status == .completed)
        #expect(run.outputs == ["b": 7, "c": 7])
        #expect(run.progressPercent == 100)
        try await Task.sleep(for: .milliseconds(50))
        let events = try h.events(started.id)
        #expect(events.map(\.seq) == Array(1...UInt64(events.count)))
        #expect(events.first.map { if case .queued = $0.kind { true } else { false } } == true)
        #expect(events.last?.isTerminal == true)
    }

    @Test func aMissingRequiredInputIsRefusedBeforeAnythingIsWritten() async throws {
        let h = try await RunHarness.make()
        let wf = try await h.workflow([runStep("a", "transform", ["expression": "inputs.n"])],
                                      inputs: [InputDeclaration(name: "n", type: .integer, required: true)])
        await #expect(throws: DomainError.self) { _ = try await h.start(wf) }
        await #expect(throws: DomainError.self) { _ = try await h.start(wf, inputs: ["n": 1.5]) }
        #expect(h.executor.list(tenant: "t", filter: .init(), pageSize: 10, afterID: "").runs.isEmpty)
    }

    @Test func independentStepsRunAtTheSameTime() async throws {
        let gate = Mutex(0)
        let runner = ScriptedRunner { _, _ throws(StepFailure) in
            gate.withLock { $0 += 1 }
            // Each waits until all three are in flight: only concurrency lets this finish.
            let deadline = Date().addingTimeInterval(5)
            while gate.withLock({ $0 }) < 3 && Date() < deadline { try? await Task.sleep(for: .milliseconds(1)) }
            return "ok"
        }
        let h = try await RunHarness.make(runners: ["http_request": runner])
        let wf = try await h.workflow([
            runStep("x", "http_request", ["url": "http://x"]), runStep("y", "http_request", ["url": "http://y"]),
            runStep("z", "http_request", ["url": "http://z"]),
            runStep("join", "transform", ["expression": "steps"], after: ["x", "y", "z"]),
        ])
        let run = try await h.finished(try await h.start(wf).id)
        #expect(run.status == .completed)
        #expect(runner.active.withLock { $0.max } == 3)
    }

    @Test func retriesBackOffOnTheClockThenSucceed() async throws {
        let runner = ScriptedRunner { _, n throws(StepFailure) in
            if n < 3 { throw StepFailure(StepFailure.httpStatus, "503") }
            return ["n": .number(Double(n))]
        }
        let h = try await RunHarness.make(runners: ["http_request": runner])
        let policy = RetryPolicy(maxAttempts: 3, initialBackoff: TimeSpan(seconds: 10), maxBackoff: TimeSpan(seconds: 60),
                                 backoffMultiplier: 2)
        let wf = try await h.workflow([runStep("a", "http_request", ["url": "http://x"], retry: policy)])
        let id = try await h.start(wf).id
        let t0 = h.clock.now
        let retrying = try await h.until(id, "retrying") { $0.step("a")?.status == .retrying }
        let wait1 = retrying.step("a")!.nextAttemptAt!.nanosSinceEpoch - t0.nanosSinceEpoch
        #expect(wait1 >= 5_000_000_000 && wait1 <= 10_000_000_000)  // jitter in the upper half of 10s
        try await h.fireNextTimer()
        _ = try await h.until(id, "second retry") { $0.step("a")?.attempts == 2 && $0.step("a")?.status == .retrying }
        let t1 = h.clock.now
        let wait2 = try h.executor.get(tenant: "t", runID: id).step("a")!.nextAttemptAt!.nanosSinceEpoch - t1.nanosSinceEpoch
        #expect(wait2 >= 10_000_000_000 && wait2 <= 20_000_000_000)
        try await h.fireNextTimer()
        let run = try await h.finished(id)
        #expect(run.status == .completed && run.step("a")?.attempts == 3 && run.outputs["a"] == ["n": 3])
    }

    @Test func aNonRetryableErrorFailsAtOnceAndTheFallbackTakesOver() async throws {
        let runner = ScriptedRunner { _, _ throws(StepFailure) in throw StepFailure(StepFailure.httpStatus, "500") }
        let h = try await RunHarness.make(runners: ["http_request": runner])
        let wf = try await h.workflow([
            runStep("a", "http_request", ["url": "http://x"],
                 retry: RetryPolicy(maxAttempts: 5, retryableErrors: [StepFailure.timeout]),
                 fallback: Fallback(type: "template", config: ["template": "cached"])),
            runStep("b", "http_request", ["url": "http://x"], after: ["a"]),
        ])
        let run = try await h.finished(try await h.start(wf).id)
        #expect(run.status == .failed)
        #expect(run.step("a")?.status == .completed && run.step("a")?.usedFallback == true && run.step("a")?.output == "cached")
        #expect(run.step("b")?.status == .failed && run.step("b")?.error?.code == StepFailure.httpStatus)
        #expect(run.error?.code == StepFailure.httpStatus)
        #expect(runner.count == 2)  // a once (HTTP_STATUS is not in retryable_errors), b once
    }

    @Test func aStepTimeoutCancelsTheAttempt() async throws {
        let runner = ScriptedRunner { _, _ throws(StepFailure) in try await ScriptedRunner.hang() }
        let h = try await RunHarness.make(runners: ["script": runner])
        let wf = try await h.workflow([runStep("a", "script", ["command": "x"], timeout: TimeSpan(seconds: 30))])
        let id = try await h.start(wf).id
        _ = try await h.until(id, "running") { $0.step("a")?.status == .running }
        try await h.fireNextTimer()
        let run = try await h.finished(id)
        #expect(run.status == .failed && run.step("a")?.error?.code == StepFailure.timeout)
        try await Task.sleep(for: .milliseconds(50))
        #expect(runner.cancelled.withLock { $0 } == 1)
    }

    @Test func conditionsSkipTheBranchNotTaken() async throws {
        let h = try await RunHarness.make()
        let wf = try await h.workflow([
            runStep("check", "condition", ["expression": "inputs.big", "if_true": ["yes"], "if_false": ["no"]]),
            runStep("yes", "template", ["template": "big"], after: ["check"]),
            runStep("no", "template", ["template": "small"], after: ["check"]),
            runStep("after_no", "template", ["template": "x"], after: ["no"]),
            runStep("join", "template", ["template": "done"], after: ["yes", "no"]),
        ])
        let run = try await h.finished(try await h.start(wf, inputs: ["big": true]).id)
        #expect(run.status == .completed)
        #expect(run.step("yes")?.status == .completed)
        #expect(run.step("no")?.status == .skipped && run.step("after_no")?.status == .skipped)
        #expect(run.step("join")?.status == .completed)
        #expect(run.outputs["after_no"] == nil && run.outputs["join"] == "done")
    }

    @Test func approvalPausesOnlyItsDependentsAndApproveContinues() async throws {
        let h = try await RunHarness.make()
        let wf = try await h.workflow([
            runStep("review", "human_approval", ["message": "ok to ship?"]),
            runStep("ship", "transform", ["expression": "steps.review.note"], after: ["review"]),
            runStep("side", "template", ["template": "independent"]),
        ])
        let id = try await h.start(wf).id
        let paused = try await h.until(id, "paused") { $0.status == .paused && $0.step("side")?.status == .completed }
        #expect(paused.step("review")?.status == .paused && paused.step("ship")?.status == .pending)
        #expect(paused.step("review")?.pauseMessage == "ok to ship?")
        await #expect(throws: DomainError.self) { _ = try await h.executor.resume(tenant: "t", runID: id, fromStepID: "") }
        _ = try await h.executor.decide(tenant: "t", runID: id, stepID: "", action: .approve, userID: "ann",
                                        comment: "lgtm", inputs: ["note": "go"], output: nil)
        let run = try await h.finished(id)
        #expect(run.status == .completed && run.outputs["ship"] == "go")
        #expect(run.pauses.count == 1 && run.pauses[0].action == .approve && run.pauses[0].userID == "ann")
        await #expect(throws: DomainError.self) {
            _ = try await h.executor.decide(tenant: "t", runID: id, stepID: "review", action: .approve, userID: "",
                                            comment: "", inputs: [:], output: nil)
        }
    }

    @Test func declineFailsTheStepOrTakesTheDeclinedBranch() async throws {
        let h = try await RunHarness.make()
        let plain = try await h.workflow([runStep("review", "human_approval"), runStep("ship", "template", ["template": "x"], after: ["review"])], name: "plain")
        let id1 = try await h.start(plain).id
        _ = try await h.until(id1, "paused") { $0.status == .paused }
        _ = try await h.executor.decide(tenant: "t", runID: id1, stepID: "review", action: .decline, userID: "bob",
                                        comment: "no", inputs: [:], output: nil)
        let r1 = try await h.finished(id1)
        #expect(r1.status == .failed && r1.error?.code == StepFailure.declined && r1.step("review")?.status == .failed)

        let branched = try await h.workflow([
            runStep("review", "human_approval", ["on_decline": ["notify"]]),
            runStep("ship", "template", ["template": "shipped"], after: ["review"]),
            runStep("notify", "template", ["template": "told"], after: ["review"]),
        ], name: "branched")
        let id2 = try await h.start(branched).id
        _ = try await h.until(id2, "paused") { $0.status == .paused }
        _ = try await h.executor.decide(tenant: "t", runID: id2, stepID: "", action: .decline, userID: "bob",
                                        comment: "", inputs: [:], output: nil)
        let r2 = try await h.finished(id2)
        #expect(r2.status == .completed && r2.step("ship")?.status == .skipped && r2.outputs == ["notify": "told"])

        let id3 = try await h.start(branched).id
        _ = try await h.until(id3, "paused") { $0.status == .paused }
        _ = try await h.executor.decide(tenant: "t", runID: id3, stepID: "", action: .override, userID: "",
                                        comment: "", inputs: [:], output: ["approved": true, "by": "ops"])
        let r3 = try await h.finished(id3)
        #expect(r3.step("review")?.output == ["approved": true, "by": "ops"] && r3.outputs == ["ship": "shipped"])
    }

    @Test func cancelStopsRunningStepsAndPendingOnesNeverStart() async throws {
        let runner = ScriptedRunner { _, _ throws(StepFailure) in try await ScriptedRunner.hang() }
        let h = try await RunHarness.make(runners: ["http_request": runner])
        let wf = try await h.workflow([
            runStep("a", "http_request", ["url": "http://x"]), runStep("b", "template", ["template": "x"], after: ["a"]),
        ])
        let id = try await h.start(wf).id
        _ = try await h.until(id, "running") { $0.step("a")?.status == .running }
        let run = try await h.executor.cancel(tenant: "t", runID: id, reason: "user asked")
        #expect(run.status == .canceled && run.error?.message == "user asked")
        #expect(run.step("a")?.status == .canceled && run.step("b")?.status == .canceled)
        try await Task.sleep(for: .milliseconds(100))
        #expect(runner.cancelled.withLock { $0 } == 1 && runner.count == 1)
        #expect(try await h.executor.cancel(tenant: "t", runID: id, reason: "again").status == .canceled)
        await #expect(throws: DomainError.self) { _ = try await h.executor.resume(tenant: "t", runID: id, fromStepID: "") }
    }

    @Test func thePerWorkflowLimitQueuesRunsInOrder() async throws {
        let release = Mutex(false)
        let runner = ScriptedRunner { _, _ throws(StepFailure) in
            while !release.withLock({ $0 }) { try? await Task.sleep(for: .milliseconds(2)) }
            return "done"
        }
        let h = try await RunHarness.make(runners: ["http_request": runner], limits: .init(global: 100, perWorkflow: 1))
        let wf = try await h.workflow([runStep("a", "http_request", ["url": "http://x"])])
        let first = try await h.start(wf).id
        _ = try await h.until(first, "running") { $0.status == .running }
        let second = try await h.start(wf)
        let third = try await h.start(wf)
        try await Task.sleep(for: .milliseconds(50))
        #expect(try h.executor.get(tenant: "t", runID: second.id).status == .queued)
        #expect(try h.executor.get(tenant: "t", runID: third.id).status == .queued)
        release.withLock { $0 = true }
        for id in [first, second.id, third.id] { #expect(try await h.finished(id).status == .completed) }
        let starts = try [second.id, third.id].map { try h.executor.get(tenant: "t", runID: $0).startedAt! }
        #expect(starts[0] <= starts[1])
        #expect(runner.active.withLock { $0.max } == 1)
    }

    @Test func idempotencyKeysReturnTheFirstRun() async throws {
        let h = try await RunHarness.make()
        let wf = try await h.workflow([runStep("a", "template", ["template": "x"])])
        let a = try await h.start(wf, key: "k1")
        let b = try await h.start(wf, key: "k1")
        let c = try await h.start(wf, key: "k2")
        #expect(a.id == b.id && a.id != c.id)
    }

    @Test func aRestartRetriesInterruptedSideEffectsAndKeepsCompletedSteps() async throws {
        let first = ScriptedRunner { inv, _ throws(StepFailure) in
            if inv.stepID == "call" { return try await ScriptedRunner.hang() }
            return "fetched"
        }
        let h = try await RunHarness.make(runners: ["http_request": first])
        let wf = try await h.workflow([
            runStep("fetch", "http_request", ["url": "http://x"]),
            runStep("call", "http_request", ["url": "http://y"], after: ["fetch"], retry: RetryPolicy(maxAttempts: 2)),
            runStep("wait", "wait", ["duration": "1h"]),
        ])
        let id = try await h.start(wf).id
        _ = try await h.until(id, "call running") { $0.step("call")?.status == .running && $0.step("wait")?.status == .running }
        try await Task.sleep(for: .milliseconds(50))

        let second = ScriptedRunner { _, _ throws(StepFailure) in "second" }
        let h2 = try await h.reopen(runners: ["http_request": second])
        let retrying = try await h2.until(id, "retrying after restart") { $0.step("call")?.status == .retrying }
        #expect(retrying.step("call")?.error?.code == StepFailure.interrupted)
        #expect(retrying.step("fetch")?.status == .completed && retrying.step("fetch")?.output == "fetched")
        try await h2.fireNextTimer()  // the retry's backoff
        _ = try await h2.until(id, "call done") { $0.step("call")?.status == .completed }
        #expect(second.calls.withLock { $0.map(\.stepID) } == ["call"])  // fetch was not run again
        // The wait step's timer was re-armed for the same moment, an hour after it started.
        let wake = try h2.executor.get(tenant: "t", runID: id).step("wait")!.wakeAt!
        h2.clock.advance(to: wake)
        let run = try await h2.finished(id)
        #expect(run.status == .completed && run.outputs["call"] == "second")
        let events = try h2.events(id)
        #expect(events.map(\.seq) == Array(1...UInt64(events.count)))
    }

    @Test func resumeRerunsFromAFailedStepKeepingUpstreamOutputs() async throws {
        let fail = Mutex(true)
        let runner = ScriptedRunner { _, n throws(StepFailure) in
            if fail.withLock({ $0 }) { throw StepFailure(StepFailure.httpStatus, "502") }
            return .number(Double(n))
        }
        let h = try await RunHarness.make(runners: ["http_request": runner])
        let wf = try await h.workflow([
            runStep("a", "template", ["template": "A"]),
            runStep("b", "http_request", ["url": "http://x"], after: ["a"]),
            runStep("c", "transform", ["expression": "steps.b"], after: ["b"]),
        ])
        let id = try await h.start(wf).id
        let failed = try await h.finished(id)
        #expect(failed.status == .failed && failed.step("c")?.status == .pending)
        fail.withLock { $0 = false }
        _ = try await h.executor.resume(tenant: "t", runID: id, fromStepID: "")
        let run = try await h.finished(id)
        #expect(run.status == .completed && run.outputs["c"] == 2 && run.step("a")?.output == "A")
    }

    @Test func subworkflowsAndLoopsRunChildRuns() async throws {
        let h = try await RunHarness.make()
        let child = try await h.workflow([runStep("double", "transform", ["expression": "inputs.n"])],
                                         inputs: [InputDeclaration(name: "n", type: .number)], name: "child")
        let parent = try await h.workflow([
            runStep("sub", "subworkflow", ["workflow_id": .string(child), "inputs": ["n": 21]]),
            runStep("each", "loop", ["items": [1, 2, 3], "concurrency": 2,
                                   "step": ["type": "transform", "config": ["expression": "item"]]]),
        ], name: "parent")
        let run = try await h.finished(try await h.start(parent).id)
        #expect(run.status == .completed)
        #expect(run.outputs["sub"] == ["double": 21])
        #expect(run.outputs["each"] == ["results": [1, 2, 3], "count": 3])
        let childID = run.step("sub")!.childRunID
        let childRun = try h.executor.get(tenant: "t", runID: childID)
        #expect(childRun.origin.parentRunID == run.id && childRun.origin.trigger == .subworkflow)
    }

    @Test func partialRunsStartAtAStepWithGivenUpstreamOutputs() async throws {
        let runner = ScriptedRunner { _, _ throws(StepFailure) in "ran" }
        let h = try await RunHarness.make(runners: ["http_request": runner])
        let wf = try await h.workflow([
            runStep("a", "http_request", ["url": "http://x"]),
            runStep("b", "transform", ["expression": "steps.a"], after: ["a"]),
        ])
        await #expect(throws: DomainError.self) {
            _ = try await h.executor.start(.init(tenantID: "t", workflowID: wf, fromStepID: "b"))
        }
        let started = try await h.executor.start(.init(tenantID: "t", workflowID: wf, origin: RunOrigin(trigger: .partial),
                                                       fromStepID: "b", stepOutputs: ["a": "given"]))
        let run = try await h.finished(started.id)
        #expect(run.outputs == ["b": "given"] && runner.count == 0)
    }

    @Test func schedulesFireOnTheClockInTheirZoneAndCatchUpAfterARestart() async throws {
        // 2026-03-28 23:30 UTC: Paris moves to summer time at 01:00 UTC on the 29th.
        let clock = ManualClock(start: Instant(millisSinceEpoch: 1_774_740_600_000))
        let h = try await RunHarness.make(clock: clock)
        h.executor.startScheduler()
        let wf = try await h.workflow([runStep("a", "transform", ["expression": "inputs.who"])],
                                      inputs: [InputDeclaration(name: "who", type: .string)])
        await #expect(throws: DomainError.self) {
            _ = try await h.executor.createSchedule(.init(tenantID: "t", workflowID: wf, cron: "61 * * * *"))
        }
        await #expect(throws: DomainError.self) {
            _ = try await h.executor.createSchedule(.init(tenantID: "t", workflowID: wf, cron: "0 * * * *", timeZone: "Mars/Olympus"))
        }
        // Every day at 03:00 Paris time, which on the 29th is 01:00 UTC (CEST, +2).
        let s = try await h.executor.createSchedule(.init(tenantID: "t", workflowID: wf, cron: "0 3 * * *",
                                                          timeZone: "Europe/Paris", inputs: ["who": "cron"], catchUp: .all))
        #expect(s.nextRunAt == Instant(millisSinceEpoch: 1_774_746_000_000))
        try await h.fireNextTimer()
        let fired = try await until { h.executor.list(tenant: "t", filter: .init(workflowID: wf), pageSize: 10, afterID: "").runs.count == 1 }
        #expect(fired)
        let run = h.executor.list(tenant: "t", filter: .init(workflowID: wf), pageSize: 10, afterID: "").runs[0]
        #expect(run.origin.trigger == .schedule && run.origin.scheduleID == s.id)
        #expect(try await h.finished(run.id).outputs["a"] == "cron")
        // A fire is recorded after its run starts, and on a loaded machine the run can finish
        // first. Restart only once the record is in: before it, the restart would fire 03:00 on the
        // 29th again (at least once), and three days on the run's idempotency key no longer stops it.
        let recorded = try await until { h.executor.listSchedules(tenant: "t", workflowID: wf).first?.lastRunID == run.id }
        #expect(recorded)

        // Down for three days: with ALL, one run per missed 03:00 on restart.
        let h2 = try await h.reopen()
        clock.advance(byMillis: 3 * 86_400_000 + 3_600_000)
        h2.executor.startScheduler()
        let caughtUp = try await until { h2.executor.list(tenant: "t", filter: .init(workflowID: wf), pageSize: 10, afterID: "").runs.count == 4 }
        #expect(caughtUp)
        // Paused: nothing fires; listed with paused = true and no next time.
        let paused = try await h2.executor.pauseSchedule(tenant: "t", id: s.id, paused: true)
        #expect(paused.paused && paused.nextRunAt == nil)
        clock.advance(byMillis: 2 * 86_400_000)
        try await Task.sleep(for: .milliseconds(50))
        let afterPause = h2.executor.list(tenant: "t", filter: .init(workflowID: wf), pageSize: 10, afterID: "").runs
        #expect(afterPause.count == 4, "\(afterPause.map { ($0.createdAt.millisSinceEpoch, $0.origin.idempotencyKey) })")
        try await h2.executor.deleteSchedule(tenant: "t", id: s.id)
        #expect(h2.executor.listSchedules(tenant: "t", workflowID: "").isEmpty)
    }

    @Test func cancelingAParentCancelsItsChildRunsAndLoops() async throws {
        let h = try await RunHarness.make()
        let child = try await h.workflow([runStep("nap", "wait", ["duration": "1h"])], name: "child")
        let parent = try await h.workflow([
            runStep("sub", "subworkflow", ["workflow_id": .string(child)]),
            runStep("each", "loop", ["items": [1, 2], "workflow_id": .string(child), "concurrency": 2]),
        ], name: "parent")
        let id = try await h.start(parent).id
        let running = try await h.until(id, "children started") { r in
            r.step("sub")?.childRunID.isEmpty == false
        }
        let childID = running.step("sub")!.childRunID
        _ = try await h.until(childID, "child waiting") { $0.step("nap")?.status == .running }
        let loopChildren = (0..<2).map { "\(id)-each-1-\($0)" }
        for c in loopChildren { _ = try await h.until(c, "loop child waiting") { $0.step("nap")?.status == .running } }
        _ = try await h.executor.cancel(tenant: "t", runID: id, reason: "stop")
        for c in [childID] + loopChildren {
            let run = try await h.until(c, "child canceled") { $0.status == .canceled }
            #expect(run.status == .canceled && run.origin.parentRunID == id)
        }
    }

    /// Polls `condition` for up to 10 s of real time.
    func until(_ condition: () -> Bool) async throws -> Bool {
        for _ in 0..<5000 {
            if condition() { return true }
            try await Task.sleep(for: .milliseconds(2))
        }
        return condition()
    }
}

/// Which attempts may skip building an expression scope: only those whose type evaluates no
/// expression and whose config (at any depth) has no `{{ }}` tag; a fallback is judged on its own.
@Suite struct RunPlanScopeTests {
    @Test func onlyTaglessNonExpressionStepsSkipTheScope() {
        let steps = [
            runStep("constant", "template", ["template": "go", "n": 3]),
            runStep("tagged", "template", ["template": "hi {{ inputs.name }}"]),
            runStep("nested", "http_request", ["url": "http://x", "headers": ["a": ["{{ steps.constant }}"]]]),
            runStep("plainHTTP", "http_request", ["url": "http://x"],
                    fallback: Fallback(type: "template", config: ["template": "{{ input }}"])),
            runStep("expr", "transform", ["expression": "1"]),
            runStep("cond", "condition", ["expression": "true"]),
            runStep("each", "loop", ["items": [1, 2]], fallback: Fallback(type: "template", config: ["template": "x"])),
        ]
        let plan = RunPlan(definition: WorkflowDefinition(steps: steps), order: steps.map(\.id))
        #expect(!plan.needsScope("constant", fallback: false))
        #expect(plan.needsScope("tagged", fallback: false))
        #expect(plan.needsScope("nested", fallback: false))
        #expect(!plan.needsScope("plainHTTP", fallback: false))
        #expect(plan.needsScope("plainHTTP", fallback: true))
        #expect(plan.needsScope("expr", fallback: false) && plan.needsScope("cond", fallback: false))
        #expect(plan.needsScope("each", fallback: false))
        #expect(!plan.needsScope("each", fallback: true))
        #expect(plan.needsScope("constant", fallback: true))  // no fallback: nothing to skip
    }
}
