public import Engine

/// Step type `http_request`: one HTTP request, its response as the output.
///
/// Config:
/// - `url` (required): an http or https URL.
/// - `method`: default "GET"; upper-cased.
/// - `headers`: an object of header name to value (numbers and booleans as their text).
/// - `body`: a string is sent as is; any other JSON is sent as JSON, with
///   `Content-Type: application/json` unless `headers` sets a content type.
/// - `timeout`: "5s", "1.5s", "250ms", or a number of seconds; default 30s.
/// - `expect_status`: a status or a list of statuses that count as success; default any 2xx.
///
/// Output: `{"status": 200, "headers": {"content-type": "..."}, "body": ...}` with header
/// names lower-cased (repeated fields joined with ", ") and the body parsed when the
/// response's content type is JSON, else text.
///
/// Failures: another status -> HTTP_STATUS (the message has the status and the body's start);
/// resolve, connect, TLS or a malformed response -> CONNECTION; `timeout` -> TIMEOUT; a body
/// over the client's limit -> RESPONSE_TOO_LARGE; cancel -> CANCELED; bad config ->
/// INVALID_CONFIG.
public struct HTTPRequestRunner: StepRunner {
    public static let defaultTimeout = Duration.seconds(30)

    public let client: HTTPClient

    public init(client: HTTPClient = HTTPClient()) {
        self.client = client
    }

    public func run(_ invocation: StepInvocation) async throws(StepFailure) -> JSONValue {
        let config = StepConfig(invocation)
        let method = (try config.string("method") ?? "GET").uppercased()
        var request = HTTPRequest(method: method, url: try config.requiredString("url"), headers: try config.headers(),
                                  timeout: try config.duration("timeout") ?? Self.defaultTimeout)
        switch config.values["body"] {
        case nil, .null?: break
        case .string(let text)?: request.body = Array(text.utf8)
        case let json?:
            request.body = json.canonicalBytes()
            if !request.headers.contains("content-type") {
                request.headers.add(name: "Content-Type", value: "application/json")
            }
        }
        let expected = try expectedStatuses(config)

        let response = try await client.perform(request)
        let success = expected.map { $0.contains(response.status) } ?? response.isSuccess
        guard success else {
            throw StepFailure(StepFailure.httpStatus,
                              "\(method) \(request.url) returned \(response.status): \(response.bodyPreview)")
        }
        return ["status": .number(Double(response.status)), "headers": response.headersValue, "body": response.bodyValue]
    }

    private func expectedStatuses(_ config: StepConfig) throws(StepFailure) -> Set<Int>? {
        switch config.values["expect_status"] {
        case nil, .null?: return nil
        case .number?: return [try config.integer("expect_status")!]
        case .array(let items)?:
            var statuses: Set<Int> = []
            for item in items {
                guard case .number(let n) = item, n == n.rounded(), (100...599).contains(n) else {
                    throw config.invalid("expect_status", "expected HTTP statuses (100-599)")
                }
                statuses.insert(Int(n))
            }
            return statuses
        default: throw config.invalid("expect_status", "expected a status or a list of statuses")
        }
    }
}

extension HTTPResponse {
    /// {lower-case name: value}, repeated fields joined with ", ".
    var headersValue: JSONValue {
        var members: [String: JSONValue] = [:]
        for field in headers {
            let name = lowercasedASCII(field.name)
            if case .string(let earlier)? = members[name] {
                members[name] = .string(earlier + ", " + field.value)
            } else {
                members[name] = .string(field.value)
            }
        }
        return .object(members)
    }
}
