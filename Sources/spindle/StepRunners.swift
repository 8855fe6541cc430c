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

    /// POSTs {"run_id", "workflow_id", "status", "outputs", "error", "finished_at"} to the
    /// workflow's webhook_url (when it has one), retried with backoff; logs the outcome.
    static func webhook(store: WorkflowStore, client: HTTPClient) -> @Sendable (Run) async -> Void {
        let notifier = WebhookNotifier(client: client)
        return { run in
            guard let url = try? await store.read({ s throws(DomainError) in
                try s.get(tenant: run.tenantID, id: run.workflowID).metadata.webhookURL
            }), !url.isEmpty else { return }
            var doc: [String: JSONValue] = [
                "run_id": .string(run.id), "workflow_id": .string(run.workflowID),
                "status": .string(run.status.name), "outputs": .object(run.outputs),
                "finished_at": .string(String(run.finishedAt?.millisSinceEpoch ?? 0)),
            ]
            if let e = run.error { doc["error"] = ["code": .string(e.code), "message": .string(e.message)] }
            let delivery = await notifier.post(.object(doc), to: url)
            Log.event(delivery.delivered ? "info" : "warn", "run_webhook",
                      ["run_id": run.id, "url": url, "attempts": String(delivery.attempts),
                       "delivered": String(delivery.delivered)])
        }
    }
}
