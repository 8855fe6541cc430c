import Foundation
import Testing
import Storage
@testable import Engine

/// Compaction of the run archive's sealed data files, on real files: the live histories of a
/// mostly deleted file are written again and the file removed; nothing live is lost and
/// nothing deleted comes back, after a clean restart or from the state a kill leaves between
/// any two steps (files copied at those points).
@Suite(.serialized) struct RunArchiveCompactionTests {
    /// Small data files (a few runs each), compaction only when asked.
    static func make(dir: String? = nil, clock: ManualClock? = nil, snapshotEvery: Int = 50_000,
                     checkIntervalNanos: UInt64 = UInt64.max / 2) async throws -> RunHarness {
        let path = dir ?? NSTemporaryDirectory() + "spindle-compact-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let clock = clock ?? ManualClock(start: Instant(millisSinceEpoch: 1_790_000_000_000))
        var options = Archive.Options()
        options.dataFileBytes = 4096
        var policy = RunArchive.CompactionPolicy()
        policy.checkIntervalNanos = checkIntervalNanos
        let (store, _) = try WorkflowStore.open(directory: path, environment: Environment(clock: clock.clock),
                                                snapshotEvery: snapshotEvery, archiveOptions: options, archiveCompaction: policy)
        let executor = Executor(workflows: store, sleeper: clock.sleeper)
        await executor.recover()
        return RunHarness(dir: path, store: store, executor: executor, clock: clock)
    }

    static func reopen(_ h: RunHarness) async throws -> RunHarness {
        await h.store.close()
        return try await make(dir: h.dir, clock: h.clock)
    }

    /// The data files of the store in `dir` (or, `archive`, of that archive directory).
    static func dataFiles(_ dir: String, archive: String? = nil) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: archive ?? dir + "/archive")) ?? [])
            .filter { $0.hasSuffix(".data") }.sorted()
    }

    /// What a run reads as: its state and every event.
    struct Seen: Equatable {
        let run: Run
        let events: [RunEvent]
    }

    static func seen(_ h: RunHarness, _ id: String) throws -> Seen {
        let cell = try h.executor.cell(tenant: "t", runID: id)
        return Seen(run: try cell.loadRun(), events: try cell.durableEvents())
    }

    /// `n` finished runs, all archived, then all but every fourth deleted. Returns the
    /// harness, what the kept runs read as, and the deleted ids.
    static func mostlyDeleted(_ n: Int = 24, snapshotEvery: Int = 50_000, checkIntervalNanos: UInt64 = UInt64.max / 2)
        async throws -> (RunHarness, [String: Seen], [String]) {
        let h = try await make(snapshotEvery: snapshotEvery, checkIntervalNanos: checkIntervalNanos)
        let wf = try await h.workflow(RunArchiveTests.chain)
        var ids: [String] = []
        for i in 0..<n {
            let id = try await h.start(wf, inputs: ["x": .string("\(i)")]).id
            _ = try await h.finished(id)
            ids.append(id)
        }
        for id in ids { _ = try await RunArchiveTests.archived(h, id) }
        var kept: [String: Seen] = [:]
        var deleted: [String] = []
        for (i, id) in ids.enumerated() {
            if i % 4 == 0 {
                kept[id] = try seen(h, id)
            } else {
                _ = try await h.executor.delete(tenant: "t", runID: id)
                deleted.append(id)
            }
        }
        return (h, kept, deleted)
    }

    static func expectIntact(_ h: RunHarness, _ kept: [String: Seen], _ deleted: [String],
                             sourceLocation: SourceLocation = #_sourceLocation) throws {
        h.store.archive.forgetRecentHistories()
        for (id, before) in kept {
            #expect(try seen(h, id) == before, "run \(id) reads differently", sourceLocation: sourceLocation)
        }
        for id in deleted {
            #expect(throws: DomainError.self, "deleted run \(id) came back", sourceLocation: sourceLocation) {
                _ = try h.executor.cell(tenant: "t", runID: id)
            }
        }
        let listed = Set(h.executor.list(tenant: "t", filter: .init(), pageSize: 1000, afterID: "").runs.map(\.id))
        #expect(listed == Set(kept.keys), sourceLocation: sourceLocation)
    }

    @Test func aMostlyDeletedFileIsRewrittenAndRemovedAndEveryLiveRunReadsAsBefore() async throws {
        var (h, kept, deleted) = try await Self.mostlyDeleted()
        let before = Self.dataFiles(h.dir)
        #expect(before.count >= 4, "the runs should spread over several data files: \(before)")
        let done = try await h.store.archive.compact()
        #expect(done.filesRemoved >= 2 && done.recordsMoved > 0 && done.bytesReclaimed > 0, "\(done)")
        let after = Self.dataFiles(h.dir)
        #expect(after.count < before.count)
        for name in Set(before).subtracting(after) { #expect(before.contains(name)) }
        try Self.expectIntact(h, kept, deleted)
        let stats = h.store.archive.stats
        #expect(stats.filesCompacted == done.filesRemoved && stats.recordsMoved == done.recordsMoved)
        h = try await Self.reopen(h)
        try Self.expectIntact(h, kept, deleted)
        // Files the moved records filled may hold dead ones too: compaction settles in a few rounds.
        var rounds = 0
        while try await h.store.archive.compact().filesRemoved > 0 && rounds < 10 { rounds += 1 }
        #expect(rounds < 10, "compaction keeps finding files to remove")
        try Self.expectIntact(h, kept, deleted)
        await h.store.close()
    }

    /// `mostlyDeleted`, then a copy of the archive directory (`saved`), one compaction, and
    /// the store closed: the files a kill at some point of that compaction is made from.
    static func compactedWithCopy() async throws -> (RunHarness, [String: Seen], [String], saved: String) {
        let (h, kept, deleted) = try await mostlyDeleted()
        let saved = h.dir + "-before"
        try FileManager.default.copyItem(atPath: h.dir + "/archive", toPath: saved)
        _ = try await h.store.archive.compact()
        await h.store.close()
        return (h, kept, deleted, saved)
    }

    @Test func aKillBetweenTheNewEntriesAndTheRemovalLeavesTheOldFileWhichTheNextCompactionRemoves() async throws {
        var (h, kept, deleted, saved) = try await Self.compactedWithCopy()
        let fm = FileManager.default
        let before = Set(Self.dataFiles("", archive: saved))
        let afterFirst = Set(Self.dataFiles(h.dir))
        // The kill came after the new entries were durable, before the old files went.
        for name in before.subtracting(afterFirst) {
            try fm.copyItem(atPath: saved + "/" + name, toPath: h.dir + "/archive/" + name)
        }
        let restored = before.subtracting(afterFirst)
        h = try await Self.make(dir: h.dir, clock: h.clock)
        try Self.expectIntact(h, kept, deleted)
        #expect(!restored.isDisjoint(with: Self.dataFiles(h.dir)))
        let done = try await h.store.archive.compact()
        #expect(done.filesRemoved >= 1, "\(done)")
        // Nothing live was left in the restored files: each goes, whatever else moved.
        let removedAgain = before.subtracting(afterFirst)
        #expect(removedAgain.isDisjoint(with: Self.dataFiles(h.dir)), "a file compacted away stayed")
        try Self.expectIntact(h, kept, deleted)
        h = try await Self.reopen(h)
        try Self.expectIntact(h, kept, deleted)
        await h.store.close()
    }

    @Test func aKillBeforeTheNewEntriesWereDurableLeavesTheOldOnesInForce() async throws {
        var (h, kept, deleted, saved) = try await Self.compactedWithCopy()
        let fm = FileManager.default
        // The new records reached the data files, their index entries did not, and no file
        // was removed: the index and the old files as before, the new data kept.
        let archive = h.dir + "/archive"
        for name in try fm.contentsOfDirectory(atPath: saved) where name.hasSuffix(".index") || !fm.fileExists(atPath: archive + "/" + name) {
            try? fm.removeItem(atPath: archive + "/" + name)
            try fm.copyItem(atPath: saved + "/" + name, toPath: archive + "/" + name)
        }
        for name in try fm.contentsOfDirectory(atPath: archive) where name.hasSuffix(".index") && !fm.fileExists(atPath: saved + "/" + name) {
            try fm.removeItem(atPath: archive + "/" + name)
        }
        h = try await Self.make(dir: h.dir, clock: h.clock)
        try Self.expectIntact(h, kept, deleted)
        let done = try await h.store.archive.compact()
        #expect(done.filesRemoved >= 2, "\(done)")
        h = try await Self.reopen(h)
        try Self.expectIntact(h, kept, deleted)
        await h.store.close()
    }

    @Test func aRunLoadedBackIntoMemoryKeepsItsArchivedRecordThroughACompaction() async throws {
        var (h, kept, deleted) = try await Self.mostlyDeleted()
        // A kept run brought back into memory (as a resume does), not archived again: a
        // restart rebuilds it from its archived record, so that record must survive.
        let id = try #require(kept.keys.sorted().first)
        let cell = try h.executor.cell(tenant: "t", runID: id)
        let old = try #require(cell.state.withLock { $0.archived?.location })
        try cell.hold()
        #expect(cell.indexedLocation == old)
        let done = try await h.store.archive.compact()
        #expect(done.filesRemoved >= 1)
        let hex = String(old.file, radix: 16)
        if !Self.dataFiles(h.dir).contains(String(repeating: "0", count: 16 - hex.count) + hex + ".data") {
            #expect(cell.indexedLocation != old, "the record moved: the cell must say where")
        }
        h = try await Self.reopen(h)
        try Self.expectIntact(h, kept, deleted)
        await h.store.close()
    }

    @Test func aRunWhoseTombstoneIsWrittenIsNotWrittenAgainAndStaysDeleted() async throws {
        // Snapshots after every archive batch: the runs' events are in no log replayed later,
        // the archive is all a restart has of them.
        var (h, kept, deleted) = try await Self.mostlyDeleted(snapshotEvery: 1)
        h.store.flushSnapshots()
        // A delete half done, as a kill would leave it: the tombstone is durable, the cell
        // still in the tables (the log's record and the table update never came).
        let victim = try #require(kept.keys.sorted().first)  // the oldest: in a sealed file
        let cell = try h.executor.cell(tenant: "t", runID: victim)
        let file = try #require(cell.state.withLock { $0.archived?.location.file })
        #expect(cell.beginDelete())
        try await h.store.archive.remove(victim)
        let done = try await h.store.archive.compact()
        let hex = String(file, radix: 16)
        #expect(done.filesRemoved >= 1 && !Self.dataFiles(h.dir).contains(String(repeating: "0", count: 16 - hex.count) + hex + ".data"),
                "the victim's file was compacted")
        h.store.flushSnapshots()
        kept[victim] = nil
        deleted.append(victim)
        await h.store.close()
        h = try await Self.make(dir: h.dir, clock: h.clock, snapshotEvery: 1)
        try Self.expectIntact(h, kept, deleted)
        await h.store.close()
    }

    @Test func aDeleteQueuedBehindACompactionStaysDeleted() async throws {
        var (h, kept, deleted) = try await Self.mostlyDeleted()
        let victim = try #require(kept.keys.sorted().first)
        let archive = h.store.archive
        let compaction = Task { try await archive.compact() }
        _ = try await h.executor.delete(tenant: "t", runID: victim)
        _ = try await compaction.value
        kept[victim] = nil
        deleted.append(victim)
        try Self.expectIntact(h, kept, deleted)
        h = try await Self.reopen(h)
        try Self.expectIntact(h, kept, deleted)
        await h.store.close()
    }

    @Test func aLocationTakenBeforeTheMoveStillReads() async throws {
        let (h, kept, _) = try await Self.mostlyDeleted()
        let archive = h.store.archive
        let taken = try kept.keys.sorted().map { id in
            (id, try #require(h.executor.cell(tenant: "t", runID: id).state.withLock { $0.archived?.location }))
        }
        let done = try await archive.compact()
        #expect(done.filesRemoved >= 1)
        archive.forgetRecentHistories()
        for (id, location) in taken {
            #expect(try archive.history(of: id, at: location) == kept[id]!.events)
        }
        await h.store.close()
    }

    @Test func anArchivedRunsIdempotencyKeyStillFindsItAfterCompactionAndRestart() async throws {
        var h = try await Self.make()
        let wf = try await h.workflow(RunArchiveTests.chain)
        var keyed: [String: String] = [:]
        var others: [String] = []
        for i in 0..<16 {
            let run = try await h.start(wf, inputs: ["x": .string("\(i)")], key: i % 4 == 0 ? "key-\(i)" : "")
            _ = try await h.finished(run.id)
            if i % 4 == 0 { keyed["key-\(i)"] = run.id } else { others.append(run.id) }
        }
        for id in keyed.values + others { _ = try await RunArchiveTests.archived(h, id) }
        for id in others { _ = try await h.executor.delete(tenant: "t", runID: id) }
        #expect(try await h.store.archive.compact().recordsMoved > 0)
        h = try await Self.reopen(h)
        for (key, id) in keyed {
            #expect(try await h.start(wf, inputs: ["x": "again"], key: key).id == id, "key \(key)")
        }
        let fresh = try await h.start(wf, inputs: ["x": "new"], key: "key-new")
        #expect(!keyed.values.contains(fresh.id))
        await h.store.close()
    }

    @Test func anIdleServerCompactsOnItsOwnOnceTheIntervalIsOver() async throws {
        // No compaction asked for, and nothing written after the deletes (which take well under
        // the interval): the archiver must wake by itself when the interval is over.
        let (h, kept, deleted) = try await Self.mostlyDeleted(checkIntervalNanos: 1_000_000_000)
        let deadline = Date().addingTimeInterval(10)
        while h.store.archive.stats.filesCompacted == 0 && Date() < deadline { try await Task.sleep(for: .milliseconds(5)) }
        #expect(h.store.archive.stats.filesCompacted > 0)
        try Self.expectIntact(h, kept, deleted)
        await h.store.close()
    }
}
