/// One change to a run: the records of the durable log (record type `runEvent`) and what
/// watchers receive. Sequence numbers are per run: 1, 2, 3, ... with no gap. Folding a run's
/// events in order with `Run.apply` always gives the same run.
public struct RunEvent: Sendable, Hashable {
    /// The fields live in one shared, immutable box: an event is copied into the run's
    /// pending batch, its state, its durable history, the watchers' ring and the archive, and
    /// each copy is then one reference count instead of one per string and payload.
    /// (`runStatus` is set once, in the emitting actor, while the box is not yet shared:
    /// copy-on-write keeps every shared box unchanged.)
    private final class Fields: @unchecked Sendable {
        let runID: String
        let tenantID: String
        let workflowID: String
        let seq: UInt64
        let at: Instant
        let kind: Kind
        var runStatus: RunStatus

        init(runID: String, tenantID: String, workflowID: String, seq: UInt64, at: Instant, kind: Kind,
             runStatus: RunStatus) {
            self.runID = runID
            self.tenantID = tenantID
            self.workflowID = workflowID
            self.seq = seq
            self.at = at
            self.kind = kind
            self.runStatus = runStatus
        }
    }
    private var fields: Fields

    public var runID: String { fields.runID }
    public var tenantID: String { fields.tenantID }
    public var workflowID: String { fields.workflowID }
    public var seq: UInt64 { fields.seq }
    public var at: Instant { fields.at }
    public var kind: Kind { fields.kind }
    /// The run's status once this event is applied (set when the event is made).
    public var runStatus: RunStatus {
        get { fields.runStatus }
        set {
            if !isKnownUniquelyReferenced(&fields) {
                fields = Fields(runID: runID, tenantID: tenantID, workflowID: workflowID, seq: seq, at: at, kind: kind,
                                runStatus: newValue)
            } else {
                fields.runStatus = newValue
            }
        }
    }

    public init(runID: String, tenantID: String, workflowID: String, seq: UInt64, at: Instant, kind: Kind,
                runStatus: RunStatus = .queued) {
        fields = Fields(runID: runID, tenantID: tenantID, workflowID: workflowID, seq: seq, at: at, kind: kind,
                        runStatus: runStatus)
    }

    public static func == (a: RunEvent, b: RunEvent) -> Bool {
        if a.fields === b.fields { return true }
        return a.seq == b.seq && a.runID == b.runID && a.runStatus == b.runStatus && a.at == b.at
            && a.kind == b.kind && a.tenantID == b.tenantID && a.workflowID == b.workflowID
    }

    public func hash(into h: inout Hasher) {
        h.combine(runID)
        h.combine(seq)
        h.combine(kind)
    }

    public enum Kind: Sendable, Hashable {
        /// The run exists: pinned version, origin, inputs and its steps (id, type) in order.
        case queued(Queued)
        case started
        case paused(stepID: String)
        /// Running again; `reset` steps went back to PENDING.
        case resumed(fromStepID: String, reset: [String])
        case completed(outputs: [String: JSONValue])
        case failed(StepError)
        case canceled(StepError)
        case stepStarted(StepStarted)
        case stepRetrying(stepID: String, attempt: Int32, error: StepError, nextAttemptAt: Instant)
        case stepCompleted(stepID: String, attempt: Int32, output: JSONValue, usedFallback: Bool)
        case stepFailed(stepID: String, attempt: Int32, error: StepError)
        case stepSkipped(stepID: String)
        case stepPaused(stepID: String, message: String)
        case stepCanceled(stepID: String)
        case pauseAction(PauseRecord)
        /// task steps: dispatched to a worker, progress, or a refused result.
        case task(TaskNote)
    }

    public struct Queued: Sendable, Hashable {
        public var version: Int32
        public var origin: RunOrigin
        public var inputs: [String: JSONValue]
        public var steps: [(id: String, type: String)]

        public init(version: Int32, origin: RunOrigin, inputs: [String: JSONValue], steps: [(id: String, type: String)]) {
            self.version = version
            self.origin = origin
            self.inputs = inputs
            self.steps = steps
        }

        public static func == (a: Queued, b: Queued) -> Bool {
            a.version == b.version && a.origin == b.origin && a.inputs == b.inputs
                && a.steps.map(\.id) == b.steps.map(\.id) && a.steps.map(\.type) == b.steps.map(\.type)
        }
        public func hash(into h: inout Hasher) {
            h.combine(version)
            h.combine(origin)
            for s in steps { h.combine(s.id) }
        }
    }

    public struct StepStarted: Sendable, Hashable {
        public var stepID: String
        public var attempt: Int32
        public var input: JSONValue
        /// The fallback's attempt (after the retries ran out).
        public var fallback: Bool
        /// subworkflow: the child run made for this attempt.
        public var childRunID: String
        /// wait: when it wakes (a durable timer: re-armed after a restart).
        public var wakeAt: Instant?

        public init(stepID: String, attempt: Int32, input: JSONValue, fallback: Bool = false,
                    childRunID: String = "", wakeAt: Instant? = nil) {
            self.stepID = stepID
            self.attempt = attempt
            self.input = input
            self.fallback = fallback
            self.childRunID = childRunID
            self.wakeAt = wakeAt
        }
    }

    /// The step the event is about ("" for run-level events).
    public var stepID: String {
        switch kind {
        case .stepStarted(let s): s.stepID
        case .stepRetrying(let id, _, _, _), .stepCompleted(let id, _, _, _), .stepFailed(let id, _, _): id
        case .stepSkipped(let id), .stepPaused(let id, _), .stepCanceled(let id): id
        case .pauseAction(let p): p.stepID
        case .paused(let id): id
        case .task(let n): n.stepID
        default: ""
        }
    }

    /// RUN_COMPLETED, RUN_FAILED or RUN_CANCELED: a watcher's stream ends after it.
    public var isTerminal: Bool {
        switch kind {
        case .completed, .failed, .canceled: true
        default: false
        }
    }
}

extension Run {
    /// A new run from its `queued` event.
    public init?(queued event: RunEvent) {
        guard case .queued(let q) = event.kind else { return nil }
        self.init(id: event.runID, tenantID: event.tenantID, workflowID: event.workflowID, workflowVersion: q.version,
                  origin: q.origin, inputs: q.inputs, steps: q.steps.map { StepRun(stepID: $0.id, type: $0.type) },
                  createdAt: event.at)
        lastSeq = event.seq
    }

    /// The run its history makes (its events from the queued one, in order), as it was after
    /// event `seq`; nil when the history does not start with the queued event.
    public init?(history: [RunEvent], upTo seq: UInt64 = .max) {
        guard let first = history.first, var run = Run(queued: first) else { return nil }
        for e in history.dropFirst() where e.seq <= seq { run.apply(e) }
        self = run
    }

    /// Applies one event (the next in sequence).
    public mutating func apply(_ event: RunEvent) {
        let at = event.at
        switch event.kind {
        case .queued:
            status = .queued
        case .started:
            status = .running
            if startedAt == nil { startedAt = at }
        case .paused:
            status = .paused
        case .resumed(_, let reset):
            status = .running
            error = nil
            finishedAt = nil
            outputs = [:]
            for id in reset {
                updateStep(id) { s in
                    s.status = .pending
                    s.output = nil
                    s.error = nil
                    s.finishedAt = nil
                    s.nextAttemptAt = nil
                    s.wakeAt = nil
                    s.usedFallback = false
                    s.childRunID = ""
                    s.attempts = 0
                }
            }
        case .completed(let outputs):
            status = .completed
            self.outputs = outputs
            finishedAt = at
        case .failed(let e):
            status = .failed
            error = e
            finishedAt = at
        case .canceled(let e):
            status = .canceled
            error = e
            finishedAt = at
        case .stepStarted(let e):
            updateStep(e.stepID) { s in
                s.status = .running
                s.attempts = e.attempt
                s.input = e.input
                if s.startedAt == nil { s.startedAt = at }
                s.nextAttemptAt = nil
                s.childRunID = e.childRunID
                s.wakeAt = e.wakeAt
                s.usedFallback = e.fallback
                s.workerID = ""
                s.leaseID = ""
                s.progress = nil
            }
        case .stepRetrying(let id, _, let e, let next):
            updateStep(id) { s in
                s.status = .retrying
                s.error = e
                s.nextAttemptAt = next
            }
        case .stepCompleted(let id, _, let output, let usedFallback):
            updateStep(id) { s in
                s.status = .completed
                s.output = output
                s.error = nil
                s.usedFallback = usedFallback
                s.finishedAt = at
                s.nextAttemptAt = nil
            }
        case .stepFailed(let id, _, let e):
            updateStep(id) { s in
                s.status = .failed
                s.error = e
                s.finishedAt = at
                s.nextAttemptAt = nil
            }
        case .stepSkipped(let id):
            updateStep(id) { s in
                s.status = .skipped
                s.finishedAt = at
            }
        case .stepPaused(let id, let message):
            updateStep(id) { s in
                s.status = .paused
                s.pauseMessage = message
                if s.startedAt == nil { s.startedAt = at }
            }
            pauses.append(PauseRecord(stepID: id, pausedAt: at))
        case .stepCanceled(let id):
            updateStep(id) { s in
                s.status = .canceled
                s.finishedAt = at
                s.nextAttemptAt = nil
            }
        case .task(let n):
            switch n.what {
            case .dispatched:
                updateStep(n.stepID) { s in
                    s.workerID = n.workerID
                    s.leaseID = n.leaseID
                    s.progress = nil
                }
            case .progress:
                updateStep(n.stepID) { s in s.progress = n.details }
            case .refused:
                break
            }
        case .pauseAction(let record):
            if let i = pauses.lastIndex(where: { $0.stepID == record.stepID && $0.action == .unspecified }) {
                pauses[i] = record
            } else {
                pauses.append(record)
            }
        }
        updatedAt = at
        lastSeq = event.seq
    }
}
