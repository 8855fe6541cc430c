// Run events as log records: canonical JSON objects {"v":1,"t":"<kind>",...}, like workflow
// events ("v" is the record format version). 64-bit numbers travel as decimal strings.

extension StepError {
    var json: JSONValue { ["code": .string(code), "message": .string(message)] }
    init(json: JSONValue, path: String) throws(DecodeError) {
        let r = try JSONReader(json, path: path)
        self.init(code: try r.string("code"), message: try r.string("message"))
    }
}

extension PauseRecord {
    var json: JSONValue {
        var b = JSONBuilder()
        b.set("step_id", stepID)
        b.set("paused_at", pausedAt)
        b.set("action", action.rawValue)
        b.set("user_id", userID)
        b.set("comment", comment)
        b.set("inputs", inputs)
        b.set("output", present: output)
        b.set("decided_at", decidedAt)
        return b.value
    }
    init(json: JSONValue, path: String) throws(DecodeError) {
        let r = try JSONReader(json, path: path)
        self.init(stepID: try r.string("step_id"), pausedAt: try r.instant("paused_at"),
                  action: try r.enumValue("action", PauseAction.self), userID: try r.string("user_id"),
                  comment: try r.string("comment"), inputs: try r.objectMember("inputs"), output: r.object["output"],
                  decidedAt: r.object["decided_at"] == nil ? nil : try r.instant("decided_at"))
    }
}

extension RunOrigin {
    var json: JSONValue {
        var b = JSONBuilder()
        b.set("trigger", trigger.rawValue)
        b.set("parent_run_id", parentRunID)
        b.set("parent_step_id", parentStepID)
        b.set("idempotency_key", idempotencyKey)
        b.set("schedule_id", scheduleID)
        b.set("batch_id", batchID)
        b.set("batch_row", int64: batchRow)
        return b.value
    }
    init(json: JSONValue, path: String) throws(DecodeError) {
        let r = try JSONReader(json, path: path)
        self.init(trigger: try r.enumValue("trigger", RunTrigger.self), parentRunID: try r.string("parent_run_id"),
                  parentStepID: try r.string("parent_step_id"), idempotencyKey: try r.string("idempotency_key"),
                  scheduleID: try r.string("schedule_id"), batchID: try r.string("batch_id"),
                  batchRow: try r.int64("batch_row"))
    }
}

extension RunEvent {
    public static let formatVersion = 1

    public var json: JSONValue { builder.value }

    /// The log record: canonical JSON, written straight from the members.
    public func encoded() -> [UInt8] { builder.canonicalBytes() }

    private var builder: JSONBuilder {
        var b = JSONBuilder()
        b["v"] = .number(Double(Self.formatVersion))
        b.set("run", runID)
        b.set("tenant", tenantID)
        b.set("wf", workflowID)
        b.set("seq", int64: Int64(seq))
        b.set("at", at)
        b.set("rs", runStatus.rawValue)
        func step(_ id: String, _ attempt: Int32 = 0) {
            b.set("step", id)
            b.set("attempt", attempt)
        }
        switch kind {
        case .queued(let q):
            b.set("t", "queued")
            b.set("version", q.version)
            b.set("origin", present: q.origin.json)
            b.set("inputs", q.inputs)
            b.set("steps", q.steps.map { ["id": .string($0.id), "type": .string($0.type)] as JSONValue })
        case .started:
            b.set("t", "started")
        case .paused(let id):
            b.set("t", "paused")
            step(id)
        case .resumed(let from, let reset):
            b.set("t", "resumed")
            b.set("from", from)
            b.set("reset", reset)
        case .completed(let outputs):
            b.set("t", "completed")
            b.set("outputs", outputs)
        case .failed(let e):
            b.set("t", "failed")
            b.set("error", present: e.json)
        case .canceled(let e):
            b.set("t", "canceled")
            b.set("error", present: e.json)
        case .stepStarted(let s):
            b.set("t", "step_started")
            step(s.stepID, s.attempt)
            b.set("input", present: s.input)
            b.set("fallback", s.fallback)
            b.set("child", s.childRunID)
            b.set("wake_at", s.wakeAt)
        case .stepRetrying(let id, let attempt, let e, let next):
            b.set("t", "step_retrying")
            step(id, attempt)
            b.set("error", present: e.json)
            b.set("next_at", next)
        case .stepCompleted(let id, let attempt, let output, let usedFallback):
            b.set("t", "step_completed")
            step(id, attempt)
            b.set("output", present: output)
            b.set("fallback", usedFallback)
        case .stepFailed(let id, let attempt, let e):
            b.set("t", "step_failed")
            step(id, attempt)
            b.set("error", present: e.json)
        case .stepSkipped(let id):
            b.set("t", "step_skipped")
            step(id)
        case .stepPaused(let id, let message):
            b.set("t", "step_paused")
            step(id)
            b.set("message", message)
        case .stepCanceled(let id):
            b.set("t", "step_canceled")
            step(id)
        case .pauseAction(let p):
            b.set("t", "pause_action")
            b.set("pause", present: p.json)
        }
        return b
    }

    public init(bytes: [UInt8]) throws(DecodeError) {
        let value: JSONValue
        do {
            value = try JSONValue.parse(bytes, depthLimit: 128)
        } catch {
            throw DecodeError(path: "run_event", message: error.description)
        }
        try self.init(json: value)
    }

    public init(json: JSONValue) throws(DecodeError) {
        let r = try JSONReader(json, path: "run_event")
        let v = try r.int32("v")
        guard v == Self.formatVersion else { throw r.fail("v", "unsupported run event format \(v)") }
        func member(_ key: String) throws(DecodeError) -> JSONValue {
            guard let m = r.object[key] else { throw r.fail(key, "missing") }
            return m
        }
        func error() throws(DecodeError) -> StepError { try StepError(json: try member("error"), path: "run_event.error") }
        let id = try r.string("step")
        let attempt = try r.int32("attempt")
        let kind: Kind
        switch try r.string("t") {
        case "queued":
            var steps: [(id: String, type: String)] = []
            for (i, s) in try r.array("steps").enumerated() {
                let sr = try JSONReader(s, path: "run_event.steps[\(i)]")
                steps.append((try sr.string("id"), try sr.string("type")))
            }
            kind = .queued(Queued(version: try r.int32("version"),
                                  origin: try RunOrigin(json: try member("origin"), path: "run_event.origin"),
                                  inputs: try r.objectMember("inputs"), steps: steps))
        case "started": kind = .started
        case "paused": kind = .paused(stepID: id)
        case "resumed": kind = .resumed(fromStepID: try r.string("from"), reset: try r.strings("reset"))
        case "completed": kind = .completed(outputs: try r.objectMember("outputs"))
        case "failed": kind = .failed(try error())
        case "canceled": kind = .canceled(try error())
        case "step_started":
            kind = .stepStarted(StepStarted(stepID: id, attempt: attempt, input: r.object["input"] ?? .object([:]),
                                            fallback: try r.bool("fallback"), childRunID: try r.string("child"),
                                            wakeAt: r.object["wake_at"] == nil ? nil : try r.instant("wake_at")))
        case "step_retrying":
            kind = .stepRetrying(stepID: id, attempt: attempt, error: try error(), nextAttemptAt: try r.instant("next_at"))
        case "step_completed":
            kind = .stepCompleted(stepID: id, attempt: attempt, output: try member("output"),
                                  usedFallback: try r.bool("fallback"))
        case "step_failed": kind = .stepFailed(stepID: id, attempt: attempt, error: try error())
        case "step_skipped": kind = .stepSkipped(stepID: id)
        case "step_paused": kind = .stepPaused(stepID: id, message: try r.string("message"))
        case "step_canceled": kind = .stepCanceled(stepID: id)
        case "pause_action": kind = .pauseAction(try PauseRecord(json: try member("pause"), path: "run_event.pause"))
        case let other: throw r.fail("t", "unknown run event type \"\(other)\"")
        }
        let seq = try r.int64("seq")
        self.init(runID: try r.string("run"), tenantID: try r.string("tenant"), workflowID: try r.string("wf"),
                  seq: UInt64(max(0, seq)), at: try r.instant("at"), kind: kind,
                  runStatus: try r.enumValue("rs", RunStatus.self))
    }
}
