#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import FoundationEssentials
import Metrics
import Synchronization

/// The embedded durable store: an append-only record log with group commit, snapshots with
/// compaction, recovery, and blobs. Knows nothing of what the records mean.
///
/// Concurrency: appends are queued under a `Mutex` and written by one dedicated thread, which
/// takes everything queued while its previous fdatasync ran, writes it with one write() and
/// one fdatasync, then acknowledges each append. A thread, not a task or an actor: write()
/// and fdatasync block for milliseconds, and blocking the cooperative pool (two cores here)
/// would stall every other task in the server. The Mutex guards only the small shared state
/// (queue, counters, segment list); no file I/O happens while holding it.
public final class Store: Sendable {
    let files: any FileLayer
    let layout: Layout
    let options: StoreOptions
    let core: Core
    private let lockFD: Int32
    /// Serialises snapshot writes and compaction (rare, and slow by nature: held during I/O).
    private let snapshotGate = Mutex<Void>(())
    /// Orders value blob puts and releases (`ValueBlobs.swift`; held during their I/O).
    let valueGate = Mutex<Void>(())

    init(layout: Layout, options: StoreOptions, lockFD: Int32, writer: LogWriter, core: Core) {
        self.files = options.files
        self.layout = layout
        self.options = options
        self.lockFD = lockFD
        self.core = core
        core.start(writer)
    }

    deinit { close() }

    /// The LSN of the last durable record (0 when the log is empty).
    public var lastLSN: UInt64 { core.shared.withLock { $0.durableLSN } }

    public var stats: StoreStats { core.shared.withLock { $0.stats } }

    /// Appends `records` in order and returns the LSN of the last one once all of them are on
    /// disk (written and fdatasynced). Concurrent callers share one fdatasync. Throws
    /// `recordTooLarge` (writing nothing) if any payload is over the limit.
    public func append(_ records: [Record]) async throws -> UInt64 {
        try check(records)
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<UInt64, StorageError>, Never>) in
            core.enqueue(records) { continuation.resume(returning: $0) }
        }
        return try result.get()
    }

    /// Queues `records` now, in call order, and calls `done` once they are durable (or
    /// failed). For callers that must fix the log order before they suspend: an actor that
    /// applies events in memory and then waits for the fsync.
    public func append(_ records: [Record], whenDurable done: @escaping @Sendable (Result<UInt64, StorageError>) -> Void) {
        if let refusal = refusal(records) { return done(.failure(refusal)) }
        core.enqueue(records, done: done)
    }

    /// `append`, blocking the calling thread: for tools, tests and start-up code.
    public func appendSync(_ records: [Record]) throws -> UInt64 {
        try check(records)
        let done = DispatchSemaphore(value: 0)
        let box = Mutex<Result<UInt64, StorageError>?>(nil)
        core.enqueue(records) { result in
            box.withLock { $0 = result }
            done.signal()
        }
        done.wait()
        return try box.withLock { $0! }.get()
    }

    private func check(_ records: [Record]) throws {
        if let refusal = refusal(records) { throw refusal }
    }

    /// Why `append` would refuse `records` (a payload over the record limit), or nil: for
    /// callers that must know before they change their own state.
    public func refusal(_ records: [Record]) -> StorageError? {
        for record in records where record.payload.count > options.maxRecordBytes {
            return StorageError.recordTooLarge(bytes: record.payload.count, limit: options.maxRecordBytes)
        }
        return nil
    }

    /// Finishes the queued appends, stops the writer thread and releases the LOCK.
    /// Later calls throw `closed`. Safe to call more than once.
    public func close() {
        guard core.stop() else { return }
        _ = flock(lockFD, LOCK_UN)
        files.close(lockFD)
    }

    // MARK: snapshots

    /// Makes `bytes` the durable snapshot of the state after every record up to `lsn`: temp
    /// file, fsync, rename to snap/<lsn>.snap, fsync of snap/. Only then are older snapshots
    /// (beyond `snapshotsKept`) and the segments wholly below the oldest kept one deleted.
    public func writeSnapshot(lsn: UInt64, bytes: [UInt8]) throws {
        try snapshotGate.withLock { _ in
            let durable = lastLSN
            guard lsn > 0 else { throw StorageError.badSnapshotLSN(lsn: lsn, reason: "LSN 0 is the empty state") }
            guard lsn <= durable else {
                throw StorageError.badSnapshotLSN(lsn: lsn, reason: "the log is durable only up to LSN \(durable)")
            }
            let existing = try layout.snapshotLSNs()
            if let newest = existing.last, newest >= lsn {
                throw StorageError.badSnapshotLSN(lsn: lsn, reason: "a snapshot at LSN \(newest) already exists")
            }
            try files.writeDurably(parts: [SnapshotFile.header(lsn: lsn, payload: bytes), bytes], to: layout.snapshot(lsn),
                                   directory: layout.snap)
            try compact(snapshots: existing + [lsn])
        }
    }

    private func compact(snapshots: [UInt64]) throws {
        let kept = snapshots.suffix(max(1, options.snapshotsKept))
        for old in snapshots.dropLast(kept.count) { try files.unlink(layout.snapshot(old)) }
        if snapshots.count > kept.count { try files.fsyncDirectory(layout.snap) }
        guard let floor = kept.first else { return }
        // A segment can go when the next one starts at or below floor + 1: all its records are
        // in the oldest kept snapshot; and none of them is among the newest `retainRecords`
        // (log readers may still want those). The active (last) segment is never deleted.
        let doomed: [UInt64] = core.shared.withLock { state in
            let retained = state.durableLSN > options.retainRecords ? state.durableLSN - options.retainRecords + 1 : 1
            var doomed: [UInt64] = []
            while state.segments.count > 1 && state.segments[1] <= floor + 1 && state.segments[1] <= retained {
                doomed.append(state.segments.removeFirst())
            }
            state.stats.segmentsCompacted += doomed.count
            return doomed
        }
        for first in doomed { try files.unlink(layout.segment(first)) }
        if !doomed.isEmpty { try files.fsyncDirectory(layout.log) }
    }
}

/// The state the appenders and the writer thread share, and the thread itself.
final class Core: Sendable {
    struct Pending {
        let records: [Record]
        let bytes: Int
        let done: @Sendable (Result<UInt64, StorageError>) -> Void
    }

    struct Shared {
        var queue: [Pending] = []
        var failure: StorageError?
        var stopping = false
        var durableLSN: UInt64
        /// First LSNs of the segments on disk; the last is the one being written.
        var segments: [UInt64]
        var stats = StoreStats()
    }

    let shared: Mutex<Shared>
    private let wake = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)
    private let maxBatchBytes: Int
    private let commitDelayNanos: Int

    init(durableLSN: UInt64, segments: [UInt64], maxBatchBytes: Int, commitDelayNanos: Int) {
        shared = Mutex(Shared(durableLSN: durableLSN, segments: segments))
        self.maxBatchBytes = maxBatchBytes
        self.commitDelayNanos = max(0, min(commitDelayNanos, 999_999_999))
    }

    /// The writer runs for the store's lifetime on a serial queue of its own: Dispatch gives
    /// it a dedicated thread, so its blocking write/fdatasync never stall the Swift task pool.
    func start(_ writer: LogWriter) {
        DispatchQueue(label: "spindle-storage-writer", qos: .userInitiated).async { [self] in
            run(writer)
            writer.close()
            finished.signal()
        }
    }

    func enqueue(_ records: [Record], done: @escaping @Sendable (Result<UInt64, StorageError>) -> Void) {
        let bytes = records.reduce(0) { $0 + Frame.size(payloadBytes: $1.payload.count) }
        let refusal: StorageError? = shared.withLock { state in
            if state.stopping { return .closed }
            if let failure = state.failure { return .poisoned(failure.description) }
            if records.isEmpty { return nil }
            state.queue.append(Pending(records: records, bytes: bytes, done: done))
            state.stats.queuedRecords += records.count
            return nil
        }
        if let refusal { return done(.failure(refusal)) }
        if records.isEmpty { return done(.success(shared.withLock { $0.durableLSN })) }
        wake.signal()
    }

    /// Asks the writer to finish the queue and exit; waits for it. False if already stopped.
    func stop() -> Bool {
        let first = shared.withLock { state in
            defer { state.stopping = true }
            return !state.stopping
        }
        guard first else { return false }
        wake.signal()
        finished.wait()
        return true
    }

    private func run(_ writer: LogWriter) {
        while true {
            wake.wait()
            var busy = false
            while true {
                // Appends arrived while the last fdatasync ran: more are likely on their way,
                // so linger a moment and let them share the next one. An idle writer (one
                // client, one append at a time) never waits.
                if busy && commitDelayNanos > 0 {
                    var pause = timespec(tv_sec: 0, tv_nsec: commitDelayNanos)
                    nanosleep(&pause, nil)
                }
                guard let batch = takeBatch() else { break }
                write(batch, with: writer)
                busy = shared.withLock { !$0.queue.isEmpty }
            }
            if shared.withLock({ $0.stopping && $0.queue.isEmpty }) { return }
        }
    }

    /// Everything queued, up to `maxBatchBytes` (always at least one append).
    private func takeBatch() -> [Pending]? {
        shared.withLock { state in
            guard !state.queue.isEmpty else { return nil }
            var total = 0
            var count = 0
            for pending in state.queue {
                if count > 0 && total + pending.bytes > maxBatchBytes { break }
                total += pending.bytes
                count += 1
            }
            let batch = Array(state.queue.prefix(count))
            state.queue.removeFirst(count)
            return batch
        }
    }

    private func write(_ batch: [Pending], with writer: LogWriter) {
        if let failure = shared.withLock({ $0.failure }) {
            for pending in batch { pending.done(.failure(.poisoned(failure.description))) }
            return
        }
        var lastLSNs: [UInt64] = []
        lastLSNs.reserveCapacity(batch.count)
        do {
            for pending in batch {
                var last: UInt64 = 0
                for record in pending.records { last = try writer.add(record) }
                lastLSNs.append(last)
            }
            let syncStarted = ContinuousClock.now
            try writer.sync()
            StorageMetrics.fsync.observe(ContinuousClock.now - syncStarted)
        } catch {
            let error = error as? StorageError ?? .poisoned("\(error)")
            // After a failed write or fdatasync the file's state is unknown (and Linux may have
            // dropped the dirty pages): refuse all further writes; reopening recovers.
            shared.withLock { $0.failure = error }
            for pending in batch { pending.done(.failure(error)) }
            return
        }
        let records = batch.reduce(0) { $0 + $1.records.count }
        StorageMetrics.groupCommit.observe(Double(records))
        shared.withLock { state in
            state.durableLSN = writer.nextLSN - 1
            state.stats.appends += batch.count
            state.stats.records += records
            state.stats.logSyncs = writer.syncs
            state.stats.rollovers = writer.rollovers
        }
        for (pending, lsn) in zip(batch, lastLSNs) { pending.done(.success(lsn)) }
        // Acknowledged first: the zeros delay only the next batch, once per few MiB.
        writer.zeroAhead()
    }
}

extension Store {
    /// Makes the log metrics exist before the first write (scrapes list them at zero).
    public static func registerMetrics() {
        _ = StorageMetrics.fsync
        _ = StorageMetrics.groupCommit
    }
}

/// The log writer's metrics: what one group commit costs and how much it carries.
enum StorageMetrics {
    static let fsync = MetricsRegistry.shared.histogram(
        "spindle_log_fsync_duration_seconds", "write + fdatasync of one group commit on the log", bounds: Histogram.latencySeconds
    ).with()
    static let groupCommit = MetricsRegistry.shared.histogram(
        "spindle_log_group_commit_records", "records made durable by one fdatasync", bounds: Histogram.sizes, scale: 1
    ).with()
}
