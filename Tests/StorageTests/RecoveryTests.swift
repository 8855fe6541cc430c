import Foundation
import Glibc
import Testing
@testable import Storage

/// Recovery against files damaged on purpose: torn tails, flipped bytes, bad lengths.
@Suite struct RecoveryTests {
    /// Writes `records` in one segment and returns the segment's path and each frame's end offset.
    /// The zeros the writer put after them are cut off unless `keepZeros`: most tests damage a
    /// file that ends with its last record, as one written before zeros ahead did.
    static func writeLog(_ dir: TempDir, _ records: [Record], keepZeros: Bool = false) throws -> (path: String, ends: [Int]) {
        let (store, _) = try Store.open(directory: dir.path)
        for r in records { _ = try store.appendSync([r]) }
        store.close()
        var ends: [Int] = []
        var at = 0
        for r in records { at += Frame.size(payloadBytes: r.payload.count); ends.append(at) }
        let path = segmentFiles(dir)[0]
        let bytes = fileBytes(path)
        // After the first record's batch the writer wrote zeros up to 4 MiB past it; the rest
        // went into them.
        #expect(bytes.count == ends[0] + Int(StoreOptions().zeroAheadBytes), "zeros written ahead of the records")
        #expect(!bytes[at...].contains { $0 != 0 })
        if !keepZeros { writeFile(path, Array(bytes[..<at])) }
        return (path, ends)
    }

    /// Records 1...10 of 59 bytes each in segments of 200 bytes (three to a segment); returns
    /// the options used and the first segment's path.
    static func writeSegments(_ dir: TempDir) throws -> (StoreOptions, String) {
        var options = StoreOptions()
        options.segmentBytes = 200
        let (store, _) = try Store.open(directory: dir.path, options: options)
        for i in 1...10 { _ = try store.appendSync([record(i, size: 50)]) }
        store.close()
        return (options, segmentFiles(dir)[0])
    }

    @Test func tornTailOfEveryLengthIsTruncatedAndReported() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let records = [record(1, size: 20), record(2, size: 20), record(3, size: 30)]
        let (path, ends) = try Self.writeLog(dir, records)
        let whole = fileBytes(path)
        // Cut at the file's end (an append), or followed by zeros (a write into zeros written ahead).
        for zeros in [0, 4096] {
            for cut in ends[1]..<ends[2] {
                writeFile(path, Array(whole[..<cut]) + [UInt8](repeating: 0, count: zeros))
                let (recovery, replayed) = try reopen(dir)
                #expect(replayed.map(\.1) == Array(records[..<2]), "cut at \(cut)")
                #expect(recovery.report.lastLSN == 2)
                if cut == ends[1] {
                    #expect(recovery.report.truncation == nil)
                    #expect(fileBytes(path).count == ends[1] + zeros, "a clean end keeps its zeros")
                } else {
                    let t = try #require(recovery.report.truncation, "cut at \(cut)")
                    #expect(t.file == path && t.offset == Int64(ends[1]) && t.bytesDropped == Int64(cut + zeros - ends[1]))
                    #expect(recovery.report.description.contains("\(path) at offset \(ends[1])"))
                    #expect(fileBytes(path).count == ends[1], "the tail is gone from disk")
                }
            }
        }
        // The next append after a truncation gets the LSN the torn record had.
        let (store, _) = try Store.open(directory: dir.path)
        #expect(try store.appendSync([record(9)]) == 3)
        store.close()
        #expect(try reopen(dir).1.map(\.1) == [records[0], records[1], record(9)])
    }

    @Test func checksumFailureInTheFinalRecordIsATornTail() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let (path, ends) = try Self.writeLog(dir, [record(1), record(2), record(3)])
        var bytes = fileBytes(path)
        bytes[ends[2] - 1] ^= 0x80
        writeFile(path, bytes)
        let (recovery, replayed) = try reopen(dir)
        #expect(replayed.map(\.1) == [record(1), record(2)])
        #expect(recovery.report.truncation?.offset == Int64(ends[1]))
        #expect(recovery.report.truncation?.reason == "checksum mismatch")
    }

    @Test func zerosAfterTheRecordsAreACleanEndAndTheNextRecordsGoIntoThem() throws {
        // Zeros written ahead, or a file extended by a power cut but never written.
        let dir = TempDir()
        defer { dir.remove() }
        let (path, ends) = try Self.writeLog(dir, [record(1), record(2)], keepZeros: true)
        let size = fileBytes(path).count
        let (recovery, replayed) = try reopen(dir)
        #expect(replayed.map(\.1) == [record(1), record(2)])
        #expect(recovery.report.truncation == nil)
        let (store, _) = try Store.open(directory: dir.path)
        #expect(try store.appendSync([record(3)]) == 3)
        store.close()
        let bytes = fileBytes(path)
        #expect(bytes.count == size, "record 3 went into the zeros")
        #expect(Array(bytes[ends[1]..<(ends[1] + Frame.size(payloadBytes: record(3).payload.count))])
                == Frame.bytes(record(3)))
        #expect(try reopen(dir).1.map(\.1) == [record(1), record(2), record(3)])
    }

    @Test func aWriteThatLandedInPartIsATornTail() throws {
        // Writes into zeros are not ordered: after a power cut a later page of the last write
        // can be on disk while an earlier one is not. Records 3 and 4 were never acknowledged.
        let dir = TempDir()
        defer { dir.remove() }
        let (path, ends) = try Self.writeLog(dir, [record(1), record(2)], keepZeros: true)
        let pristine = fileBytes(path)
        let lost = Frame.bytes(record(3, size: 2000)) + Frame.bytes(record(4))
        // The first page (here: the header), or a whole sector inside record 3, never landed;
        // record 4 after it did, whole.
        let sectorInside = (ends[1] + 9 + 511) / 512 * 512
        for zeroed in [ends[1]..<(ends[1] + 9), sectorInside..<(sectorInside + 512)] {
            var bytes = pristine
            bytes.replaceSubrange(ends[1]..<(ends[1] + lost.count), with: lost)
            for i in zeroed { bytes[i] = 0 }
            writeFile(path, bytes)
            let (recovery, replayed) = try reopen(dir)
            #expect(replayed.map(\.1) == [record(1), record(2)], "zeroed \(zeroed)")
            #expect(recovery.report.truncation?.offset == Int64(ends[1]), "zeroed \(zeroed)")
            writeFile(path, pristine)
        }
        // A byte flipped in record 3 (no zeros) with record 4 whole after it: refused.
        var bytes = pristine
        bytes.replaceSubrange(ends[1]..<(ends[1] + lost.count), with: lost)
        bytes[ends[1] + 20] ^= 0x01
        writeFile(path, bytes)
        #expect(storageError { _ = try Store.open(directory: dir.path) }
                == .corrupt(path: path, offset: Int64(ends[1]), reason: "checksum mismatch"))
    }

    @Test func zerosAfterTheLastRecordOfAnEarlierSegmentAreAccepted() throws {
        // A full segment's zeros are cut at rollover without a sync: a crash can leave them.
        let dir = TempDir()
        defer { dir.remove() }
        let (options, first) = try Self.writeSegments(dir)
        writeFile(first, fileBytes(first) + [UInt8](repeating: 0, count: 300))
        let (recovery, replayed) = try reopen(dir, options: options)
        #expect(replayed.map(\.1) == (1...10).map { record($0, size: 50) })
        #expect(recovery.report.truncation == nil)
    }

    @Test func flippedByteMidLogIsRefusedNamingFileAndOffset() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let (path, ends) = try Self.writeLog(dir, (1...5).map { record($0, size: 40) })
        let pristine = fileBytes(path)
        // Every byte of the third record: header, type or payload.
        for at in ends[1]..<ends[2] {
            var bytes = pristine
            bytes[at] ^= 0x04
            writeFile(path, bytes)
            let error = storageError { _ = try Store.open(directory: dir.path) }
            guard case let .corrupt(file, offset, _)? = error else {
                Issue.record("byte \(at): expected corrupt, got \(String(describing: error))")
                continue
            }
            #expect(file == path && offset == Int64(ends[1]), "byte \(at)")
            #expect(error!.description.contains("\(path) at offset \(ends[1])"))
        }
        // Refusing changed nothing on disk: restoring the byte makes the store whole again.
        writeFile(path, pristine)
        #expect(try reopen(dir).1.count == 5)
    }

    @Test func corruptionInAnEarlierSegmentIsRefusedEvenAtItsEnd() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let (options, first) = try Self.writeSegments(dir)
        var bytes = fileBytes(first)
        bytes[bytes.count - 1] ^= 1  // the last record of a closed segment: not a tail
        writeFile(first, bytes)
        let error = storageError { _ = try Store.open(directory: dir.path, options: options) }
        #expect(error == .corrupt(path: first, offset: Int64(bytes.count - 59), reason: "checksum mismatch"))
        // A missing middle segment is a gap, refused too.
        bytes[bytes.count - 1] ^= 1
        writeFile(first, bytes)
        try FileManager.default.removeItem(atPath: segmentFiles(dir)[1])
        guard case .corrupt(_, 0, let reason)? = storageError({ _ = try Store.open(directory: dir.path, options: options) }) else {
            Issue.record("a gap between segments was accepted")
            return
        }
        #expect(reason.contains("the one before ends at 3"))
    }

    @Test func hugeLengthMidLogIsRefused() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let (path, ends) = try Self.writeLog(dir, [record(1), record(2), record(3)])
        var bytes = fileBytes(path)
        bytes[ends[0] + 3] = 0x7f  // high byte of the second record's length
        writeFile(path, bytes)
        guard case .corrupt(path, Int64(ends[0]), let reason)? = storageError({ _ = try Store.open(directory: dir.path) }) else {
            Issue.record("a length over the limit was not refused")
            return
        }
        #expect(reason.contains("over the limit"))
    }

    @Test func leftoverTempFilesAreRemoved() throws {
        let dir = TempDir()
        defer { dir.remove() }
        _ = try Self.writeLog(dir, [record(1)])
        writeFile(dir.path + "/log/0000000000000002.seg.tmp", [])
        writeFile(dir.path + "/snap/0000000000000001.snap.tmp", [1, 2, 3])
        let (recovery, replayed) = try reopen(dir)
        #expect(replayed.count == 1)
        #expect(recovery.report.removedTempFiles.count == 2)
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/log/0000000000000002.seg.tmp"))
    }
}
