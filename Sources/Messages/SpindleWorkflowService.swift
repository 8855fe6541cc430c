// spindle/v1/workflow_service.proto: requests and responses of the WorkflowService. RPCs
// whose whole result is one resource return Workflow, WorkflowVersion or Template (in
// SpindleWorkflow.swift) directly.
public import ProtoWire

extension SpindleV1 {
    public struct CreateWorkflowRequest: SchemaMessage {
        public static let protoName = "spindle.v1.CreateWorkflowRequest"
        public static let fields: [FieldInfo] = [
            .message("workflow", 1, scope + "Workflow"), FieldInfo("request_id", 2, .string), FieldInfo("start", 3, .bool),
            .message("start_inputs", 4, ".google.protobuf.Struct"),
        ]
        public var workflow: Workflow?
        public var requestID = ""
        /// Start a run of the new workflow right away; the response's startedRunID names it.
        public var start = false
        /// The inputs of that run.
        public var startInputs: GoogleProtobuf.Struct?
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.readMessage(t, &workflow)
            case 2: try r.read(.string, t, &requestID)
            case 3: try r.read(.bool, t, &start)
            case 4: try r.readMessage(t, &startInputs)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.writeMessage(1, workflow)
            w.write(.string, 2, requestID)
            w.write(.bool, 3, start)
            w.writeMessage(4, startInputs)
        }
    }

    public struct GetWorkflowRequest: SchemaMessage {
        public static let protoName = "spindle.v1.GetWorkflowRequest"
        public static let fields: [FieldInfo] = [FieldInfo("workflow_id", 1, .string)]
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

    public struct ListWorkflowsRequest: SchemaMessage {
        public static let protoName = "spindle.v1.ListWorkflowsRequest"
        public static let fields: [FieldInfo] = [
            FieldInfo("page_size", 1, .int32), FieldInfo("page_token", 2, .string),
            .enumeration("status", 3, scope + "WorkflowStatus"), FieldInfo("tag", 4, .string),
            .enumeration("trigger_type", 5, scope + "TriggerType"), FieldInfo("name_contains", 6, .string),
            FieldInfo("include_deleted", 7, .bool),
        ]
        public var pageSize: Int32 = 0
        public var pageToken = ""
        public var status = WorkflowStatus.unspecified
        public var tag = ""
        public var triggerType = TriggerType.unspecified
        public var nameContains = ""
        public var includeDeleted = false
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.int32, t, &pageSize)
            case 2: try r.read(.string, t, &pageToken)
            case 3: try r.readEnum(t, &status)
            case 4: try r.read(.string, t, &tag)
            case 5: try r.readEnum(t, &triggerType)
            case 6: try r.read(.string, t, &nameContains)
            case 7: try r.read(.bool, t, &includeDeleted)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.write(.int32, 1, pageSize)
            w.write(.string, 2, pageToken)
            w.writeEnum(3, status)
            w.write(.string, 4, tag)
            w.writeEnum(5, triggerType)
            w.write(.string, 6, nameContains)
            w.write(.bool, 7, includeDeleted)
        }
    }

    public struct ListWorkflowsResponse: SchemaMessage {
        public static let protoName = "spindle.v1.ListWorkflowsResponse"
        public static let fields: [FieldInfo] = [
            .message("workflows", 1, scope + "Workflow", .repeated), FieldInfo("next_page_token", 2, .string),
        ]
        public var workflows: [Workflow] = []
        public var nextPageToken = ""
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.readMessage(t, &workflows)
            case 2: try r.read(.string, t, &nextPageToken)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.writeMessage(1, workflows)
            w.write(.string, 2, nextPageToken)
        }
    }

    public struct UpdateWorkflowRequest: SchemaMessage {
        public static let protoName = "spindle.v1.UpdateWorkflowRequest"
        public static let fields: [FieldInfo] = [
            FieldInfo("workflow_id", 1, .string), .message("definition", 2, scope + "WorkflowDefinition"),
            FieldInfo("change_summary", 3, .string), .message("metadata", 4, scope + "Workflow"),
            .message("update_mask", 5, ".google.protobuf.FieldMask"), FieldInfo("expected_etag", 6, .string),
        ]
        public var workflowID = ""
        public var definition: WorkflowDefinition?
        public var changeSummary = ""
        public var metadata: Workflow?
        public var updateMask: GoogleProtobuf.FieldMask?
        public var expectedEtag = ""
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.string, t, &workflowID)
            case 2: try r.readMessage(t, &definition)
            case 3: try r.read(.string, t, &changeSummary)
            case 4: try r.readMessage(t, &metadata)
            case 5: try r.readMessage(t, &updateMask)
            case 6: try r.read(.string, t, &expectedEtag)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.write(.string, 1, workflowID)
            w.writeMessage(2, definition)
            w.write(.string, 3, changeSummary)
            w.writeMessage(4, metadata)
            w.writeMessage(5, updateMask)
            w.write(.string, 6, expectedEtag)
        }
    }

    public struct SetWorkflowStatusRequest: SchemaMessage {
        public static let protoName = "spindle.v1.SetWorkflowStatusRequest"
        public static let fields: [FieldInfo] = [
            FieldInfo("workflow_id", 1, .string), .enumeration("status", 2, scope + "WorkflowStatus"),
            FieldInfo("expected_etag", 3, .string),
        ]
        public var workflowID = ""
        public var status = WorkflowStatus.unspecified
        public var expectedEtag = ""
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.string, t, &workflowID)
            case 2: try r.readEnum(t, &status)
            case 3: try r.read(.string, t, &expectedEtag)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.write(.string, 1, workflowID)
            w.writeEnum(2, status)
            w.write(.string, 3, expectedEtag)
        }
    }

    public struct ValidateWorkflowRequest: SchemaMessage {
        public static let protoName = "spindle.v1.ValidateWorkflowRequest"
        public static let fields: [FieldInfo] = [
            .message("definition", 1, scope + "WorkflowDefinition", oneof: "target"),
            FieldInfo("workflow_id", 2, .string, oneof: "target"),
            .message("inputs", 3, scope + "InputDeclaration", .repeated),
        ]

        /// What to validate: a definition as given, or a stored workflow.
        public enum Target: Sendable, Equatable {
            case definition(WorkflowDefinition)
            case workflowID(String)
        }

        public var target: Target?
        public var inputs: [InputDeclaration] = []
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1:
                var m = if case .definition(let v)? = target { v } else { WorkflowDefinition() }
                try r.readMessage(t, &m)
                target = .definition(m)
            case 2: var v: String?; try r.read(.string, t, &v); target = v.map { .workflowID($0) }
            case 3: try r.readMessage(t, &inputs)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            switch target {
            case .definition(let v)?: w.writeMessage(1, v)
            case .workflowID(let v)?: w.write(.string, 2, .some(v))
            case nil: break
            }
            w.writeMessage(3, inputs)
        }
    }

    public struct ValidateWorkflowResponse: SchemaMessage {
        public static let protoName = "spindle.v1.ValidateWorkflowResponse"
        public static let fields: [FieldInfo] = [
            FieldInfo("valid", 1, .bool), .message("errors", 2, scope + "ValidationError", .repeated),
        ]
        public var valid = false
        public var errors: [ValidationError] = []
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.bool, t, &valid)
            case 2: try r.readMessage(t, &errors)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.write(.bool, 1, valid)
            w.writeMessage(2, errors)
        }
    }

    public struct DuplicateWorkflowRequest: SchemaMessage {
        public static let protoName = "spindle.v1.DuplicateWorkflowRequest"
        public static let fields: [FieldInfo] = [FieldInfo("workflow_id", 1, .string), FieldInfo("name", 2, .string)]
        public var workflowID = ""
        public var name = ""
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.string, t, &workflowID)
            case 2: try r.read(.string, t, &name)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.write(.string, 1, workflowID)
            w.write(.string, 2, name)
        }
    }

    public struct ResetWorkflowRequest: SchemaMessage {
        public static let protoName = "spindle.v1.ResetWorkflowRequest"
        public static let fields: [FieldInfo] = [FieldInfo("workflow_id", 1, .string), FieldInfo("expected_etag", 2, .string)]
        public var workflowID = ""
        public var expectedEtag = ""
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.string, t, &workflowID)
            case 2: try r.read(.string, t, &expectedEtag)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.write(.string, 1, workflowID)
            w.write(.string, 2, expectedEtag)
        }
    }

    public struct DeleteWorkflowRequest: SchemaMessage {
        public static let protoName = "spindle.v1.DeleteWorkflowRequest"
        public static let fields: [FieldInfo] = [FieldInfo("workflow_id", 1, .string), FieldInfo("expected_etag", 2, .string)]
        public var workflowID = ""
        public var expectedEtag = ""
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.string, t, &workflowID)
            case 2: try r.read(.string, t, &expectedEtag)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.write(.string, 1, workflowID)
            w.write(.string, 2, expectedEtag)
        }
    }

    public struct PurgeWorkflowRequest: SchemaMessage {
        public static let protoName = "spindle.v1.PurgeWorkflowRequest"
        public static let fields: [FieldInfo] = [FieldInfo("workflow_id", 1, .string)]
        public var workflowID = ""
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.string, t, &workflowID)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) { w.write(.string, 1, workflowID) }
    }

    public struct PurgeWorkflowResponse: SchemaMessage {
        public static let protoName = "spindle.v1.PurgeWorkflowResponse"
        public static let fields: [FieldInfo] = [
            FieldInfo("workflow_id", 1, .string), FieldInfo("versions_removed", 2, .int32),
            FieldInfo("files_removed", 3, .int32), FieldInfo("bytes_removed", 4, .int64),
            FieldInfo("runs_removed", 5, .int32), FieldInfo("schedules_removed", 6, .int32),
            FieldInfo("runs_canceled", 7, .int32),
        ]
        public var workflowID = ""
        public var versionsRemoved: Int32 = 0
        public var filesRemoved: Int32 = 0
        public var bytesRemoved: Int64 = 0
        /// Runs removed with the workflow; `runsCanceled` of them were unfinished.
        public var runsRemoved: Int32 = 0
        public var schedulesRemoved: Int32 = 0
        public var runsCanceled: Int32 = 0
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.string, t, &workflowID)
            case 2: try r.read(.int32, t, &versionsRemoved)
            case 3: try r.read(.int32, t, &filesRemoved)
            case 4: try r.read(.int64, t, &bytesRemoved)
            case 5: try r.read(.int32, t, &runsRemoved)
            case 6: try r.read(.int32, t, &schedulesRemoved)
            case 7: try r.read(.int32, t, &runsCanceled)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.write(.string, 1, workflowID)
            w.write(.int32, 2, versionsRemoved)
            w.write(.int32, 3, filesRemoved)
            w.write(.int64, 4, bytesRemoved)
            w.write(.int32, 5, runsRemoved)
            w.write(.int32, 6, schedulesRemoved)
            w.write(.int32, 7, runsCanceled)
        }
    }

    public struct ListStepsRequest: SchemaMessage {
        public static let protoName = "spindle.v1.ListStepsRequest"
        public static let fields: [FieldInfo] = [FieldInfo("workflow_id", 1, .string), FieldInfo("version", 2, .int32)]
        public var workflowID = ""
        /// 0 means the current version.
        public var version: Int32 = 0
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.string, t, &workflowID)
            case 2: try r.read(.int32, t, &version)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.write(.string, 1, workflowID)
            w.write(.int32, 2, version)
        }
    }

    public struct ListStepsResponse: SchemaMessage {
        public static let protoName = "spindle.v1.ListStepsResponse"
        public static let fields: [FieldInfo] = [.message("steps", 1, scope + "Step", .repeated)]
        public var steps: [Step] = []
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.readMessage(t, &steps)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) { w.writeMessage(1, steps) }
    }

    public struct AddStepRequest: SchemaMessage {
        public static let protoName = "spindle.v1.AddStepRequest"
        public static let fields: [FieldInfo] = [
            FieldInfo("workflow_id", 1, .string), .message("step", 2, scope + "Step"),
            FieldInfo("change_summary", 3, .string), FieldInfo("expected_etag", 4, .string),
        ]
        public var workflowID = ""
        public var step: Step?
        public var changeSummary = ""
        public var expectedEtag = ""
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.string, t, &workflowID)
            case 2: try r.readMessage(t, &step)
            case 3: try r.read(.string, t, &changeSummary)
            case 4: try r.read(.string, t, &expectedEtag)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.write(.string, 1, workflowID)
            w.writeMessage(2, step)
            w.write(.string, 3, changeSummary)
            w.write(.string, 4, expectedEtag)
        }
    }

    public struct RemoveStepRequest: SchemaMessage {
        public static let protoName = "spindle.v1.RemoveStepRequest"
        public static let fields: [FieldInfo] = [
            FieldInfo("workflow_id", 1, .string), FieldInfo("step_id", 2, .string), FieldInfo("cascade", 3, .bool),
            FieldInfo("change_summary", 4, .string), FieldInfo("expected_etag", 5, .string),
        ]
        public var workflowID = ""
        public var stepID = ""
        public var cascade = false
        public var changeSummary = ""
        public var expectedEtag = ""
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.string, t, &workflowID)
            case 2: try r.read(.string, t, &stepID)
            case 3: try r.read(.bool, t, &cascade)
            case 4: try r.read(.string, t, &changeSummary)
            case 5: try r.read(.string, t, &expectedEtag)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.write(.string, 1, workflowID)
            w.write(.string, 2, stepID)
            w.write(.bool, 3, cascade)
            w.write(.string, 4, changeSummary)
            w.write(.string, 5, expectedEtag)
        }
    }

    public struct RemoveStepResponse: SchemaMessage {
        public static let protoName = "spindle.v1.RemoveStepResponse"
        public static let fields: [FieldInfo] = [
            .message("workflow", 1, scope + "Workflow"), FieldInfo("removed_step_ids", 2, .string, .repeated),
        ]
        public var workflow: Workflow?
        public var removedStepIDs: [String] = []
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.readMessage(t, &workflow)
            case 2: try r.read(.string, t, &removedStepIDs)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.writeMessage(1, workflow)
            w.write(.string, 2, removedStepIDs)
        }
    }

    public struct GetOutputVariablesRequest: SchemaMessage {
        public static let protoName = "spindle.v1.GetOutputVariablesRequest"
        public static let fields: [FieldInfo] = [FieldInfo("workflow_id", 1, .string), FieldInfo("version", 2, .int32)]
        public var workflowID = ""
        /// 0 means the current version.
        public var version: Int32 = 0
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.string, t, &workflowID)
            case 2: try r.read(.int32, t, &version)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.write(.string, 1, workflowID)
            w.write(.int32, 2, version)
        }
    }

    public struct GetOutputVariablesResponse: SchemaMessage {
        public static let protoName = "spindle.v1.GetOutputVariablesResponse"
        public static let fields: [FieldInfo] = [.message("variables", 1, scope + "OutputVariable", .repeated)]
        public var variables: [OutputVariable] = []
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.readMessage(t, &variables)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) { w.writeMessage(1, variables) }
    }

    public struct ListVersionsRequest: SchemaMessage {
        public static let protoName = "spindle.v1.ListVersionsRequest"
        public static let fields: [FieldInfo] = [
            FieldInfo("workflow_id", 1, .string), FieldInfo("page_size", 2, .int32), FieldInfo("page_token", 3, .string),
        ]
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

    public struct ListVersionsResponse: SchemaMessage {
        public static let protoName = "spindle.v1.ListVersionsResponse"
        public static let fields: [FieldInfo] = [
            .message("versions", 1, scope + "WorkflowVersion", .repeated), FieldInfo("next_page_token", 2, .string),
        ]
        public var versions: [WorkflowVersion] = []
        public var nextPageToken = ""
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.readMessage(t, &versions)
            case 2: try r.read(.string, t, &nextPageToken)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.writeMessage(1, versions)
            w.write(.string, 2, nextPageToken)
        }
    }

    public struct GetVersionRequest: SchemaMessage {
        public static let protoName = "spindle.v1.GetVersionRequest"
        public static let fields: [FieldInfo] = [FieldInfo("workflow_id", 1, .string), FieldInfo("version", 2, .int32)]
        public var workflowID = ""
        public var version: Int32 = 0
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.string, t, &workflowID)
            case 2: try r.read(.int32, t, &version)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.write(.string, 1, workflowID)
            w.write(.int32, 2, version)
        }
    }

    public struct DiffVersionsRequest: SchemaMessage {
        public static let protoName = "spindle.v1.DiffVersionsRequest"
        public static let fields: [FieldInfo] = [
            FieldInfo("workflow_id", 1, .string), FieldInfo("from_version", 2, .int32), FieldInfo("to_version", 3, .int32),
        ]
        public var workflowID = ""
        public var fromVersion: Int32 = 0
        public var toVersion: Int32 = 0
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.string, t, &workflowID)
            case 2: try r.read(.int32, t, &fromVersion)
            case 3: try r.read(.int32, t, &toVersion)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.write(.string, 1, workflowID)
            w.write(.int32, 2, fromVersion)
            w.write(.int32, 3, toVersion)
        }
    }

    public struct DiffVersionsResponse: SchemaMessage {
        public static let protoName = "spindle.v1.DiffVersionsResponse"
        public static let fields: [FieldInfo] = [
            .message("operations", 1, scope + "PatchOperation", .repeated), FieldInfo("summary", 2, .string),
            FieldInfo("from_version", 3, .int32), FieldInfo("to_version", 4, .int32),
        ]
        public var operations: [PatchOperation] = []
        public var summary = ""
        public var fromVersion: Int32 = 0
        public var toVersion: Int32 = 0
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.readMessage(t, &operations)
            case 2: try r.read(.string, t, &summary)
            case 3: try r.read(.int32, t, &fromVersion)
            case 4: try r.read(.int32, t, &toVersion)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.writeMessage(1, operations)
            w.write(.string, 2, summary)
            w.write(.int32, 3, fromVersion)
            w.write(.int32, 4, toVersion)
        }
    }

    public struct RollbackWorkflowRequest: SchemaMessage {
        public static let protoName = "spindle.v1.RollbackWorkflowRequest"
        public static let fields: [FieldInfo] = [
            FieldInfo("workflow_id", 1, .string), FieldInfo("to_version", 2, .int32),
            FieldInfo("change_summary", 3, .string), FieldInfo("expected_etag", 4, .string),
        ]
        public var workflowID = ""
        public var toVersion: Int32 = 0
        public var changeSummary = ""
        public var expectedEtag = ""
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.string, t, &workflowID)
            case 2: try r.read(.int32, t, &toVersion)
            case 3: try r.read(.string, t, &changeSummary)
            case 4: try r.read(.string, t, &expectedEtag)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.write(.string, 1, workflowID)
            w.write(.int32, 2, toVersion)
            w.write(.string, 3, changeSummary)
            w.write(.string, 4, expectedEtag)
        }
    }

    public struct ListTemplatesRequest: SchemaMessage {
        public static let protoName = "spindle.v1.ListTemplatesRequest"
        public static let fields: [FieldInfo] = [
            FieldInfo("page_size", 1, .int32), FieldInfo("page_token", 2, .string), FieldInfo("tag", 3, .string),
        ]
        public var pageSize: Int32 = 0
        public var pageToken = ""
        public var tag = ""
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.int32, t, &pageSize)
            case 2: try r.read(.string, t, &pageToken)
            case 3: try r.read(.string, t, &tag)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.write(.int32, 1, pageSize)
            w.write(.string, 2, pageToken)
            w.write(.string, 3, tag)
        }
    }

    public struct ListTemplatesResponse: SchemaMessage {
        public static let protoName = "spindle.v1.ListTemplatesResponse"
        public static let fields: [FieldInfo] = [
            .message("templates", 1, scope + "Template", .repeated), FieldInfo("next_page_token", 2, .string),
        ]
        public var templates: [Template] = []
        public var nextPageToken = ""
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.readMessage(t, &templates)
            case 2: try r.read(.string, t, &nextPageToken)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.writeMessage(1, templates)
            w.write(.string, 2, nextPageToken)
        }
    }

    public struct GetTemplateRequest: SchemaMessage {
        public static let protoName = "spindle.v1.GetTemplateRequest"
        public static let fields: [FieldInfo] = [FieldInfo("template_id", 1, .string)]
        public var templateID = ""
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.string, t, &templateID)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) { w.write(.string, 1, templateID) }
    }

    public struct InstallTemplateRequest: SchemaMessage {
        public static let protoName = "spindle.v1.InstallTemplateRequest"
        public static let fields: [FieldInfo] = [FieldInfo("template_id", 1, .string), FieldInfo("name", 2, .string)]
        public var templateID = ""
        public var name = ""
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.string, t, &templateID)
            case 2: try r.read(.string, t, &name)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.write(.string, 1, templateID)
            w.write(.string, 2, name)
        }
    }

    public struct SaveAsTemplateRequest: SchemaMessage {
        public static let protoName = "spindle.v1.SaveAsTemplateRequest"
        public static let fields: [FieldInfo] = [
            FieldInfo("workflow_id", 1, .string), FieldInfo("template_id", 2, .string), FieldInfo("name", 3, .string),
            FieldInfo("description", 4, .string), FieldInfo("tags", 5, .string, .repeated),
        ]
        public var workflowID = ""
        public var templateID = ""
        public var name = ""
        public var description = ""
        public var tags: [String] = []
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.string, t, &workflowID)
            case 2: try r.read(.string, t, &templateID)
            case 3: try r.read(.string, t, &name)
            case 4: try r.read(.string, t, &description)
            case 5: try r.read(.string, t, &tags)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.write(.string, 1, workflowID)
            w.write(.string, 2, templateID)
            w.write(.string, 3, name)
            w.write(.string, 4, description)
            w.write(.string, 5, tags)
        }
    }

    public struct UploadFileMetadata: SchemaMessage {
        public static let protoName = "spindle.v1.UploadFileMetadata"
        public static let fields: [FieldInfo] = [
            FieldInfo("workflow_id", 1, .string), FieldInfo("step_id", 2, .string), FieldInfo("file_name", 3, .string),
            FieldInfo("content_type", 4, .string), .enumeration("purpose", 5, scope + "FilePurpose"),
        ]
        public var workflowID = ""
        /// Empty attaches the file to the workflow rather than one of its steps.
        public var stepID = ""
        public var fileName = ""
        public var contentType = ""
        public var purpose = FilePurpose.unspecified
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.string, t, &workflowID)
            case 2: try r.read(.string, t, &stepID)
            case 3: try r.read(.string, t, &fileName)
            case 4: try r.read(.string, t, &contentType)
            case 5: try r.readEnum(t, &purpose)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.write(.string, 1, workflowID)
            w.write(.string, 2, stepID)
            w.write(.string, 3, fileName)
            w.write(.string, 4, contentType)
            w.writeEnum(5, purpose)
        }
    }

    public struct UploadFilesRequest: SchemaMessage {
        public static let protoName = "spindle.v1.UploadFilesRequest"
        public static let fields: [FieldInfo] = [
            .message("metadata", 1, scope + "UploadFileMetadata", oneof: "payload"),
            FieldInfo("chunk", 2, .bytes, oneof: "payload"),
        ]

        /// The first message of a stream carries metadata, every later one a chunk.
        public enum Payload: Sendable, Equatable {
            case metadata(UploadFileMetadata)
            case chunk([UInt8])
        }

        public var payload: Payload?
        public init() {}
        public init(_ payload: Payload) { self.payload = payload }
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1:
                var m = if case .metadata(let v)? = payload { v } else { UploadFileMetadata() }
                try r.readMessage(t, &m)
                payload = .metadata(m)
            case 2: var v: [UInt8]?; try r.read(.bytes, t, &v); payload = v.map { .chunk($0) }
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            switch payload {
            case .metadata(let v)?: w.writeMessage(1, v)
            case .chunk(let v)?: w.write(.bytes, 2, .some(v))
            case nil: break
            }
        }
    }

    public struct UploadFilesResponse: SchemaMessage {
        public static let protoName = "spindle.v1.UploadFilesResponse"
        public static let fields: [FieldInfo] = [
            FieldInfo("file_id", 1, .string), FieldInfo("size", 2, .int64), FieldInfo("sha256", 3, .string),
        ]
        public var fileID = ""
        public var size: Int64 = 0
        public var sha256 = ""
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.string, t, &fileID)
            case 2: try r.read(.int64, t, &size)
            case 3: try r.read(.string, t, &sha256)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.write(.string, 1, fileID)
            w.write(.int64, 2, size)
            w.write(.string, 3, sha256)
        }
    }
}
