import Foundation
import Testing
@testable import Storage

@Suite struct LogReaderTests {
    static func options(retain: UInt64 = 1_000_000) -> StoreOptions {
        var options = StoreOptions()
        options.segmentBytes = 500  // 59-byte frames: 8 per segment
        options.snapshotsKept = 1
        options.retainRecords = retain
        return options
    }

    /// A store in a temporary directory holding records 1...`records` (50-byte payloads).
    static func withStore(retain: UInt64 = 1_000_000, records: Int, _ body: (Store) throws -> Void) throws {
        let dir = TempDir()
        defer { dir.remove() }
        let (store, _) = try Store.open(directory: dir.path, options: options(retain: retain))
        defer { store.close() }
        for i in 1...records { _ = try store.appendSync([record(i, size: 50)]) }
        try body(store)
    }

    @Test func readsEveryRecordAfterAnLSNAcrossSegments() throws {
        try Self.withStore(records: 30) { store in
            for from in [0, 7, 8, 9, 23, 29] {
                let reader = try store.reader(after: UInt64(from))
                var got: [(UInt64, Record)] = []
                while true {
                    let batch = try reader.next(limit: 5, upTo: .max)
                    if batch.isEmpty { break }
                    #expect(batch.count <= 5)
                    got += batch.map { ($0.lsn, $0.record) }
                }
                #expect(got.map(\.0) == Array(UInt64(from + 1)...30), "after \(from)")
                #expect(got.map(\.1) == ((from + 1)...30).map { record($0, size: 50) })
                #expect(reader.position == 30)
            }
            #expect(try store.reader(after: 30).next(limit: 10, upTo: .max).isEmpty)
        }
    }

    @Test func followsAppendsMadeAfterItStartedAndStopsAtUpTo() throws {
        try Self.withStore(records: 5) { store in
            let reader = try store.reader(after: 2)
            #expect(try reader.next(limit: 100, upTo: 4).map(\.lsn) == [3, 4])
            #expect(try reader.next(limit: 100, upTo: .max).map(\.lsn) == [5])
            // More records, in the open segment and in new ones, after the reader reached the end.
            for i in 6...20 { _ = try store.appendSync([record(i, size: 50)]) }
            #expect(try reader.next(limit: 100, upTo: .max).map(\.lsn) == Array(6...20))
            #expect(reader.position == 20)
        }
    }

    @Test func recordsCompactedAwayAreGoneAndRetainedOnesStay() throws {
        try Self.withStore(retain: 10, records: 40) { store in
            let early = try store.reader(after: 0)
            try store.writeSnapshot(lsn: 40, bytes: [4])
            // Retained: 31...40, in the segments from 25 on.
            #expect(throws: LogReader.Gone.self) { try store.reader(after: 10) }
            #expect(try store.reader(after: 30).next(limit: 100, upTo: .max).map(\.lsn) == Array(31...40))
            // A reader holding a segment open reads it to its end, then finds the next one gone.
            #expect(try early.next(limit: 8, upTo: .max).map(\.lsn) == Array(1...8))
            #expect(throws: LogReader.Gone.self) { try early.next(limit: 8, upTo: .max) }
        }
    }
}
