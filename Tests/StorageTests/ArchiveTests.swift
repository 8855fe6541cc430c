import Foundation
import Glibc
import Testing
@testable import Storage

/// The archive on real files: records read back by location and checked; the index read
/// whole on open, refused when damaged below the mark, cut when torn after it; data written
/// after the last index entry dropped.
@Suite struct ArchiveTests {
    static func summary(_ i: Int) -> [UInt8] { Array("run-\(i)".utf8) }

    /// Opens the archive, collecting its entries.
    static func open(_ dir: TempDir, mark: UInt64 = 0, options: Archive.Options = Archive.Options()) throws
        -> (Archive, [Archive.Entry], Archive.Report) {
        var entries: [Archive.Entry] = []
        let (archive, report) = try Archive.open(directory: dir.path, mark: mark, options: options) { entries.append($0) }
        return (archive, entries, report)
    }

    static func puts(_ range: ClosedRange<Int>, size: Int = 0) -> [Archive.Item] {
        range.map { .put(summary: summary($0), record: record($0, size: size)) }
    }

    static func damage(_ error: () throws -> Void) -> ArchiveDamage? {
        do { try error() } catch let d as ArchiveDamage { return d } catch { return nil }
        return nil
    }

    func files(_ dir: TempDir, _ suffix: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? [])
            .filter { $0.hasSuffix(suffix) }.sorted().map { dir.path + "/" + $0 }
    }

    @Test func recordsReadBackByLocationAndTheIndexReplaysInOrderAcrossFilesAndReopens() throws {
        let dir = TempDir()
        defer { dir.remove() }
        var options = Archive.Options()
        options.dataFileBytes = 300  // a few records per data file
        options.indexFileBytes = 100  // a few entries per index file
        let (archive, none, _) = try Self.open(dir, options: options)
        #expect(none.isEmpty && archive.durableEntries == 0)
        var written: [(Int, Archive.Location)] = []
        for batch in [1...3, 4...4, 5...12] {
            let locations = try archive.write(Self.puts(batch, size: 60))
            written += zip(batch, locations.map { $0! }).map { ($0, $1) }
        }
        _ = try archive.write([.remove(key: Self.summary(2))])
        #expect(archive.durableEntries == 13)
        for (i, at) in written { #expect(try archive.read(at) == record(i, size: 60)) }
        #expect(Set(written.map(\.1.file)).count > 2, "the data rolled over to new files")
        #expect(files(dir, ".index").count > 2, "the index rolled over to new files")
        archive.close()

        let (reopened, entries, report) = try Self.open(dir, mark: 13, options: options)
        let expected = written.map { Archive.Entry.put(summary: Self.summary($0.0), at: $0.1) } + [.removed(key: Self.summary(2))]
        #expect(entries == expected)
        #expect(report.entries == 13 && report.truncatedIndex == nil && report.droppedEntries.isEmpty)
        for (i, at) in written { #expect(try reopened.read(at) == record(i, size: 60)) }
        // Writes go on after what was there.
        let more = try reopened.write(Self.puts(13...13))
        #expect(try reopened.read(more[0]!) == record(13))
        reopened.close()
        let (_, again, _) = try Self.open(dir, mark: 14, options: options)
        #expect(again.count == 14)
    }

    @Test func aDamagedRecordIsReportedWithItsFileAndOffsetAndTheOthersStillRead() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let (archive, _, _) = try Self.open(dir)
        let at = try archive.write(Self.puts(1...3, size: 40)).map { $0! }
        archive.close()
        let path = files(dir, ".data")[0]
        var bytes = fileBytes(path)
        bytes[Int(at[1].offset) + 20] ^= 0x40  // a payload bit of the second record
        writeFile(path, bytes)

        // Below the mark the index is trusted: the damage shows when the record is read.
        let (trusted, entries, _) = try Self.open(dir, mark: 3)
        #expect(entries.count == 3)
        let d = Self.damage { _ = try trusted.read(at[1]) }
        #expect(d == ArchiveDamage(path: path, offset: Int64(at[1].offset), reason: "checksum mismatch"))
        #expect(try trusted.read(at[0]) == record(1, size: 40))
        #expect(try trusted.read(at[2]) == record(3, size: 40))
        // A location past the end of the file (a cut file) is damage too, not a crash.
        let beyond = Archive.Location(file: at[2].file, offset: at[2].offset + 1000, frameBytes: at[2].frameBytes)
        #expect(Self.damage { _ = try trusted.read(beyond) }?.reason.contains("short") == true)
        let missing = Archive.Location(file: 9, offset: 0, frameBytes: 20)
        #expect(Self.damage { _ = try trusted.read(missing) }?.reason == "the file is missing")
        trusted.close()

        // After the mark, records are checked on open: the damaged one is dropped (its owner
        // rebuilds it from its log), the others kept.
        let (checked, kept, report) = try Self.open(dir, mark: 0)
        #expect(kept == [.put(summary: Self.summary(1), at: at[0]), .put(summary: Self.summary(3), at: at[2])])
        #expect(report.droppedEntries.count == 1 && report.droppedEntries[0].contains("checksum mismatch"))
        checked.close()
    }

    @Test func aTornIndexTailAfterTheMarkIsCutAndBelowItIsRefused() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let (archive, _, _) = try Self.open(dir)
        _ = try archive.write(Self.puts(1...4))
        archive.close()
        let index = files(dir, ".index")[0]
        let whole = fileBytes(index)
        // A crash mid-append: half of the next entry's frame.
        var frame: [UInt8] = []
        let somewhere = Archive.Location(file: 1, offset: 0, frameBytes: 9)
        Frame.encode(IndexEntry.record(.put(summary: Self.summary(5), record: record(5)), somewhere), into: &frame)
        writeFile(index, whole + frame.prefix(frame.count / 2))

        guard case let .corrupt(path, offset, _)? = storageError({ _ = try Self.open(dir, mark: 5) }) else {
            Issue.record("a torn entry the snapshot relies on was not refused")
            return
        }
        #expect(path == index && offset == Int64(whole.count))

        let (cut, entries, report) = try Self.open(dir, mark: 4)
        #expect(entries.count == 4)
        #expect(report.truncatedIndex?.hasPrefix("\(index) at offset \(whole.count)") == true)
        #expect(fileBytes(index) == whole)
        let fifth = try cut.write(Self.puts(5...5))[0]!
        cut.close()
        let (_, after, _) = try Self.open(dir, mark: 5)
        #expect(after.count == 5 && after.last == .put(summary: Self.summary(5), at: fifth))
    }

    @Test func aBadEntryMidIndexAfterTheMarkDropsEverythingAfterItButBelowItIsCorruption() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let (archive, _, _) = try Self.open(dir)
        _ = try archive.write(Self.puts(1...6))
        archive.close()
        let index = files(dir, ".index")[0]
        var bytes = fileBytes(index)
        let entry = Frame.size(payloadBytes: 12 + Self.summary(1).count)
        bytes[2 * entry + 12] ^= 1  // the third entry's payload
        writeFile(index, bytes)
        #expect(storageError { _ = try Self.open(dir, mark: 3) } != nil)
        let (_, entries, report) = try Self.open(dir, mark: 2)
        #expect(entries.count == 2 && report.truncatedIndex != nil)
    }

    @Test func anIndexShorterThanTheMarkIsRefused() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let (archive, _, _) = try Self.open(dir)
        _ = try archive.write(Self.puts(1...2))
        archive.close()
        guard case let .unrecoverable(why)? = storageError({ _ = try Self.open(dir, mark: 3) }) else {
            Issue.record("a short index was accepted")
            return
        }
        #expect(why.contains("holds 2 entries") && why.contains("relies on 3"))
    }

    @Test func dataWrittenAfterTheLastIndexEntryIsCutOffOnOpen() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let (archive, _, _) = try Self.open(dir)
        let first = try archive.write(Self.puts(1...2))
        archive.close()
        // A crash after a batch's records were written, before its index entries were.
        let data = files(dir, ".data")[0]
        let good = fileBytes(data)
        var orphan: [UInt8] = []
        Frame.encode(record(99, size: 30), into: &orphan)
        writeFile(data, good + orphan + [1, 2, 3])

        let (reopened, entries, _) = try Self.open(dir, mark: 2)
        #expect(entries.count == 2)
        #expect(fileBytes(data) == good)
        let next = try reopened.write(Self.puts(3...3))[0]!
        #expect(Int(next.offset) == good.count)
        #expect(try reopened.read(first[1]!) == record(2))
        #expect(try reopened.read(next) == record(3))
        reopened.close()
    }

    @Test func aFailedSyncPoisonsTheArchiveAndNothingOfTheBatchIsIndexed() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let files = FaultyFiles()
        var options = Archive.Options()
        options.files = files
        let (archive, _, _) = try Self.open(dir, options: options)
        _ = try archive.write(Self.puts(1...1))
        files.faults.withLock { $0.failFdatasync = true }
        #expect(storageError { _ = try archive.write(Self.puts(2...2)) } != nil)
        files.faults.withLock { $0.failFdatasync = false }
        guard case .poisoned? = storageError({ _ = try archive.write(Self.puts(3...3)) }) else {
            Issue.record("the archive took a write after a failed one")
            return
        }
        #expect(archive.durableEntries == 1)
        archive.close()
        let (_, entries, _) = try Self.open(dir, mark: 1)
        #expect(entries.count == 1)
    }

    @Test func aSealedDataFileIsRemovedOnAskTheActiveOneNeverAndOldLocationsStillRead() throws {
        let dir = TempDir()
        defer { dir.remove() }
        var options = Archive.Options()
        options.dataFileBytes = 300
        let (archive, _, _) = try Self.open(dir, options: options)
        let locations = try archive.write(Self.puts(1...8, size: 60)).map { $0! }
        let sealed = try archive.sealedDataFiles()
        let active = locations.last!.file
        #expect(!sealed.isEmpty && !sealed.contains { $0.file == active })
        #expect(sealed.allSatisfy { $0.bytes > 0 })
        #expect(throws: StorageError.self) { try archive.removeDataFile(active) }
        // Never read before: the removal itself keeps a descriptor for late readers.
        let first = sealed[0].file
        try archive.removeDataFile(first)
        #expect(!files(dir, ".data").contains { $0.hasSuffix(Hex.lsn(UInt64(first)) + ".data") })
        #expect(try archive.sealedDataFiles().map(\.file) == sealed.dropFirst().map(\.file))
        for (i, at) in zip(1...8, locations) where at.file == first { #expect(try archive.read(at) == record(i, size: 60)) }
        archive.close()
        // A new process has no descriptor: the record is gone with its file.
        let (reopened, _, _) = try Self.open(dir, mark: 8, options: options)
        let gone = try #require(locations.first { $0.file == first })
        #expect(Self.damage { _ = try reopened.read(gone) } != nil)
        reopened.close()
    }
}
