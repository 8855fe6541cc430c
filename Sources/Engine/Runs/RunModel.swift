// The run model of proto/spindle/v1/run.proto, in Swift naming. A `Run` is the fold of its
// `RunEvent`s (RunEvents.swift): `Run.apply` is the only code that changes one.

public enum RunStatus: Int32, Sendable, Hashable, CaseIterable {
    case unspecified = 0, queued, running, paused, completed, failed, canceled

    /// COMPLETED, FAILED and CANCELED: the run's stream ends. (FAILED can still be resumed.)
    public var isTerminal: Bool { self == .completed || self == .failed || self == .canceled }

    /// "QUEUED", "RUNNING", ... (the proto name without its prefix).
    public var name: String {
        switch self {
        case .unspecified: "UNSPECIFIED"
        case .queued: "QUEUED"
        case .running: "RUNNING"
        case .paused: "PAUSED"
        case .completed: "COMPLETED"
        case .failed: "FAILED"
        case .canceled: "CANCELED"
        }
    }
}

public enum StepStatus: Int32, Sendable, Hashable, CaseIterable {
    case unspecified = 0, pending, running, retrying, paused, completed, failed, skipped, canceled

    /// No more work will happen on the step in this run (unless the run is resumed).
    public var isFinished: Bool { self == .completed || self == .failed || self == .skipped || self == .canceled }
    /// Counts as "current": RUNNING, RETRYING, PAUSED.
    public var isActive: Bool { self == .running || self == .retrying || self == .paused }
}

public enum RunTrigger: Int32, Sendable, Hashable, CaseIterable {
    case unspecified = 0, manual, schedule, batch, partial, subworkflow
}

public struct StepError: Sendable, Hashable {
    public var code: String
    public var message: String
    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }
    public init(_ failure: StepFailure) { self.init(code: failure.code, message: failure.message) }
}

public enum PauseAction: Int32, Sendable, Hashable, CaseIterable {
    case unspecified = 0, approve, decline, override
}

/// One pause of a run and what was decided about it (proto PauseRecord).
public struct PauseRecord: Sendable, Hashable {
    public var stepID: String
    public var pausedAt: Instant
    public var action: PauseAction
    public var userID: String
    public var comment: String
    public var inputs: [String: JSONValue]
    public var output: JSONValue?
    public var decidedAt: Instant?

    public init(stepID: String, pausedAt: Instant, action: PauseAction = .unspecified, userID: String = "",
                comment: String = "", inputs: [String: JSONValue] = [:], output: JSONValue? = nil,
                decidedAt: Instant? = nil) {
        self.stepID = stepID
        self.pausedAt = pausedAt
        self.action = action
        self.userID = userID
        self.comment = comment
        self.inputs = inputs
        self.output = output
        self.decidedAt = decidedAt
    }
}

/// One step of a run (proto StepRun).
public struct StepRun: Sendable, Hashable {
    public var stepID: String
    public var type: String
    public var status: StepStatus = .pending
    public var attempts: Int32 = 0
    public var input: JSONValue?
    public var output: JSONValue?
    public var error: StepError?
    public var startedAt: Instant?
    public var finishedAt: Instant?
    public var nextAttemptAt: Instant?
    public var usedFallback = false
    public var childRunID = ""
    public var wakeAt: Instant?
    /// A paused approval step's config "message".
    public var pauseMessage = ""
    /// task steps: the worker and lease of the current attempt, and its latest progress.
    public var workerID = ""
    public var leaseID = ""
    public var progress: JSONValue?

    public init(stepID: String, type: String) {
        self.stepID = stepID
        self.type = type
    }
}

/// Who made a run and from what: fixed when it is queued.
public struct RunOrigin: Sendable, Hashable {
    public var trigger: RunTrigger
    public var parentRunID: String
    public var parentStepID: String
    public var idempotencyKey: String
    public var scheduleID: String
    public var batchID: String
    public var batchRow: Int64

    public init(trigger: RunTrigger = .manual, parentRunID: String = "", parentStepID: String = "",
                idempotencyKey: String = "", scheduleID: String = "", batchID: String = "", batchRow: Int64 = 0) {
        self.trigger = trigger
        self.parentRunID = parentRunID
        self.parentStepID = parentStepID
        self.idempotencyKey = idempotencyKey
        self.scheduleID = scheduleID
        self.batchID = batchID
        self.batchRow = batchRow
    }
}

public struct Run: Sendable, Hashable {
    public var id: String
    public var tenantID: String
    public var workflowID: String
    public var workflowVersion: Int32
    public var status: RunStatus = .queued
    public var origin: RunOrigin
    public var inputs: [String: JSONValue]
    public var outputs: [String: JSONValue] = [:]
    /// Every step of the pinned version, in topological order.
    public var steps: [StepRun]
    public var error: StepError?
    public var createdAt: Instant
    public var startedAt: Instant?
    public var finishedAt: Instant?
    public var updatedAt: Instant
    public var pauses: [PauseRecord] = []
    /// The newest event's sequence number.
    public var lastSeq: UInt64 = 0

    private var index: [String: Int]

    public init(id: String, tenantID: String, workflowID: String, workflowVersion: Int32, origin: RunOrigin,
                inputs: [String: JSONValue], steps: [StepRun], createdAt: Instant) {
        self.id = id
        self.tenantID = tenantID
        self.workflowID = workflowID
        self.workflowVersion = workflowVersion
        self.origin = origin
        self.inputs = inputs
        self.steps = steps
        self.createdAt = createdAt
        self.updatedAt = createdAt
        var index: [String: Int] = [:]
        index.reserveCapacity(steps.count)
        for (i, s) in steps.enumerated() { index[s.stepID] = i }
        self.index = index
    }

    public func step(_ id: String) -> StepRun? { index[id].map { steps[$0] } }
    public func stepIndex(_ id: String) -> Int? { index[id] }

    /// Finished steps over all steps, 0-100.
    public var progressPercent: Int32 {
        guard !steps.isEmpty else { return status == .completed ? 100 : 0 }
        let done = steps.reduce(0) { $0 + ($1.status.isFinished ? 1 : 0) }
        return Int32(done * 100 / steps.count)
    }

    public var currentSteps: [String] { steps.filter { $0.status.isActive }.map(\.stepID) }

    /// The first paused step, with its pause, while PAUSED.
    public var pausedStep: StepRun? { steps.first { $0.status == .paused } }

    mutating func updateStep(_ id: String, _ body: (inout StepRun) -> Void) {
        guard let i = index[id] else { return }
        body(&steps[i])
    }
}
