public import Engine
import Glibc

/// Step type `agent_task`: one chat completion from an OpenAI-compatible endpoint.
///
/// The server's flags give the endpoint (--llm-endpoint, e.g. "http://127.0.0.1:9999/v1";
/// the request goes to `<endpoint>/chat/completions`) and the default model; the API key,
/// when there is one, comes from the environment variable SPINDLE_LLM_API_KEY and is sent as
/// `Authorization: Bearer <key>`.
///
/// Config:
/// - `prompt` (required): the user message (other JSON as its JSON text).
/// - `system`: a system message sent before it.
/// - `model`: default the server's.
/// - `temperature` (number), `max_tokens` (integer): sent when given.
/// - `timeout`: as for `http_request`; default 120s.
///
/// Output: `{"content": "...", "model": "...", "finish_reason": "stop", "usage": {...}}`
/// (usage as the endpoint reports it, null when it does not).
///
/// Failures: no endpoint configured -> INVALID_CONFIG naming --llm-endpoint; a status other
/// than 2xx, or a reply that is not a chat completion -> LLM (the message has the status and
/// the body's start); resolve, connect, TLS -> CONNECTION; timeout -> TIMEOUT.
public struct AgentTaskRunner: StepRunner {
    public static let apiKeyVariable = "SPINDLE_LLM_API_KEY"
    public static let defaultModel = "gpt-4o-mini"
    public static let defaultTimeout = Duration.seconds(120)

    /// The base URL, ending before "/chat/completions"; nil: agent_task steps fail.
    public let endpoint: String?
    public let apiKey: String?
    public let model: String
    public let client: HTTPClient

    public init(endpoint: String?, apiKey: String? = AgentTaskRunner.apiKeyFromEnvironment(),
                model: String = AgentTaskRunner.defaultModel, client: HTTPClient = HTTPClient()) {
        self.endpoint = endpoint
        self.apiKey = apiKey
        self.model = model
        self.client = client
    }

    /// SPINDLE_LLM_API_KEY, when set and not empty.
    public static func apiKeyFromEnvironment() -> String? {
        guard let value = getenv(apiKeyVariable), value.pointee != 0 else { return nil }
        return String(cString: value)
    }

    public func run(_ invocation: StepInvocation) async throws(StepFailure) -> JSONValue {
        guard let endpoint, !endpoint.isEmpty else {
            throw StepFailure(StepFailure.invalidConfig,
                              "agent_task needs an LLM endpoint: start the server with --llm-endpoint")
        }
        let config = StepConfig(invocation)
        guard let prompt = config.text("prompt"), !prompt.isEmpty else { throw config.invalid("prompt", "required") }
        var messages: [JSONValue] = []
        if let system = try config.string("system") { messages.append(["role": "system", "content": .string(system)]) }
        messages.append(["role": "user", "content": .string(prompt)])
        var body: [String: JSONValue] = ["model": .string(try config.string("model") ?? model), "messages": .array(messages)]
        if let temperature = try config.number("temperature") { body["temperature"] = .number(temperature) }
        if let maxTokens = try config.integer("max_tokens") { body["max_tokens"] = .number(Double(maxTokens)) }

        var headers: HTTPHeaders = ["Content-Type": "application/json", "Accept": "application/json"]
        if let apiKey { headers.add(name: "Authorization", value: "Bearer \(apiKey)") }
        var base = endpoint
        while base.hasSuffix("/") { base.removeLast() }
        let request = HTTPRequest(method: "POST", url: base + "/chat/completions", headers: headers,
                                  body: JSONValue.object(body).canonicalBytes(),
                                  timeout: try config.duration("timeout") ?? Self.defaultTimeout)
        let response = try await client.perform(request)
        guard response.isSuccess else {
            throw StepFailure(StepFailure.llm, "LLM endpoint returned \(response.status): \(response.bodyPreview)")
        }
        return try Self.completion(response, requestedModel: body["model"]!)
    }

    /// The first choice of an OpenAI chat completion.
    private static func completion(_ response: HTTPResponse, requestedModel: JSONValue) throws(StepFailure) -> JSONValue {
        let reply: JSONValue
        do {
            reply = try JSONValue.parse(response.body)
        } catch {
            throw StepFailure(StepFailure.llm, "LLM reply is not JSON (\(error)): \(response.bodyPreview)")
        }
        guard case .object(let choice)? = reply["choices"]?.arrayValue?.first,
              case .object(let message)? = choice["message"] else {
            throw StepFailure(StepFailure.llm, "LLM reply has no choices[0].message: \(response.bodyPreview)")
        }
        let content: JSONValue = switch message["content"] {
        case .string(let text)?: .string(text)
        case nil, .null?: .string("")
        case let other?: .string(other.canonicalString())
        }
        return [
            "content": content,
            "model": reply["model"] ?? requestedModel,
            "finish_reason": choice["finish_reason"] ?? .null,
            "usage": reply["usage"] ?? .null,
        ]
    }
}
