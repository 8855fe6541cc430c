import Storage

/// Compaction of the run archive's sealed data files.
///
/// A record is live while the archive index's newest entry for its run points at it: the
/// run's cell says where (`RunCell.indexedLocation`: its archived location, or, for a run back
/// in memory, the record a restart would rebuild it from). Deleted runs (tombstone written or
/// on its way) have none, and runs archived again point at their newer record. A sealed file
/// whose live records take less than `liveFractionBelow` of it has them written again (each
/// with a new `put` entry and a summary worked out from the record itself), then the cells are
/// pointed at the new places, then the file is removed. See `Archive.removeDataFile` for why a
/// kill at any point loses nothing and brings nothing back.
///
/// It runs on the archiver thread, between batches: no record or tombstone is written while
/// it decides and writes, so a run it writes again cannot have had its tombstone written
/// before (a delete marks the cell before queueing the tombstone, and the tombstone then
/// queues behind the compaction's entries, which it overrides).
extension RunArchive {
    /// What one compaction did.
    public struct Compaction: Sendable, Equatable {
        /// Sealed data files looked at, and removed.
        public var filesSeen = 0
        public var filesRemoved = 0
        public var recordsMoved = 0
        public var bytesReclaimed: Int64 = 0
    }

    /// Items written per `Archive.write` (one fdatasync of each file): bounds the memory held.
    static let compactionBatchRecords = 1024
    static let compactionBatchBytes = 32 << 20

    func compactSealedFiles() -> Result<Compaction, StorageError> {
        staleSinceCheck.store(0, ordering: .relaxed)
        var done = Compaction()
        guard let cells = allCells else { return .success(done) }
        let files: [Archive.DataFile]
        do {
            files = try archive.sealedDataFiles()
        } catch {
            return .failure(error as? StorageError ?? .poisoned("\(error)"))
        }
        done.filesSeen = files.count
        guard !files.isEmpty else { return .success(done) }
        // First pass: live bytes per file; second: the live records of the files to rewrite.
        var liveBytes: [UInt32: Int64] = [:]
        for c in cells {
            if let at = c.indexedLocation { liveBytes[at.file, default: 0] += Int64(at.frameBytes) }
        }
        let chosen = files.filter { Double(liveBytes[$0.file] ?? 0) < policy.liveFractionBelow * Double($0.bytes) }
        guard !chosen.isEmpty else { return .success(done) }
        let chosenFiles = Set(chosen.map(\.file))
        var live: [UInt32: [(cell: RunCell, at: Archive.Location)]] = [:]
        for c in cells {
            if let at = c.indexedLocation, chosenFiles.contains(at.file) { live[at.file, default: []].append((c, at)) }
        }
        for file in chosen {
            do {
                let moved = try rewrite(live[file.file] ?? [])
                try archive.removeDataFile(file.file)
                done.filesRemoved += 1
                done.recordsMoved += moved
                done.bytesReclaimed += file.bytes - (liveBytes[file.file] ?? 0)
            } catch let problem as RunHistoryUnreadable {
                // Left as it is: a record that does not read back is not dropped here.
                counters.withLock { $0.compactionProblem = problem.description }
            } catch {
                return .failure(error as? StorageError ?? .poisoned("\(error)"))
            }
        }
        if done.filesRemoved > 0 { compactionObserver?(done) }
        counters.withLock { s in
            s.filesCompacted += done.filesRemoved
            s.recordsMoved += done.recordsMoved
            s.bytesReclaimed += done.bytesReclaimed
        }
        return .success(done)
    }

    /// Writes the records again, in batches, and points each cell at its new place once the
    /// batch's index entries are durable. Returns how many were written.
    private func rewrite(_ records: [(cell: RunCell, at: Archive.Location)]) throws -> Int {
        var moved = 0
        var start = 0
        while start < records.count {
            var items: [Archive.Item] = []
            var bytes = 0
            var end = start
            while end < records.count && items.count < Self.compactionBatchRecords && bytes < Self.compactionBatchBytes {
                let (cell, at) = records[end]
                let record = try recordAgain(of: cell.id, at: at)
                items.append(.put(summary: record.summary.encoded(), record: record.record))
                bytes += record.record.payload.count
                end += 1
            }
            let locations = try archive.write(items)
            for ((cell, old), new) in zip(records[start..<end], locations) {
                _ = cell.relocate(from: old, to: new!)
            }
            moved += end - start
            start = end
        }
        return moved
    }

    /// The record at `at`, checked to decode as the run's history, and the summary its index
    /// entry carries (worked out from the events: the cell of an archived run keeps no key).
    private func recordAgain(of runID: String, at: Archive.Location) throws -> (record: Record, summary: ArchivedSummary) {
        let (record, events) = try readRecord(of: runID, at: at)
        return (record, ArchivedSummary(Run(history: events)!))
    }
}
