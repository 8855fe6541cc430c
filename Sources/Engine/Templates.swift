/// The templates every tenant sees (model.md's three built-ins).
public enum BuiltinTemplates {
    public static let httpFetchTransform = Template(
        id: "http-fetch-transform", name: "HTTP fetch and transform",
        description: "GET a URL, then reshape the JSON body with an expression.",
        definition: WorkflowDefinition(steps: [
            Step(id: "fetch", name: "Fetch", type: "http_request",
                 config: ["method": "GET", "url": "{{inputs.url}}"],
                 retry: RetryPolicy(maxAttempts: 3, initialBackoff: TimeSpan(milliseconds: 500),
                                    maxBackoff: TimeSpan(seconds: 10), backoffMultiplier: 2,
                                    retryableErrors: ["UNAVAILABLE", "DEADLINE_EXCEEDED"]),
                 timeout: TimeSpan(seconds: 30)),
            Step(id: "shape", name: "Transform", type: "transform", config: ["expression": "{{inputs.expression}}"],
                 dependsOn: ["fetch"], inputMappings: [InputMapping(fromStep: "fetch", fromField: "body", toField: "data")]),
        ]),
        inputs: [InputDeclaration(name: "url", type: .string, required: true, description: "What to fetch"),
                 InputDeclaration(name: "expression", type: .string, defaultValue: "data",
                                  description: "How to reshape the body")],
        tags: ["http", "etl"])

    public static let approvalGate = Template(
        id: "approval-gate", name: "Approval gate",
        description: "Prepare a request, wait for a person to approve it, then notify a webhook.",
        definition: WorkflowDefinition(steps: [
            Step(id: "prepare", name: "Prepare", type: "transform", config: ["expression": "inputs.request"]),
            Step(id: "approve", name: "Approve", type: "human_approval",
                 config: ["message": "Approve this request?"], dependsOn: ["prepare"],
                 inputMappings: [InputMapping(fromStep: "prepare", fromField: "output", toField: "request")],
                 timeout: TimeSpan(seconds: 86_400)),
            Step(id: "notify", name: "Notify", type: "webhook", config: ["url": "{{inputs.webhook_url}}"],
                 dependsOn: ["approve"],
                 inputMappings: [InputMapping(fromStep: "approve", fromField: "decision", toField: "decision")],
                 fallback: Fallback(type: "script", config: ["command": "echo notification failed"])),
        ], stepOrder: ["prepare", "approve", "notify"]),
        inputs: [InputDeclaration(name: "request", type: .object, required: true),
                 InputDeclaration(name: "webhook_url", type: .string, required: true)],
        tags: ["approval", "human-in-the-loop"])

    public static let llmSummarize = Template(
        id: "llm-summarize", name: "LLM summarize",
        description: "Ask an agent to summarize a text, then render the summary.",
        definition: WorkflowDefinition(steps: [
            Step(id: "summarize", name: "Summarize", type: "agent_task",
                 config: ["prompt": "Summarize in three paragraphs:\n{{inputs.text}}"],
                 retry: RetryPolicy(maxAttempts: 2), timeout: TimeSpan(seconds: 120)),
            Step(id: "render", name: "Render", type: "template", config: ["template": "## Summary\n{{summary}}"],
                 dependsOn: ["summarize"],
                 inputMappings: [InputMapping(fromStep: "summarize", fromField: "output", toField: "summary")]),
        ]),
        inputs: [InputDeclaration(name: "text", type: .string, required: true)],
        tags: ["llm", "agent"])

    public static let all = [httpFetchTransform, approvalGate, llmSummarize]
}
