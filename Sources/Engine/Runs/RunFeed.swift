import Synchronization

/// One run as readers and watchers see it, shared between the run's actor (the only writer)
/// and everyone else (readers take the lock and copy).
///
/// Two views: `run` is the state after every event applied so far; `durable` holds the
/// events already on disk, in order. Watchers only ever get durable events: an event is in
/// the log before anyone sees it. The store's writer thread calls `markDurable`, so nothing
/// here may block or suspend.
public final class RunCell: Sendable {
    public let id: String
    public let tenantID: String
    public let workflowID: String

    struct State {
        var run: Run
        /// Durable events, oldest first: `durable[i].seq == i + 1`.
        var durable: [RunEvent] = []
        var deleted = false
    }
    let state: Mutex<State>
    /// Fired whenever `durable` grows or the run is deleted.
    private let changed = Signal()

    init(run: Run) {
        id = run.id
        tenantID = run.tenantID
        workflowID = run.workflowID
        state = Mutex(State(run: run))
    }

    /// The run now (events applied, not all necessarily durable yet).
    public var run: Run { state.withLock { $0.run } }

    /// The newest durable event's sequence number.
    public var durableSeq: UInt64 { state.withLock { UInt64($0.durable.count) } }

    func update(_ run: Run) { state.withLock { $0.run = run } }

    /// Called in sequence order once `events` are on disk; wakes every watcher once.
    func markDurable(_ events: [RunEvent]) {
        let appended = state.withLock { s -> Bool in
            var any = false
            for event in events where event.seq == UInt64(s.durable.count) + 1 {
                s.durable.append(event)
                any = true
            }
            return any
        }
        if appended { changed.fire() }
    }

    /// Replays recovered events: they are durable already.
    func restoreDurable(_ events: [RunEvent]) { state.withLock { $0.durable = events } }

    func markDeleted() {
        state.withLock { $0.deleted = true }
        changed.fire()
    }

    /// What a watcher gets: durable events after `seq` (at most `limit`), whether the stream
    /// is over (the last one returned is terminal, or the run was deleted).
    public struct Batch: Sendable {
        public var events: [RunEvent]
        public var ended: Bool
    }

    /// Durable events after `seq`; waits while there are none. Returns an empty, not ended
    /// batch when the waiting task is cancelled.
    public func next(after seq: UInt64, limit: Int = 256) async -> Batch {
        while true {
            if Task.isCancelled { return Batch(events: [], ended: false) }
            let generation = changed.generation
            let ready: Batch? = state.withLock { s in
                if s.deleted { return Batch(events: [], ended: true) }
                let have = UInt64(s.durable.count)
                if have > seq {
                    let from = Int(seq), to = min(Int(have), from + limit)
                    let events = Array(s.durable[from..<to])
                    return Batch(events: events, ended: events.last!.isTerminal && to == Int(have))
                }
                return nil
            }
            if let ready { return ready }
            await changed.wait(past: generation)
        }
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
/// watcher that falls behind the ring (or resumes from too old a token) is told so and
/// starts again from a snapshot of the runs: a slow watcher never holds anything up.
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

    public init(capacity: Int = 262_144, startLSN: UInt64 = 0) {
        self.capacity = capacity
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
