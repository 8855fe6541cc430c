import Foundation
import Testing
@testable import Storage

@Suite struct CRC32CTests {
    @Test func knownVectors() {
        // RFC 3720 B.4 and the classic check value.
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(CRC32C.checksum([UInt8](repeating: 0xff, count: 32)) == 0x62A8_AB43)
        #expect(CRC32C.checksum((0..<32).map { UInt8($0) }) == 0x46DD_794E)
    }

    @Test func slicedMatchesBytewiseAtEveryLengthAndSplit() {
        let data = (0..<300).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ 7) }
        func slow(_ bytes: ArraySlice<UInt8>) -> UInt32 {
            var crc: UInt32 = ~0
            for byte in bytes {
                crc ^= UInt32(byte)
                for _ in 0..<8 { crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
            }
            return ~crc
        }
        for length in 0...data.count {
            #expect(CRC32C.checksum(Array(data[..<length])) == slow(data[..<length]), "length \(length)")
        }
        for split in [0, 1, 7, 8, 9, 150, 299] {
            let continued = CRC32C.checksum(Array(data[split...]), continuing: CRC32C.checksum(Array(data[..<split])))
            #expect(continued == slow(data[...]), "split \(split)")
        }
    }
}

@Suite struct LogDecoderTests {
    static let records = [record(1), Record(type: 7, payload: []), record(3, size: 1000), record(4, type: 255)]

    static func encoded() -> [UInt8] {
        var bytes: [UInt8] = []
        for r in records { Frame.encode(r, into: &bytes) }
        return bytes
    }

    @Test func frameLayoutIsLengthCrcTypePayload() {
        var bytes: [UInt8] = []
        Frame.encode(Record(type: 0x2a, payload: [1, 2, 3]), into: &bytes)
        let crc = CRC32C.checksum([0x2a, 1, 2, 3])
        #expect(bytes == [3, 0, 0, 0,  // length, little-endian
                          UInt8(crc & 0xff), UInt8((crc >> 8) & 0xff), UInt8((crc >> 16) & 0xff), UInt8(crc >> 24),
                          0x2a, 1, 2, 3])
    }

    @Test func dripFedOneByteAtATime() {
        var decoder = LogDecoder()
        var out: [Record] = []
        for byte in Self.encoded() {
            decoder.feed([byte])
            while case let .record(r) = decoder.next() { out.append(r) }
        }
        #expect(out == Self.records)
        #expect(decoder.bufferedBytes == 0)
    }

    @Test func everySplitIntoTwoPieces() {
        let bytes = Self.encoded()
        for split in 0...bytes.count {
            var decoder = LogDecoder()
            var out: [Record] = []
            for piece in [bytes[..<split], bytes[split...]] {
                decoder.feed(piece)
                while case let .record(r) = decoder.next() { out.append(r) }
            }
            #expect(out == Self.records, "split at \(split)")
        }
    }

    @Test func lengthOverLimitIsRefusedBeforeBuffering() {
        var decoder = LogDecoder(maxPayloadBytes: 100)
        decoder.feed([101, 0, 0, 0, 0, 0, 0, 0, 1])  // claims 101 bytes of payload; limit 100
        #expect(decoder.next() == .corrupt(offset: 0, reason: "record length 101 is over the limit of 100"))
    }

    @Test func flippedPayloadByteIsAChecksumFailureAtItsOffset() {
        var bytes = Self.encoded()
        let second = Frame.size(payloadBytes: Self.records[0].payload.count)
        bytes[second + Frame.headerBytes - 1] ^= 0x01  // the type byte of the second record
        var decoder = LogDecoder()
        decoder.feed(bytes)
        #expect(decoder.next() == .record(Self.records[0]))
        #expect(decoder.next() == .corrupt(offset: Int64(second), reason: "checksum mismatch"))
    }
}

@Suite struct StoreLogTests {
    @Test func roundTripAcrossReopen() async throws {
        let dir = TempDir()
        defer { dir.remove() }
        let (store, recovery) = try Store.open(directory: dir.path)
        #expect(recovery.report.records == 0 && recovery.snapshot == nil)
        let first = try await store.append([record(1), record(2)])
        let third = try store.appendSync([Record(type: 9, payload: [])])
        #expect(first == 2 && third == 3 && store.lastLSN == 3)
        #expect(try await store.append([]) == 3)
        store.close()
        let (again, replayed) = try reopen(dir)
        #expect(replayed.map(\.0) == [1, 2, 3])
        #expect(replayed.map(\.1) == [record(1), record(2), Record(type: 9, payload: [])])
        #expect(again.report.records == 3 && again.report.lastLSN == 3 && again.report.truncation == nil)

        // LSNs continue where the log left off.
        let (store2, _) = try Store.open(directory: dir.path)
        #expect(try store2.appendSync([record(4)]) == 4)
        store2.close()
        #expect(storageError { _ = try store2.appendSync([record(5)]) } == .closed)
    }

    @Test func oversizedRecordIsATypedErrorAndWritesNothing() throws {
        let dir = TempDir()
        defer { dir.remove() }
        var options = StoreOptions()
        options.maxRecordBytes = 1000
        let (store, _) = try Store.open(directory: dir.path, options: options)
        #expect(try store.appendSync([record(1, size: 1000)]) == 1)
        let error = storageError { _ = try store.appendSync([record(2), record(3, size: 1001)]) }
        #expect(error == .recordTooLarge(bytes: 1001, limit: 1000))
        store.close()
        // Record 1's frame, then only the zeros written ahead: nothing of records 2 or 3.
        let bytes = fileBytes(segmentFiles(dir)[0])
        let end = Frame.size(payloadBytes: 1000)
        #expect(bytes.count > end && !bytes[end...].contains { $0 != 0 })
        #expect(try reopen(dir, options: options).1.map(\.1) == [record(1, size: 1000)])
    }

    @Test func groupCommitSharesFsyncsAndEveryAppendIsDurable() async throws {
        let dir = TempDir()
        defer { dir.remove() }
        let (store, _) = try Store.open(directory: dir.path)
        let writers = 64, each = 20
        let lsns = try await withThrowingTaskGroup(of: [UInt64].self) { group in
            for w in 0..<writers {
                group.addTask {
                    var mine: [UInt64] = []
                    for i in 0..<each { mine.append(try await store.append([record(w * 1000 + i, size: 200)])) }
                    return mine
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        let stats = store.stats
        store.close()
        #expect(Set(lsns) == Set(1...UInt64(writers * each)))
        #expect(stats.appends == writers * each && stats.records == writers * each)
        #expect(stats.logSyncs < stats.appends, "group commit: \(stats.logSyncs) fsyncs for \(stats.appends) appends")
        let replayed = try reopen(dir).1
        #expect(Set(replayed.map(\.1)) == Set((0..<writers).flatMap { w in (0..<each).map { record(w * 1000 + $0, size: 200) } }))
    }

    @Test func rolloverSplitsTheLogIntoSegmentsNamedByFirstLSN() throws {
        let dir = TempDir()
        defer { dir.remove() }
        var options = StoreOptions()
        options.segmentBytes = 1000
        let (store, _) = try Store.open(directory: dir.path, options: options)
        for i in 1...50 { _ = try store.appendSync([record(i, size: 100)]) }  // 109-byte frames: 9 per segment
        _ = try store.appendSync((51...60).map { record($0, size: 100) })  // one append across a boundary
        #expect(store.stats.rollovers == 6)
        store.close()
        let names = segmentFiles(dir).map { ($0 as NSString).lastPathComponent }
        #expect(names == [1, 10, 19, 28, 37, 46, 55].map { Hex.lsn(UInt64($0)) + ".seg" })
        for path in segmentFiles(dir) { #expect(fileBytes(path).count <= 1000) }
        let (recovery, replayed) = try reopen(dir, options: options)
        #expect(replayed.map(\.0) == Array(1...60))
        #expect(replayed.map(\.1) == (1...60).map { record($0, size: 100) })
        #expect(recovery.report.segmentsScanned == 7)
    }

    @Test func recordBiggerThanASegmentGetsOneToItself() throws {
        let dir = TempDir()
        defer { dir.remove() }
        var options = StoreOptions()
        options.segmentBytes = 100
        let (store, _) = try Store.open(directory: dir.path, options: options)
        _ = try store.appendSync([record(1), record(2, size: 500), record(3)])
        store.close()
        #expect(segmentFiles(dir).count == 3)
        #expect(try reopen(dir, options: options).1.map(\.1) == [record(1), record(2, size: 500), record(3)])
    }
}
