// spindle/v1/workflow.proto: the workflow definition model (notes/model.md).
public import ProtoWire

extension SpindleV1 {
    /// ".spindle.v1." — the prefix of every type name in the field tables below.
    static let scope = ".spindle.v1."

    public struct WorkflowStatus: SchemaEnum {
        public static let protoName = "spindle.v1.WorkflowStatus"
        public static let values: [(name: String, number: Int32)] = [
            ("WORKFLOW_STATUS_UNSPECIFIED", 0), ("WORKFLOW_STATUS_DRAFT", 1), ("WORKFLOW_STATUS_ACTIVE", 2),
            ("WORKFLOW_STATUS_PAUSED", 3), ("WORKFLOW_STATUS_ARCHIVED", 4),
        ]
        public static let unspecified = Self(rawValue: 0)
        public static let draft = Self(rawValue: 1)
        public static let active = Self(rawValue: 2)
        public static let paused = Self(rawValue: 3)
        public static let archived = Self(rawValue: 4)
        public var rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }
    }

    public struct TriggerType: SchemaEnum {
        public static let protoName = "spindle.v1.TriggerType"
        public static let values: [(name: String, number: Int32)] = [
            ("TRIGGER_TYPE_UNSPECIFIED", 0), ("TRIGGER_TYPE_MANUAL", 1), ("TRIGGER_TYPE_SCHEDULE", 2),
            ("TRIGGER_TYPE_WEBHOOK", 3), ("TRIGGER_TYPE_EVENT", 4),
        ]
        public static let unspecified = Self(rawValue: 0)
        public static let manual = Self(rawValue: 1)
        public static let schedule = Self(rawValue: 2)
        public static let webhook = Self(rawValue: 3)
        public static let event = Self(rawValue: 4)
        public var rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }
    }

    public struct WorkflowKind: SchemaEnum {
        public static let protoName = "spindle.v1.WorkflowKind"
        public static let values: [(name: String, number: Int32)] = [
            ("WORKFLOW_KIND_UNSPECIFIED", 0), ("WORKFLOW_KIND_WORKFLOW", 1), ("WORKFLOW_KIND_CHATBOT", 2),
            ("WORKFLOW_KIND_AGENT", 3),
        ]
        public static let unspecified = Self(rawValue: 0)
        public static let workflow = Self(rawValue: 1)
        public static let chatbot = Self(rawValue: 2)
        public static let agent = Self(rawValue: 3)
        public var rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }
    }

    public struct InputType: SchemaEnum {
        public static let protoName = "spindle.v1.InputType"
        public static let values: [(name: String, number: Int32)] = [
            ("INPUT_TYPE_UNSPECIFIED", 0), ("INPUT_TYPE_STRING", 1), ("INPUT_TYPE_NUMBER", 2),
            ("INPUT_TYPE_INTEGER", 3), ("INPUT_TYPE_BOOLEAN", 4), ("INPUT_TYPE_OBJECT", 5),
            ("INPUT_TYPE_ARRAY", 6), ("INPUT_TYPE_FILE", 7),
        ]
        public static let unspecified = Self(rawValue: 0)
        public static let string = Self(rawValue: 1)
        public static let number = Self(rawValue: 2)
        public static let integer = Self(rawValue: 3)
        public static let boolean = Self(rawValue: 4)
        public static let object = Self(rawValue: 5)
        public static let array = Self(rawValue: 6)
        public static let file = Self(rawValue: 7)
        public var rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }
    }

    public struct ValidationCode: SchemaEnum {
        public static let protoName = "spindle.v1.ValidationCode"
        public static let values: [(name: String, number: Int32)] = [
            ("VALIDATION_CODE_UNSPECIFIED", 0), ("VALIDATION_CODE_EMPTY_STEP_ID", 1),
            ("VALIDATION_CODE_INVALID_STEP_ID", 2), ("VALIDATION_CODE_DUPLICATE_STEP_ID", 3),
            ("VALIDATION_CODE_UNKNOWN_STEP_TYPE", 4), ("VALIDATION_CODE_MISSING_REQUIRED_CONFIG", 5),
            ("VALIDATION_CODE_UNKNOWN_DEPENDENCY", 6), ("VALIDATION_CODE_SELF_DEPENDENCY", 7),
            ("VALIDATION_CODE_CYCLE", 8), ("VALIDATION_CODE_MAPPING_UNKNOWN_STEP", 9),
            ("VALIDATION_CODE_MAPPING_NOT_UPSTREAM", 10), ("VALIDATION_CODE_INVALID_RETRY", 11),
            ("VALIDATION_CODE_STEP_ORDER_MISMATCH", 12), ("VALIDATION_CODE_INVALID_INPUT", 13),
            ("VALIDATION_CODE_INVALID_BRANCH", 14),
        ]
        public static let unspecified = Self(rawValue: 0)
        public static let emptyStepID = Self(rawValue: 1)
        public static let invalidStepID = Self(rawValue: 2)
        public static let duplicateStepID = Self(rawValue: 3)
        public static let unknownStepType = Self(rawValue: 4)
        public static let missingRequiredConfig = Self(rawValue: 5)
        public static let unknownDependency = Self(rawValue: 6)
        public static let selfDependency = Self(rawValue: 7)
        public static let cycle = Self(rawValue: 8)
        public static let mappingUnknownStep = Self(rawValue: 9)
        public static let mappingNotUpstream = Self(rawValue: 10)
        public static let invalidRetry = Self(rawValue: 11)
        public static let stepOrderMismatch = Self(rawValue: 12)
        public static let invalidInput = Self(rawValue: 13)
        public static let invalidBranch = Self(rawValue: 14)
        public var rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }
    }

    public struct FilePurpose: SchemaEnum {
        public static let protoName = "spindle.v1.FilePurpose"
        public static let values: [(name: String, number: Int32)] = [
            ("FILE_PURPOSE_UNSPECIFIED", 0), ("FILE_PURPOSE_TEST_FILE", 1), ("FILE_PURPOSE_DATASET", 2),
        ]
        public static let unspecified = Self(rawValue: 0)
        public static let testFile = Self(rawValue: 1)
        public static let dataset = Self(rawValue: 2)
        public var rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }
    }

    public struct Workflow: SchemaMessage {
        public static let protoName = "spindle.v1.Workflow"
        public static let fields: [FieldInfo] = [
            FieldInfo("id", 1, .string), FieldInfo("tenant_id", 2, .string), FieldInfo("name", 3, .string),
            FieldInfo("description", 4, .string), FieldInfo("tags", 5, .string, .repeated),
            .enumeration("status", 6, scope + "WorkflowStatus"), .enumeration("trigger_type", 7, scope + "TriggerType"),
            .enumeration("kind", 8, scope + "WorkflowKind"), .message("inputs", 9, scope + "InputDeclaration", .repeated),
            .message("config", 10, ".google.protobuf.Struct"), FieldInfo("webhook_url", 11, .string),
            .message("origin", 12, scope + "Origin"), .message("test_inputs", 13, ".google.protobuf.Struct", .repeated),
            .message("definition", 14, scope + "WorkflowDefinition"),
            .message("created_at", 15, ".google.protobuf.Timestamp"), .message("updated_at", 16, ".google.protobuf.Timestamp"),
            FieldInfo("current_version", 17, .int32), FieldInfo("etag", 18, .string), FieldInfo("deleted", 19, .bool),
            .message("deleted_at", 20, ".google.protobuf.Timestamp"), FieldInfo("started_run_id", 21, .string),
        ]
        public var id = ""
        public var tenantID = ""
        public var name = ""
        public var description = ""
        public var tags: [String] = []
        public var status = WorkflowStatus.unspecified
        public var triggerType = TriggerType.unspecified
        public var kind = WorkflowKind.unspecified
        public var inputs: [InputDeclaration] = []
        public var config: GoogleProtobuf.Struct?
        public var webhookURL = ""
        public var origin: Origin?
        public var testInputs: [GoogleProtobuf.Struct] = []
        public var definition: WorkflowDefinition?
        public var createdAt: GoogleProtobuf.Timestamp?
        public var updatedAt: GoogleProtobuf.Timestamp?
        public var currentVersion: Int32 = 0
        public var etag = ""
        public var deleted = false
        public var deletedAt: GoogleProtobuf.Timestamp?
        /// Only in CreateWorkflow's response, when the request asked to start a run.
        public var startedRunID = ""
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.string, t, &id)
            case 2: try r.read(.string, t, &tenantID)
            case 3: try r.read(.string, t, &name)
            case 4: try r.read(.string, t, &description)
            case 5: try r.read(.string, t, &tags)
            case 6: try r.readEnum(t, &status)
            case 7: try r.readEnum(t, &triggerType)
            case 8: try r.readEnum(t, &kind)
            case 9: try r.readMessage(t, &inputs)
            case 10: try r.readMessage(t, &config)
            case 11: try r.read(.string, t, &webhookURL)
            case 12: try r.readMessage(t, &origin)
            case 13: try r.readMessage(t, &testInputs)
            case 14: try r.readMessage(t, &definition)
            case 15: try r.readMessage(t, &createdAt)
            case 16: try r.readMessage(t, &updatedAt)
            case 17: try r.read(.int32, t, &currentVersion)
            case 18: try r.read(.string, t, &etag)
            case 19: try r.read(.bool, t, &deleted)
            case 20: try r.readMessage(t, &deletedAt)
            case 21: try r.read(.string, t, &startedRunID)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.write(.string, 1, id)
            w.write(.string, 2, tenantID)
            w.write(.string, 3, name)
            w.write(.string, 4, description)
            w.write(.string, 5, tags)
            w.writeEnum(6, status)
            w.writeEnum(7, triggerType)
            w.writeEnum(8, kind)
            w.writeMessage(9, inputs)
            w.writeMessage(10, config)
            w.write(.string, 11, webhookURL)
            w.writeMessage(12, origin)
            w.writeMessage(13, testInputs)
            w.writeMessage(14, definition)
            w.writeMessage(15, createdAt)
            w.writeMessage(16, updatedAt)
            w.write(.int32, 17, currentVersion)
            w.write(.string, 18, etag)
            w.write(.bool, 19, deleted)
            w.writeMessage(20, deletedAt)
            w.write(.string, 21, startedRunID)
        }
    }

    public struct WorkflowDefinition: SchemaMessage {
        public static let protoName = "spindle.v1.WorkflowDefinition"
        public static let fields: [FieldInfo] = [
            .message("steps", 1, scope + "Step", .repeated), FieldInfo("step_order", 2, .string, .repeated),
        ]
        public var steps: [Step] = []
        public var stepOrder: [String] = []
        public init() {}
        public init(steps: [Step], stepOrder: [String] = []) { (self.steps, self.stepOrder) = (steps, stepOrder) }
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.readMessage(t, &steps)
            case 2: try r.read(.string, t, &stepOrder)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.writeMessage(1, steps)
            w.write(.string, 2, stepOrder)
        }
    }

    public struct Step: SchemaMessage {
        public static let protoName = "spindle.v1.Step"
        public static let fields: [FieldInfo] = [
            FieldInfo("id", 1, .string), FieldInfo("name", 2, .string), FieldInfo("type", 3, .string),
            .message("config", 4, ".google.protobuf.Struct"), FieldInfo("depends_on", 5, .string, .repeated),
            .message("input_mappings", 6, scope + "InputMapping", .repeated), .message("retry", 7, scope + "RetryPolicy"),
            .message("timeout", 8, ".google.protobuf.Duration"), .message("fallback", 9, scope + "Fallback"),
        ]
        public var id = ""
        public var name = ""
        public var type = ""
        public var config: GoogleProtobuf.Struct?
        public var dependsOn: [String] = []
        public var inputMappings: [InputMapping] = []
        public var retry: RetryPolicy?
        public var timeout: GoogleProtobuf.Duration?
        public var fallback: Fallback?
        public init() {}
        public init(id: String, type: String, config: GoogleProtobuf.Struct? = nil, dependsOn: [String] = []) {
            (self.id, self.type, self.config, self.dependsOn) = (id, type, config, dependsOn)
        }
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.string, t, &id)
            case 2: try r.read(.string, t, &name)
            case 3: try r.read(.string, t, &type)
            case 4: try r.readMessage(t, &config)
            case 5: try r.read(.string, t, &dependsOn)
            case 6: try r.readMessage(t, &inputMappings)
            case 7: try r.readMessage(t, &retry)
            case 8: try r.readMessage(t, &timeout)
            case 9: try r.readMessage(t, &fallback)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.write(.string, 1, id)
            w.write(.string, 2, name)
            w.write(.string, 3, type)
            w.writeMessage(4, config)
            w.write(.string, 5, dependsOn)
            w.writeMessage(6, inputMappings)
            w.writeMessage(7, retry)
            w.writeMessage(8, timeout)
            w.writeMessage(9, fallback)
        }
    }

    public struct InputMapping: SchemaMessage {
        public static let protoName = "spindle.v1.InputMapping"
        public static let fields: [FieldInfo] = [
            FieldInfo("from_step", 1, .string), FieldInfo("from_field", 2, .string),
            FieldInfo("to_field", 3, .string), FieldInfo("transform", 4, .string),
        ]
        public var fromStep = ""
        public var fromField = ""
        public var toField = ""
        public var transform = ""
        public init() {}
        public init(fromStep: String, fromField: String, toField: String, transform: String = "") {
            (self.fromStep, self.fromField, self.toField, self.transform) = (fromStep, fromField, toField, transform)
        }
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.string, t, &fromStep)
            case 2: try r.read(.string, t, &fromField)
            case 3: try r.read(.string, t, &toField)
            case 4: try r.read(.string, t, &transform)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.write(.string, 1, fromStep)
            w.write(.string, 2, fromField)
            w.write(.string, 3, toField)
            w.write(.string, 4, transform)
        }
    }

    public struct RetryPolicy: SchemaMessage {
        public static let protoName = "spindle.v1.RetryPolicy"
        public static let fields: [FieldInfo] = [
            FieldInfo("max_attempts", 1, .int32), .message("initial_backoff", 2, ".google.protobuf.Duration"),
            .message("max_backoff", 3, ".google.protobuf.Duration"), .message("backoff_multiplier", 4, ".google.protobuf.DoubleValue"),
            FieldInfo("retryable_errors", 5, .string, .repeated),
        ]
        public var maxAttempts: Int32 = 0
        public var initialBackoff: GoogleProtobuf.Duration?
        public var maxBackoff: GoogleProtobuf.Duration?
        /// nil when unset: the engine's default applies. A wrapper, for presence that every
        /// generated client supports (see the .proto).
        public var backoffMultiplier: GoogleProtobuf.DoubleValue?
        public var retryableErrors: [String] = []
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.int32, t, &maxAttempts)
            case 2: try r.readMessage(t, &initialBackoff)
            case 3: try r.readMessage(t, &maxBackoff)
            case 4: try r.readMessage(t, &backoffMultiplier)
            case 5: try r.read(.string, t, &retryableErrors)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.write(.int32, 1, maxAttempts)
            w.writeMessage(2, initialBackoff)
            w.writeMessage(3, maxBackoff)
            w.writeMessage(4, backoffMultiplier)
            w.write(.string, 5, retryableErrors)
        }
    }

    public struct Fallback: SchemaMessage {
        public static let protoName = "spindle.v1.Fallback"
        public static let fields: [FieldInfo] = [
            FieldInfo("type", 1, .string), .message("config", 2, ".google.protobuf.Struct"),
        ]
        public var type = ""
        public var config: GoogleProtobuf.Struct?
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.string, t, &type)
            case 2: try r.readMessage(t, &config)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.write(.string, 1, type)
            w.writeMessage(2, config)
        }
    }

    public struct InputDeclaration: SchemaMessage {
        public static let protoName = "spindle.v1.InputDeclaration"
        public static let fields: [FieldInfo] = [
            FieldInfo("name", 1, .string), .enumeration("type", 2, scope + "InputType"), FieldInfo("required", 3, .bool),
            .message("default_value", 4, ".google.protobuf.Value"), FieldInfo("description", 5, .string),
        ]
        public var name = ""
        public var type = InputType.unspecified
        public var required = false
        public var defaultValue: GoogleProtobuf.Value?
        public var description = ""
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.string, t, &name)
            case 2: try r.readEnum(t, &type)
            case 3: try r.read(.bool, t, &required)
            case 4: try r.readMessage(t, &defaultValue)
            case 5: try r.read(.string, t, &description)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.write(.string, 1, name)
            w.writeEnum(2, type)
            w.write(.bool, 3, required)
            w.writeMessage(4, defaultValue)
            w.write(.string, 5, description)
        }
    }

    public struct Origin: SchemaMessage {
        public static let protoName = "spindle.v1.Origin"
        public static let fields: [FieldInfo] = [
            FieldInfo("instance", 1, .string), FieldInfo("zone", 2, .string), FieldInfo("reference", 3, .string),
        ]
        public var instance = ""
        public var zone = ""
        public var reference = ""
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.string, t, &instance)
            case 2: try r.read(.string, t, &zone)
            case 3: try r.read(.string, t, &reference)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.write(.string, 1, instance)
            w.write(.string, 2, zone)
            w.write(.string, 3, reference)
        }
    }

    public struct WorkflowVersion: SchemaMessage {
        public static let protoName = "spindle.v1.WorkflowVersion"
        public static let fields: [FieldInfo] = [
            FieldInfo("number", 1, .int32), FieldInfo("change_summary", 2, .string),
            FieldInfo("definition_hash", 3, .string), .message("created_at", 4, ".google.protobuf.Timestamp"),
            .message("definition", 5, scope + "WorkflowDefinition"),
        ]
        public var number: Int32 = 0
        public var changeSummary = ""
        public var definitionHash = ""
        public var createdAt: GoogleProtobuf.Timestamp?
        public var definition: WorkflowDefinition?
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.int32, t, &number)
            case 2: try r.read(.string, t, &changeSummary)
            case 3: try r.read(.string, t, &definitionHash)
            case 4: try r.readMessage(t, &createdAt)
            case 5: try r.readMessage(t, &definition)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.write(.int32, 1, number)
            w.write(.string, 2, changeSummary)
            w.write(.string, 3, definitionHash)
            w.writeMessage(4, createdAt)
            w.writeMessage(5, definition)
        }
    }

    public struct Template: SchemaMessage {
        public static let protoName = "spindle.v1.Template"
        public static let fields: [FieldInfo] = [
            FieldInfo("id", 1, .string), FieldInfo("name", 2, .string), FieldInfo("description", 3, .string),
            .message("definition", 4, scope + "WorkflowDefinition"),
            .message("inputs", 5, scope + "InputDeclaration", .repeated), FieldInfo("tags", 6, .string, .repeated),
        ]
        public var id = ""
        public var name = ""
        public var description = ""
        public var definition: WorkflowDefinition?
        public var inputs: [InputDeclaration] = []
        public var tags: [String] = []
        public init() {}
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.string, t, &id)
            case 2: try r.read(.string, t, &name)
            case 3: try r.read(.string, t, &description)
            case 4: try r.readMessage(t, &definition)
            case 5: try r.readMessage(t, &inputs)
            case 6: try r.read(.string, t, &tags)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.write(.string, 1, id)
            w.write(.string, 2, name)
            w.write(.string, 3, description)
            w.writeMessage(4, definition)
            w.writeMessage(5, inputs)
            w.write(.string, 6, tags)
        }
    }

    public struct ValidationError: SchemaMessage {
        public static let protoName = "spindle.v1.ValidationError"
        public static let fields: [FieldInfo] = [
            FieldInfo("step_id", 1, .string), FieldInfo("field", 2, .string),
            .enumeration("code", 3, scope + "ValidationCode"), FieldInfo("message", 4, .string),
        ]
        public var stepID = ""
        public var field = ""
        public var code = ValidationCode.unspecified
        public var message = ""
        public init() {}
        public init(stepID: String, field: String, code: ValidationCode, message: String) {
            (self.stepID, self.field, self.code, self.message) = (stepID, field, code, message)
        }
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.string, t, &stepID)
            case 2: try r.read(.string, t, &field)
            case 3: try r.readEnum(t, &code)
            case 4: try r.read(.string, t, &message)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.write(.string, 1, stepID)
            w.write(.string, 2, field)
            w.writeEnum(3, code)
            w.write(.string, 4, message)
        }
    }

    public struct PatchOperation: SchemaMessage {
        public static let protoName = "spindle.v1.PatchOperation"
        public static let fields: [FieldInfo] = [
            FieldInfo("op", 1, .string), FieldInfo("path", 2, .string), FieldInfo("from", 3, .string),
            .message("value", 4, ".google.protobuf.Value"),
        ]
        public var op = ""
        public var path = ""
        public var from = ""
        public var value: GoogleProtobuf.Value?
        public init() {}
        public init(op: String, path: String, from: String = "", value: GoogleProtobuf.Value? = nil) {
            (self.op, self.path, self.from, self.value) = (op, path, from, value)
        }
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.string, t, &op)
            case 2: try r.read(.string, t, &path)
            case 3: try r.read(.string, t, &from)
            case 4: try r.readMessage(t, &value)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.write(.string, 1, op)
            w.write(.string, 2, path)
            w.write(.string, 3, from)
            w.writeMessage(4, value)
        }
    }

    public struct OutputVariable: SchemaMessage {
        public static let protoName = "spindle.v1.OutputVariable"
        public static let fields: [FieldInfo] = [
            FieldInfo("step_id", 1, .string), FieldInfo("variable", 2, .string), FieldInfo("name", 3, .string),
        ]
        public var stepID = ""
        public var variable = ""
        public var name = ""
        public init() {}
        public init(stepID: String, variable: String, name: String) {
            (self.stepID, self.variable, self.name) = (stepID, variable, name)
        }
        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.string, t, &stepID)
            case 2: try r.read(.string, t, &variable)
            case 3: try r.read(.string, t, &name)
            default: try r.skip(t)
            }
        }
        public func encodeFields(to w: inout ProtoWriter) {
            w.write(.string, 1, stepID)
            w.write(.string, 2, variable)
            w.write(.string, 3, name)
        }
    }
}
