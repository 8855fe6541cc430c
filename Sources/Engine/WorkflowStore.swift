import FoundationEssentials
public import Storage

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
    /// Log record types owned by the engine (runs and run events will add theirs).
    public enum RecordType {
        public static let workflowEvent: UInt8 = 1
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
    private let store: Store
    public nonisolated let environment: Environment
    private let snapshotEvery: Int
    private var eventsSinceSnapshot = 0
    private var lastQueuedLSN: UInt64

    private init(state: WorkflowState, store: Store, environment: Environment, snapshotEvery: Int) {
        self.state = state
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
        if let snapshot = recovery.snapshot {
            do {
                state = try WorkflowState(snapshot: snapshot.bytes)
            } catch {
                throw Failure.undecodableSnapshot(lsn: snapshot.lsn, reason: "\(error)")
            }
        }
        var replayed = 0
        try recovery.replay { lsn, record in
            guard record.type == RecordType.workflowEvent else { return }
            do {
                state.apply(try WorkflowEvent(bytes: record.payload))
            } catch {
                throw Failure.undecodableRecord(lsn: lsn, reason: "\(error)")
            }
            replayed += 1
        }
        let torn = recovery.report.truncation.map { "\($0.file) at \($0.offset): \($0.bytesDropped) bytes dropped" }
        let summary = OpenSummary(snapshotLSN: recovery.snapshot?.lsn, eventsReplayed: replayed, tornTail: torn,
                                  duration: ContinuousClock.now - started)
        return (WorkflowStore(state: state, store: store, environment: environment, snapshotEvery: snapshotEvery), summary)
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
            try store.writeSnapshot(lsn: lastQueuedLSN, bytes: state.snapshotBytes())
        }
    }

    /// Stores an uploaded file; returns its id, size and SHA-256.
    public nonisolated func putFile<Chunks: AsyncSequence & Sendable>(_ chunks: Chunks) async throws -> BlobInfo
        where Chunks.Element == [UInt8] {
        try await store.putBlob(chunks)
    }

    public func close() {
        store.close()
    }
}
