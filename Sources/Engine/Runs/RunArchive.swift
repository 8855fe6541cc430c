import Dispatch
import Storage
import Synchronization

/// Finished runs' histories, moved out of memory into the store's archive (Storage `Archive`).
///
/// Once a run's terminal event is durable, the archiver thread writes the run's events as one
/// archive record, with a small summary in the archive's index (what start-up needs to list
/// the run without reading its record), fdatasyncs, and only then lets the run's cell drop the
/// events (`RunCell.finishArchive`). Many runs end per second: the thread takes every run
/// queued while its last write ran and writes them with one write + fdatasync per file.
/// A thread of its own, not a task: the writes block, and the cooperative pool has two threads.
///
/// Deleting a run writes a tombstone through the same queue (so it lands after any record of
/// that run still on its way) before the log's `runDeleted` record.
public final class RunArchive: Sendable {
    let archive: Archive
    /// Where the histories' large values are (their records hold references).
    let values: ValueBlobs?

    private enum Job {
        case archive(String)
        case remove(String, done: @Sendable (Result<Void, StorageError>) -> Void)
        case compact(done: @Sendable (Result<Compaction, StorageError>) -> Void)

        /// Tombstones and asked-for compactions do not wait out the batch interval.
        var isUrgent: Bool { if case .archive = self { false } else { true } }
        var isCompaction: Bool { if case .compact = self { true } else { false } }
    }

    private struct Queue {
        var jobs: [Job] = []
        var stopping = false
        /// Set by the executor: how to find a run's cell by id.
        var lookup: (@Sendable (String) -> RunCell?)?
        /// Set by the executor: every cell (compaction works out from them what is live).
        var allCells: (@Sendable () -> [RunCell])?
        /// Told of each compaction that removed a file (for the server's log).
        var onCompaction: (@Sendable (Compaction) -> Void)?
        /// Called after each batch written (the snapshot trigger).
        var afterBatch: (@Sendable () -> Void)?
        var failure: String?
    }

    /// Counters for logs, tests and benchmarks.
    public struct Stats: Sendable, Equatable {
        /// Runs whose events left memory.
        public var archived = 0
        /// Batches written (each: one fdatasync of the data file, one of the index).
        public var batches = 0
        public var bytes = 0
        /// Runs not archived after all (resumed, deleted or too big since they were queued).
        public var skipped = 0
        /// Data files compaction removed, the records it wrote again, and the bytes freed.
        public var filesCompacted = 0
        public var recordsMoved = 0
        public var bytesReclaimed: Int64 = 0
        /// Why the last compaction of a file stopped short (a record that did not read back).
        public var compactionProblem: String?
        /// Histories read back from the files (reads the recent-histories cache answered aside).
        public var reads = 0
    }

    private let queue = Mutex(Queue())
    /// Every cell, for compaction (nil before the executor attaches).
    var allCells: [RunCell]? { queue.withLock { $0.allCells }?() }
    let counters = Mutex(Stats())
    /// The newest histories read back, decoded: a run that ends while many watchers follow it
    /// is archived under them, and each would otherwise read and decode it again.
    private let recent = Mutex(RecentHistories())

    struct RecentHistories {
        static let capacity = 64
        var byLocation: [Archive.Location: [RunEvent]] = [:]
        var order: [Archive.Location] = []

        mutating func insert(_ events: [RunEvent], at location: Archive.Location) {
            guard byLocation.updateValue(events, forKey: location) == nil else { return }
            order.append(location)
            if order.count > Self.capacity { byLocation[order.removeFirst()] = nil }
        }
    }
    private let wake = DispatchSemaphore(value: 0)
    /// Signalled by what should not wait out the interval: a tombstone, closing.
    private let urgent = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)
    /// The least time between two batches, unless a tombstone waits: archiving is never
    /// urgent, and the archive's fdatasyncs should not crowd the log's (every run's caller
    /// waits on those). Runs ending meanwhile only stay in memory a little longer.
    let batchIntervalNanos: UInt64

    /// When sealed data files are compacted (`compact`).
    public struct CompactionPolicy: Sendable {
        /// A sealed data file whose live records take less than this fraction of it is rewritten.
        public var liveFractionBelow: Double = 0.5
        /// The least time between two looks at the files (each walks every run's cell), and
        /// only once something was deleted or archived again since the last.
        public var checkIntervalNanos: UInt64 = 60_000_000_000
        public init() {}
    }

    let policy: CompactionPolicy
    /// Records superseded (tombstones, runs archived again) since compaction last looked;
    /// 1 at start so that it looks once (a kill may have left a file with nothing live).
    let staleSinceCheck = Atomic<Int>(1)
    private func nextCheck(after last: DispatchTime) -> UInt64 {
        let (at, overflow) = last.uptimeNanoseconds.addingReportingOverflow(policy.checkIntervalNanos)
        return overflow ? UInt64.max : at
    }

    /// Whether a look at the files is owed (something went stale, and compaction is on).
    private var compactionWanted: Bool { policy.liveFractionBelow > 0 && staleSinceCheck.load(ordering: .relaxed) > 0 }

    init(archive: Archive, values: ValueBlobs? = nil, batchIntervalNanos: UInt64 = 50_000_000,
         compaction: CompactionPolicy = CompactionPolicy()) {
        self.archive = archive
        self.values = values
        self.batchIntervalNanos = batchIntervalNanos
        self.policy = compaction
        DispatchQueue(label: "spindle-run-archive", qos: .userInitiated).async { [self] in
            run()
            finished.signal()
        }
    }

    public var stats: Stats { counters.withLock { $0 } }
    /// Index entries durable so far: what a snapshot records as the archive's mark.
    var durableEntries: UInt64 { archive.durableEntries }
    /// Why archiving stopped (an earlier write failed), if it did: runs then stay in memory.
    public var failure: String? { queue.withLock { $0.failure } }

    func attach(lookup: @escaping @Sendable (String) -> RunCell?, allCells: @escaping @Sendable () -> [RunCell]) {
        queue.withLock { q in
            q.lookup = lookup
            q.allCells = allCells
        }
    }
    func afterEachBatch(_ body: @escaping @Sendable () -> Void) { queue.withLock { $0.afterBatch = body } }

    /// Queues the run for archiving (its terminal event is durable). Never blocks: the log's
    /// writer thread calls this.
    func enqueue(_ runID: String) {
        let queued = queue.withLock { q -> Bool in
            guard !q.stopping, q.failure == nil else { return false }
            q.jobs.append(.archive(runID))
            return true
        }
        if queued { wake.signal() }
    }

    /// Writes a tombstone for the run; returns once it is durable.
    func remove(_ runID: String) async throws {
        try await submitUrgent { done in .remove(runID, done: done) }
    }

    /// Queues a job that does not wait out the batch interval; returns what it answers.
    private func submitUrgent<T: Sendable>(_ job: (@escaping @Sendable (Result<T, StorageError>) -> Void) -> Job) async throws -> T {
        let result = await withCheckedContinuation { (c: CheckedContinuation<Result<T, StorageError>, Never>) in
            let refusal = queue.withLock { q -> StorageError? in
                if q.stopping { return .closed }
                if let failure = q.failure { return .poisoned(failure) }
                q.jobs.append(job { c.resume(returning: $0) })
                return nil
            }
            if let refusal {
                c.resume(returning: .failure(refusal))
            } else {
                wake.signal()
                urgent.signal()
            }
        }
        return try result.get()
    }

    /// `body` is told of each compaction that removes a file, on the archiver thread.
    public func onCompaction(_ body: @escaping @Sendable (Compaction) -> Void) { queue.withLock { $0.onCompaction = body } }

    var compactionObserver: (@Sendable (Compaction) -> Void)? { queue.withLock { $0.onCompaction } }

    /// Compacts now (on the archiver thread, after what is queued): see `Compaction`.
    public func compact() async throws -> Compaction {
        try await submitUrgent { done in .compact(done: done) }
    }

    /// Finishes the queued work and stops the thread. Safe to call more than once.
    func close() {
        let first = queue.withLock { q in
            defer { q.stopping = true }
            return !q.stopping
        }
        guard first else { return }
        wake.signal()
        urgent.signal()
        finished.wait()
        archive.close()
    }

    // MARK: - The thread

    private func run() {
        var lastBatch = DispatchTime(uptimeNanoseconds: 0)
        var lastCheck = DispatchTime.now()
        while true {
            if compactionWanted {
                // Wakes for the next look even if no run ends or is deleted meanwhile.
                _ = wake.wait(timeout: DispatchTime(uptimeNanoseconds: nextCheck(after: lastCheck)))
            } else {
                wake.wait()
            }
            let due = DispatchTime(uptimeNanoseconds: lastBatch.uptimeNanoseconds + batchIntervalNanos)
            if DispatchTime.now() < due && !queue.withLock({ q in q.stopping || q.jobs.contains { $0.isUrgent } }) {
                _ = urgent.wait(timeout: due)
            }
            while let (jobs, lookup, afterBatch) = take() {
                lastBatch = DispatchTime.now()
                write(jobs.filter { !$0.isCompaction }, lookup: lookup)
                for case .compact(let done) in jobs { done(compactSealedFiles()) }
                afterBatch?()
            }
            if compactionWanted, !queue.withLock({ $0.stopping }),
               DispatchTime.now().uptimeNanoseconds >= nextCheck(after: lastCheck) {
                lastCheck = DispatchTime.now()
                _ = compactSealedFiles()
            }
            if queue.withLock({ $0.stopping && $0.jobs.isEmpty }) { return }
        }
    }

    private func take() -> ([Job], (@Sendable (String) -> RunCell?)?, (@Sendable () -> Void)?)? {
        queue.withLock { q in
            guard !q.jobs.isEmpty else { return nil }
            // Bounded batches keep one write (and the memory it holds) small.
            let n = min(q.jobs.count, 4096)
            let jobs = Array(q.jobs.prefix(n))
            q.jobs.removeFirst(n)
            return (jobs, q.lookup, q.afterBatch)
        }
    }

    private struct Pending {
        let cell: RunCell
        let lastSeq: UInt64
        let summary: ArchivedSummary
    }

    private func write(_ jobs: [Job], lookup: (@Sendable (String) -> RunCell?)?) {
        var items: [Archive.Item] = []
        var pending: [Pending?] = []
        var removals: [@Sendable (Result<Void, StorageError>) -> Void] = []
        var skipped = 0
        for job in jobs {
            switch job {
            case .archive(let id):
                guard let cell = lookup?(id), let (events, encoded, run) = cell.beginArchive() else { skipped += 1; continue }
                // Archived again (it was resumed): its older record is superseded.
                if cell.indexedLocation != nil { staleSinceCheck.add(1, ordering: .relaxed) }
                let summary = ArchivedSummary(run)
                // Recovered events were not encoded here: their large values are in blobs already
                // (the log records referred to them), so this finds them and writes nothing.
                let record = RunHistory.record(encoded ?? events.map { (try? $0.logEncoding(values: values)) ?? $0.encoded() })
                let summaryBytes = summary.encoded()
                guard record.payload.count <= archive.maxRecordBytes, summaryBytes.count <= archive.maxSummaryBytes else {
                    // Too big for one record: it stays in memory (and in snapshots). Refused by
                    // the archive instead, the whole batch would fail and stop all archiving.
                    cell.abandonArchive()
                    skipped += 1
                    continue
                }
                items.append(.put(summary: summaryBytes, record: record))
                pending.append(Pending(cell: cell, lastSeq: run.lastSeq, summary: summary))
            case .remove(let id, let done):
                items.append(.remove(key: Array(id.utf8)))
                pending.append(nil)
                removals.append(done)
                staleSinceCheck.add(1, ordering: .relaxed)
            case .compact:
                continue
            }
        }
        guard !items.isEmpty else { return counters.withLock { $0.skipped += skipped } }
        do {
            let locations = try archive.write(items)
            var archived = 0, bytes = 0
            for (p, location) in zip(pending, locations) {
                guard let p, let location else { continue }
                let ref = ArchivedRun(archive: self, location: location, lastSeq: p.lastSeq, status: p.summary.status,
                                      createdAt: p.summary.createdAt)
                if p.cell.finishArchive(ref) {
                    archived += 1
                    bytes += Int(location.frameBytes)
                } else {
                    skipped += 1
                    // It changed while being written (resumed, or a second end): try again if
                    // it has ended again by now.
                    if p.cell.isArchivable { enqueue(p.cell.id) }
                }
            }
            counters.withLock { s in
                s.archived += archived
                s.bytes += bytes
                s.batches += 1
                s.skipped += skipped
            }
            for done in removals { done(.success(())) }
        } catch {
            let why = "\(error)"
            let failure = error as? StorageError ?? .poisoned(why)
            queue.withLock { $0.failure = why }
            for p in pending { p?.cell.abandonArchive() }
            for done in removals { done(.failure(failure)) }
        }
    }

    // MARK: - Reading

    /// The events of the archived run at `location`.
    func history(of runID: String, at location: Archive.Location) throws(RunHistoryUnreadable) -> [RunEvent] {
        if let known = recent.withLock({ $0.byLocation[location] }), known.first?.runID == runID { return known }
        let events = try readHistory(of: runID, at: location)
        counters.withLock { $0.reads += 1 }
        recent.withLock { $0.insert(events, at: location) }
        return events
    }

    /// Drops the decoded histories kept from recent reads: the next read of each goes to the
    /// file (and its checksum) again.
    func forgetRecentHistories() { recent.withLock { $0 = RecentHistories() } }

    private func readHistory(of runID: String, at location: Archive.Location) throws(RunHistoryUnreadable) -> [RunEvent] {
        try readRecord(of: runID, at: location).events
    }

    /// The record at `location` and the history it holds, checked to be `runID`'s from its
    /// queued event on (so `Run(history:)` makes a run of it).
    func readRecord(of runID: String, at location: Archive.Location) throws(RunHistoryUnreadable)
        -> (record: Record, events: [RunEvent]) {
        let record: Record
        do {
            record = try archive.read(location)
        } catch let damage as ArchiveDamage {
            throw RunHistoryUnreadable(runID: runID, reason: damage.description)
        } catch {
            throw RunHistoryUnreadable(runID: runID, reason: "reading \(archive.directory) at \(location): \(error)")
        }
        do {
            let events = try RunHistory.events(record, values: values)
            guard events.first?.runID == runID else {
                throw DecodeError(path: "archive", message: "the record holds run \(events.first?.runID ?? "none")")
            }
            guard case .queued = events[0].kind else {
                throw DecodeError(path: "archive", message: "the record does not start with the run's queued event")
            }
            return (record, events)
        } catch {
            throw RunHistoryUnreadable(runID: runID, reason: "archive record \(location) in \(archive.directory) does not decode: \(error)")
        }
    }
}

/// An archived run's history could not be read back: the run exists, its events are damaged.
/// RunService answers DATA_LOSS with this message.
public struct RunHistoryUnreadable: Error, Sendable, CustomStringConvertible {
    public let runID: String
    public let reason: String
    public var description: String { "run \(runID): its archived history cannot be read: \(reason)" }
}

/// What an archived run keeps in memory: where its record is, and what lists filter on.
struct ArchivedRun: Sendable {
    let archive: RunArchive
    let location: Archive.Location
    let lastSeq: UInt64
    let status: RunStatus
    let createdAt: Instant
}

/// An archive index entry's summary: what start-up needs to register the run without reading
/// its record. Binary: format byte, then the fields (`ByteWriter`).
struct ArchivedSummary: Sendable, Equatable {
    static let format: UInt8 = 1

    var runID: String
    var tenantID: String
    var workflowID: String
    var status: RunStatus
    var lastSeq: UInt64
    var createdAt: Instant
    var idempotencyKey: String
    var batchID: String
    var batchRow: Int64

    init(_ run: Run) {
        runID = run.id
        tenantID = run.tenantID
        workflowID = run.workflowID
        status = run.status
        lastSeq = run.lastSeq
        createdAt = run.createdAt
        idempotencyKey = run.origin.idempotencyKey
        batchID = run.origin.batchID
        batchRow = run.origin.batchRow
    }

    func encoded() -> [UInt8] {
        var w = ByteWriter(capacity: 96)
        w.byte(Self.format)
        w.string(runID)
        w.string(tenantID)
        w.string(workflowID)
        w.int32(status.rawValue)
        w.varint(lastSeq)
        w.instant(createdAt)
        w.string(idempotencyKey)
        w.string(batchID)
        w.int64(batchRow)
        return w.bytes
    }

    /// Start-up's reading of an index entry's summary (`encoded`), into the few bytes kept per
    /// archived run until the cells are made: tenant and workflow ids numbered in `names`, the
    /// idempotency key and batch row (rarely set) apart.
    static func entry(bytes: [UInt8], at location: Archive.Location, names: inout SharedStrings)
        throws(DecodeError) -> (WorkflowStore.ArchivedEntry, WorkflowStore.ArchivedExtras?) {
        var r = ByteReader(bytes, path: "archive summary")
        let format = try r.byte()
        guard format == Self.format else { throw r.fail("unknown format \(format)") }
        let runID = try r.string()
        let tenant = try r.string(sharing: &names)
        let workflow = try r.string(sharing: &names)
        let status = try r.enumValue(RunStatus.self)
        let lastSeq = try r.varint()
        let createdAt = try r.instant()
        let key = try r.string()
        let batchID = try r.string()
        let batchRow = try r.int64()
        guard r.atEnd else { throw r.fail("trailing bytes") }
        let entry = WorkflowStore.ArchivedEntry(runID: runID, lastSeq: lastSeq, createdAt: createdAt, at: location,
                                                tenant: tenant, workflow: workflow, status: status)
        let extras = key.isEmpty && batchID.isEmpty
            ? nil : WorkflowStore.ArchivedExtras(at: location, idempotencyKey: key, batchID: batchID, batchRow: batchRow)
        return (entry, extras)
    }
}

/// A run's events as one archive record (type 1), in `ByteWriter`'s form: the count, then each
/// event's log encoding (`RunEvent.encoded`) length-prefixed.
enum RunHistory {
    static let recordType: UInt8 = 1

    /// `events`: each event's log encoding, in sequence order.
    static func record(_ events: [[UInt8]]) -> Record {
        var w = ByteWriter(capacity: 5 + events.reduce(0) { $0 + 5 + $1.count })
        w.varint(UInt64(events.count))
        for bytes in events { w.lengthPrefixed(bytes) }
        return Record(type: recordType, payload: w.bytes)
    }

    static func events(_ record: Record, values: ValueBlobs? = nil) throws(DecodeError) -> [RunEvent] {
        guard record.type == recordType else { throw DecodeError(path: "archive", message: "record type \(record.type)") }
        var r = ByteReader(record.payload, path: "archive")
        let count = try r.count()
        var events: [RunEvent] = []
        events.reserveCapacity(count)
        for n in 0..<count {
            let event = try RunEvent(bytes: try r.lengthPrefixed(), values: values)
            guard event.seq == UInt64(n + 1) else { throw r.fail("event \(n) has sequence number \(event.seq)") }
            events.append(event)
        }
        guard r.atEnd else { throw r.fail("trailing bytes after \(count) events") }
        return events
    }
}

