import Crypto
import Storage

// JSON forms of the model. The definition's form is the canonical one model.md describes (and
// whose SHA-256 is the definition hash); the other forms are the engine's record encoding.
// Keys are proto field names; defaults are omitted as proto3 JSON omits them; a message field
// that is present (retry, timeout, fallback) is written even when all its fields are defaults.

/// Why a JSON record does not decode into the model: where, and what was wrong.
public struct DecodeError: Error, Sendable, Hashable, CustomStringConvertible {
    public var path: String
    public var message: String
    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }
    public var description: String { "\(path): \(message)" }
}

/// Reads typed members out of a JSON object, naming the path of anything malformed.
struct JSONReader {
    let object: [String: JSONValue]
    let path: String

    init(_ value: JSONValue, path: String) throws(DecodeError) {
        guard case .object(let o) = value else { throw DecodeError(path: path, message: "expected an object") }
        self.object = o
        self.path = path
    }

    func fail(_ key: String, _ what: String) -> DecodeError { DecodeError(path: "\(path).\(key)", message: what) }

    func string(_ key: String) throws(DecodeError) -> String {
        guard let v = object[key] else { return "" }
        guard case .string(let s) = v else { throw fail(key, "expected a string") }
        return s
    }

    func bool(_ key: String) throws(DecodeError) -> Bool {
        guard let v = object[key] else { return false }
        guard case .bool(let b) = v else { throw fail(key, "expected a boolean") }
        return b
    }

    func double(_ key: String) throws(DecodeError) -> Double {
        guard let v = object[key] else { return 0 }
        guard case .number(let n) = v else { throw fail(key, "expected a number") }
        return n
    }

    func int32(_ key: String) throws(DecodeError) -> Int32 {
        let n = try double(key)
        guard n == n.rounded(), let i = Int32(exactly: n) else { throw fail(key, "expected a 32-bit integer") }
        return i
    }

    /// 64-bit integers travel as decimal strings: a Double cannot hold them exactly.
    func int64(_ key: String) throws(DecodeError) -> Int64 {
        let s = try string(key)
        if s.isEmpty { return 0 }
        guard let i = Int64(s) else { throw fail(key, "expected a decimal 64-bit integer") }
        return i
    }

    func instant(_ key: String) throws(DecodeError) -> Instant { Instant(nanosSinceEpoch: try int64(key)) }

    func strings(_ key: String) throws(DecodeError) -> [String] {
        var out: [String] = []
        for (i, item) in try array(key).enumerated() {
            guard case .string(let s) = item else { throw fail("\(key)[\(i)]", "expected a string") }
            out.append(s)
        }
        return out
    }

    func array(_ key: String) throws(DecodeError) -> [JSONValue] {
        guard let v = object[key] else { return [] }
        guard case .array(let a) = v else { throw fail(key, "expected an array") }
        return a
    }

    func objectMember(_ key: String) throws(DecodeError) -> [String: JSONValue] {
        guard let v = object[key] else { return [:] }
        guard case .object(let o) = v else { throw fail(key, "expected an object") }
        return o
    }

    func span(_ key: String) throws(DecodeError) -> TimeSpan? {
        guard object[key] != nil else { return nil }
        guard let span = TimeSpan(canonical: try string(key)) else { throw fail(key, "expected a duration like \"1.5s\"") }
        return span
    }

    func enumValue<E: RawRepresentable>(_ key: String, _: E.Type) throws(DecodeError) -> E where E.RawValue == Int32 {
        guard let e = E(rawValue: try int32(key)) else { throw fail(key, "unknown enum value") }
        return e
    }
}

/// Builds a JSON object, leaving out proto3 defaults.
struct JSONBuilder {
    /// Members in the order they were set (each key once). Kept as pairs, not a dictionary:
    /// records are built and written many thousands of times a second.
    private var pairs: [(key: String, value: JSONValue)] = []

    init() { pairs.reserveCapacity(12) }

    /// Sets (or replaces) one member.
    subscript(key: String) -> JSONValue? {
        get { pairs.first { $0.key == key }?.value }
        set {
            pairs.removeAll { $0.key == key }
            if let newValue { pairs.append((key, newValue)) }
        }
    }

    private mutating func put(_ key: String, _ value: JSONValue) { pairs.append((key, value)) }

    mutating func set(_ key: String, _ s: String) { if !s.isEmpty { put(key, .string(s)) } }
    mutating func set(_ key: String, _ b: Bool) { if b { put(key, .bool(true)) } }
    mutating func set(_ key: String, _ n: Double) { if n != 0 { put(key, .number(n)) } }
    mutating func set(_ key: String, _ n: Int32) { if n != 0 { put(key, .number(Double(n))) } }
    mutating func set(_ key: String, int64 n: Int64) { if n != 0 { put(key, .string(String(n))) } }
    mutating func set(_ key: String, _ t: Instant?) { if let t { set(key, int64: t.nanosSinceEpoch) } }
    mutating func set(_ key: String, _ strings: [String]) { if !strings.isEmpty { put(key, .array(strings.map(JSONValue.string))) } }
    mutating func set(_ key: String, _ items: [JSONValue]) { if !items.isEmpty { put(key, .array(items)) } }
    mutating func set(_ key: String, _ o: [String: JSONValue]) { if !o.isEmpty { put(key, .object(o)) } }
    mutating func set(_ key: String, _ span: TimeSpan?) { if let span { put(key, .string(span.canonicalString)) } }
    mutating func set(_ key: String, present value: JSONValue?) { if let value { put(key, value) } }

    var value: JSONValue {
        var o: [String: JSONValue] = [:]
        o.reserveCapacity(pairs.count)
        for (k, v) in pairs { o[k] = v }
        return .object(o)
    }

    /// The same bytes as `value.canonicalBytes()`, without building the dictionary.
    func canonicalBytes() -> [UInt8] {
        let sorted = pairs.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
        var out: [UInt8] = []
        out.reserveCapacity(256)
        out.append(UInt8(ascii: "{"))
        for (i, (k, v)) in sorted.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            JSONValue.writeString(k, into: &out)
            out.append(UInt8(ascii: ":"))
            v.write(into: &out)
        }
        out.append(UInt8(ascii: "}"))
        return out
    }
}

// MARK: - Definition (canonical)

extension InputMapping {
    var json: JSONValue {
        var b = JSONBuilder()
        b.set("from_step", fromStep)
        b.set("from_field", fromField)
        b.set("to_field", toField)
        b.set("transform", transform)
        return b.value
    }

    init(json: JSONValue, path: String) throws(DecodeError) {
        let r = try JSONReader(json, path: path)
        self.init(fromStep: try r.string("from_step"), fromField: try r.string("from_field"),
                  toField: try r.string("to_field"), transform: try r.string("transform"))
    }
}

extension RetryPolicy {
    var json: JSONValue {
        var b = JSONBuilder()
        b.set("max_attempts", maxAttempts)
        b.set("initial_backoff", initialBackoff)
        b.set("max_backoff", maxBackoff)
        b.set("backoff_multiplier", backoffMultiplier)
        b.set("retryable_errors", retryableErrors)
        return b.value
    }

    init(json: JSONValue, path: String) throws(DecodeError) {
        let r = try JSONReader(json, path: path)
        self.init(maxAttempts: try r.int32("max_attempts"), initialBackoff: try r.span("initial_backoff"),
                  maxBackoff: try r.span("max_backoff"), backoffMultiplier: try r.double("backoff_multiplier"),
                  retryableErrors: try r.strings("retryable_errors"))
    }
}

extension Step {
    /// The step's canonical JSON object (also what diff summaries compare step by step).
    public var json: JSONValue {
        var b = JSONBuilder()
        b.set("id", id)
        b.set("name", name)
        b.set("type", type)
        b.set("config", config)
        b.set("depends_on", dependsOn)
        b.set("input_mappings", inputMappings.map(\.json))
        b.set("retry", present: retry?.json)
        b.set("timeout", timeout)
        if let fallback {
            var f = JSONBuilder()
            f.set("type", fallback.type)
            f.set("config", fallback.config)
            b.set("fallback", present: f.value)
        }
        return b.value
    }

    public init(json: JSONValue, path: String = "step") throws(DecodeError) {
        let r = try JSONReader(json, path: path)
        var mappings: [InputMapping] = []
        for (i, m) in try r.array("input_mappings").enumerated() {
            mappings.append(try InputMapping(json: m, path: "\(path).input_mappings[\(i)]"))
        }
        var fallback: Fallback?
        if let f = r.object["fallback"] {
            let fr = try JSONReader(f, path: "\(path).fallback")
            fallback = Fallback(type: try fr.string("type"), config: try fr.objectMember("config"))
        }
        self.init(id: try r.string("id"), name: try r.string("name"), type: try r.string("type"),
                  config: try r.objectMember("config"), dependsOn: try r.strings("depends_on"),
                  inputMappings: mappings,
                  retry: try r.object["retry"].map { v throws(DecodeError) in try RetryPolicy(json: v, path: "\(path).retry") },
                  timeout: try r.span("timeout"), fallback: fallback)
    }
}

extension WorkflowDefinition {
    /// The JSON form model.md defines; its canonical serialization is what gets hashed and diffed.
    public var json: JSONValue {
        var b = JSONBuilder()
        b.set("steps", steps.map(\.json))
        b.set("step_order", stepOrder)
        return b.value
    }

    public init(json: JSONValue, path: String = "definition") throws(DecodeError) {
        let r = try JSONReader(json, path: path)
        var steps: [Step] = []
        for (i, s) in try r.array("steps").enumerated() {
            steps.append(try Step(json: s, path: "\(path).steps[\(i)]"))
        }
        self.init(steps: steps, stepOrder: try r.strings("step_order"))
    }

    /// The canonical JSON text: sorted keys, no whitespace, defaults omitted.
    public var canonicalJSON: String { json.canonicalString() }

    /// Lower-case hex SHA-256 of the canonical JSON.
    public var hash: String { SHA256.hex(json.canonicalBytes()) }
}

// MARK: - Records (events and snapshots)

extension InputDeclaration {
    var json: JSONValue {
        var b = JSONBuilder()
        b.set("name", name)
        b.set("type", type.rawValue)
        b.set("required", required)
        b.set("default_value", present: defaultValue)
        b.set("description", description)
        return b.value
    }

    init(json: JSONValue, path: String) throws(DecodeError) {
        let r = try JSONReader(json, path: path)
        self.init(name: try r.string("name"), type: try r.enumValue("type", InputType.self),
                  required: try r.bool("required"), defaultValue: r.object["default_value"],
                  description: try r.string("description"))
    }
}

extension WorkflowMetadata {
    var json: JSONValue {
        var b = JSONBuilder()
        b.set("name", name)
        b.set("description", description)
        b.set("tags", tags)
        b.set("trigger_type", triggerType.rawValue)
        b.set("kind", kind.rawValue)
        b.set("inputs", inputs.map(\.json))
        b.set("config", config)
        b.set("webhook_url", webhookURL)
        var o = JSONBuilder()
        o.set("instance", origin.instance)
        o.set("zone", origin.zone)
        o.set("reference", origin.reference)
        if case .object(let origin) = o.value { b.set("origin", origin) }
        b.set("test_inputs", testInputs.map(JSONValue.object))
        return b.value
    }

    init(json: JSONValue, path: String) throws(DecodeError) {
        let r = try JSONReader(json, path: path)
        var inputs: [InputDeclaration] = []
        for (i, d) in try r.array("inputs").enumerated() {
            inputs.append(try InputDeclaration(json: d, path: "\(path).inputs[\(i)]"))
        }
        var testInputs: [[String: JSONValue]] = []
        for (i, t) in try r.array("test_inputs").enumerated() {
            guard case .object(let o) = t else { throw r.fail("test_inputs[\(i)]", "expected an object") }
            testInputs.append(o)
        }
        let o = try JSONReader(.object(try r.objectMember("origin")), path: "\(path).origin")
        self.init(name: try r.string("name"), description: try r.string("description"), tags: try r.strings("tags"),
                  triggerType: try r.enumValue("trigger_type", TriggerType.self),
                  kind: try r.enumValue("kind", WorkflowKind.self), inputs: inputs, config: try r.objectMember("config"),
                  webhookURL: try r.string("webhook_url"),
                  origin: Origin(instance: try o.string("instance"), zone: try o.string("zone"),
                                 reference: try o.string("reference")),
                  testInputs: testInputs)
    }
}

extension WorkflowVersion {
    var json: JSONValue {
        var b = JSONBuilder()
        b.set("number", number)
        b.set("change_summary", changeSummary)
        b.set("created_at", createdAt)
        b.set("definition_hash", definitionHash)
        b.set("definition", present: definition.json)
        return b.value
    }

    /// The stored hash is kept (records are checksummed by the log, and recovery should not
    /// re-hash a million definitions); a record without one gets it computed.
    init(json: JSONValue, path: String) throws(DecodeError) {
        let r = try JSONReader(json, path: path)
        let definition = try WorkflowDefinition(json: r.object["definition"] ?? [:], path: "\(path).definition")
        let hash = try r.string("definition_hash")
        self.init(number: try r.int32("number"), changeSummary: try r.string("change_summary"),
                  createdAt: try r.instant("created_at"), definition: definition,
                  definitionHash: hash.isEmpty ? definition.hash : hash)
    }
}

extension Template {
    var json: JSONValue {
        var b = JSONBuilder()
        b.set("id", id)
        b.set("name", name)
        b.set("description", description)
        b.set("definition", present: definition.json)
        b.set("inputs", inputs.map(\.json))
        b.set("tags", tags)
        return b.value
    }

    init(json: JSONValue, path: String) throws(DecodeError) {
        let r = try JSONReader(json, path: path)
        var inputs: [InputDeclaration] = []
        for (i, d) in try r.array("inputs").enumerated() {
            inputs.append(try InputDeclaration(json: d, path: "\(path).inputs[\(i)]"))
        }
        self.init(id: try r.string("id"), name: try r.string("name"), description: try r.string("description"),
                  definition: try WorkflowDefinition(json: r.object["definition"] ?? [:], path: "\(path).definition"),
                  inputs: inputs, tags: try r.strings("tags"))
    }
}
