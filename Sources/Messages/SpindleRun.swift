// spindle/v1/run.proto: the run model (a run, its steps, the events it is the fold of), pause
// records, schedules and batch runs.
public import ProtoWire

extension SpindleV1 {
    public struct RunStatus: SchemaEnum {
        public static let protoName = "spindle.v1.RunStatus"
        public static let values: [(name: String, number: Int32)] = [
            ("RUN_STATUS_UNSPECIFIED", 0), ("RUN_STATUS_QUEUED", 1), ("RUN_STATUS_RUNNING", 2),
            ("RUN_STATUS_PAUSED", 3), ("RUN_STATUS_COMPLETED", 4), ("RUN_STATUS_FAILED", 5),
            ("RUN_STATUS_CANCELED", 6),
        ]
        public static let unspecified = Self(rawValue: 0)
        public static let queued = Self(rawValue: 1)
        public static let running = Self(rawValue: 2)
        public static let paused = Self(rawValue: 3)
        public static let completed = Self(rawValue: 4)
        public static let failed = Self(rawValue: 5)
        public static let canceled = Self(rawValue: 6)
        public var rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }
    }

    public struct StepStatus: SchemaEnum {
        public static let protoName = "spindle.v1.StepStatus"
        public static let values: [(name: String, number: Int32)] = [
            ("STEP_STATUS_UNSPECIFIED", 0), ("STEP_STATUS_PENDING", 1), ("STEP_STATUS_RUNNING", 2),
            ("STEP_STATUS_RETRYING", 3), ("STEP_STATUS_PAUSED", 4), ("STEP_STATUS_COMPLETED", 5),
            ("STEP_STATUS_FAILED", 6), ("STEP_STATUS_SKIPPED", 7), ("STEP_STATUS_CANCELED", 8),
        ]
        public static let unspecified = Self(rawValue: 0)
        public static let pending = Self(rawValue: 1)
        public static let running = Self(rawValue: 2)
        public static let retrying = Self(rawValue: 3)
        public static let paused = Self(rawValue: 4)
        public static let completed = Self(rawValue: 5)
        public static let failed = Self(rawValue: 6)
        public static let skipped = Self(rawValue: 7)
        public static let canceled = Self(rawValue: 8)
        public var rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }
    }

    public struct RunTrigger: SchemaEnum {
        public static let protoName = "spindle.v1.RunTrigger"
        public static let values: [(name: String, number: Int32)] = [
            ("RUN_TRIGGER_UNSPECIFIED", 0), ("RUN_TRIGGER_MANUAL", 1), ("RUN_TRIGGER_SCHEDULE", 2),
            ("RUN_TRIGGER_BATCH", 3), ("RUN_TRIGGER_PARTIAL", 4), ("RUN_TRIGGER_SUBWORKFLOW", 5),
        ]
        public static let unspecified = Self(rawValue: 0)
        public static let manual = Self(rawValue: 1)
        public static let schedule = Self(rawValue: 2)
        public static let batch = Self(rawValue: 3)
        public static let partial = Self(rawValue: 4)
        public static let subworkflow = Self(rawValue: 5)
        public var rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }
    }

    public struct RunEventType: SchemaEnum {
        public static let protoName = "spindle.v1.RunEventType"
        public static let values: [(name: String, number: Int32)] = [
            ("RUN_EVENT_TYPE_UNSPECIFIED", 0), ("RUN_EVENT_TYPE_RUN_QUEUED", 1), ("RUN_EVENT_TYPE_RUN_STARTED", 2),
            ("RUN_EVENT_TYPE_RUN_PAUSED", 3), ("RUN_EVENT_TYPE_RUN_RESUMED", 4), ("RUN_EVENT_TYPE_RUN_COMPLETED", 5),
            ("RUN_EVENT_TYPE_RUN_FAILED", 6), ("RUN_EVENT_TYPE_RUN_CANCELED", 7), ("RUN_EVENT_TYPE_STEP_STARTED", 8),
            ("RUN_EVENT_TYPE_STEP_RETRYING", 9), ("RUN_EVENT_TYPE_STEP_COMPLETED", 10),
            ("RUN_EVENT_TYPE_STEP_FAILED", 11), ("RUN_EVENT_TYPE_STEP_SKIPPED", 12),
            ("RUN_EVENT_TYPE_STEP_PAUSED", 13), ("RUN_EVENT_TYPE_STEP_CANCELED", 14),
            ("RUN_EVENT_TYPE_PAUSE_ACTION", 15), ("RUN_EVENT_TYPE_TASK_DISPATCHED", 16),
            ("RUN_EVENT_TYPE_STEP_PROGRESS", 17), ("RUN_EVENT_TYPE_TASK_RESULT_REFUSED", 18),
        ]
        public static let unspecified = Self(rawValue: 0)
        public static let runQueued = Self(rawValue: 1)
        public static let runStarted = Self(rawValue: 2)
        public static let runPaused = Self(rawValue: 3)
        public static let runResumed = Self(rawValue: 4)
        public static let runCompleted = Self(rawValue: 5)
        public static let runFailed = Self(rawValue: 6)
        public static let runCanceled = Self(rawValue: 7)
        public static let stepStarted = Self(rawValue: 8)
        public static let stepRetrying = Self(rawValue: 9)
        public static let stepCompleted = Self(rawValue: 10)
        public static let stepFailed = Self(rawValue: 11)
        public static let stepSkipped = Self(rawValue: 12)
        public static let stepPaused = Self(rawValue: 13)
        public static let stepCanceled = Self(rawValue: 14)
        public static let pauseAction = Self(rawValue: 15)
        public static let taskDispatched = Self(rawValue: 16)
        public static let stepProgress = Self(rawValue: 17)
        public static let taskResultRefused = Self(rawValue: 18)
        public var rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }
    }

    public struct PauseAction: SchemaEnum {
        public static let protoName = "spindle.v1.PauseAction"
        public static let values: [(name: String, number: Int32)] = [
            ("PAUSE_ACTION_UNSPECIFIED", 0), ("PAUSE_ACTION_APPROVE", 1), ("PAUSE_ACTION_DECLINE", 2),
            ("PAUSE_ACTION_OVERRIDE", 3),
        ]
        public static let unspecified = Self(rawValue: 0)
        public static let approve = Self(rawValue: 1)
        public static let decline = Self(rawValue: 2)
        public static let `override` = Self(rawValue: 3)
        public var rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }
    }

    public struct CatchUpPolicy: SchemaEnum {
        public static let protoName = "spindle.v1.CatchUpPolicy"
        public static let values: [(name: String, number: Int32)] = [
            ("CATCH_UP_POLICY_UNSPECIFIED", 0), ("CATCH_UP_POLICY_SKIP", 1), ("CATCH_UP_POLICY_LATEST", 2),
            ("CATCH_UP_POLICY_ALL", 3),
        ]
        public static let unspecified = Self(rawValue: 0)
        public static let skip = Self(rawValue: 1)
        public static let latest = Self(rawValue: 2)
        public static let all = Self(rawValue: 3)
        public var rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }
    }

    public struct BatchStatus: SchemaEnum {
        public static let protoName = "spindle.v1.BatchStatus"
        public static let values: [(name: String, number: Int32)] = [
            ("BATCH_STATUS_UNSPECIFIED", 0), ("BATCH_STATUS_RUNNING", 1), ("BATCH_STATUS_COMPLETED", 2),
            ("BATCH_STATUS_CANCELED", 3),
        ]
        public static let unspecified = Self(rawValue: 0)
        public static let running = Self(rawValue: 1)
        public static let completed = Self(rawValue: 2)
        public static let canceled = Self(rawValue: 3)
        public var rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }
    }

    /// Why a step or a run failed: `code` is one of the codes listed in run.proto.
    public struct StepError: SchemaMessage {
        public static let protoName = "spindle.v1.StepError"
        public static let fields: [FieldInfo] = [FieldInfo("code", 1, .string), FieldInfo("message", 2, .string)]
        public var code = ""
        public var message = ""
        public init() {}
        public init(code: String, message: String) { (self.code, self.message) = (code, message) }
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.string, t, &code)
            case 2: try r.read(.string, t, &message)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.write(.string, 1, code)
            w.write(.string, 2, message)
        }
    }

    public struct StepRun: SchemaMessage {
        public static let protoName = "spindle.v1.StepRun"
        public static let fields: [FieldInfo] = [
            FieldInfo("step_id", 1, .string), FieldInfo("type", 2, .string),
            .enumeration("status", 3, scope + "StepStatus"), FieldInfo("attempts", 4, .int32),
            .message("input", 5, ".google.protobuf.Value"), .message("output", 6, ".google.protobuf.Value"),
            .message("error", 7, scope + "StepError"), .message("started_at", 8, ".google.protobuf.Timestamp"),
            .message("finished_at", 9, ".google.protobuf.Timestamp"),
            .message("next_attempt_at", 10, ".google.protobuf.Timestamp"), FieldInfo("used_fallback", 11, .bool),
            FieldInfo("child_run_id", 12, .string), .message("wake_at", 13, ".google.protobuf.Timestamp"),
            FieldInfo("worker_id", 14, .string), .message("progress", 15, ".google.protobuf.Value"),
        ]
        public var stepID = ""
        public var type = ""
        public var status = StepStatus.unspecified
        /// Attempts started so far (the fallback is not counted).
        public var attempts: Int32 = 0
        public var input: GoogleProtobuf.Value?
        public var output: GoogleProtobuf.Value?
        public var error: StepError?
        public var startedAt: GoogleProtobuf.Timestamp?
        public var finishedAt: GoogleProtobuf.Timestamp?
        public var nextAttemptAt: GoogleProtobuf.Timestamp?
        public var usedFallback = false
        public var childRunID = ""
        public var wakeAt: GoogleProtobuf.Timestamp?
        /// task steps: the worker holding the current attempt, and its latest progress.
        public var workerID = ""
        public var progress: GoogleProtobuf.Value?
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.string, t, &stepID)
            case 2: try r.read(.string, t, &type)
            case 3: try r.readEnum(t, &status)
            case 4: try r.read(.int32, t, &attempts)
            case 5: try r.readMessage(t, &input)
            case 6: try r.readMessage(t, &output)
            case 7: try r.readMessage(t, &error)
            case 8: try r.readMessage(t, &startedAt)
            case 9: try r.readMessage(t, &finishedAt)
            case 10: try r.readMessage(t, &nextAttemptAt)
            case 11: try r.read(.bool, t, &usedFallback)
            case 12: try r.read(.string, t, &childRunID)
            case 13: try r.readMessage(t, &wakeAt)
            case 14: try r.read(.string, t, &workerID)
            case 15: try r.readMessage(t, &progress)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.write(.string, 1, stepID)
            w.write(.string, 2, type)
            w.writeEnum(3, status)
            w.write(.int32, 4, attempts)
            w.writeMessage(5, input)
            w.writeMessage(6, output)
            w.writeMessage(7, error)
            w.writeMessage(8, startedAt)
            w.writeMessage(9, finishedAt)
            w.writeMessage(10, nextAttemptAt)
            w.write(.bool, 11, usedFallback)
            w.write(.string, 12, childRunID)
            w.writeMessage(13, wakeAt)
            w.write(.string, 14, workerID)
            w.writeMessage(15, progress)
        }
    }

    /// Where a paused run waits.
    public struct PauseInfo: SchemaMessage {
        public static let protoName = "spindle.v1.PauseInfo"
        public static let fields: [FieldInfo] = [
            FieldInfo("step_id", 1, .string), FieldInfo("message", 2, .string),
            .message("paused_at", 3, ".google.protobuf.Timestamp"),
        ]
        public var stepID = ""
        public var message = ""
        public var pausedAt: GoogleProtobuf.Timestamp?
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.string, t, &stepID)
            case 2: try r.read(.string, t, &message)
            case 3: try r.readMessage(t, &pausedAt)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.write(.string, 1, stepID)
            w.write(.string, 2, message)
            w.writeMessage(3, pausedAt)
        }
    }

    /// A run: the fold of its RunEvents in sequence order.
    public struct Run: SchemaMessage {
        public static let protoName = "spindle.v1.Run"
        public static let fields: [FieldInfo] = [
            FieldInfo("id", 1, .string), FieldInfo("tenant_id", 2, .string), FieldInfo("workflow_id", 3, .string),
            FieldInfo("workflow_version", 4, .int32), .enumeration("status", 5, scope + "RunStatus"),
            .enumeration("trigger", 6, scope + "RunTrigger"), .message("inputs", 7, ".google.protobuf.Struct"),
            .message("outputs", 8, ".google.protobuf.Struct"), .message("steps", 9, scope + "StepRun", .repeated),
            FieldInfo("progress_percent", 10, .int32), FieldInfo("current_steps", 11, .string, .repeated),
            .message("error", 12, scope + "StepError"), .message("created_at", 13, ".google.protobuf.Timestamp"),
            .message("started_at", 14, ".google.protobuf.Timestamp"),
            .message("finished_at", 15, ".google.protobuf.Timestamp"),
            .message("updated_at", 16, ".google.protobuf.Timestamp"), FieldInfo("parent_run_id", 17, .string),
            FieldInfo("parent_step_id", 18, .string), FieldInfo("idempotency_key", 19, .string),
            FieldInfo("schedule_id", 20, .string), FieldInfo("batch_id", 21, .string), FieldInfo("batch_row", 22, .int64),
            .message("pause", 23, scope + "PauseInfo"), FieldInfo("last_seq", 24, .uint64),
        ]
        public var id = ""
        public var tenantID = ""
        public var workflowID = ""
        /// The version the run is pinned to.
        public var workflowVersion: Int32 = 0
        public var status = RunStatus.unspecified
        public var trigger = RunTrigger.unspecified
        public var inputs: GoogleProtobuf.Struct?
        public var outputs: GoogleProtobuf.Struct?
        /// Every step of the pinned version, in topological order.
        public var steps: [StepRun] = []
        public var progressPercent: Int32 = 0
        public var currentSteps: [String] = []
        public var error: StepError?
        public var createdAt: GoogleProtobuf.Timestamp?
        public var startedAt: GoogleProtobuf.Timestamp?
        public var finishedAt: GoogleProtobuf.Timestamp?
        public var updatedAt: GoogleProtobuf.Timestamp?
        public var parentRunID = ""
        public var parentStepID = ""
        public var idempotencyKey = ""
        public var scheduleID = ""
        public var batchID = ""
        public var batchRow: Int64 = 0
        public var pause: PauseInfo?
        /// The sequence number of the run's newest event.
        public var lastSeq: UInt64 = 0
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.string, t, &id)
            case 2: try r.read(.string, t, &tenantID)
            case 3: try r.read(.string, t, &workflowID)
            case 4: try r.read(.int32, t, &workflowVersion)
            case 5: try r.readEnum(t, &status)
            case 6: try r.readEnum(t, &trigger)
            case 7: try r.readMessage(t, &inputs)
            case 8: try r.readMessage(t, &outputs)
            case 9: try r.readMessage(t, &steps)
            case 10: try r.read(.int32, t, &progressPercent)
            case 11: try r.read(.string, t, &currentSteps)
            case 12: try r.readMessage(t, &error)
            case 13: try r.readMessage(t, &createdAt)
            case 14: try r.readMessage(t, &startedAt)
            case 15: try r.readMessage(t, &finishedAt)
            case 16: try r.readMessage(t, &updatedAt)
            case 17: try r.read(.string, t, &parentRunID)
            case 18: try r.read(.string, t, &parentStepID)
            case 19: try r.read(.string, t, &idempotencyKey)
            case 20: try r.read(.string, t, &scheduleID)
            case 21: try r.read(.string, t, &batchID)
            case 22: try r.read(.int64, t, &batchRow)
            case 23: try r.readMessage(t, &pause)
            case 24: try r.read(.uint64, t, &lastSeq)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.write(.string, 1, id)
            w.write(.string, 2, tenantID)
            w.write(.string, 3, workflowID)
            w.write(.int32, 4, workflowVersion)
            w.writeEnum(5, status)
            w.writeEnum(6, trigger)
            w.writeMessage(7, inputs)
            w.writeMessage(8, outputs)
            w.writeMessage(9, steps)
            w.write(.int32, 10, progressPercent)
            w.write(.string, 11, currentSteps)
            w.writeMessage(12, error)
            w.writeMessage(13, createdAt)
            w.writeMessage(14, startedAt)
            w.writeMessage(15, finishedAt)
            w.writeMessage(16, updatedAt)
            w.write(.string, 17, parentRunID)
            w.write(.string, 18, parentStepID)
            w.write(.string, 19, idempotencyKey)
            w.write(.string, 20, scheduleID)
            w.write(.string, 21, batchID)
            w.write(.int64, 22, batchRow)
            w.writeMessage(23, pause)
            w.write(.uint64, 24, lastSeq)
        }
    }

    /// One change to a run; `seq` is per run, 1, 2, 3, ... with no gap.
    public struct RunEvent: SchemaMessage {
        public static let protoName = "spindle.v1.RunEvent"
        public static let fields: [FieldInfo] = [
            FieldInfo("run_id", 1, .string), FieldInfo("seq", 2, .uint64), .message("time", 3, ".google.protobuf.Timestamp"),
            .enumeration("type", 4, scope + "RunEventType"), FieldInfo("workflow_id", 5, .string),
            FieldInfo("step_id", 6, .string), FieldInfo("attempt", 7, .int32),
            .message("output", 8, ".google.protobuf.Value"), .message("error", 9, scope + "StepError"),
            .enumeration("run_status", 10, scope + "RunStatus"),
            .message("next_attempt_at", 11, ".google.protobuf.Timestamp"),
            .message("pause_action", 12, scope + "PauseRecord"), .message("task", 13, scope + "TaskNote"),
        ]
        public var runID = ""
        public var seq: UInt64 = 0
        public var time: GoogleProtobuf.Timestamp?
        public var type = RunEventType.unspecified
        public var workflowID = ""
        public var stepID = ""
        public var attempt: Int32 = 0
        public var output: GoogleProtobuf.Value?
        public var error: StepError?
        /// The run's status after this event.
        public var runStatus = RunStatus.unspecified
        public var nextAttemptAt: GoogleProtobuf.Timestamp?
        public var pauseAction: PauseRecord?
        public var task: TaskNote?
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.string, t, &runID)
            case 2: try r.read(.uint64, t, &seq)
            case 3: try r.readMessage(t, &time)
            case 4: try r.readEnum(t, &type)
            case 5: try r.read(.string, t, &workflowID)
            case 6: try r.read(.string, t, &stepID)
            case 7: try r.read(.int32, t, &attempt)
            case 8: try r.readMessage(t, &output)
            case 9: try r.readMessage(t, &error)
            case 10: try r.readEnum(t, &runStatus)
            case 11: try r.readMessage(t, &nextAttemptAt)
            case 12: try r.readMessage(t, &pauseAction)
            case 13: try r.readMessage(t, &task)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.write(.string, 1, runID)
            w.write(.uint64, 2, seq)
            w.writeMessage(3, time)
            w.writeEnum(4, type)
            w.write(.string, 5, workflowID)
            w.write(.string, 6, stepID)
            w.write(.int32, 7, attempt)
            w.writeMessage(8, output)
            w.writeMessage(9, error)
            w.writeEnum(10, runStatus)
            w.writeMessage(11, nextAttemptAt)
            w.writeMessage(12, pauseAction)
            w.writeMessage(13, task)
        }
    }

    /// What a run event says about a task step's attempt on a worker.
    public struct TaskNote: SchemaMessage {
        public static let protoName = "spindle.v1.TaskNote"
        public static let fields: [FieldInfo] = [
            FieldInfo("task_id", 1, .string), FieldInfo("worker_id", 2, .string), FieldInfo("lease_id", 3, .string),
            .message("details", 4, ".google.protobuf.Value"), FieldInfo("reason", 5, .string),
        ]
        public var taskID = ""
        public var workerID = ""
        public var leaseID = ""
        public var details: GoogleProtobuf.Value?
        public var reason = ""
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.string, t, &taskID)
            case 2: try r.read(.string, t, &workerID)
            case 3: try r.read(.string, t, &leaseID)
            case 4: try r.readMessage(t, &details)
            case 5: try r.read(.string, t, &reason)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.write(.string, 1, taskID)
            w.write(.string, 2, workerID)
            w.write(.string, 3, leaseID)
            w.writeMessage(4, details)
            w.write(.string, 5, reason)
        }
    }

    /// One pause of a run and what was decided about it (action UNSPECIFIED while waiting).
    public struct PauseRecord: SchemaMessage {
        public static let protoName = "spindle.v1.PauseRecord"
        public static let fields: [FieldInfo] = [
            FieldInfo("run_id", 1, .string), FieldInfo("step_id", 2, .string),
            .message("paused_at", 3, ".google.protobuf.Timestamp"), .enumeration("action", 4, scope + "PauseAction"),
            FieldInfo("user_id", 5, .string), FieldInfo("comment", 6, .string),
            .message("inputs", 7, ".google.protobuf.Struct"), .message("output", 8, ".google.protobuf.Value"),
            .message("decided_at", 9, ".google.protobuf.Timestamp"),
        ]
        public var runID = ""
        public var stepID = ""
        public var pausedAt: GoogleProtobuf.Timestamp?
        public var action = PauseAction.unspecified
        public var userID = ""
        public var comment = ""
        public var inputs: GoogleProtobuf.Struct?
        public var output: GoogleProtobuf.Value?
        public var decidedAt: GoogleProtobuf.Timestamp?
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.string, t, &runID)
            case 2: try r.read(.string, t, &stepID)
            case 3: try r.readMessage(t, &pausedAt)
            case 4: try r.readEnum(t, &action)
            case 5: try r.read(.string, t, &userID)
            case 6: try r.read(.string, t, &comment)
            case 7: try r.readMessage(t, &inputs)
            case 8: try r.readMessage(t, &output)
            case 9: try r.readMessage(t, &decidedAt)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.write(.string, 1, runID)
            w.write(.string, 2, stepID)
            w.writeMessage(3, pausedAt)
            w.writeEnum(4, action)
            w.write(.string, 5, userID)
            w.write(.string, 6, comment)
            w.writeMessage(7, inputs)
            w.writeMessage(8, output)
            w.writeMessage(9, decidedAt)
        }
    }

    public struct Schedule: SchemaMessage {
        public static let protoName = "spindle.v1.Schedule"
        public static let fields: [FieldInfo] = [
            FieldInfo("id", 1, .string), FieldInfo("workflow_id", 2, .string), FieldInfo("cron", 3, .string),
            FieldInfo("time_zone", 4, .string), .message("inputs", 5, ".google.protobuf.Struct"),
            FieldInfo("paused", 6, .bool), .enumeration("catch_up", 7, scope + "CatchUpPolicy"),
            .message("next_run_at", 8, ".google.protobuf.Timestamp"),
            .message("last_run_at", 9, ".google.protobuf.Timestamp"), FieldInfo("last_run_id", 10, .string),
            .message("created_at", 11, ".google.protobuf.Timestamp"),
            .message("paused_at", 12, ".google.protobuf.Timestamp"),
        ]
        public var id = ""
        public var workflowID = ""
        /// Five cron fields (or @hourly and friends), read in `timeZone`.
        public var cron = ""
        /// An IANA time zone; empty means UTC.
        public var timeZone = ""
        public var inputs: GoogleProtobuf.Struct?
        public var paused = false
        public var catchUp = CatchUpPolicy.unspecified
        public var nextRunAt: GoogleProtobuf.Timestamp?
        public var lastRunAt: GoogleProtobuf.Timestamp?
        public var lastRunID = ""
        public var createdAt: GoogleProtobuf.Timestamp?
        /// Set while paused: when it was paused.
        public var pausedAt: GoogleProtobuf.Timestamp?
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.string, t, &id)
            case 2: try r.read(.string, t, &workflowID)
            case 3: try r.read(.string, t, &cron)
            case 4: try r.read(.string, t, &timeZone)
            case 5: try r.readMessage(t, &inputs)
            case 6: try r.read(.bool, t, &paused)
            case 7: try r.readEnum(t, &catchUp)
            case 8: try r.readMessage(t, &nextRunAt)
            case 9: try r.readMessage(t, &lastRunAt)
            case 10: try r.read(.string, t, &lastRunID)
            case 11: try r.readMessage(t, &createdAt)
            case 12: try r.readMessage(t, &pausedAt)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.write(.string, 1, id)
            w.write(.string, 2, workflowID)
            w.write(.string, 3, cron)
            w.write(.string, 4, timeZone)
            w.writeMessage(5, inputs)
            w.write(.bool, 6, paused)
            w.writeEnum(7, catchUp)
            w.writeMessage(8, nextRunAt)
            w.writeMessage(9, lastRunAt)
            w.write(.string, 10, lastRunID)
            w.writeMessage(11, createdAt)
            w.writeMessage(12, pausedAt)
        }
    }

    public struct BatchRow: SchemaMessage {
        public static let protoName = "spindle.v1.BatchRow"
        public static let fields: [FieldInfo] = [
            FieldInfo("row", 1, .int64), FieldInfo("run_id", 2, .string),
            .enumeration("status", 3, scope + "RunStatus"), .message("error", 4, scope + "StepError"),
        ]
        /// 0-based, in the dataset's order.
        public var row: Int64 = 0
        public var runID = ""
        public var status = RunStatus.unspecified
        public var error: StepError?
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.int64, t, &row)
            case 2: try r.read(.string, t, &runID)
            case 3: try r.readEnum(t, &status)
            case 4: try r.readMessage(t, &error)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.write(.int64, 1, row)
            w.write(.string, 2, runID)
            w.writeEnum(3, status)
            w.writeMessage(4, error)
        }
    }

    /// One run per row of a dataset.
    public struct BatchRun: SchemaMessage {
        public static let protoName = "spindle.v1.BatchRun"
        public static let fields: [FieldInfo] = [
            FieldInfo("id", 1, .string), FieldInfo("workflow_id", 2, .string), FieldInfo("file_id", 3, .string),
            .enumeration("status", 4, scope + "BatchStatus"), FieldInfo("total_rows", 5, .int64),
            FieldInfo("completed_rows", 6, .int64), FieldInfo("failed_rows", 7, .int64),
            .message("rows", 8, scope + "BatchRow", .repeated), FieldInfo("output_file_id", 9, .string),
            .message("created_at", 10, ".google.protobuf.Timestamp"),
            .message("finished_at", 11, ".google.protobuf.Timestamp"),
        ]
        public var id = ""
        public var workflowID = ""
        public var fileID = ""
        public var status = BatchStatus.unspecified
        public var totalRows: Int64 = 0
        public var completedRows: Int64 = 0
        public var failedRows: Int64 = 0
        public var rows: [BatchRow] = []
        public var outputFileID = ""
        public var createdAt: GoogleProtobuf.Timestamp?
        public var finishedAt: GoogleProtobuf.Timestamp?
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.string, t, &id)
            case 2: try r.read(.string, t, &workflowID)
            case 3: try r.read(.string, t, &fileID)
            case 4: try r.readEnum(t, &status)
            case 5: try r.read(.int64, t, &totalRows)
            case 6: try r.read(.int64, t, &completedRows)
            case 7: try r.read(.int64, t, &failedRows)
            case 8: try r.readMessage(t, &rows)
            case 9: try r.read(.string, t, &outputFileID)
            case 10: try r.readMessage(t, &createdAt)
            case 11: try r.readMessage(t, &finishedAt)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.write(.string, 1, id)
            w.write(.string, 2, workflowID)
            w.write(.string, 3, fileID)
            w.writeEnum(4, status)
            w.write(.int64, 5, totalRows)
            w.write(.int64, 6, completedRows)
            w.write(.int64, 7, failedRows)
            w.writeMessage(8, rows)
            w.write(.string, 9, outputFileID)
            w.writeMessage(10, createdAt)
            w.writeMessage(11, finishedAt)
        }
    }
}
