#if canImport(Glibc)
import Glibc
#endif

/// Reads the log's durable records in order from a given LSN on, across segments, while the
/// writer goes on appending: for a reader that fell behind what memory keeps (a WatchRuns
/// stream past the event ring). Used by one task at a time; holds one segment open, so a
/// segment compacted away while it is being read still reads to its end.
///
/// Records are kept on disk for such readers: compaction leaves the newest
/// `StoreOptions.retainRecords` records' segments even when a snapshot covers them.
public final class LogReader {
    /// The records asked for were compacted away (or never existed).
    public struct Gone: Error, Sendable, CustomStringConvertible {
        public let lsn: UInt64
        public var description: String { "log records from LSN \(lsn) are no longer kept" }
    }

    private let store: Store
    private var segmentFirst: UInt64
    private var fd: Int32
    private var scanner: SegmentScanner
    /// The LSN of the next frame the scanner returns.
    private var scanLSN: UInt64
    /// The last LSN handed out (or skipped): where a reader resumes.
    public private(set) var position: UInt64

    /// A reader of the records after `lsn`. Throws `Gone` when record `lsn + 1` is no longer
    /// on disk.
    init(store: Store, after lsn: UInt64) throws {
        self.store = store
        let segments = store.segmentFirstLSNs
        guard let first = segments.last(where: { $0 <= lsn + 1 }) else { throw Gone(lsn: lsn + 1) }
        (fd, scanner) = try Self.open(store, segment: first, lsn: lsn + 1)
        segmentFirst = first
        scanLSN = first
        position = lsn
    }

    deinit { if fd >= 0 { store.files.close(fd) } }

    /// Up to `limit` durable records with LSNs above `position` and at most `upTo`, in order
    /// (fewer, maybe none, when the log has no more yet). Advances `position`.
    public func next(limit: Int, upTo: UInt64) throws -> [(lsn: UInt64, record: Record)] {
        let end = min(upTo, store.lastLSN)
        var out: [(lsn: UInt64, record: Record)] = []
        // Set when the scanner was just restarted on fresh bytes: a second end in a row means
        // the record is not in this segment.
        var reread = false
        while position < end && out.count < limit {
            switch try scanner.next(wantPayload: scanLSN > position) {
            case let .record(type, payload):
                if scanLSN > position {
                    out.append((scanLSN, Record(type: type, payload: payload ?? [])))
                    position = scanLSN
                }
                scanLSN += 1
                reread = false
            case .end, .zeros:
                // The end of what this segment held when it was read (its size, or the zeros
                // written ahead). Record `scanLSN` is durable, so it starts the next segment, or
                // it was written here since: read on from the same offset.
                let segments = store.segmentFirstLSNs
                if scanLSN != segmentFirst && segments.contains(scanLSN) {
                    store.files.close(fd)
                    fd = -1
                    (fd, scanner) = try Self.open(store, segment: scanLSN, lsn: scanLSN)
                    segmentFirst = scanLSN
                    reread = false
                    continue
                }
                let path = store.layout.segment(segmentFirst)
                if !reread {
                    reread = true
                    scanner = Self.scanner(store, fd: fd, path: path, from: scanner.offset, limit: try store.files.size(fd))
                    continue
                }
                // Compacted away after this segment was opened, or a gap in the log.
                if segments.first.map({ $0 > scanLSN }) ?? true { throw Gone(lsn: scanLSN) }
                throw StorageError.corrupt(path: path, offset: scanner.offset,
                                           reason: "durable record \(scanLSN) is not in the log")
            case let .bad(offset, reason, _):
                throw StorageError.corrupt(path: store.layout.segment(segmentFirst), offset: offset, reason: reason)
            }
        }
        return out
    }

    private static func open(_ store: Store, segment first: UInt64, lsn: UInt64) throws -> (Int32, SegmentScanner) {
        let path = store.layout.segment(first)
        let fd: Int32
        do {
            fd = try store.files.open(path, flags: O_RDONLY, mode: 0)
        } catch StorageError.io(_, _, ENOENT) {
            throw Gone(lsn: lsn)
        }
        do {
            return (fd, scanner(store, fd: fd, path: path, from: 0, limit: try store.files.size(fd)))
        } catch {
            store.files.close(fd)
            throw error
        }
    }

    /// Frames of the open segment from `from` up to `limit` (its size when looked at).
    private static func scanner(_ store: Store, fd: Int32, path: String, from: Int64, limit: Int64) -> SegmentScanner {
        SegmentScanner(files: store.files, fd: fd, path: path, from: from, limit: limit,
                       maxPayloadBytes: store.options.maxRecordBytes)
    }
}

extension Store {
    /// Reads the durable records after `lsn` (see `LogReader`). Throws `LogReader.Gone` when
    /// they are no longer kept.
    public func reader(after lsn: UInt64) throws -> LogReader { try LogReader(store: self, after: lsn) }

    /// First LSNs of the segments on disk, ascending (the last is being written).
    var segmentFirstLSNs: [UInt64] { core.shared.withLock { $0.segments } }
}
