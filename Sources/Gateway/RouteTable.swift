// The HTTP/JSON routes: HTTP method + path template -> gRPC method, in the style of
// google.api.http annotations. Data only, in one place: the router (Routes.swift) matches
// against it, scripts/gen-openapi.py reads it to write docs/openapi.json, and the README
// lists it. Path variables are named after request fields; every request field not in the
// path comes from the query string (GET / DELETE) or the JSON body (`body`).

struct Route: Sendable {
    enum Body: Sendable, Equatable {
        /// No body; fields from the query string.
        case none
        /// The JSON body is the whole request message ("*").
        case all
        /// The JSON body is this one field of the request (e.g. "workflow"); others from the query.
        case field(String)
    }

    enum Kind: Sendable, Equatable {
        /// One JSON response.
        case unary
        /// A server-streaming method, as Server-Sent Events.
        case events
    }

    let method: String
    let template: String
    /// "spindle.v1.WorkflowService/GetWorkflow".
    let rpc: String
    let body: Body
    var kind: Kind = .unary
    /// 201 Created instead of 200 on success.
    var created = false
}

enum RouteTable {
    static let workflows = "spindle.v1.WorkflowService/"
    static let runs = "spindle.v1.RunService/"
    static let workers = "spindle.v1.WorkerService/"

    /// Literal segments are matched before variables (`/workflows/runs` is not a workflow id).
    static let routes: [Route] = [
        // WorkflowService
        Route(method: "POST", template: "/api/v1/workflows", rpc: workflows + "CreateWorkflow", body: .field("workflow"), created: true),
        Route(method: "GET", template: "/api/v1/workflows", rpc: workflows + "ListWorkflows", body: .none),
        Route(method: "POST", template: "/api/v1/workflows/validate", rpc: workflows + "ValidateWorkflow", body: .all),
        Route(method: "GET", template: "/api/v1/workflows/templates", rpc: workflows + "ListTemplates", body: .none),
        Route(method: "GET", template: "/api/v1/workflows/templates/{template_id}", rpc: workflows + "GetTemplate", body: .none),
        Route(method: "POST", template: "/api/v1/workflows/templates/{template_id}/install", rpc: workflows + "InstallTemplate",
              body: .all, created: true),
        Route(method: "GET", template: "/api/v1/workflows/{workflow_id}", rpc: workflows + "GetWorkflow", body: .none),
        Route(method: "PATCH", template: "/api/v1/workflows/{workflow_id}", rpc: workflows + "UpdateWorkflow", body: .all),
        Route(method: "DELETE", template: "/api/v1/workflows/{workflow_id}", rpc: workflows + "DeleteWorkflow", body: .none),
        Route(method: "POST", template: "/api/v1/workflows/{workflow_id}/status", rpc: workflows + "SetWorkflowStatus", body: .all),
        Route(method: "POST", template: "/api/v1/workflows/{workflow_id}/duplicate", rpc: workflows + "DuplicateWorkflow",
              body: .all, created: true),
        Route(method: "POST", template: "/api/v1/workflows/{workflow_id}/reset", rpc: workflows + "ResetWorkflow", body: .all),
        Route(method: "POST", template: "/api/v1/workflows/{workflow_id}/purge", rpc: workflows + "PurgeWorkflow", body: .all),
        Route(method: "GET", template: "/api/v1/workflows/{workflow_id}/steps", rpc: workflows + "ListSteps", body: .none),
        Route(method: "POST", template: "/api/v1/workflows/{workflow_id}/steps", rpc: workflows + "AddStep", body: .field("step")),
        Route(method: "DELETE", template: "/api/v1/workflows/{workflow_id}/steps/{step_id}", rpc: workflows + "RemoveStep",
              body: .none),
        Route(method: "GET", template: "/api/v1/workflows/{workflow_id}/outputs", rpc: workflows + "GetOutputVariables", body: .none),
        Route(method: "GET", template: "/api/v1/workflows/{workflow_id}/versions", rpc: workflows + "ListVersions", body: .none),
        Route(method: "GET", template: "/api/v1/workflows/{workflow_id}/versions/{version}", rpc: workflows + "GetVersion",
              body: .none),
        Route(method: "GET", template: "/api/v1/workflows/{workflow_id}/diff", rpc: workflows + "DiffVersions", body: .none),
        Route(method: "POST", template: "/api/v1/workflows/{workflow_id}/rollback", rpc: workflows + "RollbackWorkflow", body: .all),
        Route(method: "POST", template: "/api/v1/workflows/{workflow_id}/template", rpc: workflows + "SaveAsTemplate",
              body: .all, created: true),
        // RunService
        Route(method: "GET", template: "/api/v1/workflows/runs", rpc: runs + "ListRuns", body: .none),
        Route(method: "GET", template: "/api/v1/workflows/runs/stream", rpc: runs + "WatchRuns", body: .none, kind: .events),
        Route(method: "GET", template: "/api/v1/workflows/runs/{run_id}", rpc: runs + "GetRun", body: .none),
        Route(method: "DELETE", template: "/api/v1/workflows/runs/{run_id}", rpc: runs + "DeleteRun", body: .none),
        Route(method: "POST", template: "/api/v1/workflows/runs/{run_id}/cancel", rpc: runs + "CancelRun", body: .all),
        Route(method: "POST", template: "/api/v1/workflows/runs/{run_id}/resume", rpc: runs + "ResumeRun", body: .all),
        Route(method: "GET", template: "/api/v1/workflows/runs/{run_id}/pauses", rpc: runs + "GetPauseHistory", body: .none),
        Route(method: "POST", template: "/api/v1/workflows/runs/{run_id}/pause_action", rpc: runs + "ProcessPauseAction", body: .all),
        Route(method: "GET", template: "/api/v1/workflows/runs/{run_id}/stream", rpc: runs + "WatchRun", body: .none, kind: .events),
        Route(method: "GET", template: "/api/v1/workflows/paused_runs", rpc: runs + "ListPausedRuns", body: .none),
        Route(method: "GET", template: "/api/v1/workflows/batch_runs/{batch_id}", rpc: runs + "GetBatchRun", body: .none),
        Route(method: "GET", template: "/api/v1/workflows/schedules", rpc: runs + "ListSchedules", body: .none),
        Route(method: "POST", template: "/api/v1/workflows/schedules/{schedule_id}/pause", rpc: runs + "PauseSchedule", body: .all),
        Route(method: "DELETE", template: "/api/v1/workflows/schedules/{schedule_id}", rpc: runs + "DeleteSchedule", body: .none),
        Route(method: "POST", template: "/api/v1/workflows/{workflow_id}/run", rpc: runs + "RunWorkflow", body: .all),
        Route(method: "POST", template: "/api/v1/workflows/{workflow_id}/runs", rpc: runs + "StartRun", body: .all, created: true),
        Route(method: "GET", template: "/api/v1/workflows/{workflow_id}/runs", rpc: runs + "ListRuns", body: .none),
        Route(method: "POST", template: "/api/v1/workflows/{workflow_id}/run_partial", rpc: runs + "RunPartial", body: .all),
        Route(method: "POST", template: "/api/v1/workflows/{workflow_id}/batch_runs", rpc: runs + "StartBatchRun", body: .all,
              created: true),
        Route(method: "GET", template: "/api/v1/workflows/{workflow_id}/schedules", rpc: runs + "ListSchedules", body: .none),
        Route(method: "POST", template: "/api/v1/workflows/{workflow_id}/schedules", rpc: runs + "CreateSchedule", body: .all,
              created: true),
        // WorkerService (Connect is a worker's bidirectional stream: gRPC only)
        Route(method: "GET", template: "/api/v1/queues", rpc: workers + "ListQueues", body: .none),
        Route(method: "GET", template: "/api/v1/queues/{queue}", rpc: workers + "DescribeQueue", body: .none),
    ]
}
