import Testing
@testable import Engine

/// The task board (queues, leases, credits) as a pure state machine: every phase a task can
/// be in (waiting, leased, leased after a restart to nobody yet, canceling, draining) against
/// every input (report by the holder, report by another worker, heartbeat, cancel, the
/// holder's disconnect, the clock passing the deadline), with the time given by hand.
struct TaskBoardTests {
    static let t0 = Instant(millisSinceEpoch: 1_790_000_000_000)
    static let hb: Int64 = 1_000_000_000
    static let grace: Int64 = 500_000_000

    static func spec(_ n: Int, workflow: String = "wf", queue: String = "q", attempt: Int32 = 1) -> TaskSpec {
        TaskSpec(taskID: "run\(n)/s/\(attempt)", tenantID: "t", runID: "run\(n)", workflowID: workflow, stepID: "s",
                 attempt: attempt, queue: queue, taskType: "", payload: .number(Double(n)), deadline: nil,
                 heartbeatTimeoutNanos: hb)
    }

    static func board() -> TaskBoard { TaskBoard(cancelGraceNanos: grace, leasePrefix: "b") }

    static func hello(_ id: String = "w", concurrency: Int = 1, credits: Int = 1, queues: [String] = ["q"],
                      held: [WorkerHello.HeldLease] = []) -> WorkerHello {
        WorkerHello(workerID: id, queues: queues, maxConcurrent: concurrency, credits: credits, held: held)
    }

    static func at(_ ms: Int64) -> Instant { t0.adding(ms * 1_000_000) }

    static func dispatched(_ actions: [TaskBoard.Action]) -> [String] {
        actions.compactMap { if case .dispatch(_, let s, _) = $0 { s.taskID } else { nil } }
    }

    static func resolved(_ actions: [TaskBoard.Action]) -> [String: TaskOutcome] {
        var out: [String: TaskOutcome] = [:]
        for a in actions { if case .resolve(let id, let o) = a { out[id] = o } }
        return out
    }

    static func cancels(_ actions: [TaskBoard.Action]) -> [String] {
        actions.compactMap { if case .cancel(_, let id, _, _) = $0 { id } else { nil } }
    }

    enum Phase: CaseIterable { case waiting, leased, recovered, canceling, draining }
    enum Input: CaseIterable { case reportByHolder, reportByOther, heartbeat, cancel, holderDisconnects, deadlinePasses }

    /// A board with task 1 in `phase`: worker session 1 holds it (or nobody, or it waits).
    static func setUp(_ phase: Phase) -> TaskBoard {
        var b = board()
        switch phase {
        case .waiting:
            _ = b.submit(spec(1), now: t0)
        case .leased:
            _ = b.connect(1, hello(), now: t0)
            #expect(dispatched(b.submit(spec(1), now: t0)) == ["run1/s/1"])
        case .recovered:
            _ = b.submit(spec(1), now: t0, recovered: "old-lease")
        case .canceling:
            _ = b.connect(1, hello(), now: t0)
            _ = b.submit(spec(1), now: t0)
            #expect(cancels(b.cancel("run1/s/1", outcome: .canceled, reason: "x", now: t0)) == ["run1/s/1"])
        case .draining:
            _ = b.connect(1, hello(), now: t0)
            _ = b.submit(spec(1), now: t0)
            let a = b.tick(now: at(1000))
            #expect(resolved(a)["run1/s/1"] == .failed(StepFailure(StepFailure.workerLost, "worker w sent no heartbeat for 1000 ms")))
        }
        // Another worker on the same queue, with no credit, to report as "someone else".
        _ = b.connect(2, hello("other", credits: 0), now: t0)
        return b
    }

    /// What each (phase, input) must give: the attempt's outcome (nil: still open), whether the
    /// report was refused (and why), and whether session 1 still has the slot taken.
    @Test(arguments: Phase.allCases)
    func everyPhaseAgainstEveryInput(_ phase: Phase) {
        let lost = StepFailure.workerLost
        for input in Input.allCases {
            var b = Self.setUp(phase)
            let id = "run1/s/1"
            var actions: [TaskBoard.Action] = []
            var refusal: TaskBoard.Refusal?? = .none
            let done = TaskOutcome.completed("done")
            switch input {
            case .reportByHolder:
                let r = b.report(1, taskID: id, attempt: 1, outcome: done, now: Self.at(10))
                actions = r.actions
                refusal = .some(r.refusal)
            case .reportByOther:
                let r = b.report(2, taskID: id, attempt: 1, outcome: done, now: Self.at(10))
                actions = r.actions
                refusal = .some(r.refusal)
            case .heartbeat:
                _ = b.heartbeat(1, taskID: id, attempt: 1, details: nil, now: Self.at(900))
                actions = b.tick(now: Self.at(1100))
            case .cancel:
                actions = b.cancel(id, outcome: .canceled, reason: "x", now: Self.at(10))
            case .holderDisconnects:
                actions = b.disconnect(1, reason: "went away", now: Self.at(10))
            case .deadlinePasses:
                actions = b.tick(now: Self.at(5000))
            }
            let outcome = Self.resolved(actions)[id]
            let context = "\(phase) x \(input)"
            switch (phase, input) {
            case (.waiting, .reportByHolder), (.waiting, .reportByOther):
                #expect(refusal == .some(.notLeased), "\(context)")
                #expect(outcome == nil, "\(context)")
            case (.waiting, .cancel):
                #expect(outcome == .failed(.canceled), "\(context)")
                #expect(b.entry(id) == nil, "\(context)")
            case (.waiting, _):
                #expect(outcome == nil, "\(context)")
                #expect(b.entry(id)?.phase == .waiting, "\(context)")
            case (.leased, .reportByHolder):
                #expect(refusal == .some(nil) && outcome == done, "\(context)")
                #expect(b.worker(1)?.leases.isEmpty == true, "\(context)")
            case (.leased, .reportByOther), (.recovered, .reportByOther):
                #expect(refusal == .some(phase == .leased ? .otherWorker : .notLeased), "\(context)")
                #expect(outcome == nil, "\(context)")
            case (.leased, .heartbeat):
                // Renewed at 900 ms: alive at 1100 although the first lease ended at 1000.
                #expect(outcome == nil, "\(context)")
            case (.leased, .cancel):
                #expect(Self.cancels(actions) == [id] && outcome == nil, "\(context)")
            case (.leased, .holderDisconnects):
                #expect(outcome == .failed(StepFailure(lost, "worker w went away")), "\(context)")
            case (.leased, .deadlinePasses):
                if case .failed(let f)? = outcome { #expect(f.code == lost, "\(context)") } else { Issue.record("\(context)") }
                #expect(Self.cancels(actions) == [id], "\(context): the worker is told to stop")
                #expect(b.worker(1)?.leases == [id], "\(context): the slot stays taken while draining")
            case (.recovered, .reportByHolder):
                // Session 1 never named the lease: it is not its.
                #expect(refusal == .some(.unknown) || refusal == .some(.notLeased), "\(context)")
            case (.recovered, .heartbeat):
                #expect(outcome != nil, "\(context): nobody renewed it, so it expired at 1000 ms")
            case (.recovered, .cancel):
                #expect(Self.cancels(actions).isEmpty && outcome == nil, "\(context): no worker to tell")
            case (.recovered, .holderDisconnects):
                #expect(outcome == nil, "\(context)")
            case (.recovered, .deadlinePasses):
                if case .failed(let f)? = outcome { #expect(f.code == lost, "\(context)") } else { Issue.record("\(context)") }
            case (.canceling, .reportByHolder):
                #expect(refusal == .some(.canceled) && outcome == .failed(.canceled), "\(context)")
            case (.canceling, .reportByOther):
                #expect(refusal == .some(.otherWorker) && outcome == nil, "\(context)")
            case (.canceling, .heartbeat):
                // The grace (500 ms from 0) ran out at the 1100 ms tick.
                #expect(outcome == .failed(.canceled), "\(context)")
            case (.canceling, .cancel):
                #expect(actions.isEmpty, "\(context)")
            case (.canceling, .holderDisconnects), (.canceling, .deadlinePasses):
                #expect(outcome == .failed(.canceled), "\(context)")
            case (.draining, .reportByHolder):
                #expect(refusal == .some(.expired) && outcome == nil, "\(context): already ended, never applied")
                #expect(b.worker(1)?.leases.isEmpty == true, "\(context): the slot is free again")
            case (.draining, .reportByOther):
                #expect(refusal == .some(.otherWorker), "\(context)")
            case (.draining, .heartbeat), (.draining, .cancel):
                #expect(outcome == nil, "\(context)")
            case (.draining, .holderDisconnects):
                #expect(outcome == nil && b.entry(id) == nil, "\(context)")
            case (.draining, .deadlinePasses):
                #expect(outcome == nil && b.entry(id) == nil && b.worker(1)?.leases.isEmpty == true, "\(context)")
            }
        }
    }

    @Test func aWorkerNeverHoldsMoreThanItsConcurrencyOrItsCredit() {
        var b = Self.board()
        for n in 1...6 { _ = b.submit(Self.spec(n), now: Self.t0) }
        // Concurrency 2, credit 5: two tasks.
        #expect(Self.dispatched(b.connect(1, Self.hello(concurrency: 2, credits: 5), now: Self.t0).actions).count == 2)
        #expect(b.worker(1)?.leases.count == 2)
        // A result frees a slot and credit remains: the next one comes.
        let r = b.report(1, taskID: "run1/s/1", attempt: 1, outcome: .completed(.null), now: Self.t0)
        #expect(Self.dispatched(r.actions) == ["run3/s/1"])
        // Credit runs out (5 - 3 = 2 left, then 0): two more results, two more tasks, then none.
        _ = b.report(1, taskID: "run2/s/1", attempt: 1, outcome: .completed(.null), now: Self.t0)
        let last = b.report(1, taskID: "run3/s/1", attempt: 1, outcome: .completed(.null), now: Self.t0)
        #expect(Self.dispatched(last.actions) == ["run5/s/1"])
        let none = b.report(1, taskID: "run4/s/1", attempt: 1, outcome: .completed(.null), now: Self.t0)
        #expect(Self.dispatched(none.actions).isEmpty)
        #expect(Self.dispatched(b.grant(1, credits: 1, now: Self.t0)) == ["run6/s/1"])
    }

    @Test func waitingTasksGoRoundRobinAcrossWorkflows() {
        var b = Self.board()
        for n in 1...4 { _ = b.submit(Self.spec(n, workflow: "busy"), now: Self.t0) }
        _ = b.submit(Self.spec(9, workflow: "quiet"), now: Self.t0)
        _ = b.submit(Self.spec(5, workflow: "busy"), now: Self.t0)
        let first = Self.dispatched(b.connect(1, Self.hello(concurrency: 10, credits: 10), now: Self.t0).actions)
        #expect(first == ["run1/s/1", "run9/s/1", "run2/s/1", "run3/s/1", "run4/s/1", "run5/s/1"])
    }

    @Test func tenantsAndQueuesAreSeparate() {
        var b = Self.board()
        _ = b.submit(Self.spec(1, queue: "a"), now: Self.t0)
        #expect(Self.dispatched(b.connect(1, Self.hello(queues: ["b"]), now: Self.t0).actions).isEmpty)
        #expect(b.summary(of: "a", now: Self.at(250))?.backlog == 1)
        #expect(b.summary(of: "a", now: Self.at(250))?.oldestWaitingAt == Self.t0)
    }

    @Test func aReconnectingWorkerKeepsOnlyTheLeasesItNames() {
        var b = Self.board()
        _ = b.submit(Self.spec(1), now: Self.t0, recovered: "L1")
        _ = b.submit(Self.spec(2), now: Self.t0, recovered: "L2")
        let held = [WorkerHello.HeldLease(taskID: "run1/s/1", attempt: 1, leaseID: "L1"),
                    WorkerHello.HeldLease(taskID: "run2/s/1", attempt: 1, leaseID: "wrong"),
                    WorkerHello.HeldLease(taskID: "run3/s/1", attempt: 1, leaseID: "L3")]
        let (kept, actions) = b.connect(1, Self.hello(concurrency: 3, credits: 0, held: held), now: Self.at(100))
        #expect(kept == ["run1/s/1"])
        #expect(Self.cancels(actions) == ["run2/s/1", "run3/s/1"])
        let r = b.report(1, taskID: "run1/s/1", attempt: 1, outcome: .completed("kept"), now: Self.at(200))
        #expect(r.refusal == nil && Self.resolved(r.actions)["run1/s/1"] == .completed("kept"))
        // run2's lease stays for its own worker until its heartbeat timeout, then it is lost.
        let lost = Self.resolved(b.tick(now: Self.at(1000)))
        if case .failed(let f)? = lost["run2/s/1"] { #expect(f.code == StepFailure.workerLost) } else { Issue.record("run2 not lost") }
    }

    @Test func progressIsReportedOnlyWhenItChanges() {
        var b = Self.board()
        _ = b.connect(1, Self.hello(), now: Self.t0)
        _ = b.submit(Self.spec(1), now: Self.t0)
        #expect(b.heartbeat(1, taskID: "run1/s/1", attempt: 1, details: 1, now: Self.t0) == (true, 1))
        #expect(b.heartbeat(1, taskID: "run1/s/1", attempt: 1, details: 1, now: Self.t0) == (true, nil))
        #expect(b.heartbeat(1, taskID: "run1/s/1", attempt: 1, details: nil, now: Self.t0) == (true, nil))
        #expect(b.heartbeat(1, taskID: "run1/s/1", attempt: 2, details: 2, now: Self.t0) == (false, nil))
        #expect(b.heartbeat(2, taskID: "run1/s/1", attempt: 1, details: 2, now: Self.t0) == (false, nil))
    }

    @Test func taskIDsNameTheirRunAndStep() {
        let id = TaskSpec.id(runID: "run_1", stepID: "fetch", attempt: 3, fallback: true)
        #expect(id == "run_1/fetch/3f")
        #expect(TaskSpec.parse(id)! == ("run_1", "fetch", "3f"))
        #expect(TaskSpec.parse("nonsense") == nil)
        #expect(TaskSpec.parse("a//1") == nil)
    }
}
