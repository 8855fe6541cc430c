import Effects
import Engine
import FoundationEssentials

/// The runners for step types with side effects, configured from the command line; and the
/// notifier that POSTs a finished run to its workflow's webhook URL.
enum StepRunners {
    static func make(_ options: ServeOptions, client: HTTPClient) -> [String: any StepRunner] {
        [
            StepType.httpRequest.rawValue: HTTPRequestRunner(client: client),
            StepType.webhook.rawValue: WebhookRunner(client: client),
            StepType.script.rawValue: ScriptRunner(allowScripts: options.allowScripts),
            StepType.agentTask.rawValue: AgentTaskRunner(endpoint: options.llmEndpoint, model: options.llmModel, client: client),
        ]
    }

    /// The workflow webhook: one POST per attempt of the run's final state
    /// (`RunWebhooks.document`); the executor retries durably by `policy`. Every step is
    /// logged: each failed attempt, and the delivery or its giving up.
    static func webhooks(client: HTTPClient, policy: WebhookPolicy) -> RunWebhooks {
        let notifier = WebhookNotifier(client: client)
        return RunWebhooks(policy: policy, deliver: { url, document in
            await notifier.attempt(document, to: url)
        }, report: { r in
            let error = r.error.isEmpty ? "none" : r.error
            switch r.outcome {
            case .retrying(let next):
                Log.event("warn", "run_webhook_retry", ["run_id": r.runID, "url": r.url, "attempts": String(r.attempts),
                                                        "next_attempt_ms": String(next.millisSinceEpoch), "error": error])
            case .delivered, .gaveUp, .dropped:
                let delivered = r.outcome == .delivered
                Log.event(delivered ? "info" : "warn", "run_webhook",
                          ["run_id": r.runID, "url": r.url, "attempts": String(r.attempts), "delivered": String(delivered),
                           "given_up": String(r.outcome == .gaveUp), "error": error])
            }
        })
    }
}
