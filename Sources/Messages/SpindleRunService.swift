// spindle/v1/run_service.proto: requests and responses of the RunService. RPCs whose whole
// result is one resource return Run, BatchRun, Schedule or a stream of RunEvent (in
// SpindleRun.swift) directly.
public import ProtoWire

extension SpindleV1 {
    public struct RunWorkflowRequest: SchemaMessage {
        public static let protoName = "spindle.v1.RunWorkflowRequest"
        public static let fields: [FieldInfo] = [
            FieldInfo("workflow_id", 1, .string), .message("inputs", 2, ".google.protobuf.Struct"),
            FieldInfo("version", 3, .int32),
        ]
        public var workflowID = ""
        public var inputs: GoogleProtobuf.Struct?
        /// 0 means the current version.
        public var version: Int32 = 0
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.string, t, &workflowID)
            case 2: try r.readMessage(t, &inputs)
            case 3: try r.read(.int32, t, &version)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.write(.string, 1, workflowID)
            w.writeMessage(2, inputs)
            w.write(.int32, 3, version)
        }
    }

    public struct StartRunRequest: SchemaMessage {
        public static let protoName = "spindle.v1.StartRunRequest"
        public static let fields: [FieldInfo] = [
            FieldInfo("workflow_id", 1, .string), .message("inputs", 2, ".google.protobuf.Struct"),
            FieldInfo("version", 3, .int32), FieldInfo("idempotency_key", 4, .string),
        ]
        public var workflowID = ""
        public var inputs: GoogleProtobuf.Struct?
        /// 0 means the current version.
        public var version: Int32 = 0
        public var idempotencyKey = ""
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.string, t, &workflowID)
            case 2: try r.readMessage(t, &inputs)
            case 3: try r.read(.int32, t, &version)
            case 4: try r.read(.string, t, &idempotencyKey)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.write(.string, 1, workflowID)
            w.writeMessage(2, inputs)
            w.write(.int32, 3, version)
            w.write(.string, 4, idempotencyKey)
        }
    }

    public struct RunPartialRequest: SchemaMessage {
        public static let protoName = "spindle.v1.RunPartialRequest"
        public static let fields: [FieldInfo] = [
            FieldInfo("workflow_id", 1, .string), .message("inputs", 2, ".google.protobuf.Struct"),
            FieldInfo("version", 3, .int32), FieldInfo("from_step_id", 4, .string),
            .message("step_outputs", 5, ".google.protobuf.Struct"),
        ]
        public var workflowID = ""
        public var inputs: GoogleProtobuf.Struct?
        public var version: Int32 = 0
        public var fromStepID = ""
        /// The outputs of the steps upstream of fromStepID, keyed by step id.
        public var stepOutputs: GoogleProtobuf.Struct?
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.string, t, &workflowID)
            case 2: try r.readMessage(t, &inputs)
            case 3: try r.read(.int32, t, &version)
            case 4: try r.read(.string, t, &fromStepID)
            case 5: try r.readMessage(t, &stepOutputs)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.write(.string, 1, workflowID)
            w.writeMessage(2, inputs)
            w.write(.int32, 3, version)
            w.write(.string, 4, fromStepID)
            w.writeMessage(5, stepOutputs)
        }
    }

    public struct StartBatchRunRequest: SchemaMessage {
        public static let protoName = "spindle.v1.StartBatchRunRequest"
        public static let fields: [FieldInfo] = [
            FieldInfo("workflow_id", 1, .string), FieldInfo("file_id", 2, .string),
            .map("column_mapping", 3, scope + "StartBatchRunRequest.ColumnMappingEntry", .string, .string),
            FieldInfo("mini_batch_size", 4, .int32), FieldInfo("version", 5, .int32),
        ]
        public var workflowID = ""
        public var fileID = ""
        /// Workflow input name -> dataset column; empty: every column is the input of its name.
        public var columnMapping: [String: String] = [:]
        /// Rows run at once: 0 means 10, at most 1000.
        public var miniBatchSize: Int32 = 0
        public var version: Int32 = 0
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.string, t, &workflowID)
            case 2: try r.read(.string, t, &fileID)
            case 3: try r.readMap(t, &columnMapping, .string, .string)
            case 4: try r.read(.int32, t, &miniBatchSize)
            case 5: try r.read(.int32, t, &version)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.write(.string, 1, workflowID)
            w.write(.string, 2, fileID)
            w.writeMap(3, columnMapping, .string, .string)
            w.write(.int32, 4, miniBatchSize)
            w.write(.int32, 5, version)
        }
    }

    public struct GetBatchRunRequest: SchemaMessage {
        public static let protoName = "spindle.v1.GetBatchRunRequest"
        public static let fields: [FieldInfo] = [FieldInfo("batch_id", 1, .string)]
        public var batchID = ""
        public init() {}
        public init(batchID: String) { self.batchID = batchID }
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.string, t, &batchID)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) { w.write(.string, 1, batchID) }
    }

    public struct DownloadFileRequest: SchemaMessage {
        public static let protoName = "spindle.v1.DownloadFileRequest"
        public static let fields: [FieldInfo] = [FieldInfo("file_id", 1, .string)]
        public var fileID = ""
        public init() {}
        public init(fileID: String) { self.fileID = fileID }
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.string, t, &fileID)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) { w.write(.string, 1, fileID) }
    }

    public struct DownloadFileResponse: SchemaMessage {
        public static let protoName = "spindle.v1.DownloadFileResponse"
        public static let fields: [FieldInfo] = [
            FieldInfo("chunk", 1, .bytes), FieldInfo("size", 2, .int64), FieldInfo("sha256", 3, .string),
        ]
        /// At most 64 KiB.
        public var chunk: [UInt8] = []
        /// In the first message only: the whole file's size and SHA-256 (lower-case hex).
        public var size: Int64 = 0
        public var sha256 = ""
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.bytes, t, &chunk)
            case 2: try r.read(.int64, t, &size)
            case 3: try r.read(.string, t, &sha256)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.write(.bytes, 1, chunk)
            w.write(.int64, 2, size)
            w.write(.string, 3, sha256)
        }
    }

    public struct ListRunsRequest: SchemaMessage {
        public static let protoName = "spindle.v1.ListRunsRequest"
        public static let fields: [FieldInfo] = [
            FieldInfo("page_size", 1, .int32), FieldInfo("page_token", 2, .string), FieldInfo("workflow_id", 3, .string),
            .enumeration("status", 4, scope + "RunStatus"),
        ]
        /// 0 means 50; at most 200.
        public var pageSize: Int32 = 0
        public var pageToken = ""
        public var workflowID = ""
        public var status = RunStatus.unspecified
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.int32, t, &pageSize)
            case 2: try r.read(.string, t, &pageToken)
            case 3: try r.read(.string, t, &workflowID)
            case 4: try r.readEnum(t, &status)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.write(.int32, 1, pageSize)
            w.write(.string, 2, pageToken)
            w.write(.string, 3, workflowID)
            w.writeEnum(4, status)
        }
    }

    public struct ListRunsResponse: SchemaMessage {
        public static let protoName = "spindle.v1.ListRunsResponse"
        public static let fields: [FieldInfo] = [
            .message("runs", 1, scope + "Run", .repeated), FieldInfo("next_page_token", 2, .string),
        ]
        public var runs: [Run] = []
        public var nextPageToken = ""
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.readMessage(t, &runs)
            case 2: try r.read(.string, t, &nextPageToken)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.writeMessage(1, runs)
            w.write(.string, 2, nextPageToken)
        }
    }

    public struct GetRunRequest: SchemaMessage {
        public static let protoName = "spindle.v1.GetRunRequest"
        public static let fields: [FieldInfo] = [FieldInfo("run_id", 1, .string)]
        public var runID = ""
        public init() {}
        public init(runID: String) { self.runID = runID }
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.string, t, &runID)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) { w.write(.string, 1, runID) }
    }

    public struct CancelRunRequest: SchemaMessage {
        public static let protoName = "spindle.v1.CancelRunRequest"
        public static let fields: [FieldInfo] = [FieldInfo("run_id", 1, .string), FieldInfo("reason", 2, .string)]
        public var runID = ""
        public var reason = ""
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.string, t, &runID)
            case 2: try r.read(.string, t, &reason)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.write(.string, 1, runID)
            w.write(.string, 2, reason)
        }
    }

    public struct DeleteRunRequest: SchemaMessage {
        public static let protoName = "spindle.v1.DeleteRunRequest"
        public static let fields: [FieldInfo] = [FieldInfo("run_id", 1, .string)]
        public var runID = ""
        public init() {}
        public init(runID: String) { self.runID = runID }
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.string, t, &runID)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) { w.write(.string, 1, runID) }
    }

    public struct DeleteRunResponse: SchemaMessage {
        public static let protoName = "spindle.v1.DeleteRunResponse"
        public static let fields: [FieldInfo] = [FieldInfo("run_id", 1, .string), FieldInfo("events_removed", 2, .int64)]
        public var runID = ""
        public var eventsRemoved: Int64 = 0
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.string, t, &runID)
            case 2: try r.read(.int64, t, &eventsRemoved)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.write(.string, 1, runID)
            w.write(.int64, 2, eventsRemoved)
        }
    }

    public struct ResumeRunRequest: SchemaMessage {
        public static let protoName = "spindle.v1.ResumeRunRequest"
        public static let fields: [FieldInfo] = [FieldInfo("run_id", 1, .string), FieldInfo("from_step_id", 2, .string)]
        public var runID = ""
        /// Empty: the failed, canceled and unfinished steps.
        public var fromStepID = ""
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.string, t, &runID)
            case 2: try r.read(.string, t, &fromStepID)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.write(.string, 1, runID)
            w.write(.string, 2, fromStepID)
        }
    }

    public struct ListPausedRunsRequest: SchemaMessage {
        public static let protoName = "spindle.v1.ListPausedRunsRequest"
        public static let fields: [FieldInfo] = [
            FieldInfo("workflow_id", 1, .string), FieldInfo("page_size", 2, .int32), FieldInfo("page_token", 3, .string),
        ]
        /// Empty: every workflow.
        public var workflowID = ""
        public var pageSize: Int32 = 0
        public var pageToken = ""
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.string, t, &workflowID)
            case 2: try r.read(.int32, t, &pageSize)
            case 3: try r.read(.string, t, &pageToken)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.write(.string, 1, workflowID)
            w.write(.int32, 2, pageSize)
            w.write(.string, 3, pageToken)
        }
    }

    public struct ListPausedRunsResponse: SchemaMessage {
        public static let protoName = "spindle.v1.ListPausedRunsResponse"
        public static let fields: [FieldInfo] = [
            .message("runs", 1, scope + "Run", .repeated), FieldInfo("next_page_token", 2, .string),
        ]
        public var runs: [Run] = []
        public var nextPageToken = ""
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.readMessage(t, &runs)
            case 2: try r.read(.string, t, &nextPageToken)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.writeMessage(1, runs)
            w.write(.string, 2, nextPageToken)
        }
    }

    public struct GetPauseHistoryRequest: SchemaMessage {
        public static let protoName = "spindle.v1.GetPauseHistoryRequest"
        public static let fields: [FieldInfo] = [FieldInfo("run_id", 1, .string)]
        public var runID = ""
        public init() {}
        public init(runID: String) { self.runID = runID }
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.string, t, &runID)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) { w.write(.string, 1, runID) }
    }

    public struct GetPauseHistoryResponse: SchemaMessage {
        public static let protoName = "spindle.v1.GetPauseHistoryResponse"
        public static let fields: [FieldInfo] = [.message("records", 1, scope + "PauseRecord", .repeated)]
        public var records: [PauseRecord] = []
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.readMessage(t, &records)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) { w.writeMessage(1, records) }
    }

    public struct ProcessPauseActionRequest: SchemaMessage {
        public static let protoName = "spindle.v1.ProcessPauseActionRequest"
        public static let fields: [FieldInfo] = [
            FieldInfo("run_id", 1, .string), FieldInfo("step_id", 2, .string),
            .enumeration("action", 3, scope + "PauseAction"), FieldInfo("user_id", 4, .string),
            FieldInfo("comment", 5, .string), .message("inputs", 6, ".google.protobuf.Struct"),
            .message("output", 7, ".google.protobuf.Value"),
        ]
        public var runID = ""
        /// Empty: the run's (first) paused step.
        public var stepID = ""
        public var action = PauseAction.unspecified
        public var userID = ""
        public var comment = ""
        /// APPROVE: becomes the step's output (merged with {"approved": true}).
        public var inputs: GoogleProtobuf.Struct?
        /// OVERRIDE: the step's output.
        public var output: GoogleProtobuf.Value?
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.string, t, &runID)
            case 2: try r.read(.string, t, &stepID)
            case 3: try r.readEnum(t, &action)
            case 4: try r.read(.string, t, &userID)
            case 5: try r.read(.string, t, &comment)
            case 6: try r.readMessage(t, &inputs)
            case 7: try r.readMessage(t, &output)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.write(.string, 1, runID)
            w.write(.string, 2, stepID)
            w.writeEnum(3, action)
            w.write(.string, 4, userID)
            w.write(.string, 5, comment)
            w.writeMessage(6, inputs)
            w.writeMessage(7, output)
        }
    }

    public struct CreateScheduleRequest: SchemaMessage {
        public static let protoName = "spindle.v1.CreateScheduleRequest"
        public static let fields: [FieldInfo] = [
            FieldInfo("workflow_id", 1, .string), FieldInfo("cron", 2, .string), FieldInfo("time_zone", 3, .string),
            .message("inputs", 4, ".google.protobuf.Struct"), .enumeration("catch_up", 5, scope + "CatchUpPolicy"),
        ]
        public var workflowID = ""
        public var cron = ""
        public var timeZone = ""
        public var inputs: GoogleProtobuf.Struct?
        public var catchUp = CatchUpPolicy.unspecified
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.string, t, &workflowID)
            case 2: try r.read(.string, t, &cron)
            case 3: try r.read(.string, t, &timeZone)
            case 4: try r.readMessage(t, &inputs)
            case 5: try r.readEnum(t, &catchUp)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.write(.string, 1, workflowID)
            w.write(.string, 2, cron)
            w.write(.string, 3, timeZone)
            w.writeMessage(4, inputs)
            w.writeEnum(5, catchUp)
        }
    }

    public struct ListSchedulesRequest: SchemaMessage {
        public static let protoName = "spindle.v1.ListSchedulesRequest"
        public static let fields: [FieldInfo] = [FieldInfo("workflow_id", 1, .string)]
        /// Empty: every workflow.
        public var workflowID = ""
        public init() {}
        public init(workflowID: String) { self.workflowID = workflowID }
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.string, t, &workflowID)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) { w.write(.string, 1, workflowID) }
    }

    public struct ListSchedulesResponse: SchemaMessage {
        public static let protoName = "spindle.v1.ListSchedulesResponse"
        public static let fields: [FieldInfo] = [.message("schedules", 1, scope + "Schedule", .repeated)]
        public var schedules: [Schedule] = []
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.readMessage(t, &schedules)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) { w.writeMessage(1, schedules) }
    }

    public struct PauseScheduleRequest: SchemaMessage {
        public static let protoName = "spindle.v1.PauseScheduleRequest"
        public static let fields: [FieldInfo] = [FieldInfo("schedule_id", 1, .string), FieldInfo("paused", 2, .bool)]
        public var scheduleID = ""
        /// true pauses the schedule, false resumes it.
        public var paused = false
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.string, t, &scheduleID)
            case 2: try r.read(.bool, t, &paused)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.write(.string, 1, scheduleID)
            w.write(.bool, 2, paused)
        }
    }

    public struct DeleteScheduleRequest: SchemaMessage {
        public static let protoName = "spindle.v1.DeleteScheduleRequest"
        public static let fields: [FieldInfo] = [FieldInfo("schedule_id", 1, .string)]
        public var scheduleID = ""
        public init() {}
        public init(scheduleID: String) { self.scheduleID = scheduleID }
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.string, t, &scheduleID)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) { w.write(.string, 1, scheduleID) }
    }

    public struct DeleteScheduleResponse: SchemaMessage {
        public static let protoName = "spindle.v1.DeleteScheduleResponse"
        public static let fields: [FieldInfo] = [FieldInfo("schedule_id", 1, .string)]
        public var scheduleID = ""
        public init() {}
        public init(scheduleID: String) { self.scheduleID = scheduleID }
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.string, t, &scheduleID)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) { w.write(.string, 1, scheduleID) }
    }

    public struct WatchRunRequest: SchemaMessage {
        public static let protoName = "spindle.v1.WatchRunRequest"
        public static let fields: [FieldInfo] = [FieldInfo("run_id", 1, .string), FieldInfo("after_seq", 2, .uint64)]
        public var runID = ""
        /// Events after this sequence number; 0: all of them.
        public var afterSeq: UInt64 = 0
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.string, t, &runID)
            case 2: try r.read(.uint64, t, &afterSeq)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.write(.string, 1, runID)
            w.write(.uint64, 2, afterSeq)
        }
    }

    public struct WatchRunsRequest: SchemaMessage {
        public static let protoName = "spindle.v1.WatchRunsRequest"
        public static let fields: [FieldInfo] = [
            FieldInfo("workflow_id", 1, .string), .enumeration("status", 2, scope + "RunStatus"),
            FieldInfo("resume_token", 3, .string),
        ]
        /// Empty: every workflow.
        public var workflowID = ""
        /// UNSPECIFIED: every status. Matches the run's status after the event.
        public var status = RunStatus.unspecified
        /// From a previous WatchRunsResponse; empty starts with a snapshot.
        public var resumeToken = ""
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.string, t, &workflowID)
            case 2: try r.readEnum(t, &status)
            case 3: try r.read(.string, t, &resumeToken)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.write(.string, 1, workflowID)
            w.writeEnum(2, status)
            w.write(.string, 3, resumeToken)
        }
    }

    public struct WatchRunsResponse: SchemaMessage {
        public static let protoName = "spindle.v1.WatchRunsResponse"
        public static let fields: [FieldInfo] = [
            .message("event", 1, scope + "RunEvent", oneof: "item"), .message("run", 2, scope + "Run", oneof: "item"),
            FieldInfo("resume_token", 3, .string), FieldInfo("snapshot_end", 4, .bool, oneof: "item"),
        ]

        /// A live event, or a snapshot run, or the end of the snapshot.
        public enum Item: Sendable, Equatable {
            case event(RunEvent)
            /// Snapshot: one matching run as it is now.
            case run(Run)
            /// Snapshot: the last run of the snapshot was sent; live events follow.
            case snapshotEnd(Bool)
        }

        public var item: Item?
        /// Pass back as WatchRunsRequest.resumeToken to go on after this message.
        public var resumeToken = ""
        public init() {}
        public init(_ item: Item, resumeToken: String) { (self.item, self.resumeToken) = (item, resumeToken) }
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1:
                var m = if case .event(let v)? = item { v } else { RunEvent() }
                try r.readMessage(t, &m)
                item = .event(m)
            case 2:
                var m = if case .run(let v)? = item { v } else { Run() }
                try r.readMessage(t, &m)
                item = .run(m)
            case 3: try r.read(.string, t, &resumeToken)
            case 4: var v: Bool?; try r.read(.bool, t, &v); item = v.map { .snapshotEnd($0) }
            default: try r.skip(t)
            }
        }
        /// Fields in number order, as the reference runtimes write them: the oneof's arm 4
        /// comes after resume_token (3).
        public func encodeFields(to w: inout ProtoWriter) {
            switch item {
            case .event(let v)?: w.writeMessage(1, v)
            case .run(let v)?: w.writeMessage(2, v)
            case .snapshotEnd?, nil: break
            }
            w.write(.string, 3, resumeToken)
            if case .snapshotEnd(let v)? = item { w.write(.bool, 4, .some(v)) }
        }
    }
}
