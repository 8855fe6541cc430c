import Foundation
import Testing
@testable import Engine

/// Polls `condition` for up to 10 s of real time.
func eventually(_ condition: () -> Bool) async throws -> Bool {
    for _ in 0..<5000 {
        if condition() { return true }
        try await Task.sleep(for: .milliseconds(2))
    }
    return condition()
}

/// A paused schedule skips the fire times that pass while it is paused: on resume, after a
/// restart while paused, and after a restart once resumed, the catch-up policy only covers
/// the times missed since the resume.
@Suite(.serialized) struct SchedulePauseTests {
    static let hourMillis: Int64 = 3_600_000

    func scheduledRuns(_ h: RunHarness, _ wf: String) -> [Run] {
        h.executor.list(tenant: "t", filter: .init(workflowID: wf), pageSize: 100, afterID: "").runs
    }

    /// The fire time a schedule's run was started for (from its idempotency key).
    func fireMillis(_ run: Run) -> Int64 {
        Int64(run.origin.idempotencyKey.split(separator: ":").last!)! / 1_000_000
    }

    @Test func timesSkippedWhilePausedAreNeverCaughtUp() async throws {
        // 2026-09-21 10:13:20 UTC; the schedule fires on the hour.
        let clock = ManualClock(start: Instant(millisSinceEpoch: 1_790_000_000_000))
        let h = try await RunHarness.make(clock: clock)
        h.executor.startScheduler()
        let wf = try await h.workflow([runStep("a", "transform", ["expression": "1"])])
        let s = try await h.executor.createSchedule(.init(tenantID: "t", workflowID: wf, cron: "0 * * * *", catchUp: .all))

        let pausedAt = clock.now
        let paused = try await h.executor.pauseSchedule(tenant: "t", id: s.id, paused: true)
        #expect(paused.paused && paused.pausedAt == pausedAt && paused.nextRunAt == nil)
        // Pausing again keeps the first pause time.
        clock.advance(byMillis: 60_000)
        #expect(try await h.executor.pauseSchedule(tenant: "t", id: s.id, paused: true).pausedAt == pausedAt)

        // Down while paused, across five fire times: nothing is owed, and it is still paused.
        let h2 = try await h.reopen()
        clock.advance(byMillis: 5 * Self.hourMillis)
        h2.executor.startScheduler()
        let afterRestart = h2.executor.listSchedules(tenant: "t", workflowID: wf)
        #expect(afterRestart.map(\.paused) == [true] && afterRestart.first?.pausedAt == pausedAt)
        let pausedSnapshot = try h2.executor.snapshotScheduleRecords().map { try ScheduleRecord(bytes: $0.payload) }
        #expect(ScheduleTable.fold(pausedSnapshot)[s.id]?.schedule.pausedAt == pausedAt)

        // Resumed: it fires next at its first time after the resume, and nothing for the
        // times that passed while paused.
        let resumedAt = clock.now
        let resumed = try await h2.executor.pauseSchedule(tenant: "t", id: s.id, paused: false)
        #expect(!resumed.paused && resumed.pausedAt == nil && resumed.lastFireAt == nil)
        // A snapshot keeps the resume time as the log does.
        let snapshot = try h2.executor.snapshotScheduleRecords().map { try ScheduleRecord(bytes: $0.payload) }
        #expect(ScheduleTable.fold(snapshot)[s.id]?.schedule.resumedAt == resumedAt)
        let nextHour = (resumedAt.millisSinceEpoch / Self.hourMillis + 1) * Self.hourMillis
        #expect(resumed.nextRunAt == Instant(millisSinceEpoch: nextHour))
        try await Task.sleep(for: .milliseconds(50))
        #expect(scheduledRuns(h2, wf).map(fireMillis) == [])

        // A restart right after the resume owes nothing either (the resume time is durable).
        let h3 = try await h2.reopen()
        h3.executor.startScheduler()
        try await Task.sleep(for: .milliseconds(100))
        #expect(scheduledRuns(h3, wf).map(fireMillis) == [])

        // Down for two fire times after the resume: ALL catches up exactly those two.
        let h4 = try await h3.reopen()
        clock.advance(byMillis: 2 * Self.hourMillis)
        h4.executor.startScheduler()
        #expect(try await eventually { scheduledRuns(h4, wf).count >= 2 })
        try await Task.sleep(for: .milliseconds(50))
        let fired = scheduledRuns(h4, wf).map(fireMillis).sorted()
        #expect(fired == [nextHour, nextHour + Self.hourMillis])
    }
}
