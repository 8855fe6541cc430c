// `spindle workflow|run|approvals|approve|decline|override|schedule ...`: the client commands.
// Each is a few gRPC calls and a rendering (table or proto3 JSON); errors are CLIErrors with
// the documented exit codes.
import ProtoJSON
import Glibc
import Messages
import RPC

public enum SpindleCLI {
    /// Whether `spindle <word>` is one of the client commands.
    public static func handles(_ word: String) -> Bool { Commands.groups.contains(word) }

    /// Whether `spindle ARGS` is a client command (global flags such as --server may come first).
    public static func handles(arguments: [String]) -> Bool { Commands.isClientInvocation(arguments) }

    /// The client commands' part of `spindle help`.
    public static var helpText: String { Commands.overview }

    /// Runs one client command; returns the process exit code.
    public static func main(_ args: [String], environment: [String: String]) -> Int32 {
        do {
            let (invocation, spec) = try Commands.parse(args, environment: environment)
            if invocation.help {
                print(spec?.usage ?? groupUsage(invocation.command))
                return ExitCode.ok
            }
            var output = Output(format: invocation.globals.output)
            try run(invocation, &output)
            return ExitCode.ok
        } catch {
            Output.error(error.description)
            return error.exitCode
        }
    }

    static func groupUsage(_ group: String) -> String {
        var text = "usage: spindle \(group) <command> [flags]\n\ncommands:\n"
        for spec in Commands.all where spec.path.hasPrefix(group + " ") {
            text += "  " + ([spec.path] + spec.arguments).joined(separator: " ") + "\n"
        }
        return text + "\nspindle \(group) <command> --help describes each.\n"
    }

    static func run(_ inv: Invocation, _ out: inout Output) throws(CLIError) {
        let client = try SpindleClient(inv.globals)
        let arg = inv.positional.first ?? ""
        switch inv.command {
        case "workflow apply": try WorkflowCommands.apply(inv, client, &out)
        case "workflow list": try WorkflowCommands.list(inv, client, &out)
        case "workflow get":
            let w = try client.resolveWorkflow(arg)
            out.message(w) { Render.workflow(w) }
        case "workflow versions": try WorkflowCommands.versions(arg, client, &out)
        case "workflow diff":
            let w = try client.resolveWorkflow(arg)
            var req = SpindleV1.DiffVersionsRequest()
            req.workflowID = w.id
            req.fromVersion = try int32(inv.positional[1], "FROM")
            req.toVersion = try int32(inv.positional[2], "TO")
            let diff = try client.workflow("DiffVersions", req, SpindleV1.DiffVersionsResponse.self)
            out.message(diff) { Render.diff(diff) }
        case "workflow rollback":
            let w = try client.resolveWorkflow(arg)
            var req = SpindleV1.RollbackWorkflowRequest()
            req.workflowID = w.id
            guard let to = inv.value("--to") else { throw .usage("workflow rollback needs --to VERSION") }
            req.toVersion = try int32(to, "--to")
            req.changeSummary = inv.value("--summary") ?? "rollback to version \(to)"
            let updated = try client.workflow("RollbackWorkflow", req, SpindleV1.Workflow.self)
            out.message(updated) { "workflow \(updated.name) (\(updated.id)) rolled back: now version \(updated.currentVersion)\n" }
        case "run start": try RunCommands.start(inv, client, &out)
        case "run watch": try RunWatch(client: client, runID: arg, format: inv.globals.output).run()
        case "run list": try RunCommands.list(inv, client, &out)
        case "run get":
            let run = try RunCommands.get(arg, client)
            out.message(run) { Render.run(run) }
        case "run cancel":
            var req = SpindleV1.CancelRunRequest()
            req.runID = arg
            req.reason = inv.value("--reason") ?? ""
            let run = try client.runs("CancelRun", req, SpindleV1.Run.self)
            out.message(run) { "run \(run.id): \(Render.name(run.status))\n" }
        case "run resume":
            var req = SpindleV1.ResumeRunRequest()
            req.runID = arg
            req.fromStepID = inv.value("--from-step") ?? ""
            let run = try client.runs("ResumeRun", req, SpindleV1.Run.self)
            out.message(run) { "run \(run.id): \(Render.name(run.status))\n" }
        case "approvals list": try RunCommands.approvals(inv, client, &out)
        case "approve", "decline", "override": try RunCommands.decide(inv, client, &out)
        case "schedule create": try ScheduleCommands.create(inv, client, &out)
        case "schedule list":
            var req = SpindleV1.ListSchedulesRequest()
            if let w = inv.value("--workflow") { req.workflowID = try client.resolveWorkflow(w).id }
            let list = try client.runs("ListSchedules", req, SpindleV1.ListSchedulesResponse.self)
            out.message(list) { Render.schedules(list.schedules) }
        case "schedule pause":
            var req = SpindleV1.PauseScheduleRequest()
            req.scheduleID = arg
            req.paused = !inv.has("--resume")
            let s = try client.runs("PauseSchedule", req, SpindleV1.Schedule.self)
            out.message(s) { "schedule \(s.id): \(s.paused ? "paused" : "active")\n" }
        case "schedule delete":
            var req = SpindleV1.DeleteScheduleRequest()
            req.scheduleID = arg
            let r = try client.runs("DeleteSchedule", req, SpindleV1.DeleteScheduleResponse.self)
            out.message(r) { "schedule \(r.scheduleID) deleted\n" }
        default:
            throw .usage("unknown command \"\(inv.command)\"")
        }
    }

    static func int32(_ text: String, _ what: String) throws(CLIError) -> Int32 {
        guard let n = Int32(text), n > 0 else { throw .usage("\(what) must be a positive integer, got \"\(text)\"") }
        return n
    }
}

/// stdout in the chosen format; errors to stderr.
struct Output {
    let format: OutputFormat

    /// A response: its proto3 JSON with --output json, else the table text.
    func message<M: SchemaMessage>(_ m: M, table: () -> String) {
        if format == .json {
            write(Transcoder().encode(m).render(pretty: true) + "\n")
        } else {
            write(table())
        }
    }

    func write(_ text: String) {
        var bytes = Array(text.utf8)
        Output.writeAll(1, &bytes)
    }

    static func error(_ text: String) {
        var bytes = Array("spindle: \(text)\n".utf8)
        writeAll(2, &bytes)
    }

    static func writeAll(_ fd: Int32, _ bytes: inout [UInt8]) {
        var at = 0
        while at < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + at, $0.count - at) }
            if n <= 0 { if errno == EINTR { continue } else { return } }
            at += n
        }
    }
}
