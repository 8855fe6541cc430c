// spindle/v1/worker_service.proto: the WorkerService's messages. A worker's Connect stream
// carries WorkerMessage up and ServerMessage down, each a oneof of the kinds below.
public import ProtoWire

extension SpindleV1 {
    /// Worker -> server: one of hello, credit, heartbeat, result, failure.
    public struct WorkerMessage: SchemaMessage {
        public static let protoName = "spindle.v1.WorkerMessage"
        public static let fields: [FieldInfo] = [
            .message("hello", 1, scope + "WorkerHello", oneof: "kind"),
            .message("credit", 2, scope + "WorkerCredit", oneof: "kind"),
            .message("heartbeat", 3, scope + "TaskHeartbeat", oneof: "kind"),
            .message("result", 4, scope + "TaskResult", oneof: "kind"),
            .message("failure", 5, scope + "TaskFailure", oneof: "kind"),
        ]
        public enum Kind: Sendable, Equatable {
            case hello(WorkerHello)
            case credit(WorkerCredit)
            case heartbeat(TaskHeartbeat)
            case result(TaskResult)
            case failure(TaskFailure)
        }
        public var kind: Kind?
        public init() {}
        public init(_ kind: Kind) { self.kind = kind }
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            // A repeated arm merges into the message already there, as protobuf requires.
            switch t.number {
            case 1:
                var m = if case .hello(let v)? = kind { v } else { WorkerHello() }
                try r.readMessage(t, &m)
                kind = .hello(m)
            case 2:
                var m = if case .credit(let v)? = kind { v } else { WorkerCredit() }
                try r.readMessage(t, &m)
                kind = .credit(m)
            case 3:
                var m = if case .heartbeat(let v)? = kind { v } else { TaskHeartbeat() }
                try r.readMessage(t, &m)
                kind = .heartbeat(m)
            case 4:
                var m = if case .result(let v)? = kind { v } else { TaskResult() }
                try r.readMessage(t, &m)
                kind = .result(m)
            case 5:
                var m = if case .failure(let v)? = kind { v } else { TaskFailure() }
                try r.readMessage(t, &m)
                kind = .failure(m)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            switch kind {
            case .hello(let v)?: w.writeMessage(1, v)
            case .credit(let v)?: w.writeMessage(2, v)
            case .heartbeat(let v)?: w.writeMessage(3, v)
            case .result(let v)?: w.writeMessage(4, v)
            case .failure(let v)?: w.writeMessage(5, v)
            case nil: break
            }
        }
    }

    /// Server -> worker: one of welcome, task, cancel, ack.
    public struct ServerMessage: SchemaMessage {
        public static let protoName = "spindle.v1.ServerMessage"
        public static let fields: [FieldInfo] = [
            .message("welcome", 1, scope + "WorkerWelcome", oneof: "kind"),
            .message("task", 2, scope + "Task", oneof: "kind"),
            .message("cancel", 3, scope + "TaskCancel", oneof: "kind"),
            .message("ack", 4, scope + "TaskAck", oneof: "kind"),
        ]
        public enum Kind: Sendable, Equatable {
            case welcome(WorkerWelcome)
            case task(Task)
            case cancel(TaskCancel)
            case ack(TaskAck)
        }
        public var kind: Kind?
        public init() {}
        public init(_ kind: Kind) { self.kind = kind }
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1:
                var m = if case .welcome(let v)? = kind { v } else { WorkerWelcome() }
                try r.readMessage(t, &m)
                kind = .welcome(m)
            case 2:
                var m = if case .task(let v)? = kind { v } else { Task() }
                try r.readMessage(t, &m)
                kind = .task(m)
            case 3:
                var m = if case .cancel(let v)? = kind { v } else { TaskCancel() }
                try r.readMessage(t, &m)
                kind = .cancel(m)
            case 4:
                var m = if case .ack(let v)? = kind { v } else { TaskAck() }
                try r.readMessage(t, &m)
                kind = .ack(m)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            switch kind {
            case .welcome(let v)?: w.writeMessage(1, v)
            case .task(let v)?: w.writeMessage(2, v)
            case .cancel(let v)?: w.writeMessage(3, v)
            case .ack(let v)?: w.writeMessage(4, v)
            case nil: break
            }
        }
    }

    public struct WorkerHello: SchemaMessage {
        public static let protoName = "spindle.v1.WorkerHello"
        public static let fields: [FieldInfo] = [
            FieldInfo("worker_id", 1, .string), FieldInfo("queues", 2, .string, .repeated),
            FieldInfo("max_concurrent", 3, .int32),
            .map("labels", 4, scope + "WorkerHello.LabelsEntry", .string, .string), FieldInfo("credits", 5, .int32),
            .message("held", 6, scope + "HeldTask", .repeated),
        ]
        public var workerID = ""
        public var queues: [String] = []
        public var maxConcurrent: Int32 = 0
        public var labels: [String: String] = [:]
        public var credits: Int32 = 0
        public var held: [HeldTask] = []
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.string, t, &workerID)
            case 2: try r.read(.string, t, &queues)
            case 3: try r.read(.int32, t, &maxConcurrent)
            case 4: try r.readMap(t, &labels, .string, .string)
            case 5: try r.read(.int32, t, &credits)
            case 6: try r.readMessage(t, &held)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.write(.string, 1, workerID)
            w.write(.string, 2, queues)
            w.write(.int32, 3, maxConcurrent)
            w.writeMap(4, labels, .string, .string)
            w.write(.int32, 5, credits)
            w.writeMessage(6, held)
        }
    }

    public struct HeldTask: SchemaMessage {
        public static let protoName = "spindle.v1.HeldTask"
        public static let fields: [FieldInfo] = [
            FieldInfo("task_id", 1, .string), FieldInfo("attempt", 2, .int32), FieldInfo("lease_id", 3, .string),
        ]
        public var taskID = ""
        public var attempt: Int32 = 0
        public var leaseID = ""
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.string, t, &taskID)
            case 2: try r.read(.int32, t, &attempt)
            case 3: try r.read(.string, t, &leaseID)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.write(.string, 1, taskID)
            w.write(.int32, 2, attempt)
            w.write(.string, 3, leaseID)
        }
    }

    public struct WorkerCredit: SchemaMessage {
        public static let protoName = "spindle.v1.WorkerCredit"
        public static let fields: [FieldInfo] = [
            FieldInfo("credits", 1, .int32),
        ]
        public var credits: Int32 = 0
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.int32, t, &credits)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.write(.int32, 1, credits)
        }
    }

    public struct TaskHeartbeat: SchemaMessage {
        public static let protoName = "spindle.v1.TaskHeartbeat"
        public static let fields: [FieldInfo] = [
            FieldInfo("task_id", 1, .string), FieldInfo("attempt", 2, .int32),
            .message("details", 3, ".google.protobuf.Value"),
        ]
        public var taskID = ""
        public var attempt: Int32 = 0
        public var details: GoogleProtobuf.Value?
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.string, t, &taskID)
            case 2: try r.read(.int32, t, &attempt)
            case 3: try r.readMessage(t, &details)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.write(.string, 1, taskID)
            w.write(.int32, 2, attempt)
            w.writeMessage(3, details)
        }
    }

    public struct TaskResult: SchemaMessage {
        public static let protoName = "spindle.v1.TaskResult"
        public static let fields: [FieldInfo] = [
            FieldInfo("task_id", 1, .string), FieldInfo("attempt", 2, .int32),
            .message("output", 3, ".google.protobuf.Value"),
        ]
        public var taskID = ""
        public var attempt: Int32 = 0
        public var output: GoogleProtobuf.Value?
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.string, t, &taskID)
            case 2: try r.read(.int32, t, &attempt)
            case 3: try r.readMessage(t, &output)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.write(.string, 1, taskID)
            w.write(.int32, 2, attempt)
            w.writeMessage(3, output)
        }
    }

    public struct TaskFailure: SchemaMessage {
        public static let protoName = "spindle.v1.TaskFailure"
        public static let fields: [FieldInfo] = [
            FieldInfo("task_id", 1, .string), FieldInfo("attempt", 2, .int32), FieldInfo("code", 3, .string),
            FieldInfo("message", 4, .string), FieldInfo("retryable", 5, .bool),
            .message("details", 6, ".google.protobuf.Value"),
        ]
        public var taskID = ""
        public var attempt: Int32 = 0
        public var code = ""
        public var message = ""
        public var retryable = false
        public var details: GoogleProtobuf.Value?
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.string, t, &taskID)
            case 2: try r.read(.int32, t, &attempt)
            case 3: try r.read(.string, t, &code)
            case 4: try r.read(.string, t, &message)
            case 5: try r.read(.bool, t, &retryable)
            case 6: try r.readMessage(t, &details)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.write(.string, 1, taskID)
            w.write(.int32, 2, attempt)
            w.write(.string, 3, code)
            w.write(.string, 4, message)
            w.write(.bool, 5, retryable)
            w.writeMessage(6, details)
        }
    }

    public struct WorkerWelcome: SchemaMessage {
        public static let protoName = "spindle.v1.WorkerWelcome"
        public static let fields: [FieldInfo] = [
            FieldInfo("session_id", 1, .string), FieldInfo("kept_task_ids", 2, .string, .repeated),
        ]
        public var sessionID = ""
        public var keptTaskIDs: [String] = []
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.string, t, &sessionID)
            case 2: try r.read(.string, t, &keptTaskIDs)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.write(.string, 1, sessionID)
            w.write(.string, 2, keptTaskIDs)
        }
    }

    public struct Task: SchemaMessage {
        public static let protoName = "spindle.v1.Task"
        public static let fields: [FieldInfo] = [
            FieldInfo("task_id", 1, .string), FieldInfo("run_id", 2, .string), FieldInfo("workflow_id", 3, .string),
            FieldInfo("step_id", 4, .string), FieldInfo("attempt", 5, .int32), FieldInfo("queue", 6, .string),
            FieldInfo("task_type", 7, .string), .message("payload", 8, ".google.protobuf.Value"),
            .message("deadline", 9, ".google.protobuf.Timestamp"), FieldInfo("heartbeat_timeout_ms", 10, .int32),
            FieldInfo("lease_id", 11, .string),
        ]
        public var taskID = ""
        public var runID = ""
        public var workflowID = ""
        public var stepID = ""
        public var attempt: Int32 = 0
        public var queue = ""
        public var taskType = ""
        public var payload: GoogleProtobuf.Value?
        public var deadline: GoogleProtobuf.Timestamp?
        public var heartbeatTimeoutMs: Int32 = 0
        public var leaseID = ""
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.string, t, &taskID)
            case 2: try r.read(.string, t, &runID)
            case 3: try r.read(.string, t, &workflowID)
            case 4: try r.read(.string, t, &stepID)
            case 5: try r.read(.int32, t, &attempt)
            case 6: try r.read(.string, t, &queue)
            case 7: try r.read(.string, t, &taskType)
            case 8: try r.readMessage(t, &payload)
            case 9: try r.readMessage(t, &deadline)
            case 10: try r.read(.int32, t, &heartbeatTimeoutMs)
            case 11: try r.read(.string, t, &leaseID)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.write(.string, 1, taskID)
            w.write(.string, 2, runID)
            w.write(.string, 3, workflowID)
            w.write(.string, 4, stepID)
            w.write(.int32, 5, attempt)
            w.write(.string, 6, queue)
            w.write(.string, 7, taskType)
            w.writeMessage(8, payload)
            w.writeMessage(9, deadline)
            w.write(.int32, 10, heartbeatTimeoutMs)
            w.write(.string, 11, leaseID)
        }
    }

    public struct TaskCancel: SchemaMessage {
        public static let protoName = "spindle.v1.TaskCancel"
        public static let fields: [FieldInfo] = [
            FieldInfo("task_id", 1, .string), FieldInfo("attempt", 2, .int32), FieldInfo("reason", 3, .string),
        ]
        public var taskID = ""
        public var attempt: Int32 = 0
        public var reason = ""
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.string, t, &taskID)
            case 2: try r.read(.int32, t, &attempt)
            case 3: try r.read(.string, t, &reason)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.write(.string, 1, taskID)
            w.write(.int32, 2, attempt)
            w.write(.string, 3, reason)
        }
    }

    public struct TaskAck: SchemaMessage {
        public static let protoName = "spindle.v1.TaskAck"
        public static let fields: [FieldInfo] = [
            FieldInfo("task_id", 1, .string), FieldInfo("attempt", 2, .int32), FieldInfo("accepted", 3, .bool),
            FieldInfo("reason", 4, .string),
        ]
        public var taskID = ""
        public var attempt: Int32 = 0
        public var accepted = false
        public var reason = ""
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.string, t, &taskID)
            case 2: try r.read(.int32, t, &attempt)
            case 3: try r.read(.bool, t, &accepted)
            case 4: try r.read(.string, t, &reason)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.write(.string, 1, taskID)
            w.write(.int32, 2, attempt)
            w.write(.bool, 3, accepted)
            w.write(.string, 4, reason)
        }
    }

    public struct ListQueuesRequest: FieldlessMessage {
        public static let protoName = "spindle.v1.ListQueuesRequest"
        public init() {}
    }

    public struct ListQueuesResponse: SchemaMessage {
        public static let protoName = "spindle.v1.ListQueuesResponse"
        public static let fields: [FieldInfo] = [
            .message("queues", 1, scope + "QueueInfo", .repeated),
        ]
        public var queues: [QueueInfo] = []
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.readMessage(t, &queues)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.writeMessage(1, queues)
        }
    }

    public struct DescribeQueueRequest: SchemaMessage {
        public static let protoName = "spindle.v1.DescribeQueueRequest"
        public static let fields: [FieldInfo] = [
            FieldInfo("queue", 1, .string),
        ]
        public var queue = ""
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.string, t, &queue)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.write(.string, 1, queue)
        }
    }

    public struct QueueInfo: SchemaMessage {
        public static let protoName = "spindle.v1.QueueInfo"
        public static let fields: [FieldInfo] = [
            FieldInfo("name", 1, .string), FieldInfo("backlog", 2, .int64), FieldInfo("in_flight", 3, .int64),
            FieldInfo("workers_connected", 4, .int32), FieldInfo("oldest_task_age_ms", 5, .int64),
            FieldInfo("dispatched_total", 6, .int64), FieldInfo("dispatch_rate_per_s", 7, .double),
            .message("workers", 8, scope + "WorkerInfo", .repeated),
        ]
        public var name = ""
        public var backlog: Int64 = 0
        public var inFlight: Int64 = 0
        public var workersConnected: Int32 = 0
        public var oldestTaskAgeMs: Int64 = 0
        public var dispatchedTotal: Int64 = 0
        public var dispatchRatePerS: Double = 0
        public var workers: [WorkerInfo] = []
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.string, t, &name)
            case 2: try r.read(.int64, t, &backlog)
            case 3: try r.read(.int64, t, &inFlight)
            case 4: try r.read(.int32, t, &workersConnected)
            case 5: try r.read(.int64, t, &oldestTaskAgeMs)
            case 6: try r.read(.int64, t, &dispatchedTotal)
            case 7: try r.read(.double, t, &dispatchRatePerS)
            case 8: try r.readMessage(t, &workers)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.write(.string, 1, name)
            w.write(.int64, 2, backlog)
            w.write(.int64, 3, inFlight)
            w.write(.int32, 4, workersConnected)
            w.write(.int64, 5, oldestTaskAgeMs)
            w.write(.int64, 6, dispatchedTotal)
            w.write(.double, 7, dispatchRatePerS)
            w.writeMessage(8, workers)
        }
    }

    public struct WorkerInfo: SchemaMessage {
        public static let protoName = "spindle.v1.WorkerInfo"
        public static let fields: [FieldInfo] = [
            FieldInfo("worker_id", 1, .string), FieldInfo("max_concurrent", 2, .int32),
            FieldInfo("in_flight", 3, .int32), FieldInfo("credits", 4, .int32),
            .map("labels", 5, scope + "WorkerInfo.LabelsEntry", .string, .string),
        ]
        public var workerID = ""
        public var maxConcurrent: Int32 = 0
        public var inFlight: Int32 = 0
        public var credits: Int32 = 0
        public var labels: [String: String] = [:]
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.string, t, &workerID)
            case 2: try r.read(.int32, t, &maxConcurrent)
            case 3: try r.read(.int32, t, &inFlight)
            case 4: try r.read(.int32, t, &credits)
            case 5: try r.readMap(t, &labels, .string, .string)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.write(.string, 1, workerID)
            w.write(.int32, 2, maxConcurrent)
            w.write(.int32, 3, inFlight)
            w.write(.int32, 4, credits)
            w.writeMap(5, labels, .string, .string)
        }
    }

}
