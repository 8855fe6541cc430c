// spindle.v1.RunService: authenticate, map the request onto the executor, map the answer
// back; and the two event streams. Semantics live in the Engine; this file only adapts.
import FoundationEssentials
public import Engine
import Messages
import ProtoWire
public import RPC

public struct RunService: Sendable {
    public static let serviceName = "spindle.v1.RunService"
    static let maxPageSize = 200
    static let defaultPageSize = 50

    let executor: Executor
    let authenticator: Authenticator
    let encoded = EncodedEventCache()

    public init(executor: Executor, authenticator: Authenticator) {
        self.executor = executor
        self.authenticator = authenticator
    }

    typealias M = WorkflowMapping
    typealias R = RunMapping

    public func register(in router: inout Router) {
        let name = Self.serviceName
        router.unary(name, "RunWorkflow") { (req: PB.RunWorkflowRequest, ctx) in
            try await call(ctx) { p in
                let request = try Executor.StartRequest(tenantID: p.tenant, workflowID: Self.required(req.workflowID, "workflow_id"),
                                                        version: req.version, inputs: M.object(req.inputs, at: "inputs"))
                // The run goes on if the caller gives up: it is not the call's child task.
                let executor = self.executor
                return R.run(try await Task { () throws(DomainError) -> Engine.Run in try await executor.runToPause(request) }.value)
            }
        }
        router.unary(name, "StartRun") { (req: PB.StartRunRequest, ctx) in
            try await call(ctx) { p in
                R.run(try await executor.start(.init(
                    tenantID: p.tenant, workflowID: try Self.required(req.workflowID, "workflow_id"), version: req.version,
                    inputs: try M.object(req.inputs, at: "inputs"), origin: RunOrigin(idempotencyKey: req.idempotencyKey))))
            }
        }
        router.unary(name, "RunPartial") { (req: PB.RunPartialRequest, ctx) in
            try await call(ctx) { p in
                R.run(try await executor.start(.init(
                    tenantID: p.tenant, workflowID: try Self.required(req.workflowID, "workflow_id"), version: req.version,
                    inputs: try M.object(req.inputs, at: "inputs"), origin: RunOrigin(trigger: .partial),
                    fromStepID: try Self.required(req.fromStepID, "from_step_id"),
                    stepOutputs: try M.object(req.stepOutputs, at: "step_outputs"))))
            }
        }
        router.unary(name, "ListRuns") { (req: PB.ListRunsRequest, ctx) in
            try await call(ctx) { p in
                let filter = Executor.RunFilter(workflowID: req.workflowID, status: try R.runStatus(req.status, at: "status"))
                let (runs, next) = try list(p, filter: filter, pageSize: req.pageSize, token: req.pageToken, kind: "r")
                var out = PB.ListRunsResponse()
                out.runs = runs
                out.nextPageToken = next
                return out
            }
        }
        router.unary(name, "ListPausedRuns") { (req: PB.ListPausedRunsRequest, ctx) in
            try await call(ctx) { p in
                let filter = Executor.RunFilter(workflowID: req.workflowID, pausedOnly: true)
                let (runs, next) = try list(p, filter: filter, pageSize: req.pageSize, token: req.pageToken, kind: "p")
                var out = PB.ListPausedRunsResponse()
                // Oldest pause first: whoever has waited longest comes first.
                out.runs = runs.sorted { ($0.pause?.pausedAt.map(M.instant) ?? Instant(nanosSinceEpoch: 0))
                    < ($1.pause?.pausedAt.map(M.instant) ?? Instant(nanosSinceEpoch: 0)) }
                out.nextPageToken = next
                return out
            }
        }
        router.unary(name, "GetRun") { (req: PB.GetRunRequest, ctx) in
            try await call(ctx) { p in R.run(try executor.get(tenant: p.tenant, runID: try Self.required(req.runID, "run_id"))) }
        }
        router.unary(name, "CancelRun") { (req: PB.CancelRunRequest, ctx) in
            try await call(ctx) { p in
                R.run(try await executor.cancel(tenant: p.tenant, runID: try Self.required(req.runID, "run_id"),
                                                reason: req.reason.isEmpty ? "canceled by \(p.subject.isEmpty ? "the caller" : p.subject)" : req.reason))
            }
        }
        router.unary(name, "DeleteRun") { (req: PB.DeleteRunRequest, ctx) in
            try await call(ctx) { p in
                let id = try Self.required(req.runID, "run_id")
                var out = PB.DeleteRunResponse()
                out.eventsRemoved = Int64(try await executor.delete(tenant: p.tenant, runID: id))
                out.runID = id
                return out
            }
        }
        router.unary(name, "ResumeRun") { (req: PB.ResumeRunRequest, ctx) in
            try await call(ctx) { p in
                R.run(try await executor.resume(tenant: p.tenant, runID: try Self.required(req.runID, "run_id"),
                                                fromStepID: req.fromStepID))
            }
        }
        router.unary(name, "GetPauseHistory") { (req: PB.GetPauseHistoryRequest, ctx) in
            try await call(ctx) { p in
                let run = try executor.get(tenant: p.tenant, runID: try Self.required(req.runID, "run_id"))
                var out = PB.GetPauseHistoryResponse()
                out.records = run.pauses.map { R.pause($0, runID: run.id) }
                return out
            }
        }
        router.unary(name, "ProcessPauseAction") { (req: PB.ProcessPauseActionRequest, ctx) in
            try await call(ctx) { p in
                let id = try Self.required(req.runID, "run_id")
                guard let action = Engine.PauseAction(rawValue: req.action.rawValue), action != .unspecified else {
                    throw WorkflowErrors.invalid("action", "action must be APPROVE, DECLINE or OVERRIDE")
                }
                if action == .override && req.output == nil {
                    throw WorkflowErrors.invalid("output", "OVERRIDE needs the output the step should have")
                }
                let output = try req.output.map { v throws(MappingError) in try M.json(v, at: "output") }
                return R.run(try await executor.decide(
                    tenant: p.tenant, runID: id, stepID: req.stepID, action: action,
                    userID: req.userID.isEmpty ? p.subject : req.userID, comment: req.comment,
                    inputs: try M.object(req.inputs, at: "inputs"), output: output))
            }
        }
        router.unary(name, "StartBatchRun") { (req: PB.StartBatchRunRequest, ctx) in
            try await call(ctx) { p in
                let batch = try await executor.startBatch(.init(
                    tenantID: p.tenant, workflowID: try Self.required(req.workflowID, "workflow_id"),
                    fileID: try Self.required(req.fileID, "file_id"), columnMapping: req.columnMapping,
                    miniBatchSize: Int(req.miniBatchSize), version: req.version))
                return R.batch(batch, rows: try executor.batch(tenant: p.tenant, id: batch.id).rows)
            }
        }
        router.unary(name, "GetBatchRun") { (req: PB.GetBatchRunRequest, ctx) in
            try await call(ctx) { p in
                let (batch, rows) = try executor.batch(tenant: p.tenant, id: try Self.required(req.batchID, "batch_id"))
                return R.batch(batch, rows: rows)
            }
        }
        router.serverStreaming(name, "DownloadFile") { (req: PB.DownloadFileRequest, writer: ResponseWriter<PB.DownloadFileResponse>, ctx) in
            try await call(ctx) { p in
                let file = try await executor.file(tenant: p.tenant, fileID: try Self.required(req.fileID, "file_id"))
                var offset = 0
                repeat {
                    var msg = PB.DownloadFileResponse()
                    let end = min(file.bytes.count, offset + 64 * 1024)
                    msg.chunk = Array(file.bytes[offset..<end])
                    if offset == 0 {
                        msg.size = Int64(file.size)
                        msg.sha256 = file.sha256
                    }
                    try await writer.write(msg)
                    offset = end
                } while offset < file.bytes.count
            }
        }
        router.unary(name, "CreateSchedule") { (req: PB.CreateScheduleRequest, ctx) in
            try await call(ctx) { p in
                R.schedule(try await executor.createSchedule(.init(
                    tenantID: p.tenant, workflowID: try Self.required(req.workflowID, "workflow_id"),
                    cron: try Self.required(req.cron, "cron"), timeZone: req.timeZone,
                    inputs: try M.object(req.inputs, at: "inputs"), catchUp: try R.catchUp(req.catchUp, at: "catch_up"))))
            }
        }
        router.unary(name, "ListSchedules") { (req: PB.ListSchedulesRequest, ctx) in
            try await call(ctx) { p in
                var out = PB.ListSchedulesResponse()
                out.schedules = executor.listSchedules(tenant: p.tenant, workflowID: req.workflowID).map(R.schedule)
                return out
            }
        }
        router.unary(name, "PauseSchedule") { (req: PB.PauseScheduleRequest, ctx) in
            try await call(ctx) { p in
                R.schedule(try await executor.pauseSchedule(tenant: p.tenant, id: try Self.required(req.scheduleID, "schedule_id"),
                                                            paused: req.paused))
            }
        }
        router.unary(name, "DeleteSchedule") { (req: PB.DeleteScheduleRequest, ctx) in
            try await call(ctx) { p in
                let id = try Self.required(req.scheduleID, "schedule_id")
                try await executor.deleteSchedule(tenant: p.tenant, id: id)
                var out = PB.DeleteScheduleResponse()
                out.scheduleID = id
                return out
            }
        }
        router.serverStreaming(name, "WatchRun") { (req: PB.WatchRunRequest, writer: ResponseWriter<PreEncoded>, ctx) in
            try await call(ctx) { p in try await watchRun(req, p, writer) }
        }
        router.serverStreaming(name, "WatchRuns") { (req: PB.WatchRunsRequest, writer: ResponseWriter<PreEncoded>, ctx) in
            try await call(ctx) { p in try await watchRuns(req, p, writer) }
        }
    }

    func call<R>(_ ctx: ServerContext, _ body: (Principal) async throws -> R) async throws -> R {
        let principal = try authenticator.authenticate(ctx)
        do {
            return try await body(principal)
        } catch let lost as RunHistoryUnreadable {
            // The run exists but its archived events are damaged: nothing the caller can fix.
            throw RPCError(.dataLoss, lost.description)
        } catch {
            throw WorkflowErrors.map(error)
        }
    }

    static func required(_ value: String, _ field: String) throws(RPCError) -> String {
        guard !value.isEmpty else { throw WorkflowErrors.invalid(field, "\(field) is required") }
        return value
    }

    /// Newest first; the page token is the last run id of the page, tied to the call ("r"
    /// ListRuns, "p" ListPausedRuns) and the filter, so a token cannot be replayed elsewhere.
    func list(_ p: Principal, filter: Executor.RunFilter, pageSize: Int32, token: String, kind: String)
        throws -> ([PB.Run], String) {
        guard pageSize >= 0, pageSize <= Self.maxPageSize else {
            throw WorkflowErrors.invalid("page_size", "page_size must be between 0 and \(Self.maxPageSize)")
        }
        let size = pageSize == 0 ? Self.defaultPageSize : Int(pageSize)
        let scope = "\(kind)|\(filter.workflowID)|\(filter.status?.rawValue ?? 0)"
        var after = ""
        if !token.isEmpty {
            guard let text = Base64.decode(token).map({ String(decoding: $0, as: UTF8.self) }),
                  text.hasPrefix(scope + "|") else {
                throw WorkflowErrors.invalid("page_token", "page_token is not one this call returned with these filters")
            }
            after = String(text.dropFirst(scope.count + 1))
        }
        let (runs, more) = executor.list(tenant: p.tenant, filter: filter, pageSize: size, afterID: after)
        let next = more && !runs.isEmpty ? Base64.encode(Array((scope + "|" + runs.last!.id).utf8)) : ""
        return (runs.map(R.run), next)
    }

    // MARK: - Streams

    /// Replays the run's durable events after `after_seq`, then follows it live; ends after
    /// the terminal event. Nothing is buffered here: the writer's flow control paces the
    /// loop, and the run never waits for a watcher.
    func watchRun(_ req: PB.WatchRunRequest, _ p: Principal, _ writer: ResponseWriter<PreEncoded>) async throws {
        let cell = try executor.cell(tenant: p.tenant, runID: try Self.required(req.runID, "run_id"))
        var seq = req.afterSeq
        while !Task.isCancelled {
            let batch = try await cell.nextEvents(after: seq)
            for e in batch.events {
                try await writer.write(frame: encoded.frame(e))
                seq = e.seq
            }
            if batch.ended { return }
        }
        throw CancellationError()
    }

    static func token(lsn: UInt64) -> String { Base64.encode(Array("w:\(lsn)".utf8)) }
    /// Snapshot messages carry this: a reconnect mid-snapshot starts a fresh snapshot.
    static let snapshotToken = Base64.encode(Array("s".utf8))

    /// The LSN to go on from; nil for "start with a snapshot".
    static func lsn(fromToken token: String) throws(RPCError) -> UInt64? {
        if token.isEmpty { return nil }
        guard let text = Base64.decode(token).map({ String(decoding: $0, as: UTF8.self) }) else {
            throw WorkflowErrors.invalid("resume_token", "resume_token is not one this server gave out")
        }
        if text == "s" { return nil }
        guard text.hasPrefix("w:"), let lsn = UInt64(text.dropFirst(2)) else {
            throw WorkflowErrors.invalid("resume_token", "resume_token is not one this server gave out")
        }
        return lsn
    }

    /// Events of the tenant's runs matching the filter, in log order, each with the token to
    /// resume after it. Live events come from the hub's ring; a stream behind the ring (a slow
    /// reader, or a token from before it, as after a restart) is served the same events from
    /// the log. Starts with a snapshot of the matching unfinished runs when there is no token,
    /// or the log no longer keeps the events after it: then events go on from where the
    /// snapshot was taken, minus any the snapshot already reflects.
    func watchRuns(_ req: PB.WatchRunsRequest, _ p: Principal, _ writer: ResponseWriter<PreEncoded>) async throws {
        let status = try R.runStatus(req.status, at: "status")
        let workflowID = req.workflowID
        var position = try Self.lsn(fromToken: req.resumeToken)
        let hub = executor.hub
        /// Runs sent in a snapshot, with the last sequence number the snapshot reflected.
        var seen: [String: UInt64] = [:]
        func matches(_ e: Engine.RunEvent) -> Bool {
            e.tenantID == p.tenant && (workflowID.isEmpty || e.workflowID == workflowID)
                && (status == nil || e.runStatus == status)
        }
        /// Reads the log while the stream is behind the ring; kept while it is.
        var feed: RunLogFeed?
        func send(_ entries: [EventHub.Entry]) async throws {
            for entry in entries {
                position = entry.lsn
                let e = entry.event
                guard matches(e) else { continue }
                if let reflected = seen[e.runID] {
                    if e.seq <= reflected { continue }
                    if e.isTerminal { seen[e.runID] = nil }
                }
                try await writer.write(encoded.watchRunsMessage(e, token: Self.token(lsn: entry.lsn)))
            }
        }
        while !Task.isCancelled {
            if let from = position, hub.canResume(from: from) {
                feed = nil
                switch await hub.next(after: from) {
                case .tooOld: continue  // fell behind the ring: the log serves it next
                case .events(let entries): try await send(entries)
                }
                continue
            }
            // Behind the ring (a slow stream, or a token from before it, as after a restart):
            // the same events, read back from the log, until the stream is back on the ring.
            if let from = position, from <= hub.lastLSN {
                if feed?.position != from { feed = executor.logFeed(after: from) }
                if let reader = feed, let entries = try? reader.next() {
                    try await send(entries)
                    position = reader.position
                    continue
                }
                feed = nil  // no longer kept (or unreadable): start over from a snapshot
            }
            // Snapshot: taken after noting the hub's position, so nothing between is lost.
            let at = hub.lastLSN
            seen.removeAll()
            let runs = executor.activeRuns(tenant: p.tenant, filter: .init(workflowID: workflowID, status: status))
            for run in runs {
                var msg = PB.WatchRunsResponse()
                msg.item = .run(R.run(run))
                msg.resumeToken = Self.snapshotToken
                try await writer.write(PreEncoded(msg.serializedBytes()))
                seen[run.id] = run.lastSeq
            }
            var end = PB.WatchRunsResponse()
            end.item = .snapshotEnd(true)
            end.resumeToken = Self.token(lsn: at)
            try await writer.write(PreEncoded(end.serializedBytes()))
            position = at
        }
        throw CancellationError()
    }
}
