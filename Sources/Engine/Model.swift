// The workflow model of notes/model.md, in Swift naming. Field comments give the proto names.

/// A point in time, in nanoseconds since the Unix epoch (covers 1677..2262).
public struct Instant: Sendable, Hashable, Comparable {
    public var nanosSinceEpoch: Int64
    public init(nanosSinceEpoch: Int64) { self.nanosSinceEpoch = nanosSinceEpoch }
    public init(millisSinceEpoch: Int64) { self.nanosSinceEpoch = millisSinceEpoch * 1_000_000 }
    public var millisSinceEpoch: Int64 { nanosSinceEpoch / 1_000_000 }
    public static func < (a: Instant, b: Instant) -> Bool { a.nanosSinceEpoch < b.nanosSinceEpoch }
}

/// A span of time as proto's Duration holds it: whole seconds plus nanoseconds of the same sign.
public struct TimeSpan: Sendable, Hashable, Comparable {
    public var seconds: Int64
    public var nanos: Int32

    public init(seconds: Int64, nanos: Int32 = 0) {
        self.seconds = seconds
        self.nanos = nanos
    }

    public init(milliseconds: Int64) {
        self.seconds = milliseconds / 1000
        self.nanos = Int32((milliseconds % 1000) * 1_000_000)
    }

    public var totalNanos: Double { Double(seconds) * 1e9 + Double(nanos) }
    public var isNegative: Bool { seconds < 0 || nanos < 0 }
    public static func < (a: TimeSpan, b: TimeSpan) -> Bool { (a.seconds, a.nanos) < (b.seconds, b.nanos) }

    /// "1.5s", "2s", "-0.25s", "0.000000001s": seconds with only the fraction digits needed
    /// (model.md's form; proto3 JSON readers accept any 0-9 digit fraction).
    public var canonicalString: String {
        let negative = isNegative
        var text = negative ? "-" : ""
        text += String(seconds.magnitude)
        let frac = Int(nanos.magnitude)
        if frac != 0 {
            var digits = String(frac)
            digits = String(repeating: "0", count: 9 - digits.count) + digits
            while digits.hasSuffix("0") { digits.removeLast() }
            text += "." + digits
        }
        return text + "s"
    }

    /// Parses the form `canonicalString` prints (and any 0-9 digit fraction).
    public init?(canonical text: String) {
        guard text.hasSuffix("s") else { return nil }
        var body = Substring(text.dropLast())
        let negative = body.hasPrefix("-")
        if negative { body = body.dropFirst() }
        let parts = body.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), !parts[0].isEmpty, parts[0].allSatisfy(\.isASCII),
              let whole = Int64(parts[0]), whole >= 0 else { return nil }
        var nanos: Int32 = 0
        if parts.count == 2 {
            let frac = parts[1]
            guard (1...9).contains(frac.count), frac.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
            nanos = Int32(frac + String(repeating: "0", count: 9 - frac.count))!
        }
        self.seconds = negative ? -whole : whole
        self.nanos = negative ? -nanos : nanos
    }
}

public enum WorkflowStatus: Int32, Sendable, Hashable, CaseIterable {
    case unspecified = 0, draft, active, paused, archived

    public var name: String {
        switch self {
        case .unspecified: "UNSPECIFIED"
        case .draft: "DRAFT"
        case .active: "ACTIVE"
        case .paused: "PAUSED"
        case .archived: "ARCHIVED"
        }
    }

    /// model.md's transitions; same -> same is handled by the caller as a no-op.
    public func canTransition(to next: WorkflowStatus) -> Bool {
        switch (self, next) {
        case (.draft, .active), (.draft, .archived), (.active, .paused), (.paused, .active),
             (.active, .archived), (.paused, .archived), (.archived, .draft): true
        default: false
        }
    }
}

public enum TriggerType: Int32, Sendable, Hashable, CaseIterable {
    case unspecified = 0, manual, schedule, webhook, event
}

public enum WorkflowKind: Int32, Sendable, Hashable, CaseIterable {
    case unspecified = 0, workflow, chatbot, agent
}

public enum InputType: Int32, Sendable, Hashable, CaseIterable {
    case unspecified = 0, string, number, integer, boolean, object, array, file
}

/// A declared workflow input (proto InputDeclaration).
public struct InputDeclaration: Sendable, Hashable {
    public var name: String
    public var type: InputType
    public var required: Bool
    public var defaultValue: JSONValue?  // default_value
    public var description: String

    public init(name: String, type: InputType = .string, required: Bool = false,
                defaultValue: JSONValue? = nil, description: String = "") {
        self.name = name
        self.type = type
        self.required = required
        self.defaultValue = defaultValue
        self.description = description
    }
}

/// Where a workflow came from (proto Origin).
public struct Origin: Sendable, Hashable {
    public var instance: String
    public var zone: String
    public var reference: String
    public init(instance: String = "", zone: String = "", reference: String = "") {
        self.instance = instance
        self.zone = zone
        self.reference = reference
    }
}

/// Feeds a field of an upstream step's output into this step's input.
public struct InputMapping: Sendable, Hashable {
    public var fromStep: String   // from_step
    public var fromField: String  // from_field, dotted path e.g. "body.items.0.id"
    public var toField: String    // to_field
    public var transform: String  // optional expression, "" when absent
    public init(fromStep: String, fromField: String = "", toField: String = "", transform: String = "") {
        self.fromStep = fromStep
        self.fromField = fromField
        self.toField = toField
        self.transform = transform
    }
}

public struct RetryPolicy: Sendable, Hashable {
    public var maxAttempts: Int32             // max_attempts
    public var initialBackoff: TimeSpan?      // initial_backoff
    public var maxBackoff: TimeSpan?          // max_backoff
    public var backoffMultiplier: Double      // backoff_multiplier; 0 means unset
    public var retryableErrors: [String]      // retryable_errors
    public init(maxAttempts: Int32 = 0, initialBackoff: TimeSpan? = nil, maxBackoff: TimeSpan? = nil,
                backoffMultiplier: Double = 0, retryableErrors: [String] = []) {
        self.maxAttempts = maxAttempts
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
        self.backoffMultiplier = backoffMultiplier
        self.retryableErrors = retryableErrors
    }
}

/// Another step type and config, used when retries are exhausted.
public struct Fallback: Sendable, Hashable {
    public var type: String
    public var config: [String: JSONValue]
    public init(type: String, config: [String: JSONValue] = [:]) {
        self.type = type
        self.config = config
    }
}

public struct Step: Sendable, Hashable {
    public var id: String
    public var name: String
    public var type: String
    public var config: [String: JSONValue]
    public var dependsOn: [String]            // depends_on
    public var inputMappings: [InputMapping]  // input_mappings
    public var retry: RetryPolicy?
    public var timeout: TimeSpan?
    public var fallback: Fallback?

    public init(id: String, name: String = "", type: String, config: [String: JSONValue] = [:],
                dependsOn: [String] = [], inputMappings: [InputMapping] = [], retry: RetryPolicy? = nil,
                timeout: TimeSpan? = nil, fallback: Fallback? = nil) {
        self.id = id
        self.name = name
        self.type = type
        self.config = config
        self.dependsOn = dependsOn
        self.inputMappings = inputMappings
        self.retry = retry
        self.timeout = timeout
        self.fallback = fallback
    }
}

public struct WorkflowDefinition: Sendable, Hashable {
    public var steps: [Step]
    /// Optional explicit order for purely linear workflows (the 4th document's stepOrder).
    public var stepOrder: [String]  // step_order
    public init(steps: [Step] = [], stepOrder: [String] = []) {
        self.steps = steps
        self.stepOrder = stepOrder
    }

    /// What Create without a definition, and Reset, give: a single "input" step.
    /// There is no "input" step type among the eleven, so it is a `template` step whose
    /// template renders the workflow's inputs unchanged: a valid definition that passes the
    /// run's inputs on to whatever is added after it.
    public static let initial = WorkflowDefinition(steps: [
        Step(id: "input", name: "Input", type: StepType.template.rawValue,
             config: ["template": "{{inputs}}"]),
    ])

    /// `initial.hash`, computed once.
    public static let initialHash = initial.hash
}

/// The user-editable fields of a workflow (everything a metadata update can touch).
public struct WorkflowMetadata: Sendable, Hashable {
    public var name: String
    public var description: String
    public var tags: [String]
    public var triggerType: TriggerType      // trigger_type
    public var kind: WorkflowKind
    public var inputs: [InputDeclaration]
    public var config: [String: JSONValue]
    public var webhookURL: String            // webhook_url
    public var origin: Origin
    public var testInputs: [[String: JSONValue]]  // test_inputs

    public init(name: String, description: String = "", tags: [String] = [], triggerType: TriggerType = .manual,
                kind: WorkflowKind = .workflow, inputs: [InputDeclaration] = [], config: [String: JSONValue] = [:],
                webhookURL: String = "", origin: Origin = Origin(), testInputs: [[String: JSONValue]] = []) {
        self.name = name
        self.description = description
        self.tags = tags
        self.triggerType = triggerType
        self.kind = kind
        self.inputs = inputs
        self.config = config
        self.webhookURL = webhookURL
        self.origin = origin
        self.testInputs = testInputs
    }
}

public struct Workflow: Sendable, Hashable {
    public var id: String          // "wf_" + ULID
    public var tenantID: String    // tenant_id
    public var metadata: WorkflowMetadata
    public var status: WorkflowStatus
    public var definition: WorkflowDefinition
    public var createdAt: Instant
    public var updatedAt: Instant
    public var currentVersion: Int32  // current_version
    public var etag: String
    public var deleted: Bool
    public var deletedAt: Instant?

    public var name: String { metadata.name }
}

public struct WorkflowVersion: Sendable, Hashable {
    public var number: Int32
    public var changeSummary: String   // change_summary
    public var definitionHash: String  // definition_hash
    public var createdAt: Instant
    public var definition: WorkflowDefinition

    public init(number: Int32, changeSummary: String, createdAt: Instant, definition: WorkflowDefinition,
                definitionHash: String? = nil) {
        self.number = number
        self.changeSummary = changeSummary
        self.definitionHash = definitionHash ?? definition.hash
        self.createdAt = createdAt
        self.definition = definition
    }
}

public struct Template: Sendable, Hashable {
    public var id: String
    public var name: String
    public var description: String
    public var definition: WorkflowDefinition
    public var inputs: [InputDeclaration]
    public var tags: [String]

    public init(id: String, name: String, description: String, definition: WorkflowDefinition,
                inputs: [InputDeclaration] = [], tags: [String] = []) {
        self.id = id
        self.name = name
        self.description = description
        self.definition = definition
        self.inputs = inputs
        self.tags = tags
    }
}

/// The eleven step types the engine knows, with the config each requires.
public enum StepType: String, Sendable, Hashable, CaseIterable {
    case template, transform, condition, loop, wait
    case humanApproval = "human_approval"
    case httpRequest = "http_request"
    case script, webhook, subworkflow
    case agentTask = "agent_task"
    /// Runs on an external worker (WorkerService): config "queue", optional "task_type",
    /// "heartbeat_timeout", "payload".
    case task

    /// Required config: every inner list needs at least one of its keys present
    /// (a one-element list is a plain required key).
    public var requiredConfig: [[String]] {
        switch self {
        case .template: [["template"]]
        case .transform, .condition: [["expression"]]
        case .loop: [["items"], ["step", "workflow_id"]]
        case .wait: [["duration", "until"]]
        case .humanApproval: []
        case .httpRequest, .webhook: [["url"]]
        case .script: [["command"]]
        case .subworkflow: [["workflow_id"]]
        case .agentTask: [["prompt"]]
        case .task: [["queue"]]
        }
    }
}
