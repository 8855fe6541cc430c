import Foundation
import Testing
@testable import Engine

/// PurgeWorkflow on the executor's side: every run of the workflow (unfinished ones canceled
/// first, archived ones with their history), its schedules and batches go, durably; other
/// workflows' runs stay.
@Suite(.serialized) struct RunPurgeTests {
    func purge(_ h: RunHarness, _ wf: String) async throws -> (runs: RunPurgeReport, workflow: PurgeReport) {
        let store = h.store
        return try await h.executor.purgeWorkflow(tenant: "t", workflowID: wf) {
            try await store.purge(tenant: "t", id: wf)
        }
    }

    func gone(_ h: RunHarness, _ id: String) -> Bool {
        do {
            _ = try h.executor.get(tenant: "t", runID: id)
            return false
        } catch let e as DomainError {
            if case .notFound = e { return true }
            return false
        } catch {
            return false
        }
    }

    @Test func purgeCancelsThenRemovesEveryRunScheduleAndBatchForGood() async throws {
        let h = try await RunHarness.make()
        let wf = try await h.workflow([
            runStep("ask", "human_approval", ["message": "go?"]),
            runStep("nap", "wait", ["duration": "1h"]),
        ], name: "doomed")
        let other = try await h.workflow([runStep("a", "transform", ["expression": "1"])], name: "kept")

        // A finished run (archived), a paused one with a step waiting, a schedule.
        let done = try await h.start(wf, key: "k1")
        _ = try await h.until(done.id, "paused") { $0.status == .paused }
        _ = try await h.executor.cancel(tenant: "t", runID: done.id, reason: "done")
        #expect(try await eventually { (try? h.executor.cell(tenant: "t", runID: done.id).isArchived) == true })
        let live = try await h.start(wf, key: "k2")
        _ = try await h.until(live.id, "paused and waiting") { $0.status == .paused && $0.step("nap")?.status == .running }
        let kept = try await h.start(other)
        _ = try await h.finished(kept.id)
        _ = try await h.executor.createSchedule(.init(tenantID: "t", workflowID: wf, cron: "0 * * * *"))
        let keptSchedule = try await h.executor.createSchedule(.init(tenantID: "t", workflowID: other, cron: "0 * * * *"))

        let (runs, workflow) = try await purge(h, wf)
        #expect(runs.runsRemoved == 2 && runs.runsCanceled == 1 && runs.schedulesRemoved == 1)
        #expect(workflow.workflowID == wf)
        #expect(gone(h, done.id) && gone(h, live.id) && !gone(h, kept.id))
        #expect(h.executor.list(tenant: "t", filter: .init(workflowID: wf), pageSize: 10, afterID: "").runs.isEmpty)
        #expect(h.executor.listSchedules(tenant: "t", workflowID: "").map(\.id) == [keptSchedule.id])
        // Its idempotency keys are free again; its workflow is gone, so they find nothing.
        await #expect(throws: DomainError.self) { _ = try await h.start(wf, key: "k1") }
        // A second purge finds no workflow.
        await #expect(throws: DomainError.self) { _ = try await purge(h, wf) }

        // After a restart none of it comes back, archived history included.
        let h2 = try await h.reopen()
        #expect(gone(h2, done.id) && gone(h2, live.id) && !gone(h2, kept.id))
        #expect(h2.executor.counts.runs == 1)
        #expect(h2.executor.listSchedules(tenant: "t", workflowID: "").map(\.id) == [keptSchedule.id])
        #expect(h2.executor.recoveryProblems.isEmpty)
    }

    @Test func noRunStartsWhileAPurgeIsUnderWay() async throws {
        let h = try await RunHarness.make()
        let wf = try await h.workflow([runStep("a", "transform", ["expression": "1"])])
        let executor = h.executor
        let started = try await executor.purgeWorkflow(tenant: "t", workflowID: wf) { () async throws -> String in
            do {
                _ = try await executor.start(.init(tenantID: "t", workflowID: wf))
                return "started"
            } catch let e as DomainError {
                return "\(e)"
            }
        }
        #expect(started.workflow.contains("being purged"), "\(started.workflow)")
        #expect(started.runs.runsRemoved == 0)
        // And a purge that is under way refuses a second one.
        let nested = try await executor.purgeWorkflow(tenant: "t", workflowID: wf) { () async throws -> String in
            do {
                _ = try await executor.purgeWorkflow(tenant: "t", workflowID: wf) { 0 }
                return "purged twice"
            } catch let e as DomainError {
                return "\(e)"
            }
        }
        #expect(nested.workflow.contains("already being purged"), "\(nested.workflow)")
    }
}
