// What the runners share: reading a step's config with INVALID_CONFIG errors that name the
// key, durations, the HTTP error mapping, and response bodies as JSON values.
public import Engine

extension StepFailure {
    /// A response body over the client's limit (10 MiB by default).
    public static let responseTooLarge = "RESPONSE_TOO_LARGE"
    /// A script's stdout that `parse_json` could not parse.
    public static let invalidOutput = "INVALID_OUTPUT"
}

/// A step's config, read key by key. Every accessor returns nil for an absent key (or JSON
/// null) and throws INVALID_CONFIG for a present key of the wrong shape.
struct StepConfig {
    let values: [String: JSONValue]
    /// The step type, for messages: "http_request config.url: expected a string".
    let type: String

    init(_ invocation: StepInvocation) {
        values = invocation.config
        type = invocation.type
    }

    func invalid(_ key: String, _ what: String) -> StepFailure {
        StepFailure(StepFailure.invalidConfig, "\(type) config.\(key): \(what)")
    }

    private func value(_ key: String) -> JSONValue? {
        guard let value = values[key], value != .null else { return nil }
        return value
    }

    func string(_ key: String) throws(StepFailure) -> String? {
        guard let value = value(key) else { return nil }
        guard case .string(let text) = value else { throw invalid(key, "expected a string") }
        return text
    }

    func requiredString(_ key: String) throws(StepFailure) -> String {
        guard let text = try string(key), !text.isEmpty else { throw invalid(key, "required") }
        return text
    }

    func bool(_ key: String) throws(StepFailure) -> Bool? {
        guard let value = value(key) else { return nil }
        guard case .bool(let flag) = value else { throw invalid(key, "expected true or false") }
        return flag
    }

    func number(_ key: String) throws(StepFailure) -> Double? {
        guard let value = value(key) else { return nil }
        guard case .number(let number) = value else { throw invalid(key, "expected a number") }
        return number
    }

    func integer(_ key: String) throws(StepFailure) -> Int? {
        guard let number = try number(key) else { return nil }
        guard number == number.rounded(), let integer = Int(exactly: number) else {
            throw invalid(key, "expected an integer")
        }
        return integer
    }

    /// A string as is; any other JSON as its canonical text.
    func text(_ key: String) -> String? {
        guard let value = value(key) else { return nil }
        if case .string(let text) = value { return text }
        return value.canonicalString()
    }

    /// An array of strings; numbers and booleans are taken as their JSON text.
    func strings(_ key: String) throws(StepFailure) -> [String]? {
        guard let value = value(key) else { return nil }
        guard case .array(let items) = value else { throw invalid(key, "expected an array of strings") }
        var out: [String] = []
        for (index, item) in items.enumerated() {
            guard let text = Self.scalarText(item) else { throw invalid("\(key)[\(index)]", "expected a string") }
            out.append(text)
        }
        return out
    }

    /// An object of strings (headers, environment); numbers and booleans as their JSON text.
    func stringMap(_ key: String) throws(StepFailure) -> [String: String]? {
        guard let value = value(key) else { return nil }
        guard case .object(let members) = value else { throw invalid(key, "expected an object of strings") }
        var out: [String: String] = [:]
        for (name, member) in members {
            guard let text = Self.scalarText(member) else { throw invalid("\(key).\(name)", "expected a string") }
            out[name] = text
        }
        return out
    }

    private static func scalarText(_ value: JSONValue) -> String? {
        switch value {
        case .string(let text): text
        case .number, .bool: value.canonicalString()
        default: nil
        }
    }

    /// The longest duration a config may ask for: a day.
    static let maxDurationSeconds: Double = 24 * 3600

    /// A duration: a number of seconds, or a string such as "5s", "1.5s", "250ms", "2m", "1h".
    func duration(_ key: String) throws(StepFailure) -> Duration? {
        guard let value = value(key) else { return nil }
        let seconds: Double?
        switch value {
        case .number(let number): seconds = number
        case .string(let text): seconds = Self.seconds(in: text)
        default: seconds = nil
        }
        guard let seconds, seconds.isFinite, seconds > 0 else {
            throw invalid(key, "expected a positive duration such as \"5s\", \"1.5s\" or a number of seconds")
        }
        guard seconds <= Self.maxDurationSeconds else { throw invalid(key, "longer than 24h") }
        return .nanoseconds(Int64((seconds * 1e9).rounded()))
    }

    private static func seconds(in text: String) -> Double? {
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            let number = text.dropLast(suffix.count)
            guard !number.isEmpty, number.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }),
                  let value = Double(number) else { return nil }
            return value * scale
        }
        return nil
    }

    /// HTTP headers from the "headers" object.
    func headers(_ key: String = "headers") throws(StepFailure) -> HTTPHeaders {
        var headers = HTTPHeaders()
        for (name, value) in (try stringMap(key) ?? [:]).sorted(by: { $0.key < $1.key }) {
            headers.add(name: name, value: value)
        }
        return headers
    }
}

extension StepFailure {
    /// What an HTTP client error means to a step.
    init(_ error: HTTPClientError, doing what: String) {
        switch error {
        case .invalidRequest(let why): self.init(StepFailure.invalidConfig, "\(what): \(why)")
        case .connection, .tls, .badResponse: self.init(StepFailure.connection, "\(what): \(error)")
        case .timeout: self.init(StepFailure.timeout, "\(what): \(error)")
        case .canceled: self = .canceled
        case .responseTooLarge: self.init(StepFailure.responseTooLarge, "\(what): \(error)")
        }
    }
}

extension HTTPClient {
    /// `send` with failures as a step's.
    func perform(_ request: HTTPRequest) async throws(StepFailure) -> HTTPResponse {
        do {
            return try await send(request)
        } catch {
            throw StepFailure(error, doing: "\(request.method) \(request.url)")
        }
    }
}

extension HTTPResponse {
    /// The body as a step output: parsed when the content type is JSON (application/json or
    /// any +json type) and the body parses, else text (invalid UTF-8 replaced).
    var bodyValue: JSONValue {
        if let type = mediaType, type == "application/json" || type.hasSuffix("+json"),
           let parsed = try? JSONValue.parse(body) {
            return parsed
        }
        return .string(String(decoding: body, as: UTF8.self))
    }

    /// The start of the body for an error message.
    var bodyPreview: String { preview(body) }

    var isSuccess: Bool { (200...299).contains(status) }
}

/// The first 200 bytes of output as text, for error messages.
func preview(_ bytes: [UInt8]) -> String {
    let limit = 200
    let text = String(decoding: bytes.prefix(limit), as: UTF8.self)
    return bytes.count > limit ? text + "…" : text
}
