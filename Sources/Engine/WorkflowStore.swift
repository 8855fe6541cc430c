import Dispatch
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
        /// Snapshots only: how many archive index entries the snapshot relies on (u64 LE).
        public static let archiveMark: UInt8 = 6
        /// Log only, no payload: the point a snapshot taken for runs alone starts after.
        public static let checkpoint: UInt8 = 7
        /// A run's webhook delivery pending, retried or done (`WebhookRecord`).
        public static let webhook: UInt8 = 8
    }

    /// What recovery found for the executor: run events (from the snapshot, then the log;
    /// an event may appear twice, the executor keeps each sequence number once), the runs
    /// deleted after the snapshot, and the archived runs (the newest archive entry of each).
    public struct RecoveredRuns: Sendable {
        public var events: [RunEvent] = []
        public var deleted: Set<String> = []
        var batches: [BatchRecord] = []
        var schedules: [ScheduleRecord] = []
        var webhooks: [WebhookRecord] = []
        var archived: [String: ArchivedEntry] = [:]
        /// The idempotency keys and batch rows of archived runs that have one, each valid for
        /// the entry at its location only (a later entry of the run may have none).
        var archivedExtras: [String: ArchivedExtras] = [:]
        /// The archived runs' tenant and workflow ids, by number.
        var names = SharedStrings()
        /// The snapshot's archive mark (0 without one).
        var archiveMark: UInt64 = 0

        /// Takes one run record (from the snapshot or the log).
        mutating func take(_ record: Record, values: ValueBlobs? = nil) throws(DecodeError) {
            switch record.type {
            case RecordType.runEvent: events.append(try RunEvent(bytes: record.payload, values: values))
            case RecordType.runDeleted: deleted.insert(String(decoding: record.payload, as: UTF8.self))
            case RecordType.batch: batches.append(try BatchRecord(bytes: record.payload))
            case RecordType.schedule: schedules.append(try ScheduleRecord(bytes: record.payload))
            case RecordType.webhook: webhooks.append(try WebhookRecord(bytes: record.payload))
            case RecordType.archiveMark:
                guard record.payload.count == 8 else {
                    throw DecodeError(path: "archive_mark", message: "\(record.payload.count) bytes, not 8")
                }
                archiveMark = record.payload.enumerated().reduce(0) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
            default: break
            }
        }

        /// Takes one archive index entry, in index order: the newest entry of a run wins, a
        /// tombstone removes the entries before it.
        mutating func take(_ entry: Archive.Entry) throws(DecodeError) {
            switch entry {
            case .put(let bytes, let at):
                let (entry, extras) = try ArchivedSummary.entry(bytes: bytes, at: at, names: &names)
                archived[entry.runID] = entry
                if let extras { archivedExtras[entry.runID] = extras }
            case .removed(let key):
                archived[String(decoding: key, as: UTF8.self)] = nil
            }
        }
    }

    /// An archived run as its newest index entry has it, in the few bytes start-up keeps per
    /// run (a million of them: the table's size is what start-up's time goes on).
    struct ArchivedEntry: Sendable {
        var runID: String
        var lastSeq: UInt64
        var createdAt: Instant
        var at: Archive.Location
        /// Numbers in `RecoveredRuns.names`.
        var tenant: UInt32
        var workflow: UInt32
        var status: RunStatus
    }

    struct ArchivedExtras: Sendable {
        var at: Archive.Location
        var idempotencyKey: String
        var batchID: String
        var batchRow: Int64
    }

    public struct OpenSummary: Sendable {
        public var snapshotLSN: UInt64?
        public var eventsReplayed: Int
        public var tornTail: String?
        public var duration: Duration
        /// The run archive: entries read, runs archived, and anything cut or dropped.
        public var archive: Archive.Report = Archive.Report()
        public var archivedRuns = 0
    }

    /// One snapshot written (or failed), for the log.
    public struct SnapshotReport: Sendable {
        public var lsn: UInt64
        public var bytes: Int
        /// Run records in it (unfinished runs' events, batches, schedules).
        public var runRecords: Int
        public var duration: Duration
        public var error: String?
    }

    public enum Failure: Error, CustomStringConvertible {
        case undecodableRecord(lsn: UInt64, reason: String)
        case undecodableSnapshot(lsn: UInt64, reason: String)
        case undecodableArchiveEntry(reason: String)

        public var description: String {
            switch self {
            case .undecodableRecord(let lsn, let reason): return "log record \(lsn) does not decode: \(reason)"
            case .undecodableSnapshot(let lsn, let reason): return "snapshot at \(lsn) does not decode: \(reason)"
            case .undecodableArchiveEntry(let reason): return "an archive index entry does not decode: \(reason)"
            }
        }
    }

    private var state: WorkflowState
    /// The log the executor writes run events to as well.
    nonisolated let store: Store
    /// Large values, kept in blobs beside the log (`ValueBlobs`).
    public nonisolated let values: ValueBlobs
    /// Finished runs' histories, out of memory (`<directory>/archive`).
    public nonisolated let archive: RunArchive
    private let recovered: Mutex<RecoveredRuns>
    /// What recovery found; the executor takes the run events and archive entries (`takeRecoveredRuns`).
    nonisolated var recoveredRuns: RecoveredRuns { recovered.withLock { $0 } }
    /// The executor's runs, for snapshots (set when an executor is made on this store).
    private let runSnapshotSource = Mutex<RunSource?>(nil)
    public nonisolated let environment: Environment
    /// A snapshot is due after this many log records of any kind (workflow events, run events...).
    private let snapshotEvery: Int
    /// Workflows (deleted ones included) the last snapshot held, or the state held at start-up:
    /// the next snapshot is due only after at least this many records too (`recordsPerSnapshot`).
    private let workflowsAtSnapshot = Atomic<Int>(0)
    /// `store.stats.queuedRecords` when the last snapshot was taken (negative after start-up:
    /// the records replayed count toward the next one). Queued, not durable: a burst of
    /// commands all applied before the first fdatasync ends must still make one due.
    private let recordsAtSnapshot: Atomic<Int>
    /// Set while a snapshot for runs alone is on its way (one at a time).
    private let runSnapshotAsked = Atomic<Bool>(false)
    private let snapshots = SnapshotWriter()

    private init(state: WorkflowState, store: Store, values: ValueBlobs, archive: RunArchive, environment: Environment,
                 snapshotEvery: Int, recoveredRuns: RecoveredRuns, replayed: Int) {
        self.state = state
        self.recovered = Mutex(recoveredRuns)
        self.store = store
        self.values = values
        self.archive = archive
        self.environment = environment
        self.snapshotEvery = max(1, snapshotEvery)
        self.workflowsAtSnapshot.store(state.workflowCount, ordering: .relaxed)
        self.recordsAtSnapshot = Atomic(-replayed)
    }

    /// Opens (or creates) the store under `directory` and rebuilds the state: the newest
    /// snapshot, then every event after it; and the run archive, checked against the mark
    /// the snapshot recorded.
    public static func open(directory: String, environment: Environment = Environment(),
                            snapshotEvery: Int = 50_000, options: StoreOptions = StoreOptions(),
                            archiveOptions: Archive.Options? = nil,
                            archiveCompaction: RunArchive.CompactionPolicy = RunArchive.CompactionPolicy(),
                            valueLimits: ValueLimits = ValueLimits())
        throws -> (WorkflowStore, OpenSummary) {
        let started = ContinuousClock.now
        let (store, recovery) = try Store.open(directory: directory, options: options)
        let values = ValueBlobs(store: store, limits: valueLimits)
        var state = WorkflowState()
        var runs = RecoveredRuns()
        if let snapshot = recovery.snapshot {
            do {
                let sections = try EngineSnapshot.split(snapshot.bytes)
                state = try WorkflowState(snapshot: sections.workflows)
                for r in sections.records { try runs.take(r, values: values) }
            } catch {
                store.close()
                throw Failure.undecodableSnapshot(lsn: snapshot.lsn, reason: "\(error)")
            }
        }
        let archive: Archive
        let archiveReport: Archive.Report
        // About one run per index entry: the table is made once, not grown step by step.
        runs.archived.reserveCapacity(Int(clamping: runs.archiveMark))
        do {
            var defaults = Archive.Options()
            defaults.files = options.files
            (archive, archiveReport) = try Archive.open(directory: directory + "/archive", mark: runs.archiveMark,
                                                        options: archiveOptions ?? defaults) { entry in
                do {
                    try runs.take(entry)
                } catch {
                    throw Failure.undecodableArchiveEntry(reason: "\(error)")
                }
            }
        } catch {
            store.close()
            throw error
        }
        var replayed = 0
        try recovery.replay { lsn, record in
            do {
                if record.type == RecordType.workflowEvent {
                    state.apply(try WorkflowEvent(bytes: record.payload))
                } else {
                    try runs.take(record, values: values)
                }
            } catch {
                throw Failure.undecodableRecord(lsn: lsn, reason: "\(error)")
            }
            replayed += 1
        }
        let torn = recovery.report.truncation.map { "\($0.file) at \($0.offset): \($0.bytesDropped) bytes dropped" }
        let summary = OpenSummary(snapshotLSN: recovery.snapshot?.lsn, eventsReplayed: replayed, tornTail: torn,
                                  duration: ContinuousClock.now - started, archive: archiveReport,
                                  archivedRuns: runs.archived.count)
        let runArchive = RunArchive(archive: archive, values: values, compaction: archiveCompaction)
        return (WorkflowStore(state: state, store: store, values: values, archive: runArchive, environment: environment,
                              snapshotEvery: snapshotEvery, recoveredRuns: runs, replayed: replayed), summary)
    }

    /// Hands the recovered run events and archive entries to the executor, once: they are
    /// not kept (a million archived runs' summaries would stay in memory for nothing).
    nonisolated func takeRecoveredRuns() -> RecoveredRuns {
        recovered.withLock { r in
            let taken = r
            r.events = []
            r.deleted = []
            r.archived = [:]
            r.archivedExtras = [:]
            r.names = SharedStrings()
            return taken
        }
    }

    /// Runs a read against the current state.
    public func read<T: Sendable>(_ body: @Sendable (WorkflowState) throws(DomainError) -> T) throws(DomainError) -> T {
        try body(state)
    }

    /// Runs a command; returns once its events are durable.
    public nonisolated func execute(_ command: @Sendable (WorkflowState, Environment) throws(DomainError) -> CommandResult)
        async throws -> CommandResult {
        try await execute(command) { _, _ throws(DomainError) in () }.result
    }

    /// Runs a command, then `read` on the state it left (before any later command), in one turn
    /// of the actor; returns both once the command's events are durable. The wait for the fsync
    /// happens off the actor, so the actor goes on with the next command meanwhile.
    public nonisolated func execute<T: Sendable>(
        _ command: @Sendable (WorkflowState, Environment) throws(DomainError) -> CommandResult,
        then read: @Sendable (WorkflowState, CommandResult) throws(DomainError) -> T
    ) async throws -> (result: CommandResult, read: T) {
        let (result, value, durable) = try await submit(command, then: read)
        try await durable.wait()
        return (result, value)
    }

    private func submit<T: Sendable>(
        _ command: @Sendable (WorkflowState, Environment) throws(DomainError) -> CommandResult,
        then read: @Sendable (WorkflowState, CommandResult) throws(DomainError) -> T
    ) throws(DomainError) -> (CommandResult, T, Durability) {
        let result = try command(state, environment)
        let durable = try commit(result.events)
        return (result, try read(state, result), durable)
    }

    /// Purges a workflow for good (its events leave the state; its files go too). The blobs
    /// are deleted once the purge is durable; one that fails to delete is only an orphan file.
    public nonisolated func purge(tenant: String, id: String) async throws -> PurgeReport {
        let (report, durable) = try await submitPurge(tenant: tenant, id: id)
        try await durable.wait()
        for file in report.files { try? store.deleteBlob(file.blobID) }
        return report
    }

    private func submitPurge(tenant: String, id: String) throws(DomainError) -> (PurgeReport, Durability) {
        let (events, report) = try state.purge(tenant: tenant, id: id)
        return (report, try commit(events))
    }

    /// Applies `events` and queues them for the log; the returned `Durability` completes at
    /// their fsync (shared with concurrent commands by the store's group commit).
    /// A record the log would refuse is refused here, before the state changes: the state
    /// never holds what the log does not (RESOURCE_EXHAUSTED, naming the size and the limit).
    private func commit(_ events: [WorkflowEvent]) throws(DomainError) -> Durability {
        guard !events.isEmpty else { return Durability(finished: .success(0)) }
        let records = events.map { Record(type: RecordType.workflowEvent, payload: $0.encoded()) }
        if let refusal = store.refusal(records) { throw .resourceExhausted("the workflow is too large to store: \(refusal)") }
        state.apply(events)
        return append(records, snapshot: snapshotDue(adding: records.count))
    }

    /// Queues `records` synchronously, on the actor: the log order is the order the events
    /// were applied in, whatever runs while the caller waits for the fsync. With `snapshot`,
    /// the state is captured in the same synchronous step (a copy-on-write value: O(1) now),
    /// so it is exactly the state after every workflow event up to these records' LSN, and
    /// it is written as the snapshot at that LSN once they are durable.
    private func append(_ records: [Record], snapshot: Bool) -> Durability {
        let durable = Durability()
        let captured = snapshot ? state : nil
        if let captured { workflowsAtSnapshot.store(captured.workflowCount, ordering: .relaxed) }
        store.append(records) { [self] result in
            // Queued before the caller hears back: a snapshot its command made due is on its way.
            if let captured, case .success(let lsn) = result { writeSnapshot(captured, lsn: lsn) }
            durable.finish(result.mapError { $0 as any Error })
        }
        return durable
    }

    // MARK: - Snapshots

    /// Records between snapshots: `snapshotEvery`, or as many as the last snapshot held workflows
    /// when that is more. A snapshot costs about one record's work per workflow it holds
    /// (encoding it, and copying the tables the next command changes), so spacing them by at
    /// least that keeps the cost a constant per record however many workflows are stored; a
    /// load of creates alone still snapshots, at doubling sizes. Recovery then replays at most
    /// about as many records as the snapshot holds.
    private nonisolated var recordsPerSnapshot: Int { max(snapshotEvery, workflowsAtSnapshot.load(ordering: .relaxed)) }

    /// Whether `adding` more records make a snapshot due; if so, the count starts again.
    private nonisolated func snapshotDue(adding: Int) -> Bool {
        let written = store.stats.queuedRecords + adding
        let last = recordsAtSnapshot.load(ordering: .relaxed)
        guard written - last >= recordsPerSnapshot, snapshots.hasRoom else { return false }
        return recordsAtSnapshot.compareExchange(expected: last, desired: written, ordering: .relaxed).exchanged
    }

    /// Asks for a snapshot if enough records went to the log since the last one: for loads
    /// of runs alone, which never pass through `commit`. Cheap when none is due; called by the
    /// run archiver after each batch.
    nonisolated func snapshotIfDue() {
        let written = store.stats.queuedRecords
        guard written - recordsAtSnapshot.load(ordering: .relaxed) >= recordsPerSnapshot,
              runSnapshotAsked.compareExchange(expected: false, desired: true, ordering: .relaxed).exchanged else { return }
        Task {
            await snapshotForRuns()
            runSnapshotAsked.store(false, ordering: .relaxed)
        }
    }

    /// A snapshot at a checkpoint record: its LSN is one every run event before it is
    /// durable at, and after which the captured workflow state has no event.
    private func snapshotForRuns() {
        guard snapshotDue(adding: 1) else { return }
        _ = append([Record(type: RecordType.checkpoint, payload: [])], snapshot: true)
    }

    /// Writes the snapshot on the snapshot thread, off the actor and the cooperative pool.
    /// Every record up to `lsn` is durable (the caller awaited it, and the writer acknowledges
    /// in order, after marking run events durable), so the runs' durable events collected
    /// there include all run events up to it; later ones in the snapshot are skipped by
    /// sequence number when the log is replayed. The archive mark is read after the runs are
    /// collected: every run collected as archived has its index entry under it.
    private nonisolated func writeSnapshot(_ captured: WorkflowState, lsn: UInt64) {
        let (store, archive, source) = (self.store, self.archive, runSnapshotSource.withLock { $0 })
        snapshots.submit { () -> SnapshotReport in
            let started = ContinuousClock.now
            var runRecords = source?.records() ?? []
            runRecords.append(EngineSnapshot.archiveMark(archive.durableEntries))
            let bytes = EngineSnapshot.join(workflows: captured.snapshotBytes(), records: runRecords)
            var report = SnapshotReport(lsn: lsn, bytes: bytes.count, runRecords: runRecords.count - 1, duration: .zero)
            do {
                try store.writeSnapshot(lsn: lsn, bytes: bytes)
            } catch {
                report.error = "\(error)"
            }
            report.duration = ContinuousClock.now - started
            return report
        }
    }

    /// Told of every snapshot written or failed (the server logs them).
    public nonisolated func onSnapshot(_ body: @escaping @Sendable (SnapshotReport) -> Void) { snapshots.observe(body) }

    /// The last snapshot written or failed since start-up, if any.
    public nonisolated var lastSnapshot: SnapshotReport? { snapshots.last }

    /// Waits until every snapshot asked for so far is written (tests, close).
    public nonisolated func flushSnapshots() { snapshots.drain() }

    /// Stores an uploaded file; returns its id, size and SHA-256.
    public nonisolated func putFile<Chunks: AsyncSequence & Sendable>(_ chunks: Chunks) async throws -> BlobInfo
        where Chunks.Element == [UInt8] {
        try await store.putBlob(chunks)
    }

    nonisolated func setRunSnapshotSource(_ source: @escaping @Sendable () -> [Record]) {
        runSnapshotSource.withLock { $0 = RunSource(records: source) }
    }

    /// Stops the archiver (after writing what it has queued), waits for snapshots on their
    /// way, and closes the log.
    public func close() {
        archive.close()
        snapshots.drain()
        store.close()
    }
}

/// The executor's run records for a snapshot; a struct, so the closure keeps its own
/// representation inside the Mutex (a closure read out of generic storage gets wrapped in
/// a reabstraction thunk on every read, and the chain grows until calling it overflows).
struct RunSource: Sendable {
    let records: @Sendable () -> [Record]
}

/// The outcome of one append, awaited off the actor: completed by the store's writer thread.
final class Durability: Sendable {
    private enum State {
        case pending
        case waiting(CheckedContinuation<Void, any Error>)
        case done(Result<UInt64, any Error>)
    }
    private let state: Mutex<State>

    init() { state = Mutex(.pending) }
    init(finished result: Result<UInt64, any Error>) { state = Mutex(.done(result)) }

    func finish(_ result: Result<UInt64, any Error>) {
        let waiter: CheckedContinuation<Void, any Error>? = state.withLock { s in
            defer { s = .done(result) }
            if case .waiting(let c) = s { return c }
            return nil
        }
        waiter?.resume(with: result.map { _ in () })
    }

    func wait() async throws {
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
            let done: Result<UInt64, any Error>? = state.withLock { s in
                if case .done(let r) = s { return r }
                s = .waiting(c)
                return nil
            }
            if let done { c.resume(with: done.map { _ in () }) }
        }
    }
}

/// The snapshot thread: a serial queue of its own, so a snapshot (serialising the state,
/// write, fsync, compaction) never holds up the actor or the cooperative pool. At most two
/// wait at once (one being written, one next): more would only hold copies of the state.
final class SnapshotWriter: Sendable {
    private let queue = DispatchQueue(label: "spindle-snapshot", qos: .utility)
    private struct State {
        var waiting = 0
        var last: WorkflowStore.SnapshotReport?
        var observer: (@Sendable (WorkflowStore.SnapshotReport) -> Void)?
    }
    private let state = Mutex(State())

    var hasRoom: Bool { state.withLock { $0.waiting < 2 } }
    var last: WorkflowStore.SnapshotReport? { state.withLock { $0.last } }

    func observe(_ body: @escaping @Sendable (WorkflowStore.SnapshotReport) -> Void) { state.withLock { $0.observer = body } }

    func submit(_ work: @escaping @Sendable () -> WorkflowStore.SnapshotReport) {
        state.withLock { $0.waiting += 1 }
        queue.async { [self] in
            let report = work()
            let observer = state.withLock { s in
                s.waiting -= 1
                s.last = report
                return s.observer
            }
            observer?(report)
        }
    }

    func drain() { queue.sync {} }
}
