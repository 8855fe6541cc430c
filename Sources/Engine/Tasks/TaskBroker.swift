import Synchronization

/// What the broker needs from the runs (the executor implements it): recording task notes as
/// run events, durably, and knowing when an attempt's end is durable.
struct TaskRecorder: Sendable {
    /// Records the note as a run event and returns once it is durable (its sequence number);
    /// nil when the run or the attempt is no longer there to record it.
    var record: @Sendable (_ tenant: String, _ runID: String, _ note: TaskNote) async -> UInt64?
    /// Returns once the end of the step's attempt (or of the run) is durable.
    var settled: @Sendable (_ tenant: String, _ runID: String, _ stepID: String, _ afterSeq: UInt64) async -> Void
    /// Where the step is now, for a refusal's reason ("attempt 2 is RUNNING").
    var describe: @Sendable (_ tenant: String, _ runID: String, _ stepID: String) -> String
}

/// A message for a worker's stream. The stream's writer takes them in order and writes them
/// under HTTP/2 flow control; the mailbox is bounded (see `WorkerMailbox`).
public enum WorkerOutbound: Sendable, Hashable {
    case welcome(sessionID: String, kept: [String])
    case task(TaskSpec, leaseID: String)
    case cancel(taskID: String, attempt: Int32, reason: String)
    case ack(taskID: String, attempt: Int32, accepted: Bool, reason: String)
}

/// What a worker sends after its hello.
public enum WorkerInbound: Sendable, Hashable {
    case credit(Int)
    case heartbeat(taskID: String, attempt: Int32, details: JSONValue?)
    case result(taskID: String, attempt: Int32, output: JSONValue)
    case failure(taskID: String, attempt: Int32, StepFailure)
}

/// The messages waiting for one worker's stream. Bounded: what a worker can make the server
/// queue is its tasks (at most its concurrency), a cancel per task, and an ack per report;
/// a worker that stops reading while flooding reports overflows it and its session is closed
/// (RESOURCE_EXHAUSTED) instead of the server buffering without end.
public final class WorkerMailbox: Sendable {
    private struct State {
        var queue: [WorkerOutbound] = []
        var waiter: CheckedContinuation<[WorkerOutbound]?, Never>?
        var closed: String?
    }
    private let state = Mutex(State())
    public let limit: Int

    init(limit: Int) { self.limit = limit }

    /// False when the mailbox is closed or full (then it is closed, with the reason).
    @discardableResult
    func post(_ m: WorkerOutbound) -> Bool {
        let (ok, wake) = state.withLock { s -> (Bool, (CheckedContinuation<[WorkerOutbound]?, Never>, [WorkerOutbound])?) in
            guard s.closed == nil else { return (false, nil) }
            guard s.queue.count < limit else {
                s.closed = "the worker's stream fell \(limit) messages behind"
                let w = s.waiter.map { ($0, [WorkerOutbound]()) }
                s.waiter = nil
                return (false, w)
            }
            s.queue.append(m)
            guard let w = s.waiter else { return (true, nil) }
            s.waiter = nil
            let batch = s.queue
            s.queue.removeAll(keepingCapacity: true)
            return (true, (w, batch))
        }
        if let (c, batch) = wake { c.resume(returning: batch.isEmpty ? nil : batch) }
        return ok
    }

    /// The next messages, in order; nil once closed (what was queued before is delivered first).
    public func next() async -> [WorkerOutbound]? {
        await withTaskCancellationHandler {
            await take()
        } onCancel: {
            close("the stream's writer was cancelled")
        }
    }

    private func take() async -> [WorkerOutbound]? {
        await withCheckedContinuation { (c: CheckedContinuation<[WorkerOutbound]?, Never>) in
            let ready: [WorkerOutbound]?? = state.withLock { s in
                if !s.queue.isEmpty {
                    let batch = s.queue
                    s.queue.removeAll(keepingCapacity: true)
                    return .some(batch)
                }
                if s.closed != nil { return .some(nil) }
                s.waiter = c
                return .none
            }
            if let ready { c.resume(returning: ready) }
        }
    }

    /// Why it closed (nil while open).
    public var closedReason: String? { state.withLock { $0.closed } }

    func close(_ reason: String) {
        let w = state.withLock { s -> CheckedContinuation<[WorkerOutbound]?, Never>? in
            if s.closed == nil { s.closed = reason }
            defer { s.waiter = nil }
            return s.waiter
        }
        w?.resume(returning: nil)
    }
}

/// A connected worker, as the service holding its stream sees it.
public struct WorkerSession: Sendable {
    public let id: UInt64
    public let tenant: String
    public let workerID: String
    public let mailbox: WorkerMailbox
}

/// A queue as ListQueues / DescribeQueue show it.
public struct QueueInfo: Sendable, Hashable {
    public var name: String
    public var backlog: Int
    public var inFlight: Int
    public var oldestTaskAgeMillis: Int64
    public var dispatchedTotal: Int
    public var dispatchRatePerSecond: Double
    public var workers: [Worker]

    public struct Worker: Sendable, Hashable {
        public var workerID: String
        public var maxConcurrent: Int
        public var inFlight: Int
        public var credits: Int
        public var labels: [String: String]
    }
}

/// Hands the attempts of `task` steps to connected workers: one `TaskBoard` per tenant (its
/// queues and workers) under one lock, the waiting attempts, the workers' mailboxes, and a
/// ticker that expires leases. The board decides; the broker carries out its actions (records
/// the dispatch in the run's log before the worker sees the task, resumes waiting attempts,
/// posts cancels and acks).
public final class TaskBroker: Sendable {
    public struct Options: Sendable {
        /// How long a canceled attempt waits for its worker to stop before it ends anyway.
        public var cancelGraceNanos: Int64 = 5_000_000_000
        /// A task step's heartbeat timeout when its config names none.
        public var defaultHeartbeatTimeoutNanos: Int64 = 30_000_000_000
        public var maxWorkersPerTenant = 1000
        /// How often the ticker looks for expired leases.
        public var tickNanos: Int64 = 100_000_000
        public init() {}
    }

    struct Waiter {
        var continuation: CheckedContinuation<TaskOutcome, Never>?
        var spec: TaskSpec
        /// The TASK_DISPATCHED event of the current lease.
        var dispatchSeq: UInt64 = 0
        /// Set when the outcome came before the waiter started waiting.
        var early: TaskOutcome?
    }

    struct State {
        var boards: [String: TaskBoard] = [:]
        var sessions: [UInt64: WorkerSession] = [:]
        var waiters: [String: Waiter] = [:]
        var nextSession: UInt64 = 0
        var tickerStarted = false
    }

    public let options: Options
    let clock: Clock
    let sleeper: Sleeper
    let state = Mutex(State())
    let recorder = Mutex<TaskRecorder?>(nil)
    /// Distinguishes this process's lease ids from an earlier one's (reclaim after a restart).
    let bootID: String

    init(options: Options, clock: Clock, sleeper: Sleeper, bootID: String) {
        self.options = options
        self.clock = clock
        self.sleeper = sleeper
        self.bootID = bootID
    }

    func attach(_ r: TaskRecorder) { recorder.withLock { $0 = r } }

    /// Runs `body` on the tenant's board under the lock and carries out the actions it returns.
    /// The board is changed in place in the table (a copy taken out and put back would copy
    /// its tables on every change).
    private func change<R>(_ tenant: String, _ body: (inout TaskBoard, Instant) -> (R, [TaskBoard.Action])) -> R {
        let now = clock.now()
        let fresh = TaskBoard(cancelGraceNanos: options.cancelGraceNanos, leasePrefix: bootID)
        let (r, actions) = state.withLock { s -> (R, [TaskBoard.Action]) in
            body(&s.boards[tenant, default: fresh], now)
        }
        perform(actions, tenant: tenant)
        return r
    }

    // MARK: - Attempts

    /// One attempt of a task step: queued for a worker; returns its outcome. Cancelling the
    /// calling task (the run canceled, the step timed out) sends the worker a cancel and
    /// returns once the worker answered or the grace passed.
    func run(_ spec: TaskSpec, recoveredLease: String?, startSeq: UInt64 = 0) async -> TaskOutcome {
        startTicker()
        state.withLock { $0.waiters[spec.taskID] = Waiter(continuation: nil, spec: spec, dispatchSeq: startSeq) }
        change(spec.tenantID) { b, now in ((), b.submit(spec, now: now, recovered: recoveredLease)) }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<TaskOutcome, Never>) in
                let early = state.withLock { s -> TaskOutcome? in
                    guard var w = s.waiters[spec.taskID] else { return .failed(.canceled) }
                    if let e = w.early {
                        s.waiters[spec.taskID] = nil
                        return e
                    }
                    w.continuation = c
                    s.waiters[spec.taskID] = w
                    return nil
                }
                if let early { c.resume(returning: early) }
            }
        } onCancel: {
            change(spec.tenantID) { b, now in
                ((), b.cancel(spec.taskID, outcome: .canceled, reason: "the step was canceled or timed out", now: now))
            }
        }
    }

    private func perform(_ actions: [TaskBoard.Action], tenant: String) {
        for a in actions {
            switch a {
            case .dispatch(let session, let spec, let leaseID):
                dispatch(session, spec, leaseID, tenant: tenant)
            case .cancel(let session, let taskID, let attempt, let reason):
                post(session, .cancel(taskID: taskID, attempt: attempt, reason: reason))
            case .resolve(let taskID, let outcome):
                let c = state.withLock { s -> CheckedContinuation<TaskOutcome, Never>? in
                    guard var w = s.waiters[taskID] else { return nil }
                    guard let c = w.continuation else {
                        w.early = outcome
                        s.waiters[taskID] = w
                        return nil
                    }
                    s.waiters[taskID] = nil
                    return c
                }
                c?.resume(returning: outcome)
            }
        }
    }

    /// The dispatch is recorded in the run's log before the worker is told. If the run no
    /// longer wants the attempt by then, the lease is given back instead.
    private func dispatch(_ session: UInt64, _ spec: TaskSpec, _ leaseID: String, tenant: String) {
        let workerID = state.withLock { $0.sessions[session]?.workerID } ?? ""
        guard let recorder = recorder.withLock({ $0 }) else { return }
        Task {
            let note = TaskNote(what: .dispatched, stepID: spec.stepID, attempt: spec.attempt, taskID: spec.taskID,
                                workerID: workerID, leaseID: leaseID)
            if let seq = await recorder.record(tenant, spec.runID, note) {
                state.withLock { $0.waiters[spec.taskID]?.dispatchSeq = seq }
                post(session, .task(spec, leaseID: leaseID))
            } else {
                change(tenant) { b, now in
                    ((), b.report(session, taskID: spec.taskID, attempt: spec.attempt, outcome: .failed(.canceled), now: now).actions)
                }
            }
        }
    }

    private func post(_ session: UInt64, _ m: WorkerOutbound) {
        guard let s = state.withLock({ $0.sessions[session] }) else { return }
        if !s.mailbox.post(m) { disconnect(s, reason: s.mailbox.closedReason ?? "closed") }
    }

    // MARK: - Workers

    static let maxName = 128

    /// A worker's hello: checked, registered, welcomed; the tasks it may take are dispatched.
    public func connect(tenant: String, _ hello: WorkerHello) throws(DomainError) -> WorkerSession {
        try Self.check(hello)
        startTicker()
        let mailbox = WorkerMailbox(limit: 4 * hello.maxConcurrent + 64)
        let session: WorkerSession? = state.withLock { s in
            let count = s.sessions.values.lazy.filter { $0.tenant == tenant }.count
            guard count < options.maxWorkersPerTenant else { return nil }
            s.nextSession += 1
            let w = WorkerSession(id: s.nextSession, tenant: tenant, workerID: hello.workerID, mailbox: mailbox)
            s.sessions[w.id] = w
            return w
        }
        guard let session else {
            throw .resourceExhausted("tenant \(tenant) has \(options.maxWorkersPerTenant) workers connected, the most allowed")
        }
        let kept: [String] = change(tenant) { b, now in b.connect(session.id, hello, now: now) }
        // The welcome goes first: the actions above only queued dispatch tasks, which post
        // after their record is durable.
        mailbox.post(.welcome(sessionID: "\(bootID)-\(session.id)", kept: kept))
        return session
    }

    static func check(_ h: WorkerHello) throws(DomainError) {
        if h.workerID.isEmpty || h.workerID.utf8.count > maxName {
            throw .invalid("hello.worker_id", "a worker id of 1 to \(maxName) bytes is required")
        }
        if h.queues.isEmpty || h.queues.count > 64 {
            throw .invalid("hello.queues", "a worker serves 1 to 64 queues (got \(h.queues.count))")
        }
        for q in h.queues where q.isEmpty || q.utf8.count > maxName {
            throw .invalid("hello.queues", "queue names are 1 to \(maxName) bytes (got \"\(q.prefix(40))\")")
        }
        if h.maxConcurrent < 1 || h.maxConcurrent > 1000 {
            throw .invalid("hello.max_concurrent", "max_concurrent must be 1 to 1000 (got \(h.maxConcurrent))")
        }
        if h.credits < 0 || h.credits > 1_000_000 {
            throw .invalid("hello.credits", "credits must be 0 to 1000000 (got \(h.credits))")
        }
        if h.labels.count > 32 || h.labels.contains(where: { $0.key.utf8.count > 256 || $0.value.utf8.count > 256 }) {
            throw .invalid("hello.labels", "at most 32 labels, keys and values at most 256 bytes")
        }
        if h.held.count > 1000 { throw .invalid("hello.held", "at most 1000 held tasks") }
    }

    /// A message from the worker after its hello.
    public func receive(_ session: WorkerSession, _ m: WorkerInbound) throws(DomainError) {
        switch m {
        case .credit(let n):
            guard n >= 0 && n <= 1_000_000 else { throw .invalid("credit.credits", "credits must be 0 to 1000000 (got \(n))") }
            change(session.tenant) { b, now in ((), b.grant(session.id, credits: n, now: now)) }
        case .heartbeat(let taskID, let attempt, let details):
            let (current, fresh) = change(session.tenant) { b, now in
                (b.heartbeat(session.id, taskID: taskID, attempt: attempt, details: details, now: now), [])
            }
            if current, let fresh, let recorder = recorder.withLock({ $0 }),
               let (runID, stepID, _) = TaskSpec.parse(taskID) {
                let note = TaskNote(what: .progress, stepID: stepID, attempt: attempt, taskID: taskID,
                                    workerID: session.workerID, details: fresh)
                Task { _ = await recorder.record(session.tenant, runID, note) }
            }
        case .result(let taskID, let attempt, let output):
            report(session, taskID: taskID, attempt: attempt, .completed(output))
        case .failure(let taskID, let attempt, let failure):
            report(session, taskID: taskID, attempt: attempt, .failed(failure))
        }
    }

    /// Applies the worker's report when it is the current attempt's and the lease is this
    /// worker's; acks it once the attempt's end is durable. A refused one is recorded (when
    /// its run is still going) and acked with the reason, never applied.
    private func report(_ session: WorkerSession, taskID: String, attempt: Int32, _ outcome: TaskOutcome) {
        let seq = state.withLock { $0.waiters[taskID]?.dispatchSeq ?? 0 }
        let r = change(session.tenant) { b, now in
            let r = b.report(session.id, taskID: taskID, attempt: attempt, outcome: outcome, now: now)
            return (r.refusal, r.actions)
        }
        guard let recorder = recorder.withLock({ $0 }) else { return }
        let parsed = TaskSpec.parse(taskID)
        guard let refusal = r else {
            Task {
                if let (runID, stepID, _) = parsed { await recorder.settled(session.tenant, runID, stepID, seq) }
                post(session.id, .ack(taskID: taskID, attempt: attempt, accepted: true, reason: ""))
            }
            return
        }
        Task {
            var reason: String
            switch refusal {
            case .unknown: reason = "attempt \(attempt) of task \(taskID) is not current"
            case .expired: reason = "the lease of attempt \(attempt) expired (no heartbeat): it already ended WORKER_LOST"
            case .otherWorker: reason = "task \(taskID) is leased to another worker"
            case .canceled: reason = "task \(taskID) was canceled: the attempt ended CANCELED"
            case .notLeased: reason = "task \(taskID) is not leased to this worker"
            }
            if let (runID, stepID, _) = parsed {
                reason += " (\(recorder.describe(session.tenant, runID, stepID)))"
                if refusal != .canceled {
                    let note = TaskNote(what: .refused, stepID: stepID, attempt: attempt, taskID: taskID,
                                        workerID: session.workerID, reason: reason)
                    _ = await recorder.record(session.tenant, runID, note)
                } else {
                    await recorder.settled(session.tenant, runID, stepID, seq)
                }
            }
            post(session.id, .ack(taskID: taskID, attempt: attempt, accepted: false, reason: reason))
        }
    }

    /// The worker's stream ended (or its mailbox overflowed): its tasks fail WORKER_LOST.
    public func disconnect(_ session: WorkerSession, reason: String) {
        let known = state.withLock { $0.sessions.removeValue(forKey: session.id) != nil }
        session.mailbox.close(reason)
        guard known else { return }
        change(session.tenant) { b, now in ((), b.disconnect(session.id, reason: reason, now: now)) }
    }

    // MARK: - Time

    private func startTicker() {
        let start = state.withLock { s -> Bool in
            defer { s.tickerStarted = true }
            return !s.tickerStarted
        }
        guard start else { return }
        Task { [weak self] in
            while let self {
                let wake = self.clock.now().adding(self.options.tickNanos)
                do { try await self.sleeper.sleep(wake) } catch { return }
                self.tick()
            }
        }
    }

    /// Expires leases and cancel graces that are due.
    func tick() {
        let now = clock.now()
        let due: [(String, [TaskBoard.Action])] = state.withLock { s in
            var out: [(String, [TaskBoard.Action])] = []
            for tenant in s.boards.keys {
                guard let next = s.boards[tenant]!.nextDeadline, next <= now else { continue }
                let actions = s.boards[tenant]!.tick(now: now)
                if !actions.isEmpty { out.append((tenant, actions)) }
            }
            return out
        }
        for (tenant, actions) in due { perform(actions, tenant: tenant) }
    }

    // MARK: - Reads

    public func queues(tenant: String) -> [QueueInfo] {
        let now = clock.now()
        return state.withLock { s in
            guard let b = s.boards[tenant] else { return [] }
            return b.queueNames.compactMap { b.summary(of: $0, now: now).map { Self.info($0, now: now) } }
        }
    }

    public func queue(tenant: String, name: String) throws(DomainError) -> QueueInfo {
        let now = clock.now()
        let found = state.withLock { s in s.boards[tenant]?.summary(of: name, now: now) }
        guard let found else { throw .notFound("queue \(name) not found") }
        return Self.info(found, now: now)
    }

    private static func info(_ q: TaskBoard.QueueSummary, now: Instant) -> QueueInfo {
        QueueInfo(name: q.name, backlog: q.backlog, inFlight: q.inFlight,
                  oldestTaskAgeMillis: q.oldestWaitingAt.map { max(0, (now.nanosSinceEpoch - $0.nanosSinceEpoch) / 1_000_000) } ?? 0,
                  dispatchedTotal: q.dispatched, dispatchRatePerSecond: Double(q.dispatchedLastMinute) / 60,
                  workers: q.workers.map {
                      QueueInfo.Worker(workerID: $0.workerID, maxConcurrent: $0.maxConcurrent, inFlight: $0.inFlight,
                                       credits: $0.credits, labels: $0.labels)
                  })
    }
}
