import Foundation
import Testing
@testable import Storage

@Suite struct SnapshotTests {
    static func options(kept: Int = 2, retain: UInt64 = 0) -> StoreOptions {
        var options = StoreOptions()
        options.segmentBytes = 500  // 59-byte frames: 8 per segment
        options.snapshotsKept = kept
        options.retainRecords = retain
        return options
    }

    static func firstLSNs(_ dir: TempDir) -> [UInt64] {
        segmentFiles(dir).map { UInt64(($0 as NSString).lastPathComponent.prefix(16), radix: 16)! }
    }

    /// 100 records of 50 bytes; snapshots whose bytes say their LSN.
    static func fill(_ dir: TempDir, kept: Int = 2, snapshotsAt: [UInt64]) throws {
        let (store, _) = try Store.open(directory: dir.path, options: options(kept: kept))
        for i in 1...100 {
            _ = try store.appendSync([record(i, size: 50)])
            if snapshotsAt.contains(UInt64(i)) { try store.writeSnapshot(lsn: UInt64(i), bytes: Array("state@\(i)".utf8)) }
        }
        store.close()
    }

    @Test func snapshotCompactsSegmentsBelowTheOldestKeptSnapshot() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let (store, _) = try Store.open(directory: dir.path, options: Self.options())
        for i in 1...100 { _ = try store.appendSync([record(i, size: 50)]) }
        #expect(Self.firstLSNs(dir) == stride(from: 1, through: 97, by: 8).map { UInt64($0) })
        try store.writeSnapshot(lsn: 50, bytes: [5, 0])
        // Records 1...48 live in segments wholly below 50; the one holding 49...56 stays.
        #expect(Self.firstLSNs(dir) == [49, 57, 65, 73, 81, 89, 97])
        try store.writeSnapshot(lsn: 80, bytes: [8, 0])
        #expect(snapshotFiles(dir).count == 2)
        #expect(Self.firstLSNs(dir) == [49, 57, 65, 73, 81, 89, 97], "kept back to the previous snapshot")
        try store.writeSnapshot(lsn: 100, bytes: [1, 0, 0])
        #expect(snapshotFiles(dir).map { ($0 as NSString).lastPathComponent } == [Hex.lsn(80) + ".snap", Hex.lsn(100) + ".snap"])
        #expect(Self.firstLSNs(dir) == [81, 89, 97], "73...80 are all in snapshot 80")
        #expect(store.stats.segmentsCompacted == 10)
        store.close()

        let (recovery, replayed) = try reopen(dir, options: Self.options())
        #expect(recovery.snapshot == Snapshot(lsn: 100, bytes: [1, 0, 0]))
        #expect(replayed.isEmpty && recovery.report.lastLSN == 100)
    }

    @Test func compactionKeepsTheNewestRetainedRecords() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let (store, _) = try Store.open(directory: dir.path, options: Self.options(kept: 1, retain: 30))
        for i in 1...100 { _ = try store.appendSync([record(i, size: 50)]) }
        try store.writeSnapshot(lsn: 100, bytes: [1])
        // Records 71...100 are retained: the segment holding 65...72 stays, 57...64 goes.
        #expect(Self.firstLSNs(dir) == [65, 73, 81, 89, 97])
        store.close()
    }

    @Test func recoveryStartsFromTheSnapshotAndReplaysOnlyWhatFollows() throws {
        let dir = TempDir()
        defer { dir.remove() }
        try Self.fill(dir, snapshotsAt: [30, 60])
        let (recovery, replayed) = try reopen(dir, options: Self.options())
        #expect(recovery.snapshot == Snapshot(lsn: 60, bytes: Array("state@60".utf8)))
        #expect(replayed.map(\.0) == Array(61...100))
        #expect(replayed.map(\.1) == (61...100).map { record($0, size: 50) })
        #expect(recovery.report.records == 40 && recovery.report.snapshotLSN == 60)
        // Appends continue after the log, not after the snapshot.
        let (store, _) = try Store.open(directory: dir.path, options: Self.options())
        #expect(try store.appendSync([record(101)]) == 101)
        store.close()
    }

    @Test func snapshotLSNMustBeDurableAndNewer() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let (store, _) = try Store.open(directory: dir.path)
        defer { store.close() }
        _ = try store.appendSync([record(1), record(2)])
        #expect(storageError { try store.writeSnapshot(lsn: 3, bytes: []) }
                == .badSnapshotLSN(lsn: 3, reason: "the log is durable only up to LSN 2"))
        #expect(storageError { try store.writeSnapshot(lsn: 0, bytes: []) } != nil)
        try store.writeSnapshot(lsn: 2, bytes: [])
        #expect(storageError { try store.writeSnapshot(lsn: 2, bytes: [9]) }
                == .badSnapshotLSN(lsn: 2, reason: "a snapshot at LSN 2 already exists"))
    }

    @Test func flippedByteInNewestSnapshotFallsBackToThePreviousOne() throws {
        let dir = TempDir()
        defer { dir.remove() }
        try Self.fill(dir, snapshotsAt: [30, 60])
        let newest = snapshotFiles(dir).last!
        let pristine = fileBytes(newest)
        for at in [0, 12, 20, 30, 34, pristine.count - 1] {  // magic, flags, lsn, length, crc, payload
            var bytes = pristine
            bytes[at] ^= 0x10
            writeFile(newest, bytes)
            let (recovery, replayed) = try reopen(dir, options: Self.options())
            #expect(recovery.snapshot == Snapshot(lsn: 30, bytes: Array("state@30".utf8)), "byte \(at)")
            #expect(replayed.map(\.0) == Array(31...100), "byte \(at)")
            #expect(recovery.report.skippedSnapshots.count == 1 && recovery.report.skippedSnapshots[0].hasPrefix(newest))
        }
    }

    @Test func missingNewestSnapshotFallsBackAndMissingAllIsRefusedOnceCompacted() throws {
        let dir = TempDir()
        defer { dir.remove() }
        try Self.fill(dir, snapshotsAt: [30, 60])
        try FileManager.default.removeItem(atPath: snapshotFiles(dir).last!)
        let (recovery, replayed) = try reopen(dir, options: Self.options())
        #expect(recovery.snapshot?.lsn == 30 && replayed.first?.0 == 31 && replayed.count == 70)

        try FileManager.default.removeItem(atPath: snapshotFiles(dir).last!)
        guard case let .unrecoverable(why)? = storageError({ _ = try Store.open(directory: dir.path, options: Self.options()) }) else {
            Issue.record("opened with no snapshot and a compacted log")
            return
        }
        #expect(why.contains("the log starts at LSN 25, not 1"))
    }

    @Test func corruptOnlySnapshotReplaysFromLSN1WhenTheLogReachesBack() throws {
        let dir = TempDir()
        defer { dir.remove() }
        // Keeping one snapshot compacts below it; a snapshot at 5 leaves the first segment (1...8).
        try Self.fill(dir, kept: 1, snapshotsAt: [5])
        var bytes = fileBytes(snapshotFiles(dir)[0])
        bytes[bytes.count - 1] ^= 1
        writeFile(snapshotFiles(dir)[0], bytes)
        let (recovery, replayed) = try reopen(dir, options: Self.options(kept: 1))
        #expect(recovery.snapshot == nil && replayed.map(\.0) == Array(1...100))
        #expect(recovery.report.skippedSnapshots[0].contains("checksum mismatch"))
    }

    @Test func corruptSnapshotWithCompactedLogIsRefusedWithTheReason() throws {
        let dir = TempDir()
        defer { dir.remove() }
        try Self.fill(dir, kept: 1, snapshotsAt: [50])
        writeFile(snapshotFiles(dir)[0], [1, 2, 3])
        guard case let .unrecoverable(why)? = storageError({ _ = try Store.open(directory: dir.path, options: Self.options(kept: 1)) }) else {
            Issue.record("opened without a usable snapshot")
            return
        }
        #expect(why.contains("shorter than the header") && why.contains("not 1 (compacted)"))
    }
}
