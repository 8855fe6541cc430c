import Storage
import Synchronization

/// Runs workflows: makes runs, admits them under the concurrency limits, owns the registry
/// every read goes through, and writes every run event to the durable log.
///
/// Each run is a `RunActor`; the executor itself holds only small shared tables under a
/// `Mutex` (no I/O, no awaiting under it), so reads and watchers never queue behind a run.
public final class Executor: Sendable {
    public struct Limits: Sendable {
        /// Runs RUNNING at once in the server.
        public var global: Int
        /// Runs RUNNING at once per workflow; more wait as QUEUED, in order.
        public var perWorkflow: Int
        public init(global: Int = 1000, perWorkflow: Int = 10) {
            self.global = global
            self.perWorkflow = perWorkflow
        }
    }

    public let limits: Limits
    public let hub: EventHub
    /// Hands `task` steps' attempts to external workers.
    public let tasks: TaskBroker
    let runners: [String: any StepRunner]
    let sleeper: Sleeper
    /// The workflow webhook, told of every run that ends (durably, with retries).
    let webhooks: RunWebhooks?
    let webhookTable = WebhookTable()
    let workflows: WorkflowStore
    let schedules = ScheduleTable()
    /// Validated versions in run order (see `plan`).
    private let plans = Mutex<[PlanKey: RunPlan]>([:])
    private struct PlanKey: Hashable {
        let tenant: String, workflowID: String, version: Int32
    }
    let environment: Environment
    let tables: Mutex<Tables>

    struct Tables {
        var cells: [String: RunCell] = [:]
        var actors: [String: RunActor] = [:]
        /// Per tenant, run ids oldest first (ids sort by creation).
        var byTenant: [String: [String]] = [:]
        var idempotency: [String: (runID: String, at: Instant)] = [:]
        var running = 0
        var runningPerWorkflow: [String: Int] = [:]
        var admittedIDs: Set<String> = []
        var queue: [RunActor] = []
        var failure: String?
        var batches: [String: BatchState] = [:]
        /// batch id -> row -> run id.
        var batchRuns: [String: [Int: String]] = [:]
        var recoveryProblems: [String] = []
        /// Workflows (`workflowKey`) whose purge is under way: they start no run.
        var purging: Set<String> = []
        var valueBlobsCollected = 0

        /// Sorts ids by their UTF-8 bytes, the order `insertSorted` and `list` keep. A million
        /// ids through `utf8.lexicographicallyPrecedes` took seconds at start-up: here each id's
        /// first 32 bytes (all of a generated run id's 30) are packed into four integers, and
        /// only ties compare whole ids. Positions are sorted, not the strings: moving a string
        /// costs a retain.
        static func sortByUTF8(_ ids: inout [String]) {
            var keyed = ids.enumerated().map { i, id -> (UInt64, UInt64, UInt64, UInt64, Int) in
                let bytes = id.utf8.span
                func word(_ w: Int) -> UInt64 {
                    var k: UInt64 = 0
                    for n in 0..<8 where 8 * w + n < bytes.count { k |= UInt64(bytes[8 * w + n]) << (56 - 8 * n) }
                    return k
                }
                return (word(0), word(1), word(2), word(3), i)
            }
            keyed.sort { a, b in
                if a.0 != b.0 { return a.0 < b.0 }
                if a.1 != b.1 { return a.1 < b.1 }
                if a.2 != b.2 { return a.2 < b.2 }
                if a.3 != b.3 { return a.3 < b.3 }
                return utf8Precedes(ids[a.4], ids[b.4])
            }
            ids = keyed.map { ids[$0.4] }
        }

        /// `a.utf8.lexicographicallyPrecedes(b.utf8)`, on the strings' bytes in place.
        static func utf8Precedes(_ a: String, _ b: String) -> Bool {
            let x = a.utf8.span, y = b.utf8.span
            var i = 0
            while i < x.count && i < y.count {
                if x[i] != y[i] { return x[i] < y[i] }
                i += 1
            }
            return x.count < y.count
        }

        /// Keeps each tenant's ids sorted (ids from the generator come in order, so this is
        /// almost always an append; children with given ids may land earlier).
        mutating func insertSorted(_ id: String, tenant: String) {
            var ids = byTenant.removeValue(forKey: tenant) ?? []
            if let last = ids.last, id.utf8.lexicographicallyPrecedes(last.utf8) {
                var lo = 0, hi = ids.count
                while lo < hi {
                    let mid = (lo + hi) / 2
                    if ids[mid].utf8.lexicographicallyPrecedes(id.utf8) { lo = mid + 1 } else { hi = mid }
                }
                ids.insert(id, at: lo)
            } else {
                ids.append(id)
            }
            byTenant[tenant] = ids
        }
    }

    public init(workflows: WorkflowStore, runners: [String: any StepRunner] = [:], limits: Limits = Limits(),
                sleeper: Sleeper? = nil, hubCapacity: Int = EventHub.defaultCapacity, webhooks: RunWebhooks? = nil,
                taskOptions: TaskBroker.Options = TaskBroker.Options()) {
        self.workflows = workflows
        self.webhooks = webhooks
        self.environment = workflows.environment
        self.runners = runners
        self.limits = limits
        self.sleeper = sleeper ?? .system(workflows.environment.clock)
        let archive = workflows.archive
        self.hub = EventHub(capacity: hubCapacity, startLSN: workflows.store.lastLSN,
                            onRunEnded: { id in archive.enqueue(id) })
        self.tables = Mutex(Tables())
        self.tasks = TaskBroker(options: taskOptions, clock: workflows.environment.clock, sleeper: self.sleeper,
                                bootID: String(UInt64.random(in: 0..<(1 << 40)), radix: 36))
        attachTaskRecorder()
        workflows.setRunSnapshotSource { [weak self] in self?.snapshotRecords() ?? [] }
        archive.attach(lookup: { [weak self] id in self?.tables.withLock { $0.cells[id] } },
                       allCells: { [weak self] in self?.tables.withLock { Array($0.cells.values) } ?? [] })
        archive.afterEachBatch { [weak workflows] in workflows?.snapshotIfDue() }
    }

    func now() -> Instant { environment.clock.now() }
    func random() -> Double { Double.random(in: 0..<1) }
    func newRunID(tenant: String) -> String { environment.ids.make(prefix: "run", tenant: tenant, at: now()) }

    /// A loop item's child run: "<parent run id>-<step>-<attempt>-<index>", so a restarted
    /// loop finds the children it already made.
    func loopChildID(parent: String, step: String, attempt: Int32, index: Int) -> String {
        "\(parent)-\(step)-\(attempt)-\(index)"
    }

    // MARK: - Log

    /// Queues `event` for the log; once it is durable the cell and the hub publish it.
    func append(_ event: RunEvent, to cell: RunCell) { append([event], to: cell) }

    /// Queues one run's events (in sequence order) as one append: they become durable
    /// together, with consecutive LSNs.
    ///
    /// Values over the blob threshold go to blobs first (written and fsynced here, so before
    /// the record that refers to them is queued). Values over `--max-value-bytes` never get
    /// here (the actor fails their step instead), so no record is over the log's limit; if
    /// one were, the store refuses it whole and queues nothing: that run's events are lost
    /// to the log, but nothing else is, and the log takes every other write. Only a failed
    /// write (of the log, or of a blob) stops all writes, as the disk can no longer be trusted.
    func append(_ events: [RunEvent], to cell: RunCell) {
        let values = workflows.values
        let encoded: [[UInt8]]
        do {
            encoded = try events.map { try $0.logEncoding(values: values) }
        } catch {
            tables.withLock { $0.failure = "a value blob could not be written: \(error)" }
            return
        }
        let records = encoded.map { Record(type: WorkflowStore.RecordType.runEvent, payload: $0) }
        let hub = self.hub
        workflows.store.append(records) { result in
            switch result {
            case .success(let last):
                let first = last - UInt64(events.count - 1)
                for event in events { EngineMetrics.record(event.kind) }
                cell.markDurable(events, encoded: encoded)
                hub.publish(events.enumerated().map { EventHub.Entry(lsn: first + UInt64($0.offset), event: $0.element) })
            case .failure(.recordTooLarge(let bytes, let limit)):
                self.tables.withLock {
                    $0.recoveryProblems.append("run \(cell.id): an event of \(bytes) bytes was over the log's record limit of \(limit)")
                }
            case .failure(let error):
                self.tables.withLock { $0.failure = "the run log refused a write: \(error)" }
            }
        }
    }

    /// The run events after `lsn` read back from the log (for a WatchRuns stream behind the
    /// hub's ring); nil when the log no longer keeps them.
    public func logFeed(after lsn: UInt64) -> RunLogFeed? {
        guard let reader = try? workflows.store.reader(after: lsn) else { return nil }
        return RunLogFeed(reader: reader, hub: hub, values: workflows.values)
    }

    // MARK: - Recovery

    /// Starts firing schedules (after `recover`). The task lives as long as the process.
    public func startScheduler() {
        Task { await runScheduler() }
    }

    /// Rebuilds every run from what recovery found (`RunRecoveryPlan`), then sets the
    /// unfinished ones going again: queued runs keep their order, running ones pick up where
    /// they were. Archived runs get a cell holding only their summary; ended runs still in
    /// memory (their archive write never finished, or its record was torn) are archived again.
    public func recover() async {
        var plan = RunRecoveryPlan(workflows.takeRecoveredRuns())
        registerArchived(plan.archived, extras: plan.extras, names: plan.names)
        plan.archived = [:]
        var live = plan.live
        for (id, r) in plan.reloaded {
            do {
                let events = try workflows.archive.history(of: id, at: r.archived.at) + r.tail
                let run = Run(history: events)!
                live[id] = RunRecoveryPlan.Live(run: run, events: events)
            } catch {
                // Its events after the archived ones cannot be put back on top: it stays as
                // archived, and reads say why.
                tables.withLock { $0.recoveryProblems.append(error.description) }
                registerArchived([id: r.archived], extras: plan.extras, names: plan.names)
            }
        }
        var toResume: [RunActor] = []
        var ended: [String] = []
        var workflowsOfLiveRuns = Set<[String]>()
        for id in live.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            let run = live[id]!.run
            let cell = RunCell(run: run)
            cell.restoreDurable(live[id]!.events)
            if let at = plan.indexed[id] { cell.setIndexed(at) }
            register(cell, run: run)
            guard !run.status.isTerminal else {
                ended.append(id)
                continue
            }
            guard let definition = try? await definition(tenant: run.tenantID, workflowID: run.workflowID,
                                                         version: run.workflowVersion) else { continue }
            let actor = RunActor(cell: cell, run: run, definition: definition, executor: self)
            tables.withLock { $0.actors[id] = actor }
            toResume.append(actor)
            workflowsOfLiveRuns.insert([run.tenantID, run.workflowID])
        }
        tables.withLock { t in
            for tenant in t.byTenant.keys { Tables.sortByUTF8(&t.byTenant[tenant]!) }
        }
        for id in ended { workflows.archive.enqueue(id) }
        collectValueBlobs()
        await recoverBatches()
        recoverSchedules()
        for w in workflowsOfLiveRuns { await refreshWebhookURL(tenant: w[0], workflowID: w[1]) }
        await recoverWebhooks()
        for actor in toResume {
            let status = await actor.status
            if status == .queued {
                enqueue(actor)
            } else {
                if status == .running { takeSlot(for: actor) }
                await actor.recover()
                if status == .running { await actor.admit() } else { await actor.markAdmittedForPaused() }
            }
        }
    }

    /// Problems start-up met (an archived run whose later events could not be applied).
    public var recoveryProblems: [String] { tables.withLock { $0.recoveryProblems } }

    private func register(_ cell: RunCell, run: Run) {
        register(cell, key: run.origin.idempotencyKey, createdAt: run.createdAt, batchID: run.origin.batchID,
                 batchRow: run.origin.batchRow)
    }

    /// The archived runs' cells, in bulk (a million of them at start-up): the cell table is
    /// made from the archived runs' table by `mapValues`, which keeps its hash layout (no id
    /// is hashed again). Each cell holds only the summary; tenant and workflow ids are shared
    /// strings (`names`). Tenant lists are sorted once, after all runs.
    private func registerArchived(_ archived: [String: RunRecoveryPlan.Archived], extras: [String: WorkflowStore.ArchivedExtras],
                                  names: SharedStrings) {
        let archive = workflows.archive
        var byTenant = [[String]](repeating: [], count: names.strings.count)
        let cells = archived.mapValues { a -> RunCell in
            let ref = ArchivedRun(archive: archive, location: a.at, lastSeq: a.lastSeq, status: a.status, createdAt: a.createdAt)
            byTenant[Int(a.tenant)].append(a.runID)
            return RunCell(id: a.runID, tenantID: names[a.tenant], workflowID: names[a.workflow], archived: ref)
        }
        // Keys past the idempotency window would be dropped on first use: not kept at all.
        let cutoff = now().nanosSinceEpoch - Self.idempotencyWindowNanos
        var batchRuns: [String: [Int: String]] = [:]
        var idempotency: [String: (runID: String, at: Instant)] = [:]
        for (id, x) in extras {
            guard let a = archived[id], a.at == x.at else { continue }
            if !x.batchID.isEmpty { batchRuns[x.batchID, default: [:]][Int(x.batchRow)] = id }
            if !x.idempotencyKey.isEmpty && a.createdAt.nanosSinceEpoch >= cutoff {
                idempotency[names[a.tenant] + "\u{0}" + x.idempotencyKey] = (id, a.createdAt)
            }
        }
        tables.withLock { t in
            if t.cells.isEmpty {
                t.cells = cells
            } else {
                t.cells.merge(cells) { _, new in new }
            }
            for (n, ids) in byTenant.enumerated() where !ids.isEmpty {
                // Handed over, not copied (a copy retains every id again).
                let tenant = names.strings[n]
                if t.byTenant[tenant] == nil { t.byTenant[tenant] = ids } else { t.byTenant[tenant]! += ids }
            }
            for (batch, rows) in batchRuns { t.batchRuns[batch, default: [:]].merge(rows) { _, new in new } }
            t.idempotency.merge(idempotency) { _, new in new }
        }
    }

    /// Adds a recovered cell to the tables (tenant lists are sorted once, after all of them).
    private func register(_ cell: RunCell, key: String, createdAt: Instant, batchID: String, batchRow: Int64) {
        tables.withLock { t in
            t.cells[cell.id] = cell
            t.byTenant[cell.tenantID, default: []].append(cell.id)
            if !batchID.isEmpty { t.batchRuns[batchID, default: [:]][Int(batchRow)] = cell.id }
            if !key.isEmpty { t.idempotency[cell.tenantID + "\u{0}" + key] = (cell.id, createdAt) }
        }
    }

    private func definition(tenant: String, workflowID: String, version: Int32) async throws(DomainError) -> WorkflowDefinition {
        try await workflows.read { s throws(DomainError) in
            try s.getVersion(tenant: tenant, id: workflowID, number: version).definition
        }
    }

    // MARK: - Starting runs

    public struct StartRequest: Sendable {
        public var tenantID: String
        public var workflowID: String
        /// 0: the current version.
        public var version: Int32
        public var inputs: [String: JSONValue]
        public var origin: RunOrigin
        /// RunPartial: start here, with these outputs for the steps upstream of it.
        public var fromStepID: String
        public var stepOutputs: [String: JSONValue]
        /// A given id (children of subworkflow and loop steps); empty makes one.
        public var runID: String

        public init(tenantID: String, workflowID: String, version: Int32 = 0, inputs: [String: JSONValue] = [:],
                    origin: RunOrigin = RunOrigin(), fromStepID: String = "", stepOutputs: [String: JSONValue] = [:],
                    runID: String = "") {
            self.tenantID = tenantID
            self.workflowID = workflowID
            self.version = version
            self.inputs = inputs
            self.origin = origin
            self.fromStepID = fromStepID
            self.stepOutputs = stepOutputs
            self.runID = runID
        }
    }

    /// The inputs a run of a workflow declaring `declared` would get (defaults filled in), or
    /// INVALID_ARGUMENT naming each bad one.
    public static func checkInputs(_ inputs: [String: JSONValue], against declared: [InputDeclaration])
        throws(DomainError) -> [String: JSONValue] {
        try RunInputs.check(inputs, against: declared)
    }

    static let idempotencyWindowNanos: Int64 = 24 * 3600 * 1_000_000_000
    /// The longest idempotency key a run records (it goes in every archive summary too).
    public static let maxIdempotencyKeyBytes = 1024

    /// Makes a run and queues it; returns once its first event is durable.
    public func start(_ request: StartRequest) async throws(DomainError) -> Run {
        try await start(request, acknowledged: true)
    }

    /// `acknowledged`: the run is admitted only once its QUEUED event is durable (the caller
    /// is told the run exists). A caller that waits for the run's end instead (RunWorkflow)
    /// passes false: the run starts at once, and its QUEUED event reaches the disk in the
    /// same fsync as the events after it, since the log keeps their order.
    private func start(_ request: StartRequest, acknowledged: Bool) async throws(DomainError) -> Run {
        if let failure = tables.withLock({ $0.failure }) { throw .failedPrecondition(failure) }
        let key = request.origin.idempotencyKey
        if key.utf8.count > Self.maxIdempotencyKeyBytes {
            throw .invalid("idempotency_key", "\(key.utf8.count) bytes, over the limit of \(Self.maxIdempotencyKeyBytes)")
        }
        if !key.isEmpty, let existing = existingRun(tenant: request.tenantID, key: key) { return existing.run }
        if !request.runID.isEmpty, let existing = tables.withLock({ $0.cells[request.runID] }) {
            return existing.run
        }
        let (workflow, version) = try await workflows.read { s throws(DomainError) -> (Workflow, WorkflowVersion) in
            let w = try s.get(tenant: request.tenantID, id: request.workflowID)
            let v = try s.getVersion(tenant: request.tenantID, id: request.workflowID,
                                     number: request.version == 0 ? w.currentVersion : request.version)
            return (w, v)
        }
        if workflow.deleted { throw .failedPrecondition("workflow \(workflow.id) is deleted") }
        if workflow.status == .archived { throw .failedPrecondition("workflow \(workflow.id) is archived") }
        rememberWebhookURL(tenant: request.tenantID, workflowID: workflow.id, url: workflow.metadata.webhookURL)
        let definition = version.definition
        let plan = try plan(tenant: request.tenantID, workflowID: workflow.id, version: version)
        let inputs = try RunInputs.check(request.inputs, against: workflow.metadata.inputs)
        if let problem = workflows.values.problem(inputs, "run input") { throw .resourceExhausted(problem) }
        var preset: [String] = []
        if !request.fromStepID.isEmpty {
            guard plan.steps[request.fromStepID] != nil else {
                throw .notFound("workflow \(workflow.id) has no step \(request.fromStepID)")
            }
            preset = RunInputs.upstream(of: request.fromStepID, in: definition)
            let missing = preset.filter { request.stepOutputs[$0] == nil }
            if !missing.isEmpty {
                throw .invalid("step_outputs", "no output given for the upstream step(s) \(missing.joined(separator: ", ")) of \(request.fromStepID)")
            }
            for id in preset {
                if let problem = workflows.values.problem(request.stepOutputs[id]!, "step_outputs \"\(id)\"") {
                    throw .resourceExhausted(problem)
                }
            }
        }
        let id = request.runID.isEmpty ? newRunID(tenant: request.tenantID) : request.runID
        let at = now()
        let queued = RunEvent(runID: id, tenantID: request.tenantID, workflowID: workflow.id, seq: 1, at: at,
                              kind: .queued(.init(version: version.number, origin: request.origin, inputs: inputs,
                                                  steps: plan.typedOrder)))
        var run = Run(queued: queued)!
        let cell = RunCell(run: run)
        let actor = RunActor(cell: cell, run: run, plan: plan, executor: self)
        // Registered before the await, so a retry with the same key finds it. Not once a purge
        // of its workflow began: the purge removes the runs it found then.
        var purging = false
        let raced: RunCell? = tables.withLock { t in
            if !t.purging.isEmpty && t.purging.contains(Self.workflowKey(request.tenantID, workflow.id)) {
                purging = true
                return nil
            }
            if !key.isEmpty, let prior = t.idempotency[request.tenantID + "\u{0}" + key],
               let c = t.cells[prior.runID] { return c }
            t.cells[id] = cell
            t.actors[id] = actor
            t.insertSorted(id, tenant: request.tenantID)
            if !request.origin.batchID.isEmpty { t.batchRuns[request.origin.batchID, default: [:]][Int(request.origin.batchRow)] = id }
            if !key.isEmpty { t.idempotency[request.tenantID + "\u{0}" + key] = (id, at) }
            return nil
        }
        if purging { throw .failedPrecondition("workflow \(workflow.id) is being purged") }
        if let raced { return raced.run }
        append(queued, to: cell)
        if !preset.isEmpty {
            run = await actor.preset(preset.map { ($0, request.stepOutputs[$0]!) })
        }
        if acknowledged { await cell.waitDurable(run.lastSeq) }
        enqueue(actor)
        return cell.run
    }

    /// The steps of a version in run order, once it is known to validate. Versions never
    /// change, so this is worked out once per version (validation and the topological sort
    /// were a tenth of a run's cost) and kept in a small table.
    private func plan(tenant: String, workflowID: String, version: WorkflowVersion) throws(DomainError) -> RunPlan {
        let key = PlanKey(tenant: tenant, workflowID: workflowID, version: version.number)
        if let known = plans.withLock({ $0[key] }) { return known }
        let problems = validate(version.definition)
        if !problems.isEmpty {
            throw .failedPrecondition("workflow \(workflowID) version \(version.number) does not validate: "
                                      + problems.map(\.message).joined(separator: "; "))
        }
        guard let ordered = version.definition.topologicalOrder() else {
            throw .failedPrecondition("workflow \(workflowID) has a dependency cycle")
        }
        let plan = RunPlan(definition: version.definition, order: ordered.map(\.id))
        plans.withLock { p in
            if p.count >= 4096 { p.removeAll(keepingCapacity: true) }
            p[key] = plan
        }
        return plan
    }

    private func existingRun(tenant: String, key: String) -> RunCell? {
        let cutoff = now().nanosSinceEpoch - Self.idempotencyWindowNanos
        return tables.withLock { t in
            guard let prior = t.idempotency[tenant + "\u{0}" + key] else { return nil }
            guard prior.at.nanosSinceEpoch >= cutoff else {
                t.idempotency[tenant + "\u{0}" + key] = nil
                return nil
            }
            return t.cells[prior.runID]
        }
    }

    /// Starts a run and waits until it ends or pauses (the run goes on if the caller leaves).
    public func runToPause(_ request: StartRequest) async throws(DomainError) -> Run {
        let run = try await start(request, acknowledged: false)
        guard let cell = tables.withLock({ $0.cells[run.id] }) else { return run }
        // Held in memory until the reply is built: a run that ends before this task next runs
        // would otherwise be archived at once and read back from disk for the reply.
        guard (try? cell.hold()) != nil else { return cell.run }
        defer { if cell.release() { workflows.archive.enqueue(run.id) } }
        var seq: UInt64 = 0
        while !Task.isCancelled {
            let batch = await cell.next(after: seq)
            for e in batch.events {
                seq = e.seq
                if e.isTerminal { return cell.runAt(seq) }
                if case .paused = e.kind { return cell.runAt(seq) }
            }
            if batch.ended { break }
        }
        return cell.run
    }

    func startChild(id: String, tenant: String, workflowID: String, inputs: [String: JSONValue],
                    parentRunID: String, parentStepID: String) async throws(DomainError) -> RunCell {
        if let cell = tables.withLock({ $0.cells[id] }) { return cell }
        let origin = RunOrigin(trigger: .subworkflow, parentRunID: parentRunID, parentStepID: parentStepID)
        _ = try await start(StartRequest(tenantID: tenant, workflowID: workflowID, inputs: inputs, origin: origin, runID: id))
        guard let cell = tables.withLock({ $0.cells[id] }) else { throw .notFound("run \(id)") }
        return cell
    }

    /// The run once it is COMPLETED, FAILED or CANCELED (durably); nil if the waiting task is
    /// cancelled or the run deleted.
    func waitForEnd(_ cell: RunCell) async -> Run? {
        var seq: UInt64 = 0
        while !Task.isCancelled {
            let batch = await cell.next(after: seq)
            if let last = batch.events.last { seq = last.seq }
            if batch.events.contains(where: \.isTerminal) { return cell.run }
            if batch.ended { return nil }
        }
        return nil
    }

    func cancelChild(_ id: String, tenant: String) {
        Task { _ = try? await cancel(tenant: tenant, runID: id, reason: "parent run canceled") }
    }

    // MARK: - Admission

    private func enqueue(_ actor: RunActor) {
        tables.withLock { $0.queue.append(actor) }
        pump()
    }

    /// Admits queued runs, in order, while their workflow and the server have room. A run
    /// whose workflow is full does not hold up runs of other workflows behind it.
    private func pump() {
        let admitted: [RunActor] = tables.withLock { t in
            var out: [RunActor] = []
            var i = 0
            while i < t.queue.count && t.running < limits.global {
                let a = t.queue[i]
                let wf = a.cell.workflowID
                if t.runningPerWorkflow[wf, default: 0] < limits.perWorkflow {
                    t.queue.remove(at: i)
                    t.running += 1
                    t.runningPerWorkflow[wf, default: 0] += 1
                    t.admittedIDs.insert(a.cell.id)
                    out.append(a)
                } else {
                    i += 1
                }
            }
            return out
        }
        for a in admitted { Task { await a.admit() } }
    }

    /// A recovered RUNNING run keeps its slot (even past the limit: it was admitted).
    private func takeSlot(for actor: RunActor) {
        tables.withLock { t in
            if t.admittedIDs.insert(actor.cell.id).inserted {
                t.running += 1
                t.runningPerWorkflow[actor.cell.workflowID, default: 0] += 1
            }
        }
    }

    /// Gives the run's slot back (it ended or paused) and admits whoever waits.
    func release(_ actor: RunActor) {
        let freed = tables.withLock { t -> Bool in
            guard t.admittedIDs.remove(actor.cell.id) != nil else { return false }
            t.running -= 1
            t.runningPerWorkflow[actor.cell.workflowID, default: 1] -= 1
            return true
        }
        if freed { pump() }
    }

    func runEnded(_ actor: RunActor, run: Run) {
        release(actor)
        queueWebhook(for: run, cell: actor.cell)
        tables.withLock { t in
            t.actors[run.id] = nil
            t.queue.removeAll { $0 === actor }
        }
    }

    /// A paused run waits for a person, not for a slot: it gives its slot back.
    func runPaused(_ actor: RunActor) { release(actor) }

    /// A resumed run runs at once (it was admitted before), even past the limit.
    func runResumed(_ actor: RunActor) { takeSlot(for: actor) }

    // MARK: - Reads

    /// How many runs the registry holds, and how many of them are not finished.
    public var counts: (runs: Int, unfinished: Int) { tables.withLock { ($0.cells.count, $0.actors.count) } }

    /// Makes the run metrics' series exist before the first run (scrapes list them at zero).
    public static func registerMetrics() { EngineMetrics.register() }

    /// Runs holding an admission slot, and runs waiting QUEUED for one.
    public var admission: (running: Int, queued: Int) { tables.withLock { ($0.running, $0.queue.count) } }

    public func cell(tenant: String, runID: String) throws(DomainError) -> RunCell {
        guard let cell = tables.withLock({ $0.cells[runID] }), cell.tenantID == tenant else {
            throw .notFound("run \(runID) not found")
        }
        return cell
    }

    /// The run; an archived one is read back from the archive (`RunHistoryUnreadable` if its
    /// record is damaged).
    public func get(tenant: String, runID: String) throws -> Run { try cell(tenant: tenant, runID: runID).loadRun() }

    public struct RunFilter: Sendable {
        public var workflowID: String
        public var status: RunStatus?
        public var pausedOnly: Bool
        public init(workflowID: String = "", status: RunStatus? = nil, pausedOnly: Bool = false) {
            self.workflowID = workflowID
            self.status = status
            self.pausedOnly = pausedOnly
        }
        func matches(_ run: Run) -> Bool { matches(workflowID: run.workflowID, status: run.status) }

        /// On what the cell holds, without reading an archived run back.
        func matches(_ cell: RunCell) -> Bool { matches(workflowID: cell.workflowID, status: cell.status) }

        private func matches(workflowID id: String, status s: RunStatus) -> Bool {
            (workflowID.isEmpty || id == workflowID) && (status == nil || s == status) && (!pausedOnly || s == .paused)
        }
    }

    /// Runs newest first, after the run `afterID` (exclusive) when given. The filter is
    /// checked on what the cells hold; only the runs on the page are read (archived ones from
    /// the archive: one whose record is damaged is listed as memory knows it, with the damage
    /// as its error).
    public func list(tenant: String, filter: RunFilter, pageSize: Int, afterID: String) -> (runs: [Run], more: Bool) {
        let (ids, cells) = tables.withLock { t in (t.byTenant[tenant] ?? [], t.cells) }
        var end = ids.count
        if !afterID.isEmpty {
            // First index whose id is >= afterID; everything before it is older.
            var lo = 0, hi = ids.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if ids[mid].utf8.lexicographicallyPrecedes(afterID.utf8) { lo = mid + 1 } else { hi = mid }
            }
            end = lo
        }
        var out: [Run] = []
        var i = end - 1
        while i >= 0 {
            if let cell = cells[ids[i]], filter.matches(cell) {
                let run = cell.run
                if filter.matches(run) {
                    if out.count == pageSize { return (out, true) }
                    out.append(run)
                }
            }
            i -= 1
        }
        return (out, false)
    }

    /// Every run of the tenant (or of every tenant) matching `filter` that is not finished:
    /// the snapshot a WatchRuns stream starts with. Archived runs have ended: never read back.
    public func activeRuns(tenant: String, filter: RunFilter) -> [Run] {
        let (ids, cells) = tables.withLock { t in (t.byTenant[tenant] ?? [], t.cells) }
        return ids.compactMap { id -> Run? in
            guard let cell = cells[id], !cell.isArchived else { return nil }
            return cell.run
        }.filter { !$0.status.isTerminal && filter.matches($0) }
    }

    // MARK: - Commands

    private func actor(tenant: String, runID: String) throws(DomainError) -> RunActor? {
        _ = try cell(tenant: tenant, runID: runID)
        return tables.withLock { $0.actors[runID] }
    }

    public func cancel(tenant: String, runID: String, reason: String) async throws(DomainError) -> Run {
        let c = try cell(tenant: tenant, runID: runID)
        guard let actor = try actor(tenant: tenant, runID: runID) else {
            let run = c.run
            if run.status == .canceled { return run }
            throw .failedPrecondition("run \(runID) is \(run.status.name): only unfinished runs can be canceled")
        }
        let run = await actor.cancel(reason: reason)
        await c.waitDurable(run.lastSeq)
        return run
    }

    public func resume(tenant: String, runID: String, fromStepID: String) async throws -> Run {
        let c = try cell(tenant: tenant, runID: runID)
        // An archived (FAILED) run becomes live again: its events come back into memory, and
        // it stays there while the resume makes its actor. If the resume is refused after all
        // (or the run has already ended again), it goes back to the archive.
        try c.hold()
        defer { if c.release() { workflows.archive.enqueue(runID) } }
        return try await resumeLive(c, tenant: tenant, runID: runID, fromStepID: fromStepID)
    }

    private func resumeLive(_ c: RunCell, tenant: String, runID: String, fromStepID: String) async throws(DomainError) -> Run {
        var actor = try actor(tenant: tenant, runID: runID)
        if actor == nil {
            // A FAILED run has no actor left: make one from its state.
            let run = c.run
            guard run.status == .failed else {
                throw .failedPrecondition("run \(runID) is \(run.status.name): only FAILED and PAUSED runs can be resumed")
            }
            let definition = try await definition(tenant: tenant, workflowID: run.workflowID, version: run.workflowVersion)
            await refreshWebhookURL(tenant: tenant, workflowID: run.workflowID)
            let fresh = RunActor(cell: c, run: run, definition: definition, executor: self)
            actor = tables.withLock { t in
                if let existing = t.actors[runID] { return existing }
                t.actors[runID] = fresh
                return fresh
            }
        }
        let run = try await actor!.resume(from: fromStepID)
        await c.waitDurable(run.lastSeq)
        return c.run
    }

    public func decide(tenant: String, runID: String, stepID: String, action: PauseAction, userID: String,
                       comment: String, inputs: [String: JSONValue], output: JSONValue?) async throws(DomainError) -> Run {
        let c = try cell(tenant: tenant, runID: runID)
        guard let actor = try actor(tenant: tenant, runID: runID) else {
            throw .failedPrecondition("run \(runID) is \(c.run.status.name): it has no paused step")
        }
        let run = try await actor.decide(stepID: stepID, action: action, userID: userID, comment: comment,
                                         inputs: inputs, output: output)
        await c.waitDurable(run.lastSeq)
        return c.run
    }

    /// Removes a finished run and its events; returns how many events went (see `erase`).
    public func delete(tenant: String, runID: String) async throws -> Int {
        let c = try cell(tenant: tenant, runID: runID)
        let status = c.status
        guard status.isTerminal else {
            throw DomainError.failedPrecondition("run \(runID) is \(status.name): cancel it before deleting it")
        }
        guard c.beginDelete() else { throw DomainError.aborted("run \(runID) is being deleted by another call") }
        let lastSeq = c.lastSeq
        try await erase([c], tenant: tenant)
        return Int(lastSeq)
    }

    /// Removes runs (each already `beginDelete`d) for good. A tombstone per run goes to the run
    /// archive first (after any record of the run on its way there), then the log's
    /// `runDeleted` records, all of them in one append; while they are written the runs are
    /// left out of snapshots. On failure none is removed.
    func erase(_ cells: [RunCell], tenant: String) async throws {
        guard !cells.isEmpty else { return }
        // Live runs' keys are read here; an archived run's key is found by its run id.
        var keys: [String] = []
        var scan = false
        for c in cells {
            if c.isArchived {
                scan = true
            } else {
                keys.append(c.run.origin.idempotencyKey)
            }
        }
        do {
            let archive = workflows.archive
            try await withThrowingTaskGroup(of: Void.self) { group in
                for c in cells { group.addTask { try await archive.remove(c.id) } }
                try await group.waitForAll()
            }
            _ = try await workflows.store.append(cells.map {
                Record(type: WorkflowStore.RecordType.runDeleted, payload: Array($0.id.utf8))
            })
        } catch {
            for c in cells { c.abandonDelete() }
            throw error
        }
        let ids = Set(cells.map(\.id))
        tables.withLock { t in
            for id in ids {
                t.cells[id] = nil
                t.actors[id] = nil
            }
            t.byTenant[tenant]?.removeAll { ids.contains($0) }
            for k in keys where !k.isEmpty { t.idempotency[tenant + "\u{0}" + k] = nil }
            if scan {
                for (k, v) in t.idempotency where ids.contains(v.runID) { t.idempotency[k] = nil }
            }
        }
        for c in cells { c.markDeleted() }
        // Their value blobs go too (those no other run holds). One that fails to go is an
        // orphan, which the next start-up collects.
        try? workflows.values.release(owners: ids)
    }

    /// The durable events of every run still in memory (unfinished, or ended and not yet
    /// archived), every batch and every schedule, as records for the store's snapshot.
    /// Archived runs are not in it (the snapshot records the archive's mark instead), nor
    /// runs being deleted.
    func snapshotRecords() -> [Record] {
        let (cells, batches) = tables.withLock { (Array($0.cells.values), Array($0.batches.values)) }
        var out: [Record] = []
        for c in cells {
            // Events recovered at start-up have their large values in blobs already: encoding
            // them again finds those and writes nothing.
            let values = workflows.values
            for bytes in c.snapshotRecords({ (try? $0.logEncoding(values: values)) ?? $0.encoded() }) {
                out.append(Record(type: WorkflowStore.RecordType.runEvent, payload: bytes))
            }
        }
        for b in batches {
            out.append(Record(type: WorkflowStore.RecordType.batch, payload: BatchRecord.created(b.batch).json.canonicalBytes()))
            if b.batch.status == .completed, let at = b.batch.finishedAt {
                out.append(Record(type: WorkflowStore.RecordType.batch,
                                  payload: BatchRecord.finished(id: b.batch.id, outputFileID: b.batch.outputFileID, at: at).json.canonicalBytes()))
            }
        }
        return out + snapshotScheduleRecords() + snapshotWebhookRecords()
    }
}

extension RunActor {
    /// RunPartial: the steps upstream of the start step are COMPLETED with the given outputs.
    func preset(_ outputs: [(String, JSONValue)]) -> Run {
        for (id, output) in outputs {
            presetStep(id, output: output)
        }
        return run
    }
}

/// Run inputs checked against the workflow's declared inputs.
enum RunInputs {
    static func check(_ given: [String: JSONValue], against declared: [InputDeclaration])
        throws(DomainError) -> [String: JSONValue] {
        var inputs = given
        var problems: [ValidationError] = []
        for d in declared {
            guard let v = given[d.name], v != .null else {
                if let def = d.defaultValue {
                    inputs[d.name] = def
                } else if d.required {
                    problems.append(ValidationError(field: "inputs.\(d.name)", code: .invalidInput,
                                                    message: "input \"\(d.name)\" is required"))
                }
                continue
            }
            if let expected = mismatch(v, d.type) {
                problems.append(ValidationError(field: "inputs.\(d.name)", code: .invalidInput,
                                                message: "input \"\(d.name)\" must be \(expected)"))
            }
        }
        if !problems.isEmpty { throw .invalidArgument(problems) }
        return inputs
    }

    /// What `v` should have been, or nil when it fits.
    private static func mismatch(_ v: JSONValue, _ type: InputType) -> String? {
        switch (type, v) {
        case (.unspecified, _): nil
        case (.string, .string), (.file, .string), (.number, .number), (.boolean, .bool), (.object, .object),
             (.array, .array): nil
        case (.integer, .number(let n)) where n == n.rounded(): nil
        case (.string, _): "a string"
        case (.file, _): "a file id (a string)"
        case (.number, _): "a number"
        case (.integer, _): "an integer"
        case (.boolean, _): "a boolean"
        case (.object, _): "an object"
        case (.array, _): "a list"
        }
    }

    /// Every step `id` depends on, transitively, in definition order.
    static func upstream(of id: String, in definition: WorkflowDefinition) -> [String] {
        var byID: [String: Step] = [:]
        for s in definition.steps { byID[s.id] = s }
        var seen = Set<String>()
        var stack = byID[id]?.dependsOn ?? []
        while let s = stack.popLast() {
            if seen.insert(s).inserted { stack.append(contentsOf: byID[s]?.dependsOn ?? []) }
        }
        return definition.steps.map(\.id).filter { seen.contains($0) }
    }
}

extension Executor {
    /// Start-up: value blobs held only by runs that do not exist (a crash after a blob was
    /// written and before its record, or during a purge) are deleted.
    func collectValueBlobs() {
        let live = tables.withLock { Set($0.cells.keys) }
        do {
            let deleted = try workflows.values.collect { live.contains($0) }
            tables.withLock { $0.valueBlobsCollected = deleted }
        } catch {
            tables.withLock { $0.recoveryProblems.append("value blobs not collected: \(error)") }
        }
    }

    /// Value blobs start-up found no run holding, and deleted.
    public var valueBlobsCollected: Int { tables.withLock { $0.valueBlobsCollected } }
}
