/// One attempt of a `task` step, as a worker receives it.
public struct TaskSpec: Sendable, Hashable {
    /// "<run id>/<step id>/<attempt>" (see `TaskSpec.id`).
    public var taskID: String
    public var tenantID: String
    public var runID: String
    public var workflowID: String
    public var stepID: String
    public var attempt: Int32
    public var queue: String
    public var taskType: String
    public var payload: JSONValue
    /// When the step's timeout runs out, if it has one.
    public var deadline: Instant?
    public var heartbeatTimeoutNanos: Int64

    public static func id(runID: String, stepID: String, attempt: Int32, fallback: Bool = false) -> String {
        "\(runID)/\(stepID)/\(attempt)\(fallback ? "f" : "")"
    }

    /// The run and step a task id names (nil when it is not one of ours).
    public static func parse(_ taskID: String) -> (runID: String, stepID: String, attempt: String)? {
        let parts = taskID.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
        return (String(parts[0]), String(parts[1]), String(parts[2]))
    }
}

/// How an attempt on a worker ended, as the board tells its waiter.
public enum TaskOutcome: Sendable, Hashable {
    case completed(JSONValue)
    case failed(StepFailure)
}

/// What a worker says about itself when it connects.
public struct WorkerHello: Sendable, Hashable {
    public var workerID: String
    public var queues: [String]
    public var maxConcurrent: Int
    public var labels: [String: String]
    public var credits: Int
    /// Tasks it still holds: (task id, attempt, lease id).
    public var held: [HeldLease]

    public struct HeldLease: Sendable, Hashable {
        public var taskID: String
        public var attempt: Int32
        public var leaseID: String
        public init(taskID: String, attempt: Int32, leaseID: String) {
            (self.taskID, self.attempt, self.leaseID) = (taskID, attempt, leaseID)
        }
    }

    public init(workerID: String, queues: [String], maxConcurrent: Int, labels: [String: String] = [:],
                credits: Int = 0, held: [HeldLease] = []) {
        self.workerID = workerID
        self.queues = queues
        self.maxConcurrent = maxConcurrent
        self.labels = labels
        self.credits = credits
        self.held = held
    }
}

/// A first-in first-out queue with O(1) pops (an array and a head index, compacted as it
/// drains).
struct FIFO<Element: Sendable>: Sendable {
    private var items: [Element] = []
    private var head = 0
    var isEmpty: Bool { head == items.count }
    var count: Int { items.count - head }
    var first: Element? { isEmpty ? nil : items[head] }
    mutating func append(_ e: Element) { items.append(e) }
    mutating func popFirst() -> Element? {
        guard !isEmpty else { return nil }
        let e = items[head]
        head += 1
        if head > 64 && head * 2 > items.count {
            items.removeFirst(head)
            head = 0
        }
        return e
    }
    mutating func removeAll(where match: (Element) -> Bool) {
        items = Array(items[head...].filter { !match($0) })
        head = 0
    }
}

/// The task queues and workers of one tenant: a pure state machine. Every input (a task
/// submitted or canceled, a worker connecting, granting credit, heartbeating, reporting, going
/// away, the clock passing a deadline) changes the state and returns the actions the broker
/// must carry out (send a task or a cancel to a worker, end an attempt). No I/O, no clock of
/// its own: `now` comes with each input, so tests drive it through every state x event pair.
///
/// Queues are per tenant: a worker only ever serves its own tenant's queues. Within a queue,
/// waiting tasks are grouped by workflow and dispatched round-robin across workflows (FIFO
/// within one), so a workflow that floods a queue delays another workflow's tasks by at most
/// one task per busy workflow, not by its whole backlog. A worker never holds more tasks than
/// min(max_concurrent, credit granted and not yet used).
struct TaskBoard: Sendable {
    enum Phase: Sendable, Hashable {
        case waiting
        /// On a worker (`session`), or, after a server restart, on nobody yet (nil) until the
        /// worker that held it reconnects and names the lease.
        case leased(session: UInt64?, leaseID: String, expiresAt: Instant)
        /// Cancel sent; the attempt ends with `outcome` when the worker answers or at `until`.
        case canceling(session: UInt64?, until: Instant, outcome: StepFailure)
        /// The attempt already ended (its lease expired) but the worker may still be running
        /// it: its slot stays taken until it answers or `until`, so a worker that stalled and
        /// then woke never holds more than its concurrency.
        case draining(session: UInt64, until: Instant)
    }

    struct Entry: Sendable {
        var spec: TaskSpec
        var phase: Phase
        var enqueuedAt: Instant
        var lastProgress: JSONValue?
    }

    struct Worker: Sendable {
        var workerID: String
        var queues: [String]
        var maxConcurrent: Int
        var credits: Int
        var labels: [String: String]
        var leases: Set<String> = []
        var nextQueue = 0
        var free: Int { min(maxConcurrent - leases.count, credits) }
    }

    struct Queue: Sendable {
        var byWorkflow: [String: FIFO<String>] = [:]
        /// Workflows with waiting tasks, in round-robin order; `turn` is whose go it is.
        var ring: [String] = []
        var turn = 0
        var backlog = 0
        var servers: [UInt64] = []
        var nextServer = 0
        var dispatched = 0
        /// Dispatch times of the last minute (for the rate), oldest first.
        var recent = FIFO<Instant>()
    }

    enum Action: Sendable, Hashable {
        case dispatch(session: UInt64, spec: TaskSpec, leaseID: String)
        case cancel(session: UInt64, taskID: String, attempt: Int32, reason: String)
        case resolve(taskID: String, TaskOutcome)
    }

    /// Why a worker's result or failure was not applied.
    enum Refusal: Sendable, Hashable {
        /// No such attempt is waiting on a worker (it ended, or a later attempt replaced it).
        case unknown
        /// The attempt's lease expired: it already counted as WORKER_LOST.
        case expired
        case otherWorker
        /// Canceled: the attempt ends as canceled, whatever the worker sent.
        case canceled
        /// Not leased to anyone (waiting, or a recovered lease nobody has named yet).
        case notLeased
    }

    struct Report: Sendable, Hashable {
        var refusal: Refusal?
        var actions: [Action]
    }

    private(set) var entries: [String: Entry] = [:]
    private(set) var queues: [String: Queue] = [:]
    private(set) var workers: [UInt64: Worker] = [:]
    var cancelGraceNanos: Int64
    private var leaseCounter: UInt64 = 0
    let leasePrefix: String

    init(cancelGraceNanos: Int64, leasePrefix: String) {
        self.cancelGraceNanos = cancelGraceNanos
        self.leasePrefix = leasePrefix
    }

    // MARK: - Inputs

    /// A new attempt waits for a worker. `recovered`: after a server restart, the lease the
    /// log says it was on (kept for the worker that held it until the heartbeat timeout).
    mutating func submit(_ spec: TaskSpec, now: Instant, recovered leaseID: String? = nil) -> [Action] {
        if let leaseID, !leaseID.isEmpty {
            entries[spec.taskID] = Entry(spec: spec, phase: .leased(session: nil, leaseID: leaseID,
                                                                    expiresAt: now.adding(spec.heartbeatTimeoutNanos)),
                                         enqueuedAt: now)
            touchQueue(spec.queue)
            return []
        }
        entries[spec.taskID] = Entry(spec: spec, phase: .waiting, enqueuedAt: now)
        // Taken out while changed (here and below): a copy that the table still shares would
        // copy the queue's storage on the first write.
        var q = queues.removeValue(forKey: spec.queue) ?? Queue()
        if q.byWorkflow[spec.workflowID] == nil || q.byWorkflow[spec.workflowID]!.isEmpty {
            q.ring.append(spec.workflowID)
        }
        q.byWorkflow[spec.workflowID, default: FIFO()].append(spec.taskID)
        q.backlog += 1
        queues[spec.queue] = q
        return pump(spec.queue, now: now)
    }

    /// The attempt's step no longer wants it (the run was canceled, the step timed out). A
    /// waiting task ends at once; a leased one gets a cancel and ends when the worker answers
    /// or after the grace.
    mutating func cancel(_ taskID: String, outcome: StepFailure, reason: String, now: Instant) -> [Action] {
        guard let e = entries[taskID] else { return [] }
        switch e.phase {
        case .waiting:
            removeWaiting(e.spec)
            entries[taskID] = nil
            return [.resolve(taskID: taskID, .failed(outcome))]
        case .leased(let session, _, _):
            entries[taskID]!.phase = .canceling(session: session, until: now.adding(cancelGraceNanos), outcome: outcome)
            guard let session else { return [] }
            return [.cancel(session: session, taskID: taskID, attempt: e.spec.attempt, reason: reason)]
        case .canceling, .draining:
            return []
        }
    }

    /// A worker's stream opened. Held leases it names that still stand are its again; the
    /// others get a cancel.
    mutating func connect(_ session: UInt64, _ hello: WorkerHello, now: Instant) -> (kept: [String], actions: [Action]) {
        var w = Worker(workerID: hello.workerID, queues: hello.queues, maxConcurrent: hello.maxConcurrent,
                       credits: hello.credits, labels: hello.labels)
        var kept: [String] = []
        var actions: [Action] = []
        for h in hello.held {
            if var e = entries[h.taskID], e.spec.attempt == h.attempt,
               case .leased(nil, let leaseID, _) = e.phase, leaseID == h.leaseID {
                e.phase = .leased(session: session, leaseID: leaseID, expiresAt: now.adding(e.spec.heartbeatTimeoutNanos))
                entries[h.taskID] = e
                w.leases.insert(h.taskID)
                kept.append(h.taskID)
            } else {
                actions.append(.cancel(session: session, taskID: h.taskID, attempt: h.attempt,
                                       reason: "the lease is no longer this worker's"))
            }
        }
        workers[session] = w
        for q in hello.queues { queues[q, default: Queue()].servers.append(session) }
        for q in hello.queues { actions += pump(q, now: now) }
        return (kept, actions)
    }

    mutating func grant(_ session: UInt64, credits: Int, now: Instant) -> [Action] {
        guard var w = workers[session] else { return [] }
        w.credits = min(w.credits + max(0, credits), 1_000_000)
        workers[session] = w
        var actions: [Action] = []
        for q in w.queues { actions += pump(q, now: now) }
        return actions
    }

    /// Renews the lease. Returns the details when they differ from the last ones recorded
    /// (the broker records those), nil otherwise; false when the task is not this worker's.
    mutating func heartbeat(_ session: UInt64, taskID: String, attempt: Int32, details: JSONValue?,
                            now: Instant) -> (current: Bool, newProgress: JSONValue?) {
        guard var e = entries[taskID], e.spec.attempt == attempt else { return (false, nil) }
        switch e.phase {
        case .leased(session, let leaseID, _):
            e.phase = .leased(session: session, leaseID: leaseID, expiresAt: now.adding(e.spec.heartbeatTimeoutNanos))
        case .canceling(session, _, _):
            break
        default:
            return (false, nil)
        }
        var fresh: JSONValue?
        if let details, details != e.lastProgress {
            e.lastProgress = details
            fresh = details
        }
        entries[taskID] = e
        return (true, fresh)
    }

    /// A worker's result or failure. Applied only when the task is leased to this session for
    /// this attempt; a task being canceled ends as canceled whatever the worker says.
    mutating func report(_ session: UInt64, taskID: String, attempt: Int32, outcome: TaskOutcome,
                         now: Instant) -> Report {
        guard let e = entries[taskID], e.spec.attempt == attempt else { return Report(refusal: .unknown, actions: []) }
        switch e.phase {
        case .leased(let holder, _, _):
            guard holder == session else { return Report(refusal: holder == nil ? .notLeased : .otherWorker, actions: []) }
            finish(taskID, session: session)
            return Report(refusal: nil, actions: [.resolve(taskID: taskID, outcome)] + pumpWorker(session, now: now))
        case .canceling(let holder, _, let final):
            guard holder == session else { return Report(refusal: .otherWorker, actions: []) }
            finish(taskID, session: session)
            // The attempt ends, but as canceled, not with what the worker sent.
            return Report(refusal: .canceled, actions: [.resolve(taskID: taskID, .failed(final))] + pumpWorker(session, now: now))
        case .draining(let holder, _):
            guard holder == session else { return Report(refusal: .otherWorker, actions: []) }
            finish(taskID, session: session)
            return Report(refusal: .expired, actions: pumpWorker(session, now: now))
        case .waiting:
            return Report(refusal: .notLeased, actions: [])
        }
    }

    /// The worker's stream ended: every task it held fails (WORKER_LOST), or ends as canceled
    /// when a cancel was under way.
    mutating func disconnect(_ session: UInt64, reason: String, now: Instant) -> [Action] {
        guard let w = workers.removeValue(forKey: session) else { return [] }
        for q in w.queues { queues[q]?.servers.removeAll { $0 == session } }
        var actions: [Action] = []
        for id in w.leases.sorted() {
            guard let e = entries.removeValue(forKey: id) else { continue }
            if case .draining = e.phase { continue }
            actions.append(.resolve(taskID: id, lostOutcome(e, "worker \(w.workerID) \(reason)")))
        }
        return actions
    }

    /// Leases whose heartbeats stopped, and cancels whose grace ran out, as of `now`.
    mutating func tick(now: Instant) -> [Action] {
        var actions: [Action] = []
        var touched: Set<UInt64> = []
        for (id, e) in entries {
            switch e.phase {
            case .leased(let session, _, let expires) where expires <= now:
                let ms = e.spec.heartbeatTimeoutNanos / 1_000_000
                if let session {
                    // It may still be running there: the worker is told to stop, and its slot
                    // stays taken until it answers or the grace passes.
                    entries[id]!.phase = .draining(session: session, until: now.adding(cancelGraceNanos))
                    actions.append(.cancel(session: session, taskID: id, attempt: e.spec.attempt,
                                           reason: "no heartbeat for \(ms) ms"))
                } else {
                    entries[id] = nil
                }
                let who = session.flatMap { workers[$0]?.workerID }.map { "worker \($0)" } ?? "no worker reclaimed it and it"
                actions.append(.resolve(taskID: id, .failed(StepFailure(StepFailure.workerLost,
                                                                        "\(who) sent no heartbeat for \(ms) ms"))))
            case .canceling(let session, let until, let outcome) where until <= now:
                if let session {
                    workers[session]?.leases.remove(id)
                    touched.insert(session)
                }
                entries[id] = nil
                actions.append(.resolve(taskID: id, .failed(outcome)))
            case .draining(let session, let until) where until <= now:
                workers[session]?.leases.remove(id)
                touched.insert(session)
                entries[id] = nil
            default:
                break
            }
        }
        for s in touched.sorted() { actions += pumpWorker(s, now: now) }
        return actions
    }

    /// The earliest lease expiry or cancel grace end (when `tick` next has work).
    var nextDeadline: Instant? {
        var best: Instant?
        for e in entries.values {
            let t: Instant
            switch e.phase {
            case .waiting: continue
            case .leased(_, _, let x): t = x
            case .canceling(_, let x, _): t = x
            case .draining(_, let x): t = x
            }
            if best == nil || t < best! { best = t }
        }
        return best
    }

    // MARK: - Reads

    func entry(_ taskID: String) -> Entry? { entries[taskID] }
    func worker(_ session: UInt64) -> Worker? { workers[session] }

    struct QueueSummary: Sendable, Hashable {
        var name: String
        var backlog: Int
        var inFlight: Int
        var workers: [Worker.Summary]
        var oldestWaitingAt: Instant?
        var dispatched: Int
        var dispatchedLastMinute: Int
    }

    func summary(of name: String, now: Instant) -> QueueSummary? {
        guard let q = queues[name] else { return nil }
        var inFlight = 0
        var oldest: Instant?
        for e in entries.values where e.spec.queue == name {
            switch e.phase {
            case .waiting: if oldest == nil || e.enqueuedAt < oldest! { oldest = e.enqueuedAt }
            case .draining: break
            default: inFlight += 1
            }
        }
        var recent = q.recent
        let cutoff = now.adding(-60_000_000_000)
        while let f = recent.first, f < cutoff { _ = recent.popFirst() }
        return QueueSummary(name: name, backlog: q.backlog, inFlight: inFlight,
                            workers: q.servers.compactMap { workers[$0]?.summary }, oldestWaitingAt: oldest,
                            dispatched: q.dispatched, dispatchedLastMinute: recent.count)
    }

    var queueNames: [String] { queues.keys.sorted() }

    // MARK: - Dispatch

    private mutating func touchQueue(_ name: String) {
        if queues[name] == nil { queues[name] = Queue() }
    }

    /// Leases waiting tasks of `name` to its workers with room, taking workers in turn.
    private mutating func pump(_ name: String, now: Instant) -> [Action] {
        guard let peek = queues[name], peek.backlog > 0, !peek.servers.isEmpty else { return [] }
        var q = queues.removeValue(forKey: name)!
        var actions: [Action] = []
        var idle = 0
        while q.backlog > 0 && idle < q.servers.count {
            let session = q.servers[q.nextServer % q.servers.count]
            q.nextServer = (q.nextServer + 1) % q.servers.count
            guard let w = workers[session], w.free > 0 else {
                idle += 1
                continue
            }
            idle = 0
            guard let id = takeNext(&q) else { break }
            actions.append(lease(id, to: session, queue: &q, now: now))
        }
        queues[name] = q
        return actions
    }

    /// Fills one worker's room from its queues, taking them in turn.
    private mutating func pumpWorker(_ session: UInt64, now: Instant) -> [Action] {
        guard let w = workers[session], !w.queues.isEmpty else { return [] }
        var actions: [Action] = []
        var empty = 0
        var i = w.nextQueue
        while (workers[session]?.free ?? 0) > 0 && empty < w.queues.count {
            let name = w.queues[i % w.queues.count]
            i += 1
            guard var q = queues.removeValue(forKey: name) else {
                empty += 1
                continue
            }
            if let id = takeNext(&q) {
                empty = 0
                actions.append(lease(id, to: session, queue: &q, now: now))
            } else {
                empty += 1
            }
            queues[name] = q
        }
        workers[session]?.nextQueue = i % w.queues.count
        return actions
    }

    private mutating func takeNext(_ q: inout Queue) -> String? {
        guard !q.ring.isEmpty else { return nil }
        let i = q.turn % q.ring.count
        let wf = q.ring[i]
        guard let id = q.byWorkflow[wf]?.popFirst() else { return nil }
        q.backlog -= 1
        if q.byWorkflow[wf]!.isEmpty {
            q.byWorkflow[wf] = nil
            q.ring.remove(at: i)
            q.turn = q.ring.isEmpty ? 0 : i % q.ring.count
        } else {
            q.turn = (i + 1) % q.ring.count
        }
        return id
    }

    private mutating func lease(_ id: String, to session: UInt64, queue q: inout Queue, now: Instant) -> Action {
        leaseCounter += 1
        let leaseID = "\(leasePrefix)-\(leaseCounter)"
        var e = entries[id]!
        e.phase = .leased(session: session, leaseID: leaseID, expiresAt: now.adding(e.spec.heartbeatTimeoutNanos))
        entries[id] = e
        workers[session]!.leases.insert(id)
        workers[session]!.credits -= 1
        q.dispatched += 1
        q.recent.append(now)
        let cutoff = now.adding(-60_000_000_000)
        while let f = q.recent.first, f < cutoff { _ = q.recent.popFirst() }
        return .dispatch(session: session, spec: e.spec, leaseID: leaseID)
    }

    private mutating func removeWaiting(_ spec: TaskSpec) {
        guard var q = queues.removeValue(forKey: spec.queue) else { return }
        q.byWorkflow[spec.workflowID]?.removeAll { $0 == spec.taskID }
        q.backlog -= 1
        if q.byWorkflow[spec.workflowID]?.isEmpty ?? false {
            q.byWorkflow[spec.workflowID] = nil
            if let i = q.ring.firstIndex(of: spec.workflowID) {
                q.ring.remove(at: i)
                if q.turn > i { q.turn -= 1 }
                if !q.ring.isEmpty { q.turn %= q.ring.count } else { q.turn = 0 }
            }
        }
        queues[spec.queue] = q
    }

    private mutating func finish(_ taskID: String, session: UInt64) {
        entries[taskID] = nil
        workers[session]?.leases.remove(taskID)
    }

    private func lostOutcome(_ e: Entry, _ why: String) -> TaskOutcome {
        if case .canceling(_, _, let outcome) = e.phase { return .failed(outcome) }
        return .failed(StepFailure(StepFailure.workerLost, why))
    }
}

extension TaskBoard.Worker {
    struct Summary: Sendable, Hashable {
        var workerID: String
        var maxConcurrent: Int
        var inFlight: Int
        var credits: Int
        var labels: [String: String]
    }
    var summary: Summary {
        Summary(workerID: workerID, maxConcurrent: maxConcurrent, inFlight: leases.count, credits: credits, labels: labels)
    }
}

extension Instant {
    func adding(_ nanos: Int64) -> Instant { Instant(nanosSinceEpoch: nanosSinceEpoch &+ nanos) }
}
