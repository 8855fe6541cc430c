import FoundationEssentials
public import Storage
import Synchronization

/// The workflow registry on the durable store: one actor owns the state, commands run one at
/// a time, and a command's events are in the log (fsynced, group-committed with whatever
/// else is being written) before its caller hears back.
///
/// Events are applied to the in-memory state as soon as they are queued for the log, so the
/// next command sees them; the caller of a command is answered only after the append is
/// durable. If an append fails the store refuses all later writes (the log is poisoned) and
/// the state is rebuilt from disk on the next start, so nothing unacknowledged survives as
/// if it were acknowledged.
public actor WorkflowStore {
    /// Log record types owned by the engine.
    public enum RecordType {
        public static let workflowEvent: UInt8 = 1
        /// A `RunEvent` (the executor's).
        public static let runEvent: UInt8 = 2
        /// A deleted run: the payload is its id.
        public static let runDeleted: UInt8 = 3
        /// A batch created or finished (`BatchRecord`).
        public static let batch: UInt8 = 4
        /// A schedule created, paused, deleted or fired (`ScheduleRecord`).
        public static let schedule: UInt8 = 5
    }

    /// What recovery found for the executor: run events (from the snapshot, then the log;
    /// an event may appear twice, the executor keeps each sequence number once) and the runs
    /// deleted after the snapshot.
    public struct RecoveredRuns: Sendable {
        public var events: [RunEvent] = []
        public var deleted: Set<String> = []
        var batches: [BatchRecord] = []
        var schedules: [ScheduleRecord] = []

        /// Takes one run record (from the snapshot or the log).
        mutating func take(_ record: Record) throws(DecodeError) {
            switch record.type {
            case RecordType.runEvent: events.append(try RunEvent(bytes: record.payload))
            case RecordType.runDeleted: deleted.insert(String(decoding: record.payload, as: UTF8.self))
            case RecordType.batch: batches.append(try BatchRecord(bytes: record.payload))
            case RecordType.schedule: schedules.append(try ScheduleRecord(bytes: record.payload))
            default: break
            }
        }
    }

    public struct OpenSummary: Sendable {
        public var snapshotLSN: UInt64?
        public var eventsReplayed: Int
        public var tornTail: String?
        public var duration: Duration
    }

    public enum Failure: Error, CustomStringConvertible {
        case undecodableRecord(lsn: UInt64, reason: String)
        case undecodableSnapshot(lsn: UInt64, reason: String)

        public var description: String {
            switch self {
            case .undecodableRecord(let lsn, let reason): return "log record \(lsn) does not decode: \(reason)"
            case .undecodableSnapshot(let lsn, let reason): return "snapshot at \(lsn) does not decode: \(reason)"
            }
        }
    }

    private var state: WorkflowState
    /// The log the executor writes run events to as well.
    let store: Store
    nonisolated let recoveredRuns: RecoveredRuns
    /// The executor's runs, for snapshots (set when an executor is made on this store).
    private let runSnapshotSource = Mutex<(@Sendable () -> [Record])?>(nil)
    public nonisolated let environment: Environment
    private let snapshotEvery: Int
    private var eventsSinceSnapshot = 0
    private var lastQueuedLSN: UInt64

    private init(state: WorkflowState, store: Store, environment: Environment, snapshotEvery: Int,
                 recoveredRuns: RecoveredRuns) {
        self.state = state
        self.recoveredRuns = recoveredRuns
        self.store = store
        self.environment = environment
        self.snapshotEvery = snapshotEvery
        self.lastQueuedLSN = store.lastLSN
    }

    /// Opens (or creates) the store under `directory` and rebuilds the state: the newest
    /// snapshot, then every event after it.
    public static func open(directory: String, environment: Environment = Environment(),
                            snapshotEvery: Int = 50_000, options: StoreOptions = StoreOptions())
        throws -> (WorkflowStore, OpenSummary) {
        let started = ContinuousClock.now
        let (store, recovery) = try Store.open(directory: directory, options: options)
        var state = WorkflowState()
        var runs = RecoveredRuns()
        if let snapshot = recovery.snapshot {
            do {
                let sections = try EngineSnapshot.split(snapshot.bytes)
                state = try WorkflowState(snapshot: sections.workflows)
                for r in sections.records { try runs.take(r) }
            } catch {
                throw Failure.undecodableSnapshot(lsn: snapshot.lsn, reason: "\(error)")
            }
        }
        var replayed = 0
        try recovery.replay { lsn, record in
            do {
                if record.type == RecordType.workflowEvent {
                    state.apply(try WorkflowEvent(bytes: record.payload))
                } else {
                    try runs.take(record)
                }
            } catch {
                throw Failure.undecodableRecord(lsn: lsn, reason: "\(error)")
            }
            replayed += 1
        }
        let torn = recovery.report.truncation.map { "\($0.file) at \($0.offset): \($0.bytesDropped) bytes dropped" }
        let summary = OpenSummary(snapshotLSN: recovery.snapshot?.lsn, eventsReplayed: replayed, tornTail: torn,
                                  duration: ContinuousClock.now - started)
        return (WorkflowStore(state: state, store: store, environment: environment, snapshotEvery: snapshotEvery,
                              recoveredRuns: runs), summary)
    }

    /// Runs a read against the current state.
    public func read<T: Sendable>(_ body: @Sendable (WorkflowState) throws(DomainError) -> T) throws(DomainError) -> T {
        try body(state)
    }

    /// Runs a command; returns once its events are durable.
    public func execute(_ command: @Sendable (WorkflowState, Environment) throws(DomainError) -> CommandResult)
        async throws -> CommandResult {
        let result = try command(state, environment)
        try await commit(result.events)
        return result
    }

    /// Purges a workflow for good (its events leave the state; its files go too). The blobs
    /// are deleted once the purge is durable; one that fails to delete is only an orphan file.
    public func purge(tenant: String, id: String) async throws -> PurgeReport {
        let (events, report) = try state.purge(tenant: tenant, id: id)
        try await commit(events)
        for file in report.files { try? store.deleteBlob(file.blobID) }
        return report
    }

    /// Appends `events` and applies them; the await is the fsync (shared with concurrent
    /// commands by the store's group commit).
    private func commit(_ events: [WorkflowEvent]) async throws {
        guard !events.isEmpty else { return }
        let records = events.map { Record(type: RecordType.workflowEvent, payload: $0.encoded()) }
        state.apply(events)
        eventsSinceSnapshot += events.count
        // Queued synchronously, on the actor, before suspending: the log order is the order
        // the events were applied in, whatever runs while this command waits for its fsync.
        lastQueuedLSN = try await withCheckedThrowingContinuation { (done: CheckedContinuation<UInt64, any Error>) in
            store.append(records) { done.resume(with: $0.mapError { $0 as any Error }) }
        }
        if eventsSinceSnapshot >= snapshotEvery {
            eventsSinceSnapshot = 0
            // Every record up to lastQueuedLSN is durable now (the writer acknowledges in
            // order), so the runs' durable events include all run events up to it; any later
            // ones in the snapshot are skipped by sequence number when the log is replayed.
            let runRecords = runSnapshotSource.withLock { $0 }?() ?? []
            try store.writeSnapshot(lsn: lastQueuedLSN,
                                    bytes: EngineSnapshot.join(workflows: state.snapshotBytes(), records: runRecords))
        }
    }

    /// Stores an uploaded file; returns its id, size and SHA-256.
    public nonisolated func putFile<Chunks: AsyncSequence & Sendable>(_ chunks: Chunks) async throws -> BlobInfo
        where Chunks.Element == [UInt8] {
        try await store.putBlob(chunks)
    }

    nonisolated func setRunSnapshotSource(_ source: @escaping @Sendable () -> [Record]) {
        runSnapshotSource.withLock { $0 = source }
    }

    public func close() {
        store.close()
    }
}
