// The commands that take more than one call: apply (create or version, then the diff), run
// start (optionally watched), lists with paging, pause decisions, schedules.
import ProtoJSON
import Glibc
import Messages

/// Files and --input values.
enum Inputs {
    static let maxFileBytes = 4 << 20

    static func readFile(_ path: String) throws(CLIError) -> String {
        guard let f = fopen(path, "rb") else { throw .input("cannot read \(path): \(String(cString: strerror(errno)))") }
        defer { fclose(f) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let n = fread(&chunk, 1, chunk.count, f)
            if n > 0 { bytes.append(contentsOf: chunk[..<n]) }
            if bytes.count > maxFileBytes { throw .input("\(path) is over the limit of \(maxFileBytes) bytes") }
            if n < chunk.count {
                if ferror(f) != 0 { throw .input("cannot read \(path): \(String(cString: strerror(errno)))") }
                break
            }
        }
        guard let text = String(validating: bytes, as: UTF8.self) else { throw .input("\(path) is not UTF-8 text") }
        return text
    }

    /// A file's tree: JSON when it starts with "{" or "[" (or is named .json), else YAML.
    static func parseDocument(_ path: String) throws(CLIError) -> JSON {
        let text = try readFile(path)
        let trimmed = text.drop(while: { $0 == " " || $0 == "\n" || $0 == "\r" || $0 == "\t" })
        do {
            if path.hasSuffix(".json") || trimmed.first == "{" || trimmed.first == "[" {
                return try JSONParser.parse(text)
            }
            return try YAML.parse(text)
        } catch {
            throw .input("\(path): \(error)")
        }
    }

    /// --input-file then each --input k=v (later wins) as a Struct; nil when none given.
    static func inputs(_ inv: Invocation) throws(CLIError) -> GoogleProtobuf.Struct? {
        var members: [JSONMember] = []
        if let file = inv.value("--input-file") {
            guard case .object(let m) = try parseDocument(file) else { throw .input("\(file): expected an object of inputs") }
            members = m
        }
        for pair in inv.values("--input") {
            guard let eq = pair.firstIndex(of: "="), eq != pair.startIndex else {
                throw .usage("--input takes KEY=VALUE, got \"\(pair)\"")
            }
            let key = String(pair[..<eq]), text = String(pair[pair.index(after: eq)...])
            let value = (try? JSONParser.parse(text)) ?? .string(text)
            members.removeAll { $0.key == key }
            members.append(JSONMember(key, value))
        }
        if members.isEmpty && !inv.has("--input-file") { return nil }
        do {
            return try Transcoder().decode(.object(members), as: GoogleProtobuf.Struct.self)
        } catch {
            throw .input("inputs: \(error)")
        }
    }
}

enum WorkflowCommands {
    /// Metadata fields `apply` copies from the file to an existing workflow (UpdateWorkflow's mask).
    static let maskable = ["description", "tags", "kind", "inputs", "config", "trigger_type", "webhook_url", "test_inputs", "origin"]

    static func apply(_ inv: Invocation, _ client: SpindleClient, _ out: inout Output) throws(CLIError) {
        guard let path = inv.value("-f") ?? inv.value("--file") else { throw .usage("workflow apply needs -f FILE") }
        var tree = try Inputs.parseDocument(path)
        // "steps:" at the top level is shorthand for definition.steps.
        if case .object(var members) = tree, tree["definition"] == nil, let steps = tree["steps"] {
            members.removeAll { $0.key == "steps" }
            members.append(JSONMember("definition", .object([JSONMember("steps", steps)])))
            tree = .object(members)
        }
        let file: SpindleV1.Workflow
        do {
            file = try Transcoder().decode(tree, as: SpindleV1.Workflow.self)
        } catch {
            throw .input("\(path): \(error)")
        }
        guard !file.name.isEmpty || !file.id.isEmpty else { throw .input("\(path): the workflow needs a name") }
        let existing: SpindleV1.Workflow?
        if !file.id.isEmpty {
            existing = try client.resolveWorkflow(file.id)
        } else {
            existing = try client.findWorkflow(named: file.name)
        }
        guard let existing else {
            var req = SpindleV1.CreateWorkflowRequest()
            req.workflow = file
            let created = try client.workflow("CreateWorkflow", req, SpindleV1.Workflow.self)
            out.message(created) {
                "workflow \(created.name) (\(created.id)) created: version \(created.currentVersion), "
                    + "\(created.definition?.steps.count ?? 0) steps\n"
            }
            return
        }
        var req = SpindleV1.UpdateWorkflowRequest()
        req.workflowID = existing.id
        req.definition = file.definition ?? SpindleV1.WorkflowDefinition()
        req.changeSummary = inv.value("--summary") ?? "applied from \(path)"
        req.expectedEtag = existing.etag
        let present = Set((tree.objectKeys ?? []).map(snakeCase))
        let mask = maskable.filter { present.contains($0) }
        if !mask.isEmpty {
            req.metadata = file
            req.updateMask = GoogleProtobuf.FieldMask()
            req.updateMask?.paths = mask
        }
        let updated = try client.workflow("UpdateWorkflow", req, SpindleV1.Workflow.self)
        if updated.currentVersion == existing.currentVersion {
            out.message(updated) { "workflow \(updated.name) (\(updated.id)) unchanged: version \(updated.currentVersion)\n" }
            return
        }
        var diffReq = SpindleV1.DiffVersionsRequest()
        diffReq.workflowID = updated.id
        diffReq.fromVersion = existing.currentVersion
        diffReq.toVersion = updated.currentVersion
        let diff = try client.workflow("DiffVersions", diffReq, SpindleV1.DiffVersionsResponse.self)
        out.message(diff) { "workflow \(updated.name) (\(updated.id)) updated: " + Render.diff(diff) }
    }

    static func snakeCase(_ key: String) -> String {
        var out = ""
        for c in key { if c.isUppercase { out += "_" + c.lowercased() } else { out.append(c) } }
        return out
    }

    static func list(_ inv: Invocation, _ client: SpindleClient, _ out: inout Output) throws(CLIError) {
        var req = SpindleV1.ListWorkflowsRequest()
        if let s = inv.value("--status") { req.status = try Render.parse(s, SpindleV1.WorkflowStatus.self, flag: "--status") }
        req.tag = inv.value("--tag") ?? ""
        req.nameContains = inv.value("--name") ?? ""
        var all = SpindleV1.ListWorkflowsResponse()
        all.workflows = try collectPages(limit: try limitFlag(inv)) { (token, size) throws(CLIError) in
            (req.pageToken, req.pageSize) = (token, size)
            let page = try client.workflow("ListWorkflows", req, SpindleV1.ListWorkflowsResponse.self)
            return (page.workflows, page.nextPageToken)
        }
        out.message(all) { Render.workflows(all.workflows) }
    }

    static func versions(_ ref: String, _ client: SpindleClient, _ out: inout Output) throws(CLIError) {
        let w = try client.resolveWorkflow(ref)
        var req = SpindleV1.ListVersionsRequest()
        req.workflowID = w.id
        var all = SpindleV1.ListVersionsResponse()
        all.versions = try collectPages(limit: 100_000) { (token, size) throws(CLIError) in
            (req.pageToken, req.pageSize) = (token, size)
            let page = try client.workflow("ListVersions", req, SpindleV1.ListVersionsResponse.self)
            return (page.versions, page.nextPageToken)
        }
        out.message(all) { Render.versions(all.versions) }
    }
}

/// Pages of a List call until `limit` items or the last page; `fetch(token, size)` gets one.
func collectPages<T>(limit: Int, _ fetch: (String, Int32) throws(CLIError) -> ([T], String)) throws(CLIError) -> [T] {
    var items: [T] = []
    var token = ""
    repeat {
        let (page, next) = try fetch(token, Int32(min(100, limit - items.count)))
        items += page.prefix(limit - items.count)
        token = next
    } while !token.isEmpty && items.count < limit
    return items
}

func limitFlag(_ inv: Invocation) throws(CLIError) -> Int {
    guard let text = inv.value("--limit") else { return 100 }
    guard let n = Int(text), (1...100_000).contains(n) else { throw .usage("--limit must be in 1...100000, got \"\(text)\"") }
    return n
}

enum RunCommands {
    static func start(_ inv: Invocation, _ client: SpindleClient, _ out: inout Output) throws(CLIError) {
        var req = SpindleV1.StartRunRequest()
        req.inputs = try Inputs.inputs(inv)  // flag and file errors before any call
        if let v = inv.value("--version") { req.version = try SpindleCLI.int32(v, "--version") }
        let w = try client.resolveWorkflow(inv.positional[0])
        req.workflowID = w.id
        req.idempotencyKey = inv.value("--idempotency-key") ?? ""
        let run = try client.runs("StartRun", req, SpindleV1.Run.self)
        if inv.has("--watch") {
            var watch = RunWatch(client: client, runID: run.id, format: inv.globals.output)
            watch.replayFinished = true
            try watch.run()
            return
        }
        out.message(run) { "run \(run.id) started (workflow \(w.name) v\(run.workflowVersion)): \(Render.name(run.status))\n" }
    }

    static func get(_ id: String, _ client: SpindleClient) throws(CLIError) -> SpindleV1.Run {
        var req = SpindleV1.GetRunRequest()
        req.runID = id
        return try client.runs("GetRun", req, SpindleV1.Run.self)
    }

    static func list(_ inv: Invocation, _ client: SpindleClient, _ out: inout Output) throws(CLIError) {
        var req = SpindleV1.ListRunsRequest()
        if let w = inv.value("--workflow") { req.workflowID = try client.resolveWorkflow(w).id }
        if let s = inv.value("--status") { req.status = try Render.parse(s, SpindleV1.RunStatus.self, flag: "--status") }
        var all = SpindleV1.ListRunsResponse()
        all.runs = try collectPages(limit: try limitFlag(inv)) { (token, size) throws(CLIError) in
            (req.pageToken, req.pageSize) = (token, size)
            let page = try client.runs("ListRuns", req, SpindleV1.ListRunsResponse.self)
            return (page.runs, page.nextPageToken)
        }
        out.message(all) { Render.runs(all.runs) }
    }

    static func approvals(_ inv: Invocation, _ client: SpindleClient, _ out: inout Output) throws(CLIError) {
        var req = SpindleV1.ListPausedRunsRequest()
        if let w = inv.value("--workflow") { req.workflowID = try client.resolveWorkflow(w).id }
        var all = SpindleV1.ListPausedRunsResponse()
        all.runs = try collectPages(limit: try limitFlag(inv)) { (token, size) throws(CLIError) in
            (req.pageToken, req.pageSize) = (token, size)
            let page = try client.runs("ListPausedRuns", req, SpindleV1.ListPausedRunsResponse.self)
            return (page.runs, page.nextPageToken)
        }
        out.message(all) { Render.paused(all.runs) }
    }

    static func decide(_ inv: Invocation, _ client: SpindleClient, _ out: inout Output) throws(CLIError) {
        guard let step = inv.value("--step") else { throw .usage("\(inv.command) needs --step STEP") }
        var req = SpindleV1.ProcessPauseActionRequest()
        req.runID = inv.positional[0]
        req.stepID = step
        req.comment = inv.value("--comment") ?? ""
        req.userID = inv.value("--user") ?? ""
        switch inv.command {
        case "approve": req.action = .approve
        case "decline": req.action = .decline
        default:
            req.action = .override
            guard let text = inv.value("--value") else { throw .usage("override needs --value JSON (the step's output)") }
            let json = (try? JSONParser.parse(text)) ?? .string(text)
            do {
                req.output = try Transcoder().decode(json, as: GoogleProtobuf.Value.self)
            } catch {
                throw .input("--value: \(error)")
            }
        }
        let run = try client.runs("ProcessPauseAction", req, SpindleV1.Run.self)
        out.message(run) { "run \(run.id): step \(step) \(inv.command == "override" ? "overridden" : inv.command + "d"); run \(Render.name(run.status))\n" }
    }
}

enum ScheduleCommands {
    static func create(_ inv: Invocation, _ client: SpindleClient, _ out: inout Output) throws(CLIError) {
        guard let cron = inv.value("--cron") else { throw .usage("schedule create needs --cron EXPR") }
        var req = SpindleV1.CreateScheduleRequest()
        req.cron = cron
        req.timeZone = inv.value("--tz") ?? ""
        req.inputs = try Inputs.inputs(inv)
        if let c = inv.value("--catch-up") { req.catchUp = try Render.parse(c, SpindleV1.CatchUpPolicy.self, flag: "--catch-up") }
        req.workflowID = try client.resolveWorkflow(inv.positional[0]).id
        let s = try client.runs("CreateSchedule", req, SpindleV1.Schedule.self)
        out.message(s) { "schedule \(s.id) created: \(s.cron) \(s.timeZone.isEmpty ? "UTC" : s.timeZone), next run \(Render.time(s.nextRunAt))\n" }
    }
}
