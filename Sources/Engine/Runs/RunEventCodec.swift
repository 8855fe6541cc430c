// Run events as log records. Format 2, written now, is binary (BinaryCodec.swift): a run
// writes a couple of dozen events per run, and encoding them as canonical JSON was a seventh
// of the server's time under load. Format 1, canonical JSON objects {"v":1,"t":"<kind>",...}
// like workflow events, is still read: logs and snapshots written before stay readable.

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

private extension ByteWriter {
    mutating func error(_ e: StepError) {
        string(e.code)
        string(e.message)
    }
}

extension RunEvent {
    public static let formatVersion = 1

    public var json: JSONValue { builder.value }

    /// The log record (format 2, binary), every value inline.
    public func encoded() -> [UInt8] { encoded(spill: nil) }

    /// The log record, its values over the threshold kept in blobs the run holds (written
    /// and fsynced before this returns, so before the record is queued). A record whose plain
    /// encoding is under the threshold costs one comparison more than `encoded()`.
    func logEncoding(values: ValueBlobs?) throws -> [UInt8] {
        let plain = encoded()
        guard let values, plain.count > values.limits.blobThresholdBytes else { return plain }
        let spill = ValueSpill(values, owner: runID)
        let bytes = encoded(spill: spill)
        if let failure = spill.failure { throw failure }
        return bytes
    }

    private func encoded(spill: ValueSpill?) -> [UInt8] {
        // Room for the ids and a small payload at once: regrowing the buffer was a sixth of
        // the allocations of a run.
        var w = ByteWriter(capacity: 160 + runID.utf8.count + tenantID.utf8.count + workflowID.utf8.count)
        w.spill = spill
        w.byte(Self.binaryFormat)
        w.string(runID)
        w.string(tenantID)
        w.string(workflowID)
        w.varint(seq)
        w.instant(at)
        w.int32(runStatus.rawValue)
        func step(_ tag: BinaryKind, _ id: String, _ attempt: Int32 = 0) {
            w.byte(tag.rawValue)
            w.string(id)
            w.int32(attempt)
        }
        switch kind {
        case .queued(let q):
            w.byte(BinaryKind.queued.rawValue)
            w.int32(q.version)
            let o = q.origin
            w.int32(o.trigger.rawValue)
            w.string(o.parentRunID)
            w.string(o.parentStepID)
            w.string(o.idempotencyKey)
            w.string(o.scheduleID)
            w.string(o.batchID)
            w.int64(o.batchRow)
            w.object(q.inputs)
            w.varint(UInt64(q.steps.count))
            for s in q.steps {
                w.string(s.id)
                w.string(s.type)
            }
        case .started: w.byte(BinaryKind.started.rawValue)
        case .paused(let id): step(.paused, id)
        case .resumed(let from, let reset):
            w.byte(BinaryKind.resumed.rawValue)
            w.string(from)
            w.strings(reset)
        case .completed(let outputs):
            w.byte(BinaryKind.completed.rawValue)
            w.object(outputs)
        case .failed(let e):
            w.byte(BinaryKind.failed.rawValue)
            w.error(e)
        case .canceled(let e):
            w.byte(BinaryKind.canceled.rawValue)
            w.error(e)
        case .stepStarted(let s):
            step(.stepStarted, s.stepID, s.attempt)
            w.json(s.input)
            w.bool(s.fallback)
            w.string(s.childRunID)
            w.instant(s.wakeAt)
        case .stepRetrying(let id, let attempt, let e, let next):
            step(.stepRetrying, id, attempt)
            w.error(e)
            w.instant(next)
        case .stepCompleted(let id, let attempt, let output, let usedFallback):
            step(.stepCompleted, id, attempt)
            w.json(output)
            w.bool(usedFallback)
        case .stepFailed(let id, let attempt, let e):
            step(.stepFailed, id, attempt)
            w.error(e)
        case .stepSkipped(let id): step(.stepSkipped, id)
        case .stepPaused(let id, let message):
            step(.stepPaused, id)
            w.string(message)
        case .stepCanceled(let id): step(.stepCanceled, id)
        case .pauseAction(let p):
            w.byte(BinaryKind.pauseAction.rawValue)
            w.string(p.stepID)
            w.instant(p.pausedAt)
            w.int32(p.action.rawValue)
            w.string(p.userID)
            w.string(p.comment)
            w.object(p.inputs)
            w.json(p.output)
            w.instant(p.decidedAt)
        case .task(let n):
            step(.task, n.stepID, n.attempt)
            w.int32(n.what.rawValue)
            w.string(n.taskID)
            w.string(n.workerID)
            w.string(n.leaseID)
            w.json(n.details)
            w.string(n.reason)
        }
        return w.bytes
    }

    /// The first byte of a format-2 record (a format-1 record starts with "{").
    static let binaryFormat: UInt8 = 2

    enum BinaryKind: UInt8 {
        case queued = 1, started, paused, resumed, completed, failed, canceled, stepStarted, stepRetrying,
             stepCompleted, stepFailed, stepSkipped, stepPaused, stepCanceled, pauseAction, task
    }

    private init(binary bytes: [UInt8], values: ValueBlobs?) throws(DecodeError) {
        var r = ByteReader(bytes, from: 1, path: "run_event")
        r.values = values
        let runID = try r.string(), tenantID = try r.string(), workflowID = try r.string()
        let seq = try r.varint()
        let at = try r.instant()
        let runStatus = try r.enumValue(RunStatus.self)
        let tag = try r.byte()
        guard let binaryKind = BinaryKind(rawValue: tag) else { throw r.fail("unknown run event kind \(tag)") }
        func error() throws(DecodeError) -> StepError { StepError(code: try r.string(), message: try r.string()) }
        var id = "", attempt: Int32 = 0
        switch binaryKind {
        case .paused, .stepStarted, .stepRetrying, .stepCompleted, .stepFailed, .stepSkipped, .stepPaused, .stepCanceled, .task:
            id = try r.string()
            attempt = try r.int32()
        default: break
        }
        let kind: Kind
        switch binaryKind {
        case .queued:
            let version = try r.int32()
            let origin = RunOrigin(trigger: try r.enumValue(RunTrigger.self), parentRunID: try r.string(),
                                   parentStepID: try r.string(), idempotencyKey: try r.string(),
                                   scheduleID: try r.string(), batchID: try r.string(), batchRow: try r.int64())
            let inputs = try r.object()
            var steps: [(id: String, type: String)] = []
            for _ in 0..<(try r.count()) { steps.append((try r.string(), try r.string())) }
            kind = .queued(Queued(version: version, origin: origin, inputs: inputs, steps: steps))
        case .started: kind = .started
        case .paused: kind = .paused(stepID: id)
        case .resumed: kind = .resumed(fromStepID: try r.string(), reset: try r.strings())
        case .completed: kind = .completed(outputs: try r.object())
        case .failed: kind = .failed(try error())
        case .canceled: kind = .canceled(try error())
        case .stepStarted:
            kind = .stepStarted(StepStarted(stepID: id, attempt: attempt, input: try r.json(), fallback: try r.bool(),
                                            childRunID: try r.string(), wakeAt: try r.optionalInstant()))
        case .stepRetrying:
            kind = .stepRetrying(stepID: id, attempt: attempt, error: try error(), nextAttemptAt: try r.instant())
        case .stepCompleted:
            kind = .stepCompleted(stepID: id, attempt: attempt, output: try r.json(), usedFallback: try r.bool())
        case .stepFailed: kind = .stepFailed(stepID: id, attempt: attempt, error: try error())
        case .stepSkipped: kind = .stepSkipped(stepID: id)
        case .stepPaused: kind = .stepPaused(stepID: id, message: try r.string())
        case .stepCanceled: kind = .stepCanceled(stepID: id)
        case .pauseAction:
            kind = .pauseAction(PauseRecord(stepID: try r.string(), pausedAt: try r.instant(),
                                            action: try r.enumValue(PauseAction.self), userID: try r.string(),
                                            comment: try r.string(), inputs: try r.object(), output: try r.optionalJSON(),
                                            decidedAt: try r.optionalInstant()))
        case .task:
            let raw = try r.int32()
            guard let what = TaskNote.What(rawValue: raw) else { throw r.fail("unknown task note \(raw)") }
            kind = .task(TaskNote(what: what, stepID: id, attempt: attempt, taskID: try r.string(), workerID: try r.string(),
                                  leaseID: try r.string(), details: try r.optionalJSON(), reason: try r.string()))
        }
        guard r.atEnd else { throw r.fail("trailing bytes") }
        self.init(runID: runID, tenantID: tenantID, workflowID: workflowID, seq: seq, at: at, kind: kind,
                  runStatus: runStatus)
    }

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
        case .task(let n):
            b.set("t", "task")
            step(n.stepID, n.attempt)
            b.set("what", n.what.rawValue)
            b.set("task_id", n.taskID)
            b.set("worker_id", n.workerID)
            b.set("lease_id", n.leaseID)
            b.set("details", present: n.details)
            b.set("reason", n.reason)
        }
        return b
    }

    /// Reads a log record of either format; values kept in blobs are read from `values`.
    public init(bytes: [UInt8], values: ValueBlobs? = nil) throws(DecodeError) {
        if bytes.first == Self.binaryFormat {
            try self.init(binary: bytes, values: values)
            return
        }
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
        case "task":
            guard let what = TaskNote.What(rawValue: try r.int32("what")) else { throw r.fail("what", "unknown task note") }
            kind = .task(TaskNote(what: what, stepID: id, attempt: attempt, taskID: try r.string("task_id"),
                                  workerID: try r.string("worker_id"), leaseID: try r.string("lease_id"),
                                  details: r.object["details"], reason: try r.string("reason")))
        case let other: throw r.fail("t", "unknown run event type \"\(other)\"")
        }
        let seq = try r.int64("seq")
        self.init(runID: try r.string("run"), tenantID: try r.string("tenant"), workflowID: try r.string("wf"),
                  seq: UInt64(max(0, seq)), at: try r.instant("at"), kind: kind,
                  runStatus: try r.enumValue("rs", RunStatus.self))
    }
}
