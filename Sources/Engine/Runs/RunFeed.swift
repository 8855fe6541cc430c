import Storage
import Synchronization

/// One run as readers and watchers see it, shared between the run's actor (the only writer)
/// and everyone else (readers take the lock and copy).
///
/// While the run is in memory (`Live`), `run` is the state after every event applied so far
/// and `durable` holds the events already on disk, in order. Watchers only ever get durable
/// events: an event is in the log before anyone sees it. The store's writer thread calls
/// `markDurable`, so nothing here may block or suspend.
///
/// Once the run has ended and its history is in the archive (`RunArchive`), the cell keeps
/// only an `ArchivedRun` (where the record is, the status, the last sequence number), and
/// reads of the run or its events load them back from the archive.
public final class RunCell: Sendable {
    public let id: String
    public let tenantID: String
    public let workflowID: String

    /// The in-memory run; a class so that appending to `durable` under the lock never copies
    /// the array. Only ever touched under the cell's lock.
    final class Live {
        var run: Run
        /// Durable events, oldest first: `durable[i].seq == i + 1`.
        var durable: [RunEvent] = []
        /// The log encoding of `durable`, event for event, kept from the append so archiving
        /// does not encode every event again; empty when `durable` came from elsewhere
        /// (recovery, the archive).
        var encoded: [[UInt8]] = []
        /// Its history is being written to the archive.
        var archiving = false
        /// Where the archive index's newest entry for the run points, while the run is in
        /// memory again (loaded back, or rebuilt at start-up from it): that record is what a
        /// restart would rebuild the run from, so compaction keeps it until a newer entry
        /// (the run archived again) or a tombstone supersedes it.
        var indexed: Archive.Location?
        init(run: Run) { self.run = run }
    }

    struct State {
        /// Exactly one of `live` and `archived` is set.
        var live: Live?
        var archived: ArchivedRun?
        var deleted = false
        /// A delete is being written: snapshots leave the run out, archiving skips it.
        var deleting = false
        /// Callers that need the run in memory (a resume making an actor from it): it is not
        /// archived while any hold it.
        var holds = 0
    }
    let state: Mutex<State>
    /// Fired whenever `durable` grows, the run is loaded back from the archive, or deleted.
    private let changed = Signal()

    init(run: Run) {
        id = run.id
        tenantID = run.tenantID
        workflowID = run.workflowID
        state = Mutex(State(live: Live(run: run)))
    }

    /// A run whose history is in the archive (recovery).
    init(id: String, tenantID: String, workflowID: String, archived: ArchivedRun) {
        self.id = id
        self.tenantID = tenantID
        self.workflowID = workflowID
        state = Mutex(State(archived: archived))
    }

    /// The run now (events applied, not all necessarily durable yet). An archived run is read
    /// back; if its record is damaged, the run as far as memory knows it, with the damage as
    /// its error (`loadRun` throws instead).
    public var run: Run {
        do {
            return try loadRun()
        } catch {
            return state.withLock { s in s.archived.map { damaged($0, error) } ?? s.live!.run }
        }
    }

    /// The run now; an archived run is read back from the archive (or `RunHistoryUnreadable`).
    public func loadRun() throws(RunHistoryUnreadable) -> Run {
        switch current {
        case .live(let run, _): return run
        case .archived(let a): return Run(history: try a.archive.history(of: id, at: a.location), upTo: a.lastSeq)!
        }
    }

    /// The run's status, without reading an archived run back.
    public var status: RunStatus { state.withLock { $0.live?.run.status ?? $0.archived!.status } }

    /// The newest event's sequence number (durable or not yet), without reading an archived run back.
    public var lastSeq: UInt64 { state.withLock { $0.live?.run.lastSeq ?? $0.archived!.lastSeq } }

    /// The newest durable event's sequence number.
    public var durableSeq: UInt64 { state.withLock { s in s.live.map { UInt64($0.durable.count) } ?? s.archived!.lastSeq } }

    /// Whether the run's events are out of memory, in the archive.
    public var isArchived: Bool { state.withLock { $0.archived != nil } }

    private enum Where {
        case live(Run, durable: UInt64)
        case archived(ArchivedRun)
    }

    private var current: Where {
        state.withLock { s in s.live.map { .live($0.run, durable: UInt64($0.durable.count)) } ?? .archived(s.archived!) }
    }

    private func damaged(_ a: ArchivedRun, _ error: RunHistoryUnreadable) -> Run {
        var run = Run(id: id, tenantID: tenantID, workflowID: workflowID, workflowVersion: 0, origin: RunOrigin(),
                      inputs: [:], steps: [], createdAt: a.createdAt)
        run.status = a.status
        run.lastSeq = a.lastSeq
        run.error = StepError(code: "DATA_LOSS", message: error.description)
        return run
    }

    func update(_ run: Run) { state.withLock { $0.live?.run = run } }

    /// Called in sequence order once `events` are on disk; wakes every watcher once.
    func markDurable(_ events: [RunEvent], encoded: [[UInt8]]) {
        let appended = state.withLock { s -> Bool in
            guard let live = s.live else { return false }
            var any = false
            let inStep = live.encoded.count == live.durable.count
            for (event, bytes) in zip(events, encoded) where event.seq == UInt64(live.durable.count) + 1 {
                live.durable.append(event)
                if inStep { live.encoded.append(bytes) }
                any = true
            }
            return any
        }
        if appended { changed.fire() }
    }

    /// Replays recovered events: they are durable already.
    func restoreDurable(_ events: [RunEvent]) { state.withLock { $0.live?.durable = events } }

    func markDeleted() {
        state.withLock { $0.deleted = true }
        changed.fire()
    }

    /// Every durable event of the run, from memory or from the archive.
    public func durableEvents() throws(RunHistoryUnreadable) -> [RunEvent] {
        let (events, archived) = state.withLock { s in (s.live?.durable ?? [], s.archived) }
        guard let archived else { return events }
        return try archived.archive.history(of: id, at: archived.location)
    }

    /// The run as it was after event `seq` (for callers answered at a given event).
    func runAt(_ seq: UInt64) -> Run {
        let current = state.withLock { s -> Run? in
            guard let live = s.live else { return nil }
            guard seq < live.run.lastSeq else { return live.run }
            return Run(history: live.durable, upTo: seq) ?? live.run
        }
        if let current { return current }
        guard let events = try? durableEvents() else { return run }
        return Run(history: events, upTo: seq) ?? run
    }

    /// The records a snapshot holds for the run: its durable events while it is in memory
    /// (their log encodings as appended, or `encode`d when they came from elsewhere); none
    /// once archived (the archive has them) or while it is being deleted.
    func snapshotRecords(_ encode: (RunEvent) -> [UInt8]) -> [[UInt8]] {
        let (events, encoded) = state.withLock { s -> ([RunEvent], [[UInt8]]?) in
            guard !s.deleting, !s.deleted, let live = s.live else { return ([], nil) }
            return (live.durable, live.encoded.count == live.durable.count ? live.encoded : nil)
        }
        return encoded ?? events.map(encode)
    }

    // MARK: - Deleting

    /// Marks a delete in progress (the run leaves snapshots); false if it is already going.
    func beginDelete() -> Bool {
        state.withLock { s in
            guard !s.deleting && !s.deleted else { return false }
            s.deleting = true
            return true
        }
    }

    func abandonDelete() { state.withLock { $0.deleting = false } }

    // MARK: - Archiving

    /// Whether the run has ended with every event durable and could go to the archive.
    var isArchivable: Bool { state.withLock { s in Self.archivable(s) && !s.live!.archiving } }

    private static func archivable(_ s: State) -> Bool {
        guard let live = s.live, !s.deleting, !s.deleted, s.holds == 0 else { return false }
        return ended(live)
    }

    private static func ended(_ live: Live) -> Bool {
        guard let last = live.durable.last else { return false }
        return last.isTerminal && live.run.lastSeq == last.seq
    }

    /// Starts archiving: the events and the run, if it has ended with every event durable and
    /// is not already being archived or deleted.
    func beginArchive() -> (events: [RunEvent], encoded: [[UInt8]]?, run: Run)? {
        state.withLock { s in
            guard Self.archivable(s), let live = s.live, !live.archiving else { return nil }
            live.archiving = true
            return (live.durable, live.encoded.count == live.durable.count ? live.encoded : nil, live.run)
        }
    }

    /// The archive record is durable: the events leave memory, unless the run moved on
    /// meanwhile (resumed, deleted). True if they did.
    func finishArchive(_ archived: ArchivedRun) -> Bool {
        state.withLock { s in
            guard let live = s.live else { return false }
            live.archiving = false
            guard Self.archivable(s), live.run.lastSeq == archived.lastSeq else { return false }
            s.live = nil
            s.archived = archived
            return true
        }
    }

    func abandonArchive() { state.withLock { $0.live?.archiving = false } }

    // MARK: - Compaction

    /// The archive record the index's newest entry for this run points at (see
    /// `Live.indexed`); nil if there is none, or the run is being deleted (its tombstone may
    /// be written already: its record must not be written again).
    var indexedLocation: Archive.Location? {
        state.withLock { s in s.deleting || s.deleted ? nil : s.archived?.location ?? s.live?.indexed }
    }

    /// Start-up rebuilt the run in memory while the index still points at `location`.
    func setIndexed(_ location: Archive.Location) { state.withLock { $0.live?.indexed = location } }

    /// Compaction wrote the record at `old` again at `new`, and the new index entry is
    /// durable: reads go there from now on. False if the run no longer points at `old`.
    func relocate(from old: Archive.Location, to new: Archive.Location) -> Bool {
        state.withLock { s in
            if let a = s.archived, a.location == old {
                s.archived = ArchivedRun(archive: a.archive, location: new, lastSeq: a.lastSeq, status: a.status,
                                         createdAt: a.createdAt)
                return true
            }
            if let live = s.live, live.indexed == old {
                live.indexed = new
                return true
            }
            return false
        }
    }

    /// Keeps the run in memory until `release`, bringing an archived run's events back first
    /// (a FAILED run being resumed: its actor is made from the cell's run, and must find the
    /// cell live when it writes).
    func hold() throws(RunHistoryUnreadable) {
        while true {
            let archived = state.withLock { s -> ArchivedRun? in
                if s.archived == nil { s.holds += 1 }
                return s.archived
            }
            guard let archived else { return }
            let events = try archived.archive.history(of: id, at: archived.location)
            let loaded = Run(history: events, upTo: archived.lastSeq)!
            let restored = state.withLock { s -> Bool in
                guard s.archived != nil else { return false }  // someone else did it meanwhile: hold that
                let live = Live(run: loaded)
                live.durable = events
                // The current location, not the one read: compaction may have moved it since.
                live.indexed = s.archived!.location
                s.live = live
                s.archived = nil
                s.holds += 1
                return true
            }
            if restored {
                changed.fire()
                return
            }
        }
    }

    /// Ends a `hold`; true if the run could go (back) to the archive now.
    func release() -> Bool {
        state.withLock { s in
            s.holds -= 1
            return Self.archivable(s) && !s.live!.archiving
        }
    }

    // MARK: - Watching

    /// What a watcher gets: durable events after `seq` (at most `limit`), whether the stream
    /// is over (the last one returned is terminal, or the run was deleted).
    public struct Batch: Sendable {
        public var events: [RunEvent]
        public var ended: Bool
    }

    /// Durable events after `seq`; waits while there are none. Returns an empty, not ended
    /// batch when the waiting task is cancelled; an ended one if an archived history cannot
    /// be read (`nextEvents` throws instead).
    public func next(after seq: UInt64, limit: Int = 256) async -> Batch {
        do {
            return try await nextEvents(after: seq, limit: limit)
        } catch {
            return Batch(events: [], ended: true)
        }
    }

    /// `next`, throwing `RunHistoryUnreadable` when the run's archived history is damaged.
    public func nextEvents(after seq: UInt64, limit: Int = 256) async throws(RunHistoryUnreadable) -> Batch {
        while true {
            if Task.isCancelled { return Batch(events: [], ended: false) }
            let generation = changed.generation
            let (ready, archived): (Batch?, ArchivedRun?) = state.withLock { s in
                if s.deleted { return (Batch(events: [], ended: true), nil) }
                if let a = s.archived { return (nil, a.lastSeq > seq ? a : nil) }
                let durable = s.live!.durable
                return (Self.slice(durable, after: seq, limit: limit), nil)
            }
            if let ready { return ready }
            if let archived {
                let events = try archived.archive.history(of: id, at: archived.location)
                return Self.slice(events, after: seq, limit: limit)!
            }
            await changed.wait(past: generation)
        }
    }

    private static func slice(_ events: [RunEvent], after seq: UInt64, limit: Int) -> Batch? {
        let have = UInt64(events.count)
        guard have > seq else { return nil }
        let from = Int(seq), to = min(Int(have), from + limit)
        let out = Array(events[from..<to])
        return Batch(events: out, ended: out.last!.isTerminal && to == Int(have))
    }

    /// Waits until event `seq` is durable (or the task is cancelled).
    func waitDurable(_ seq: UInt64) async {
        while !Task.isCancelled {
            let generation = changed.generation
            if durableSeq >= seq { return }
            await changed.wait(past: generation)
        }
    }
}

/// Every durable run event of the server in log order, for WatchRuns: a bounded ring of the
/// newest events, each with its log sequence number (LSN), which is the resume token. A
/// watcher that falls behind the ring (or resumes from too old a token) is told so and reads
/// the same events from the log (`RunLogFeed`), or, once the log no longer keeps them, starts
/// again from a snapshot of the runs: a slow watcher never holds anything up.
public final class EventHub: Sendable {
    public struct Entry: Sendable {
        public var lsn: UInt64
        public var event: RunEvent
    }

    struct State {
        var ring: [Entry?]
        var head = 0      // index of the oldest entry
        var count = 0
        var lastLSN: UInt64 = 0
        /// Tokens below this are too old: the events after them are gone (evicted from the
        /// ring, or from before the server started).
        var floorLSN: UInt64 = 0
    }
    let state: Mutex<State>
    /// Fired after every publish.
    private let published = Signal()
    public let capacity: Int
    /// Told the id of each run whose terminal event is published (durable): the archiver.
    private let onRunEnded: (@Sendable (String) -> Void)?

    /// Events the ring keeps unless told otherwise (`--watch-ring-events`).
    public static let defaultCapacity = 262_144

    public init(capacity: Int = EventHub.defaultCapacity, startLSN: UInt64 = 0, onRunEnded: (@Sendable (String) -> Void)? = nil) {
        self.capacity = capacity
        self.onRunEnded = onRunEnded
        // The ring grows as events arrive (a full-size ring up front would cost tens of MiB
        // of memory in an idle server).
        var s = State(ring: [])
        s.lastLSN = startLSN
        s.floorLSN = startLSN
        state = Mutex(s)
    }

    /// The LSN of the newest event published (or where the hub started).
    public var lastLSN: UInt64 { state.withLock { $0.lastLSN } }

    func publish(_ entries: [Entry]) {
        guard !entries.isEmpty else { return }
        state.withLock { s in
            for e in entries {
                if s.ring.count < capacity {
                    s.ring.append(e)
                    s.count += 1
                    s.lastLSN = e.lsn
                    continue
                }
                // Full: the oldest goes, and tokens before it can no longer resume.
                s.floorLSN = s.ring[s.head]!.lsn
                s.ring[s.head] = e
                s.head = (s.head + 1) % capacity
                s.lastLSN = e.lsn
            }
        }
        published.fire()
        if let onRunEnded {
            for e in entries where e.event.isTerminal { onRunEnded(e.event.runID) }
        }
    }

    public enum Next: Sendable {
        case events([Entry])
        /// Events after that LSN are no longer in the ring.
        case tooOld
    }

    /// Whether a watcher at `lsn` can still go on from the ring.
    public func canResume(from lsn: UInt64) -> Bool { state.withLock { lsn >= $0.floorLSN && lsn <= $0.lastLSN } }

    /// Events with an LSN above `lsn`, oldest first (at most `limit`); waits while none.
    /// `.tooOld` when the ring no longer reaches back to `lsn`. Returns an empty list when
    /// the waiting task is cancelled.
    public func next(after lsn: UInt64, limit: Int = 512) async -> Next {
        while true {
            if Task.isCancelled { return .events([]) }
            let generation = published.generation
            let result: Next? = state.withLock { s in
                if lsn < s.floorLSN { return .tooOld }
                guard s.lastLSN > lsn else { return nil }
                // LSNs in the ring are increasing but not contiguous (other records share the
                // log): binary search for the first one above `lsn`.
                var lo = 0, hi = s.count
                while lo < hi {
                    let mid = (lo + hi) / 2
                    if s.ring[(s.head + mid) % capacity]!.lsn <= lsn { lo = mid + 1 } else { hi = mid }
                }
                var out: [Entry] = []
                out.reserveCapacity(min(limit, s.count - lo))
                var i = lo
                while i < s.count && out.count < limit {
                    out.append(s.ring[(s.head + i) % capacity]!)
                    i += 1
                }
                return .events(out)
            }
            if let result { return result }
            await published.wait(past: generation)
        }
    }
}

/// A wake-up for tasks waiting on shared state: waiters note `generation`, check the state,
/// and if it is not ready yet wait past that generation; whoever changes the state fires.
/// A change between the check and the wait is never missed (the generation moved).
final class Signal: Sendable {
    private struct State {
        var generation: UInt64 = 0
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
        var nextToken: UInt64 = 0
    }
    private let state = Mutex(State())

    var generation: UInt64 { state.withLock { $0.generation } }

    func fire() {
        let woken = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            s.generation += 1
            guard !s.waiters.isEmpty else { return [] }
            let w = Array(s.waiters.values)
            s.waiters.removeAll(keepingCapacity: true)
            return w
        }
        for c in woken { c.resume() }
    }

    /// Returns once the generation is past `seen`, or the task is cancelled.
    func wait(past seen: UInt64) async {
        let token = state.withLock { s -> UInt64 in
            s.nextToken += 1
            return s.nextToken
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                let now = state.withLock { s -> Bool in
                    if s.generation > seen || Task.isCancelled { return true }
                    s.waiters[token] = c
                    return false
                }
                if now { c.resume() }
            }
        } onCancel: {
            let c = state.withLock { $0.waiters.removeValue(forKey: token) }
            c?.resume()
        }
    }
}

/// The hub's entries read back from the log, for a WatchRuns stream behind the ring: the
/// `runEvent` records with their LSNs, never past what the hub has published (the stream goes
/// back to the ring from there). Used by one stream's task.
public final class RunLogFeed {
    private let reader: LogReader
    private let hub: EventHub
    private let values: ValueBlobs?

    init(reader: LogReader, hub: EventHub, values: ValueBlobs?) {
        self.reader = reader
        self.hub = hub
        self.values = values
    }

    /// The LSN read up to: the next call goes on after it.
    public var position: UInt64 { reader.position }

    /// The run events among the next `limit` records (maybe none, when they were other
    /// records); throws when the log no longer keeps them, or one cannot be read.
    public func next(limit: Int = 512) throws -> [EventHub.Entry] {
        try reader.next(limit: limit, upTo: hub.lastLSN).compactMap { r in
            guard r.record.type == WorkflowStore.RecordType.runEvent else { return nil }
            return EventHub.Entry(lsn: r.lsn, event: try RunEvent(bytes: r.record.payload, values: values))
        }
    }
}
