/// The seam between the executor and the code that does a step's work.
///
/// The executor decides *when* a step runs (dependencies, retries, timeouts, cancellation,
/// pauses); a runner decides *what* one attempt does. Runners for steps with side effects
/// (http_request, webhook, script, agent_task) live outside the engine, in the `Effects`
/// module, and the executable hands them to the executor; the engine's own runners cover
/// the pure types.
///
/// Cancellation is Swift task cancellation: when a run is canceled or a step times out, the
/// task running `run` is cancelled and the runner must stop promptly (kill its subprocess,
/// close its socket) and throw `StepFailure.canceled`.
public protocol StepRunner: Sendable {
    func run(_ invocation: StepInvocation) async throws(StepFailure) -> JSONValue
}

/// One attempt of one step.
public struct StepInvocation: Sendable {
    public var tenantID: String
    public var workflowID: String
    public var runID: String
    public var stepID: String
    /// The step type (or the fallback's type when the fallback runs).
    public var type: String
    /// The step's config with every `{{ expression }}` in its strings already rendered
    /// against `scope`.
    public var config: [String: JSONValue]
    /// The step's input: its input mappings applied (an object; empty without mappings).
    public var input: JSONValue
    /// 1 for the first attempt.
    public var attempt: Int32
    /// What expressions see: {"inputs": run inputs, "steps": {step id: output}, "input": input}.
    public var scope: JSONValue

    public init(tenantID: String, workflowID: String, runID: String, stepID: String, type: String,
                config: [String: JSONValue], input: JSONValue, attempt: Int32, scope: JSONValue) {
        self.tenantID = tenantID
        self.workflowID = workflowID
        self.runID = runID
        self.stepID = stepID
        self.type = type
        self.config = config
        self.input = input
        self.attempt = attempt
        self.scope = scope
    }
}

/// Why an attempt failed. `code` is one of the codes below (proto StepError.code); a retry
/// policy's `retryable_errors` name them.
public struct StepFailure: Error, Sendable, Hashable, CustomStringConvertible {
    public var code: String
    public var message: String
    /// false: no retry, whatever the policy says (a worker's failure marked not retryable).
    public var retryable: Bool

    public init(_ code: String, _ message: String, retryable: Bool = true) {
        self.code = code
        self.message = message
        self.retryable = retryable
    }

    public var description: String { "\(code): \(message)" }

    public static let timeout = "TIMEOUT"
    public static let canceledCode = "CANCELED"
    public static let httpStatus = "HTTP_STATUS"
    public static let connection = "CONNECTION"
    public static let exitCode = "EXIT_CODE"
    public static let scriptsDisabled = "SCRIPTS_DISABLED"
    public static let expression = "EXPRESSION"
    public static let invalidConfig = "INVALID_CONFIG"
    public static let declined = "DECLINED"
    public static let childFailed = "CHILD_FAILED"
    public static let llm = "LLM"
    public static let internalError = "INTERNAL"
    public static let dependencyFailed = "DEPENDENCY_FAILED"
    /// The server stopped (or was killed) while the attempt ran.
    public static let interrupted = "INTERRUPTED"
    /// A value over --max-value-bytes (the step's output or input).
    public static let resourceExhausted = "RESOURCE_EXHAUSTED"
    /// task steps: the worker holding the attempt went away or stopped heartbeating.
    public static let workerLost = "WORKER_LOST"
    /// task steps: a worker's failure that named no code.
    public static let taskFailed = "TASK_FAILED"

    /// Codes no retry can fix: an empty `retryable_errors` retries everything else.
    public static let neverRetried: Set<String> = [invalidConfig, scriptsDisabled, declined, canceledCode, resourceExhausted]

    public static let canceled = StepFailure(canceledCode, "canceled")
}
