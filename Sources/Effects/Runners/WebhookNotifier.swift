public import Engine

/// POSTs a JSON document (a finished run's state, to its workflow's webhook_url) with
/// retries: attempts are spaced by an exponential backoff, and only failures another attempt
/// could fix are retried (connection failures, timeouts, malformed responses, 408, 429 and
/// 5xx). Cancelling the calling task stops it between or during attempts.
public struct WebhookNotifier: Sendable {
    /// How a delivery ended.
    public struct Delivery: Sendable, Hashable {
        /// A 2xx status was received.
        public var delivered: Bool
        public var attempts: Int
        /// The last response's status, if any response came.
        public var status: Int?
        /// Why the last attempt failed, nil when delivered.
        public var error: String?
    }

    public var client: HTTPClient
    public var maxAttempts: Int
    public var initialBackoff: Duration
    public var maxBackoff: Duration
    public var backoffMultiplier: Double
    public var attemptTimeout: Duration
    /// Waits between attempts; tests inject one that records instead of sleeping.
    public var sleep: @Sendable (Duration) async throws -> Void

    public init(client: HTTPClient = HTTPClient(), maxAttempts: Int = 5, initialBackoff: Duration = .milliseconds(500),
                maxBackoff: Duration = .seconds(30), backoffMultiplier: Double = 2, attemptTimeout: Duration = .seconds(10),
                sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }) {
        self.client = client
        self.maxAttempts = max(1, maxAttempts)
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
        self.backoffMultiplier = max(1, backoffMultiplier)
        self.attemptTimeout = attemptTimeout
        self.sleep = sleep
    }

    /// The wait before attempt `attempt + 1` (attempt counts from 1).
    public func backoff(after attempt: Int) -> Duration {
        var wait = initialBackoff
        for _ in 1..<max(1, attempt) {
            wait = wait * backoffMultiplier
            if wait >= maxBackoff { return maxBackoff }
        }
        return min(wait, maxBackoff)
    }

    public func post(_ document: JSONValue, to url: String, headers: HTTPHeaders = [:]) async -> Delivery {
        var delivery = Delivery(delivered: false, attempts: 0)
        while delivery.attempts < maxAttempts {
            delivery.attempts += 1
            let (outcome, status) = await attemptWithStatus(document, to: url, headers: headers)
            delivery.status = status ?? delivery.status
            switch outcome {
            case .delivered:
                delivery.delivered = true
                delivery.error = nil
                return delivery
            case .failed(let error, let retryable):
                delivery.error = error
                guard retryable, delivery.attempts < maxAttempts, !Task.isCancelled else { return delivery }
            }
            do {
                try await sleep(backoff(after: delivery.attempts))
            } catch {
                return delivery  // canceled while waiting
            }
        }
        return delivery
    }

    /// One POST of `document`, no retry: what the executor's durable webhook deliveries call.
    public func attempt(_ document: JSONValue, to url: String, headers: HTTPHeaders = [:]) async -> WebhookAttempt {
        await attemptWithStatus(document, to: url, headers: headers).outcome
    }

    private func attemptWithStatus(_ document: JSONValue, to url: String, headers: HTTPHeaders)
        async -> (outcome: WebhookAttempt, status: Int?) {
        var headers = headers
        if !headers.contains("content-type") { headers.add(name: "Content-Type", value: "application/json") }
        let request = HTTPRequest(method: "POST", url: url, headers: headers, body: document.canonicalBytes(),
                                  timeout: attemptTimeout)
        do {
            let response = try await client.send(request)
            if response.isSuccess { return (.delivered(status: response.status), response.status) }
            let retryable = [408, 429].contains(response.status) || response.status >= 500
            return (.failed(error: "\(url) returned \(response.status): \(response.bodyPreview)", retryable: retryable),
                    response.status)
        } catch {
            let retryable = switch error {
            case .connection, .timeout, .badResponse: true
            case .invalidRequest, .tls, .responseTooLarge, .canceled: false
            }
            return (.failed(error: error.description, retryable: retryable), nil)
        }
    }
}
