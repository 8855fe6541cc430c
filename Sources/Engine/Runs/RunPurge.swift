/// What a workflow's purge removed on the executor's side.
public struct RunPurgeReport: Sendable, Hashable {
    /// Every run of the workflow, finished or not, with its events and archived history.
    public var runsRemoved = 0
    /// Of those, the runs still queued, running or paused, canceled first.
    public var runsCanceled = 0
    public var schedulesRemoved = 0
    public var batchesRemoved = 0
    public var webhooksDropped = 0
    public init() {}
}

extension Executor {
    /// Purges a workflow: its schedules, batches, runs and pending webhook deliveries go, then
    /// `removeWorkflow` removes the workflow itself (WorkflowStore.purge). Unfinished runs are
    /// canceled first (their running steps stopped, child runs canceled), then every run is
    /// deleted as DeleteRun deletes one. While it is under way the workflow starts no run (a
    /// schedule firing, a batch row or StartRun gets FAILED_PRECONDITION). The run side goes
    /// first: a purge cut short by a crash leaves the workflow in place, to be purged again.
    public func purgeWorkflow<T: Sendable>(tenant: String, workflowID: String,
                                           removeWorkflow: @Sendable () async throws -> T) async throws -> (runs: RunPurgeReport, workflow: T) {
        _ = try await workflows.read { s throws(DomainError) in try s.get(tenant: tenant, id: workflowID) }
        let key = Self.workflowKey(tenant, workflowID)
        guard tables.withLock({ $0.purging.insert(key).inserted }) else {
            throw DomainError.aborted("workflow \(workflowID) is already being purged")
        }
        defer { _ = tables.withLock { $0.purging.remove(key) } }
        var report = RunPurgeReport()
        for s in listSchedules(tenant: tenant, workflowID: workflowID) {
            try await deleteSchedule(tenant: tenant, id: s.id)
            report.schedulesRemoved += 1
        }
        report.batchesRemoved = try await removeBatches(tenant: tenant, workflowID: workflowID)
        let cells = tables.withLock { t in
            (t.byTenant[tenant] ?? []).compactMap { t.cells[$0] }.filter { $0.workflowID == workflowID }
        }
        for c in cells where !c.status.isTerminal {
            // A run with no actor (its version could not be read back at start-up) is not
            // going anywhere: it is removed as it is.
            if (try? await cancel(tenant: tenant, runID: c.id, reason: "workflow \(workflowID) purged")) != nil {
                report.runsCanceled += 1
            }
        }
        // Another call deleting one of them (DeleteRun) has it: the purge leaves it to it.
        let mine = cells.filter { $0.beginDelete() }
        try await erase(mine, tenant: tenant)
        report.runsRemoved = mine.count
        report.webhooksDropped = try await dropWebhooks(for: Set(mine.map(\.id)))
        webhookTable.urls.withLock { $0[key] = nil }
        return (report, try await removeWorkflow())
    }
}
