/// What a run event records about a `task` step's attempt on a worker: its dispatch (the
/// lease), progress from a heartbeat, or a result that was refused.
public struct TaskNote: Sendable, Hashable {
    public enum What: Int32, Sendable, Hashable {
        case dispatched = 1, progress, refused
    }
    public var what: What
    public var stepID: String
    public var attempt: Int32
    public var taskID: String
    public var workerID: String
    public var leaseID: String
    /// progress: the heartbeat's details.
    public var details: JSONValue?
    /// refused: why.
    public var reason: String

    public init(what: What, stepID: String, attempt: Int32, taskID: String, workerID: String, leaseID: String = "",
                details: JSONValue? = nil, reason: String = "") {
        self.what = what
        self.stepID = stepID
        self.attempt = attempt
        self.taskID = taskID
        self.workerID = workerID
        self.leaseID = leaseID
        self.details = details
        self.reason = reason
    }
}
