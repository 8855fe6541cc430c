public import Engine

/// Step type `webhook`: POSTs a JSON document.
///
/// Config:
/// - `url` (required): an http or https URL.
/// - `payload`: the JSON to send; without it, the step's input (its mapped fields).
/// - `headers`: an object of header name to value; `Content-Type: application/json` is
///   added unless it sets one.
/// - `timeout`: as for `http_request`; default 30s.
///
/// Output: `{"status": 200, "body": ...}`, the body parsed when the response is JSON.
/// Failures as for `http_request`: a status other than 2xx -> HTTP_STATUS.
public struct WebhookRunner: StepRunner {
    public let client: HTTPClient

    public init(client: HTTPClient = HTTPClient()) {
        self.client = client
    }

    public func run(_ invocation: StepInvocation) async throws(StepFailure) -> JSONValue {
        let config = StepConfig(invocation)
        var headers = try config.headers()
        if !headers.contains("content-type") { headers.add(name: "Content-Type", value: "application/json") }
        let payload = config.values["payload"] ?? invocation.input
        let request = HTTPRequest(method: "POST", url: try config.requiredString("url"), headers: headers,
                                  body: payload.canonicalBytes(),
                                  timeout: try config.duration("timeout") ?? HTTPRequestRunner.defaultTimeout)
        let response = try await client.perform(request)
        guard response.isSuccess else {
            throw StepFailure(StepFailure.httpStatus, "POST \(request.url) returned \(response.status): \(response.bodyPreview)")
        }
        return ["status": .number(Double(response.status)), "body": response.bodyValue]
    }
}
