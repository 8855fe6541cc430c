// Proto <-> engine for the workflow model. Proto -> engine can fail (an unknown enum value, a
// NaN in a Struct, a malformed Duration): each failure names the request field, so the caller
// gets INVALID_ARGUMENT with a BadRequest pointing at it. Engine -> proto cannot fail.
import Engine
import Messages
import ProtoWire
import RPC

typealias PB = SpindleV1
typealias WKT = GoogleProtobuf

/// A request field that does not map onto the engine model.
struct MappingError: Error, Sendable, Equatable {
    var field: String
    var message: String
}

enum WorkflowMapping {
    // MARK: JSON values

    static func json(_ v: WKT.Value, at field: String) throws(MappingError) -> JSONValue {
        switch v.kind {
        case nil, .nullValue?: return .null
        case .boolValue(let b)?: return .bool(b)
        case .stringValue(let s)?: return .string(s)
        case .numberValue(let n)?:
            guard n.isFinite else { throw MappingError(field: field, message: "\(n) is not a JSON number") }
            return .number(n)
        case .listValue(let l)?:
            var out: [JSONValue] = []
            out.reserveCapacity(l.values.count)
            for (i, item) in l.values.enumerated() { out.append(try json(item, at: "\(field)[\(i)]")) }
            return .array(out)
        case .structValue(let s)?: return .object(try object(s, at: field))
        }
    }

    static func object(_ s: WKT.Struct?, at field: String) throws(MappingError) -> [String: JSONValue] {
        guard let s else { return [:] }
        var out: [String: JSONValue] = [:]
        for (key, value) in s.fields { out[key] = try json(value, at: "\(field).\(key)") }
        return out
    }

    static func value(_ v: JSONValue) -> WKT.Value {
        var out = WKT.Value()
        switch v {
        case .null: out.kind = .nullValue(WKT.NullValue(rawValue: 0))
        case .bool(let b): out.kind = .boolValue(b)
        case .number(let n): out.kind = .numberValue(n)
        case .string(let s): out.kind = .stringValue(s)
        case .array(let a):
            var l = WKT.ListValue()
            l.values = a.map(value)
            out.kind = .listValue(l)
        case .object(let o): out.kind = .structValue(structValue(o))
        }
        return out
    }

    static func structValue(_ o: [String: JSONValue]) -> WKT.Struct {
        var s = WKT.Struct()
        for (k, v) in o { s.fields[k] = value(v) }
        return s
    }

    /// An empty object is sent as an unset Struct, so unset -> [:] -> unset round-trips.
    static func optionalStruct(_ o: [String: JSONValue]) -> WKT.Struct? { o.isEmpty ? nil : structValue(o) }

    // MARK: Times

    static func timestamp(_ t: Instant) -> WKT.Timestamp {
        let (s, n) = t.nanosSinceEpoch.quotientAndRemainder(dividingBy: 1_000_000_000)
        // Timestamp nanos are never negative: borrow a second for instants before 1970.
        return n < 0 ? WKT.Timestamp(seconds: s - 1, nanos: Int32(n + 1_000_000_000)) : WKT.Timestamp(seconds: s, nanos: Int32(n))
    }

    static func instant(_ t: WKT.Timestamp) -> Instant {
        Instant(nanosSinceEpoch: t.seconds * 1_000_000_000 + Int64(t.nanos))
    }

    static func span(_ d: WKT.Duration?, at field: String) throws(MappingError) -> TimeSpan? {
        guard let d else { return nil }
        guard (-999_999_999...999_999_999).contains(d.nanos) else {
            throw MappingError(field: field, message: "nanos \(d.nanos) is outside -999999999...999999999")
        }
        guard d.seconds == 0 || d.nanos == 0 || (d.seconds < 0) == (d.nanos < 0) else {
            throw MappingError(field: field, message: "seconds \(d.seconds) and nanos \(d.nanos) have different signs")
        }
        guard (-315_576_000_000...315_576_000_000).contains(d.seconds) else {
            throw MappingError(field: field, message: "seconds \(d.seconds) is outside +-315576000000 (10000 years)")
        }
        return TimeSpan(seconds: d.seconds, nanos: d.nanos)
    }

    static func duration(_ t: TimeSpan?) -> WKT.Duration? {
        t.map { WKT.Duration(seconds: $0.seconds, nanos: $0.nanos) }
    }

    // MARK: Enums

    static func enumValue<E: RawRepresentable<Int32>>(_ raw: Int32, _: E.Type, at field: String,
                                                        name: String) throws(MappingError) -> E {
        guard let e = E(rawValue: raw) else { throw MappingError(field: field, message: "unknown \(name) value \(raw)") }
        return e
    }

    static func status(_ s: PB.WorkflowStatus, at field: String) throws(MappingError) -> Engine.WorkflowStatus {
        try enumValue(s.rawValue, Engine.WorkflowStatus.self, at: field, name: "WorkflowStatus")
    }

    static func triggerType(_ t: PB.TriggerType, at field: String) throws(MappingError) -> Engine.TriggerType {
        try enumValue(t.rawValue, Engine.TriggerType.self, at: field, name: "TriggerType")
    }

    // MARK: Definition

    static func definition(_ d: PB.WorkflowDefinition, at field: String) throws(MappingError) -> Engine.WorkflowDefinition {
        var steps: [Engine.Step] = []
        steps.reserveCapacity(d.steps.count)
        for (i, s) in d.steps.enumerated() {
            steps.append(try step(s, at: "\(field)steps[\(s.id.isEmpty ? String(i) : s.id)]"))
        }
        return Engine.WorkflowDefinition(steps: steps, stepOrder: d.stepOrder)
    }

    static func step(_ s: PB.Step, at field: String) throws(MappingError) -> Engine.Step {
        var retry: Engine.RetryPolicy?
        if let r = s.retry {
            retry = Engine.RetryPolicy(maxAttempts: r.maxAttempts,
                                       initialBackoff: try span(r.initialBackoff, at: "\(field).retry.initial_backoff"),
                                       maxBackoff: try span(r.maxBackoff, at: "\(field).retry.max_backoff"),
                                       backoffMultiplier: r.backoffMultiplier?.value ?? 0,
                                       retryableErrors: r.retryableErrors)
            if let m = r.backoffMultiplier?.value, !m.isFinite {
                throw MappingError(field: "\(field).retry.backoff_multiplier", message: "\(m) is not a finite number")
            }
        }
        let fallback = try s.fallback.map { (f: PB.Fallback) throws(MappingError) in
            Engine.Fallback(type: f.type, config: try object(f.config, at: "\(field).fallback.config"))
        }
        return Engine.Step(id: s.id, name: s.name, type: s.type, config: try object(s.config, at: "\(field).config"),
                           dependsOn: s.dependsOn,
                           inputMappings: s.inputMappings.map {
                               InputMapping(fromStep: $0.fromStep, fromField: $0.fromField, toField: $0.toField,
                                            transform: $0.transform)
                           },
                           retry: retry, timeout: try span(s.timeout, at: "\(field).timeout"), fallback: fallback)
    }

    static func definition(_ d: Engine.WorkflowDefinition) -> PB.WorkflowDefinition {
        var out = PB.WorkflowDefinition()
        out.steps = d.steps.map(step)
        out.stepOrder = d.stepOrder
        return out
    }

    static func step(_ s: Engine.Step) -> PB.Step {
        var out = PB.Step()
        out.id = s.id
        out.name = s.name
        out.type = s.type
        out.config = optionalStruct(s.config)
        out.dependsOn = s.dependsOn
        out.inputMappings = s.inputMappings.map { m in
            var pm = PB.InputMapping()
            (pm.fromStep, pm.fromField, pm.toField, pm.transform) = (m.fromStep, m.fromField, m.toField, m.transform)
            return pm
        }
        if let r = s.retry {
            var pr = PB.RetryPolicy()
            pr.maxAttempts = r.maxAttempts
            pr.initialBackoff = duration(r.initialBackoff)
            pr.maxBackoff = duration(r.maxBackoff)
            // The engine keeps 0 for "unset"; the proto says it with an absent wrapper.
            pr.backoffMultiplier = r.backoffMultiplier == 0 ? nil : WKT.DoubleValue(r.backoffMultiplier)
            pr.retryableErrors = r.retryableErrors
            out.retry = pr
        }
        out.timeout = duration(s.timeout)
        if let f = s.fallback {
            var pf = PB.Fallback()
            pf.type = f.type
            pf.config = optionalStruct(f.config)
            out.fallback = pf
        }
        return out
    }

    // MARK: Inputs and metadata

    static func inputs(_ list: [PB.InputDeclaration], at field: String) throws(MappingError) -> [Engine.InputDeclaration] {
        var out: [Engine.InputDeclaration] = []
        for (i, d) in list.enumerated() {
            let at = "\(field)[\(i)]"
            out.append(Engine.InputDeclaration(
                name: d.name, type: try enumValue(d.type.rawValue, Engine.InputType.self, at: "\(at).type", name: "InputType"),
                required: d.required, defaultValue: try d.defaultValue.map { (v: WKT.Value) throws(MappingError) in
                    try json(v, at: "\(at).default_value")
                }, description: d.description))
        }
        return out
    }

    static func input(_ d: Engine.InputDeclaration) -> PB.InputDeclaration {
        var out = PB.InputDeclaration()
        out.name = d.name
        out.type = PB.InputType(rawValue: d.type.rawValue)
        out.required = d.required
        out.defaultValue = d.defaultValue.map(value)
        out.description = d.description
        return out
    }

    /// The user-editable fields of a proto Workflow; output-only fields are ignored.
    static func metadata(_ w: PB.Workflow, at prefix: String) throws(MappingError) -> WorkflowMetadata {
        var testInputs: [[String: JSONValue]] = []
        for (i, s) in w.testInputs.enumerated() { testInputs.append(try object(s, at: "\(prefix)test_inputs[\(i)]")) }
        return WorkflowMetadata(
            name: w.name, description: w.description, tags: w.tags,
            triggerType: try triggerType(w.triggerType, at: "\(prefix)trigger_type"),
            kind: try enumValue(w.kind.rawValue, Engine.WorkflowKind.self, at: "\(prefix)kind", name: "WorkflowKind"),
            inputs: try inputs(w.inputs, at: "\(prefix)inputs"), config: try object(w.config, at: "\(prefix)config"),
            webhookURL: w.webhookURL,
            origin: Engine.Origin(instance: w.origin?.instance ?? "", zone: w.origin?.zone ?? "",
                                  reference: w.origin?.reference ?? ""),
            testInputs: testInputs)
    }

    static func workflow(_ w: Engine.Workflow) -> PB.Workflow {
        var out = PB.Workflow()
        let m = w.metadata
        out.id = w.id
        out.tenantID = w.tenantID
        out.name = m.name
        out.description = m.description
        out.tags = m.tags
        out.status = PB.WorkflowStatus(rawValue: w.status.rawValue)
        out.triggerType = PB.TriggerType(rawValue: m.triggerType.rawValue)
        out.kind = PB.WorkflowKind(rawValue: m.kind.rawValue)
        out.inputs = m.inputs.map(input)
        out.config = optionalStruct(m.config)
        out.webhookURL = m.webhookURL
        if m.origin != Engine.Origin() {
            var o = PB.Origin()
            (o.instance, o.zone, o.reference) = (m.origin.instance, m.origin.zone, m.origin.reference)
            out.origin = o
        }
        out.testInputs = m.testInputs.map(structValue)
        out.definition = definition(w.definition)
        out.createdAt = timestamp(w.createdAt)
        out.updatedAt = timestamp(w.updatedAt)
        out.currentVersion = w.currentVersion
        out.etag = w.etag
        out.deleted = w.deleted
        out.deletedAt = w.deletedAt.map(timestamp)
        return out
    }

    // MARK: Versions, diffs, templates, validation

    static func version(_ v: Engine.WorkflowVersion, withDefinition: Bool) -> PB.WorkflowVersion {
        var out = PB.WorkflowVersion()
        out.number = v.number
        out.changeSummary = v.changeSummary
        out.definitionHash = v.definitionHash
        out.createdAt = timestamp(v.createdAt)
        if withDefinition { out.definition = definition(v.definition) }
        return out
    }

    static func patch(_ p: Engine.PatchOperation) -> PB.PatchOperation {
        PB.PatchOperation(op: p.op.rawValue, path: p.path, from: p.from ?? "", value: p.value.map(value))
    }

    static func template(_ t: Engine.Template) -> PB.Template {
        var out = PB.Template()
        out.id = t.id
        out.name = t.name
        out.description = t.description
        out.definition = definition(t.definition)
        out.inputs = t.inputs.map(input)
        out.tags = t.tags
        return out
    }

    static func validationCode(_ c: Engine.ValidationCode) -> PB.ValidationCode {
        guard let i = PB.ValidationCode.values.firstIndex(where: { $0.name == "VALIDATION_CODE_" + c.rawValue }) else {
            return .unspecified  // INVALID_REQUEST has no proto value: a request error, not a definition one
        }
        return PB.ValidationCode(rawValue: PB.ValidationCode.values[i].number)
    }

    static func validationError(_ e: Engine.ValidationError) -> PB.ValidationError {
        PB.ValidationError(stepID: e.stepID, field: e.field, code: validationCode(e.code), message: e.message)
    }
}
