import Foundation
import Synchronization
import Testing
import Storage
@testable import Engine

/// Finished runs leave memory for the run archive, and every read still answers as before:
/// the run, its events, replays, resume, delete, lists, and all of it across restarts,
/// including restarts whose archive lost its tail.
@Suite(.serialized) struct RunArchiveTests {
    /// A harness whose store snapshots after `snapshotEvery` log records.
    static func make(dir: String? = nil, snapshotEvery: Int = 50_000, runners: [String: any StepRunner] = [:],
                     clock: ManualClock? = nil) async throws -> RunHarness {
        let path = dir ?? NSTemporaryDirectory() + "spindle-archive-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let clock = clock ?? ManualClock(start: Instant(millisSinceEpoch: 1_790_000_000_000))
        let (store, _) = try WorkflowStore.open(directory: path, environment: Environment(clock: clock.clock),
                                                snapshotEvery: snapshotEvery)
        let executor = Executor(workflows: store, runners: runners, sleeper: clock.sleeper)
        await executor.recover()
        return RunHarness(dir: path, store: store, executor: executor, clock: clock)
    }

    static func reopen(_ h: RunHarness, snapshotEvery: Int = 50_000, runners: [String: any StepRunner] = [:]) async throws -> RunHarness {
        await h.store.close()
        return try await make(dir: h.dir, snapshotEvery: snapshotEvery, runners: runners, clock: h.clock)
    }

    static let chain = [
        runStep("a", "template", ["template": "A"]),
        runStep("b", "transform", ["expression": "steps.a + inputs.x"], after: ["a"]),
        runStep("c", "template", ["template": "{{ steps.b }}!"], after: ["b"]),
    ]

    /// Waits (on real time, briefly) until the run's events have left memory.
    static func archived(_ h: RunHarness, _ id: String) async throws -> RunCell {
        let cell = try h.executor.cell(tenant: "t", runID: id)
        let deadline = Date().addingTimeInterval(10)
        while !cell.isArchived && Date() < deadline { try await Task.sleep(for: .milliseconds(2)) }
        #expect(cell.isArchived, "run \(id) was not archived")
        return cell
    }

    static func inMemory(_ cell: RunCell) -> Bool { cell.state.withLock { $0.live != nil } }

    /// Flips bits of one byte in place (the archive may hold the file open: a new file
    /// under the same name would go unseen). A negative offset counts from the end.
    static func damage(_ path: String, at offset: Int, with bits: UInt8 = 0x10) throws {
        let file = try #require(FileHandle(forUpdatingAtPath: path))
        defer { try? file.close() }
        let size = Int(try file.seekToEnd())
        let at = UInt64(offset < 0 ? size + offset : offset)
        try file.seek(toOffset: at)
        let byte = try #require(try file.read(upToCount: 1)).first!
        try file.seek(toOffset: at)
        try file.write(contentsOf: Data([byte ^ bits]))
    }

    static func archiveFiles(_ h: RunHarness, _ suffix: String) -> [String] {
        let dir = h.dir + "/archive"
        return ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [])
            .filter { $0.hasSuffix(suffix) }.sorted().map { dir + "/" + $0 }
    }

    @Test func aFinishedRunsEventsLeaveMemoryAndEveryReadAnswersAsBefore() async throws {
        let h = try await Self.make()
        let wf = try await h.workflow(Self.chain)
        let id = try await h.start(wf, inputs: ["x": "y"]).id
        let finished = try await h.finished(id)
        let cell = try await Self.archived(h, id)
        #expect(!Self.inMemory(cell))
        #expect(h.store.archive.stats.archived == 1)

        let run = try h.executor.get(tenant: "t", runID: id)
        #expect(run == finished && run.outputs == ["c": "Ay!"])
        let events = try cell.durableEvents()
        #expect(events.map(\.seq) == Array(1...run.lastSeq) && events.last?.isTerminal == true)
        // A watcher's replay, whole and from the middle, ends after the terminal event.
        let all = await cell.next(after: 0)
        #expect(all.events == events && all.ended)
        let rest = await cell.next(after: 3, limit: 2)
        #expect(rest.events.map(\.seq) == [4, 5] && !rest.ended)
        // The run as of an event, as RunWorkflow answers a pause.
        #expect(cell.runAt(1).status == .queued && cell.runAt(run.lastSeq) == run)
        // Lists: ListRuns reads it back; WatchRuns' snapshot of unfinished runs leaves it out.
        #expect(h.executor.list(tenant: "t", filter: .init(), pageSize: 10, afterID: "").runs == [run])
        #expect(h.executor.list(tenant: "t", filter: .init(status: .running), pageSize: 10, afterID: "").runs.isEmpty)
        #expect(h.executor.list(tenant: "t", filter: .init(workflowID: wf, status: .completed), pageSize: 10, afterID: "").runs == [run])
        #expect(h.executor.activeRuns(tenant: "t", filter: .init()).isEmpty)
        await h.store.close()
    }

    /// RunWorkflow holds its run in memory until the reply is built: a run that ends before
    /// the waiting task next runs is not archived under it and read back from disk. The run
    /// goes to the archive once the reply is built.
    @Test func runWorkflowHoldsItsRunInMemoryUntilTheReplyIsBuilt() async throws {
        let h = try await Self.make()
        let wf = try await h.workflow([runStep("w", "wait", ["duration": "1s"])])
        let reply = Task { try await h.executor.runToPause(.init(tenantID: "t", workflowID: wf)) }
        var cell: RunCell?
        let deadline = Date().addingTimeInterval(10)
        while cell == nil && Date() < deadline {
            if let run = h.executor.list(tenant: "t", filter: .init(workflowID: wf), pageSize: 1, afterID: "").runs.first {
                cell = try h.executor.cell(tenant: "t", runID: run.id)
            } else {
                try await Task.sleep(for: .milliseconds(2))
            }
        }
        let waiting = try #require(cell)
        // RunWorkflow takes the hold just after the run is registered.
        while waiting.state.withLock({ $0.holds }) == 0 && Date() < deadline { try await Task.sleep(for: .milliseconds(2)) }
        #expect(waiting.state.withLock { $0.holds } == 1)
        try await h.fireNextTimer()
        let run = try await reply.value
        #expect(run.status == .completed)
        _ = try await Self.archived(h, run.id)
        #expect(waiting.state.withLock { $0.holds } == 0)
        #expect(h.store.archive.stats.archived == 1 && h.store.archive.stats.reads == 0)
        await h.store.close()
    }

    @Test func aRestartKeepsArchivedRunsOutOfMemoryAndTheSnapshotHoldsOnlyUnfinishedOnes() async throws {
        let h = try await Self.make(snapshotEvery: 40)
        let wf = try await h.workflow(Self.chain)
        let slow = try await h.workflow([runStep("ask", "human_approval"), runStep("go", "template", ["template": "went"], after: ["ask"])],
                                        name: "slow")
        var runs: [Run] = []
        for n in 0..<12 {
            let id = try await h.start(wf, inputs: ["x": .string("\(n)")]).id
            runs.append(try await h.finished(id))
        }
        let unfinished = try await h.start(slow).id
        _ = try await h.until(unfinished, "paused") { $0.status == .paused }
        for r in runs { _ = try await Self.archived(h, r.id) }
        // Runs alone (no workflow command) made snapshots: the log does not grow for ever.
        // The archiver asks for the snapshot after a batch, from a task of its own: wait for it.
        for _ in 0..<2000 where h.store.lastSnapshot == nil {
            h.store.flushSnapshots()
            try await Task.sleep(for: .milliseconds(5))
        }
        let snapshot = try #require(h.store.lastSnapshot)
        #expect(snapshot.error == nil)
        // What a snapshot now holds of runs: the unfinished one's events, nothing else.
        let paused = try h.executor.get(tenant: "t", runID: unfinished)
        await (try h.executor.cell(tenant: "t", runID: unfinished)).waitDurable(paused.lastSeq)
        #expect(h.executor.snapshotRecords().count == Int(paused.lastSeq))

        let h2 = try await Self.reopen(h)
        for r in runs {
            let cell = try h2.executor.cell(tenant: "t", runID: r.id)
            #expect(cell.isArchived && !Self.inMemory(cell))
            #expect(try h2.executor.get(tenant: "t", runID: r.id) == r)
        }
        let listed = h2.executor.list(tenant: "t", filter: .init(workflowID: wf), pageSize: 100, afterID: "").runs
        #expect(listed.map(\.id) == runs.map(\.id).reversed(), "every run listed once, newest first")
        #expect(h2.executor.counts.runs == runs.count + 1)
        #expect(!(try h2.executor.cell(tenant: "t", runID: unfinished).isArchived))
        _ = try await h2.executor.decide(tenant: "t", runID: unfinished, stepID: "ask", action: .approve, userID: "",
                                         comment: "", inputs: [:], output: nil)
        let done = try await h2.finished(unfinished)
        #expect(done.status == .completed && done.outputs == ["go": "went"])
        await h2.store.close()
    }

    @Test func resumingAnArchivedFailedRunBringsItBackAndItEndsInTheArchiveAgain() async throws {
        let fail = Mutex(true)
        let runner = ScriptedRunner { _, n throws(StepFailure) in
            if fail.withLock({ $0 }) { throw StepFailure(StepFailure.httpStatus, "502") }
            return .number(Double(n))
        }
        let h = try await Self.make(runners: ["http_request": runner])
        let wf = try await h.workflow([
            runStep("a", "template", ["template": "A"]),
            runStep("b", "http_request", ["url": "http://x"], after: ["a"]),
        ])
        let id = try await h.start(wf).id
        let failed = try await h.finished(id)
        #expect(failed.status == .failed)
        let cell = try await Self.archived(h, id)
        fail.withLock { $0 = false }
        _ = try await h.executor.resume(tenant: "t", runID: id, fromStepID: "")
        let run = try await h.finished(id)
        #expect(run.status == .completed && run.outputs == ["b": 2] && run.step("a")?.output == "A")
        _ = try await Self.archived(h, id)
        let events = try cell.durableEvents()
        #expect(events.map(\.seq) == Array(1...run.lastSeq))
        #expect(events.filter(\.isTerminal).count == 2, "the failure, then the completion")

        // After a restart the newer archive record wins: the completed run, once.
        let h2 = try await Self.reopen(h, runners: ["http_request": runner])
        #expect(try h2.executor.get(tenant: "t", runID: id) == run)
        #expect(try h2.executor.cell(tenant: "t", runID: id).durableEvents() == events)
        #expect(h2.executor.counts.runs == 1)
        await h2.store.close()
    }

    /// A resume that lands while the run's archive record is being written: the run must
    /// stay in memory for the actor the resume makes (its events were once dropped, and the
    /// resume waited for ever).
    @Test(.timeLimit(.minutes(1))) func aResumeRacingTheArchiveWriteKeepsEveryEvent() async throws {
        let h = try await Self.make()
        let wf = try await h.workflow([
            runStep("a", "template", ["template": "A"]),
            runStep("b", "transform", ["expression": "1 / inputs.d"], after: ["a"]),
        ])
        for _ in 0..<40 {
            let failed = try await h.executor.runToPause(.init(tenantID: "t", workflowID: wf, inputs: ["d": 0]))
            #expect(failed.status == .failed)
            let again = try await h.executor.resume(tenant: "t", runID: failed.id, fromStepID: "b")
            let run = try await h.finished(again.id)
            #expect(run.status == .failed && run.step("a")?.output == "A")
            let cell = try await Self.archived(h, failed.id)
            #expect(try cell.durableEvents().map(\.seq) == Array(1...run.lastSeq))
        }
        await h.store.close()
    }

    /// The same race, step by step on the cell: an archive write that finishes while the run
    /// is held leaves it in memory, and the release says it may go now.
    @Test func anArchiveWriteFinishingWhileTheRunIsHeldLeavesItInMemory() async throws {
        let h = try await Self.make()
        let wf = try await h.workflow([runStep("b", "transform", ["expression": "1 / inputs.d"])])
        let failed = try await h.executor.runToPause(.init(tenantID: "t", workflowID: wf, inputs: ["d": 0]))
        let cell = try await Self.archived(h, failed.id)
        let ref = try #require(cell.state.withLock { $0.archived })
        try cell.hold()  // loads it back
        #expect(Self.inMemory(cell) && cell.beginArchive() == nil)
        #expect(!cell.finishArchive(ref), "a held run left memory")
        #expect(Self.inMemory(cell) && !cell.isArchivable)
        #expect(cell.release())
        let (events, encoded, run) = try #require(cell.beginArchive())
        #expect(encoded == nil, "events read back from the archive carry no cached encoding")
        #expect(events.count == Int(run.lastSeq) && cell.finishArchive(ref) && !Self.inMemory(cell))
        await h.store.close()
    }

    @Test func aResumeRefusedAfterLoadingTheRunBackLeavesItForTheArchiveAgain() async throws {
        let runner = ScriptedRunner { _, _ throws(StepFailure) in throw StepFailure(StepFailure.httpStatus, "502") }
        let h = try await Self.make(runners: ["http_request": runner])
        let wf = try await h.workflow([runStep("b", "http_request", ["url": "http://x"])])
        let id = try await h.start(wf).id
        _ = try await h.finished(id)
        let cell = try await Self.archived(h, id)
        await #expect(throws: DomainError.self) { _ = try await h.executor.resume(tenant: "t", runID: id, fromStepID: "nope") }
        _ = try await Self.archived(h, id)
        #expect(try h.executor.get(tenant: "t", runID: id).status == .failed)
        #expect(!Self.inMemory(cell))
        await h.store.close()
    }

    @Test func deletedRunsStayDeletedAcrossRestartsWhetherArchivedOrNot() async throws {
        let h = try await Self.make()
        let wf = try await h.workflow(Self.chain)
        let archivedID = try await h.start(wf, inputs: ["x": "1"]).id
        _ = try await h.finished(archivedID)
        _ = try await Self.archived(h, archivedID)
        let kept = try await h.finished(try await h.start(wf, inputs: ["x": "2"]).id)
        // Deleted the moment it ends: its archive record may still be on its way.
        let racing = try await h.start(wf, inputs: ["x": "3"]).id
        _ = try await h.finished(racing)
        let removed = try await h.executor.delete(tenant: "t", runID: racing)
        #expect(removed == Int(kept.lastSeq))
        #expect(try await h.executor.delete(tenant: "t", runID: archivedID) == Int(kept.lastSeq))
        #expect(throws: DomainError.self) { _ = try h.executor.get(tenant: "t", runID: archivedID) }
        _ = try await Self.archived(h, kept.id)

        let h2 = try await Self.reopen(h)
        #expect(throws: DomainError.self) { _ = try h2.executor.get(tenant: "t", runID: archivedID) }
        #expect(throws: DomainError.self) { _ = try h2.executor.get(tenant: "t", runID: racing) }
        #expect(try h2.executor.get(tenant: "t", runID: kept.id) == kept)
        #expect(h2.executor.list(tenant: "t", filter: .init(), pageSize: 10, afterID: "").runs.map(\.id) == [kept.id])
        await h2.store.close()
    }

    @Test func aDamagedArchiveRecordIsAClearErrorNamingTheFileAndOffset() async throws {
        let h = try await Self.make()
        let wf = try await h.workflow(Self.chain)
        let id = try await h.start(wf, inputs: ["x": "1"]).id
        let run = try await h.finished(id)
        let cell = try await Self.archived(h, id)
        let data = try #require(Self.archiveFiles(h, ".data").first)
        #expect(try h.executor.get(tenant: "t", runID: id) == run)
        try Self.damage(data, at: -5)
        // The history read (intact) just now is kept decoded: watchers of a run that just ended
        // do not each read the file again.
        #expect(try h.executor.get(tenant: "t", runID: id) == run)
        // From here on, every read must go to the damaged file.
        h.store.archive.forgetRecentHistories()

        do {
            _ = try h.executor.get(tenant: "t", runID: id)
            Issue.record("a damaged record was read")
        } catch let lost as RunHistoryUnreadable {
            #expect(lost.runID == id && lost.reason.contains(data) && lost.reason.contains("at offset 0: checksum mismatch"))
        }
        await #expect(throws: RunHistoryUnreadable.self) { _ = try await cell.nextEvents(after: 0) }
        await #expect(throws: RunHistoryUnreadable.self) { _ = try await h.executor.resume(tenant: "t", runID: id, fromStepID: "") }
        // Lists go on: the run as memory knows it, with the damage as its error.
        let listed = h.executor.list(tenant: "t", filter: .init(), pageSize: 10, afterID: "").runs
        #expect(listed.map(\.id) == [id] && listed[0].status == .completed && listed[0].lastSeq == run.lastSeq)
        #expect(listed[0].error?.code == "DATA_LOSS")
        #expect(await cell.next(after: 0).ended)
        // It can still be deleted.
        #expect(try await h.executor.delete(tenant: "t", runID: id) == Int(run.lastSeq))
        await h.store.close()
    }

    @Test func aTornArchiveTailIsRebuiltFromTheLogAndArchivedAgain() async throws {
        let h = try await Self.make()
        let wf = try await h.workflow(Self.chain)
        var runs: [Run] = []
        for n in 0..<3 {
            runs.append(try await h.finished(try await h.start(wf, inputs: ["x": .string("\(n)")]).id))
            _ = try await Self.archived(h, runs.last!.id)
        }
        await h.store.close()
        // The crash tore the last index entry, and a record of the one before (no snapshot
        // yet: none of this is relied on, the log still has every event).
        let index = try #require(Self.archiveFiles(h, ".index").last)
        let file = try #require(FileHandle(forUpdatingAtPath: index))
        try file.truncate(atOffset: try file.seekToEnd() - 3)
        try file.close()
        let data = try #require(Self.archiveFiles(h, ".data").first)
        let size = try #require(FileManager.default.contents(atPath: data)).count
        try Self.damage(data, at: size / 2, with: 0x01)

        let h2 = try await Self.make(dir: h.dir, clock: h.clock)
        for r in runs {
            #expect(try h2.executor.get(tenant: "t", runID: r.id) == r)
            let cell = try await Self.archived(h2, r.id)
            #expect(try cell.durableEvents().count == Int(r.lastSeq))
        }
        #expect(h2.executor.counts.runs == 3)
        let h3 = try await Self.reopen(h2)
        for r in runs { #expect(try h3.executor.get(tenant: "t", runID: r.id) == r) }
        await h3.store.close()
    }
}
