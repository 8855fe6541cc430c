import Storage

/// Which runs start-up rebuilds, and from what: the pure half of `Executor.recover`.
///
/// A run's durable history is append-only, and each source holds a prefix of it: the
/// snapshot (events 1...s of a run unfinished when it was taken), the archive (events 1...t of
/// a run that had ended), the log (every event after the snapshot). So a run is rebuilt from
/// whichever of the snapshot and the archive reaches further, plus the log's events that
/// follow on from there. A run in the archive with no later event stays there (only its
/// summary in memory); one with later events (a FAILED run resumed after it was archived)
/// comes back into memory. Deleted runs (a `runDeleted` in the log after the snapshot, or a
/// tombstone in the archive) are left out.
///
/// The archived runs can be millions, the others a few thousand: the plan walks the few and
/// looks each up among the archived (which it takes over, and edits in place), never the
/// other way round.
struct RunRecoveryPlan {
    struct Live {
        var run: Run
        var events: [RunEvent]
    }

    typealias Archived = WorkflowStore.ArchivedEntry

    /// An archived run with later events: its record is read back, then `tail` applied.
    struct Reloaded {
        var archived: Archived
        var tail: [RunEvent]
    }

    var live: [String: Live] = [:]
    var archived: [String: Archived]
    var extras: [String: WorkflowStore.ArchivedExtras]
    var names: SharedStrings
    var reloaded: [String: Reloaded] = [:]
    /// Runs rebuilt in memory that the archive index still points at (a resumed run, whether
    /// the log or snapshot reaches further, or its record is read back): compaction keeps
    /// those records.
    var indexed: [String: Archive.Location] = [:]

    init(_ recovered: consuming WorkflowStore.RecoveredRuns) {
        var runs: [String: Run] = [:]
        var events: [String: [RunEvent]] = [:]
        /// Events that do not follow on from sequence 1 in memory: maybe from an archived run.
        var stray: [String: [RunEvent]] = [:]
        for e in recovered.events where !recovered.deleted.contains(e.runID) {
            if var r = runs[e.runID] {
                if e.seq == r.lastSeq + 1 {
                    r.apply(e)
                    runs[e.runID] = r
                    events[e.runID, default: []].append(e)
                } else if e.seq > r.lastSeq + 1 {
                    stray[e.runID, default: []].append(e)
                }
                continue
            }
            if case .queued = e.kind, let r = Run(queued: e) {
                runs[e.runID] = r
                events[e.runID] = [e]
                continue
            }
            stray[e.runID, default: []].append(e)
        }
        archived = recovered.archived
        recovered.archived = [:]
        extras = recovered.archivedExtras
        names = recovered.names
        for id in recovered.deleted { archived[id] = nil }
        for id in Set(runs.keys).union(stray.keys) {
            guard let a = archived[id] else { continue }
            indexed[id] = a.at
            // Resumed after it was archived, and the snapshot or the log has it from seq 1.
            if let r = runs[id], r.lastSeq > a.lastSeq {
                archived[id] = nil
                continue
            }
            runs[id] = nil
            events[id] = nil
            let tail = Self.chain(stray[id] ?? [], after: a.lastSeq)
            if !tail.isEmpty {
                archived[id] = nil
                reloaded[id] = Reloaded(archived: a, tail: tail)
            }
        }
        for (id, run) in runs { live[id] = Live(run: run, events: events[id]!) }
    }

    /// The events of `candidates` that follow on from `seq` without a gap (duplicates skipped).
    static func chain(_ candidates: [RunEvent], after seq: UInt64) -> [RunEvent] {
        var next = seq + 1
        var out: [RunEvent] = []
        for e in candidates where e.seq == next {
            out.append(e)
            next += 1
        }
        return out
    }
}
