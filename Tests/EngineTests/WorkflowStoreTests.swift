import Foundation
import Testing
import Storage
import Synchronization
@testable import Engine

/// WorkflowStore on real files: commands are durable when they return, the log replays to
/// the same state, and snapshots shorten recovery without changing it.
@Suite struct WorkflowStoreTests {
    func tempDir() -> String {
        let path = NSTemporaryDirectory() + "spindle-wfstore-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func concurrentCommandsAreDurableAndReplayToTheSameState() async throws {
        let dir = tempDir()
        let (store, first) = try WorkflowStore.open(directory: dir)
        #expect(first.eventsReplayed == 0 && first.snapshotLSN == nil)
        // 64 concurrent creates with one name, then updates racing on them: the log must keep
        // the order the state applied them in.
        let ids = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<64 {
                group.addTask {
                    try await store.execute { state, env throws(DomainError) in
                        try state.create(tenant: "acme", metadata: WorkflowMetadata(name: "etl"), env: env)
                    }.workflowID
                }
            }
            return try await group.reduce(into: [String]()) { $0.append($1) }
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for id in ids {
                group.addTask {
                    _ = try await store.execute { state, env throws(DomainError) in
                        try state.setStatus(tenant: "acme", id: id, status: .active, env: env)
                    }
                }
            }
            try await group.waitForAll()
        }
        let before = try await store.read { state throws(DomainError) in state }
        let names = Set(try ids.map { id in try before.get(tenant: "acme", id: id).metadata.name })
        #expect(names.count == 64, "every clash got its own suffix")
        #expect(names.contains("etl") && names.contains("etl (63)"))
        await store.close()

        let (reopened, summary) = try WorkflowStore.open(directory: dir)
        #expect(summary.eventsReplayed == 128)
        let after = try await reopened.read { state throws(DomainError) in state }
        #expect(after == before)
        await reopened.close()
    }

    @Test func snapshotsShortenRecoveryWithoutChangingTheState() async throws {
        let dir = tempDir()
        let (store, _) = try WorkflowStore.open(directory: dir, snapshotEvery: 10)
        for n in 0..<25 {
            _ = try await store.execute { state, env throws(DomainError) in
                try state.create(tenant: "t", metadata: WorkflowMetadata(name: "w\(n)"), env: env)
            }
        }
        let before = try await store.read { state throws(DomainError) in state }
        await store.close()
        let (reopened, summary) = try WorkflowStore.open(directory: dir)
        #expect(summary.snapshotLSN == 20)
        #expect(summary.eventsReplayed == 5)
        #expect(try await reopened.read { state throws(DomainError) in state } == before)
        await reopened.close()
    }

    /// Snapshots are taken while other commands keep applying events and waiting for their
    /// fsync. A snapshot must hold exactly the events up to its LSN: one holding a later event
    /// gets it applied twice on recovery (a version appended again, the etag moved on).
    @Test func snapshotsTakenUnderConcurrentWritesHoldExactlyTheirLSN() async throws {
        let dir = tempDir()
        let (store, _) = try WorkflowStore.open(directory: dir, snapshotEvery: 7)
        let made = try await store.execute { state, env throws(DomainError) in
            try state.create(tenant: "t", metadata: WorkflowMetadata(name: "w"), env: env)
        }
        let id = made.workflowID
        try await withThrowingTaskGroup(of: Void.self) { group in
            for n in 0..<200 {
                group.addTask {
                    _ = try await store.execute { state, env throws(DomainError) in
                        let def = WorkflowDefinition(steps: [Step(id: "s\(n)", type: "template", config: ["template": "x"])])
                        return try state.updateDefinition(tenant: "t", id: id, definition: def, env: env)
                    }
                }
            }
            try await group.waitForAll()
        }
        let before = try await store.read { state throws(DomainError) in state }
        #expect(try before.listVersions(tenant: "t", id: id).count == 201)
        await store.close()
        let (reopened, summary) = try WorkflowStore.open(directory: dir)
        #expect(summary.snapshotLSN != nil)
        #expect(try await reopened.read { state throws(DomainError) in state } == before)
        await reopened.close()
    }

    /// A snapshot writes every workflow, so once the last one held more workflows than
    /// `snapshotEvery`, the next waits for as many records: creates alone snapshot at doubling
    /// sizes, updates alone after as many records as workflows.
    @Test func snapshotsAreSpacedByTheWorkflowsTheLastOneHeld() async throws {
        let dir = tempDir()
        let (store, _) = try WorkflowStore.open(directory: dir, snapshotEvery: 4)
        let lsns = Mutex<[UInt64]>([])
        store.onSnapshot { report in lsns.withLock { $0.append(report.lsn) } }
        func written() -> [UInt64] {
            store.flushSnapshots()
            return lsns.withLock { $0 }
        }
        var ids: [String] = []
        func create(_ n: Int) async throws {
            for _ in 0..<n {
                ids.append(try await store.execute { state, env throws(DomainError) in
                    try state.create(tenant: "t", metadata: WorkflowMetadata(name: "w"), env: env)
                }.workflowID)
            }
        }
        func rename(_ n: Int) async throws {
            let id = ids[0]
            for i in 0..<n {
                _ = try await store.execute { state, env throws(DomainError) in
                    try state.updateMetadata(tenant: "t", id: id, metadata: WorkflowMetadata(name: "r\(i)"), mask: ["name"], env: env)
                }
            }
        }
        try await create(12)
        #expect(written() == [4, 8])
        try await create(4)
        #expect(written() == [4, 8, 16])
        try await rename(15)
        #expect(written() == [4, 8, 16])
        try await rename(1)
        #expect(written() == [4, 8, 16, 32])
        await store.close()
        let (reopened, summary) = try WorkflowStore.open(directory: dir, snapshotEvery: 4)
        #expect(summary.snapshotLSN == 32 && summary.eventsReplayed == 0)
        await reopened.close()
    }

    @Test func aRefusedCommandWritesNothing() async throws {
        let dir = tempDir()
        let (store, _) = try WorkflowStore.open(directory: dir)
        await #expect(throws: DomainError.self) {
            _ = try await store.execute { state, env throws(DomainError) in
                try state.create(tenant: "t", metadata: WorkflowMetadata(name: ""), env: env)
            }
        }
        await store.close()
        let (reopened, summary) = try WorkflowStore.open(directory: dir)
        #expect(summary.eventsReplayed == 0)
        await reopened.close()
    }

    @Test func aSecondServerCannotOpenTheSameDirectory() async throws {
        let dir = tempDir()
        let (store, _) = try WorkflowStore.open(directory: dir)
        #expect(throws: StorageError.self) { _ = try WorkflowStore.open(directory: dir) }
        await store.close()
    }

    @Test func attachedFilesSurviveReplayAndSnapshotsAndGoWithAPurge() async throws {
        let dir = tempDir()
        let (store, _) = try WorkflowStore.open(directory: dir, snapshotEvery: 3)
        let id = try await store.execute { state, env throws(DomainError) in
            try state.create(tenant: "t", metadata: WorkflowMetadata(name: "files"), env: env)
        }.workflowID
        for n in 0..<4 {
            let file = AttachedFile(blobID: "b\(n)", name: "f\(n).csv", contentType: "text/csv", purpose: "DATASET",
                                    stepID: "", size: Int64(100 + n), sha256: String(repeating: "a", count: 64),
                                    at: Instant(nanosSinceEpoch: 1_000 + Int64(n)))
            _ = try await store.execute { state, _ throws(DomainError) in try state.attachFile(tenant: "t", id: id, file: file) }
        }
        await #expect(throws: DomainError.self) {
            let stray = AttachedFile(blobID: "x", name: "x", contentType: "", purpose: "DATASET", stepID: "ghost",
                                     size: 1, sha256: "", at: Instant(nanosSinceEpoch: 0))
            _ = try await store.execute { state, _ throws(DomainError) in try state.attachFile(tenant: "t", id: id, file: stray) }
        }
        let before = try await store.read { state throws(DomainError) in state }
        #expect(before.tenantsRecord(tenant: "t", id: id)?.files.map(\.blobID) == ["b0", "b1", "b2", "b3"])
        await store.close()

        let (reopened, summary) = try WorkflowStore.open(directory: dir)
        #expect(summary.snapshotLSN != nil, "the files went through a snapshot")
        #expect(try await reopened.read { state throws(DomainError) in state } == before)
        let report = try await reopened.purge(tenant: "t", id: id)
        #expect(report.files.map(\.size) == [100, 101, 102, 103])
        await reopened.close()
    }
}

extension WorkflowState {
    func tenantsRecord(tenant: String, id: String) -> WorkflowRecord? { try? record(tenant: tenant, id: id) }
}
