#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// An append-only archive of records that are written once and read rarely (the histories of
/// finished runs), so they need not stay in memory or in every snapshot. Knows nothing of what
/// the records mean.
///
/// Two kinds of files under its directory, both made of the log's frames (length + CRC-32C):
///
///     <16-hex n>.data    the records, each read back alone by its `Location` (pread + CRC)
///     <16-hex n>.index   one small entry per write: `put` (a summary the caller gives, and
///                        where its record lies) or `removed` (a tombstone: a key given)
///
/// A batch's records are written and fdatasynced before its index entries are, so a valid
/// index entry always points at durable bytes. The index is the archive's memory: it is read
/// whole at start-up (small: no payloads), and never rewritten.
///
/// `mark` is the number of index entries the caller relies on (recorded in its snapshot):
/// entries below it must be intact, or `open` refuses; entries after it are also held
/// elsewhere (the caller's log), so a bad one there is a torn tail: it and everything after it
/// are dropped. After the mark, each `put`'s record is read and checked too, and one that does
/// not check is dropped: the caller rebuilds it from its log.
///
/// Concurrency: `write` is called by one thread at a time (the caller's archiver thread) and
/// blocks it for the write and the fdatasyncs; `read` may be called from any thread at once.
public final class Archive: Sendable {
    /// Where a record lies: data file, offset and frame size (12 bytes: kept per archived run).
    public struct Location: Sendable, Hashable, CustomStringConvertible {
        public let file: UInt32
        public let offset: UInt32
        public let frameBytes: UInt32

        public init(file: UInt32, offset: UInt32, frameBytes: UInt32) {
            self.file = file
            self.offset = offset
            self.frameBytes = frameBytes
        }

        public var description: String { "\(Hex.lsn(UInt64(file))).data@\(offset)+\(frameBytes)" }
    }

    /// One index entry, as `open` hands them over, in the order they were written.
    public enum Entry: Sendable, Equatable {
        case put(summary: [UInt8], at: Location)
        case removed(key: [UInt8])
    }

    /// One item of a `write`: a record with its summary, or a tombstone.
    public enum Item: Sendable {
        case put(summary: [UInt8], record: Record)
        case remove(key: [UInt8])
    }

    public struct Options: Sendable {
        /// A data file is closed and the next started when a record would take it past this
        /// (at most 4 GiB: offsets are 32-bit).
        public var dataFileBytes: Int64 = 256 << 20
        public var indexFileBytes: Int64 = 64 << 20
        /// The largest record payload; bigger ones are refused (`recordTooLarge`).
        public var maxRecordBytes: Int = 256 << 20
        /// The largest summary or key in an index entry.
        public var maxSummaryBytes: Int = 64 << 10
        public var files: any FileLayer = PosixFiles()
        /// How long a removed data file stays readable through an open descriptor (for reads
        /// that took a location just before compaction moved the record).
        public var retiredGraceNanos: UInt64 = 60_000_000_000
        public init() {}
    }

    /// What `open` found and did.
    public struct Report: Sendable {
        public var entries: UInt64 = 0
        public var indexFiles = 0
        public var dataFiles = 0
        /// A bad index entry after the mark, and everything after it, cut off: file and offset.
        public var truncatedIndex: String?
        /// Entries after the mark whose record did not check (file, offset, reason): dropped.
        public var droppedEntries: [String] = []
        public var duration: Duration = .zero
        public init() {}
    }

    struct Writer {
        var indexFD: Int32
        /// The active index file, named by the number of its first entry.
        var indexFile: UInt64
        var indexSize: Int64
        /// Entries in the index files, this batch's flushed ones included.
        var entriesWritten: UInt64
        var dataFD: Int32
        var dataFile: UInt32
        var dataSize: Int64
        var failure: StorageError?
        var closed = false
    }

    public let directory: String
    let options: Options
    let writer: Mutex<Writer>
    /// Read descriptors of the data files, opened on first use.
    let readers = Mutex<[UInt32: Int32]>([:])
    /// Data files removed by compaction whose descriptors are still open, and since when.
    let retired = Mutex<[(file: UInt32, at: ContinuousClock.Instant)]>([])
    private let entryCount: Atomic<UInt64>
    /// Set by `close`: reads then refuse rather than open files nobody closes.
    private let closed = Atomic<Bool>(false)

    /// The largest record `write` takes.
    public var maxRecordBytes: Int { options.maxRecordBytes }
    public var maxSummaryBytes: Int { options.maxSummaryBytes }

    /// Index entries durable so far: the mark a snapshot records.
    public var durableEntries: UInt64 { entryCount.load(ordering: .acquiring) }

    init(directory: String, options: Options, writer: Writer, entries: UInt64) {
        self.directory = directory
        self.options = options
        self.writer = Mutex(writer)
        self.entryCount = Atomic(entries)
    }

    deinit { close() }

    func dataPath(_ file: UInt32) -> String { directory + "/" + Hex.lsn(UInt64(file)) + ".data" }
    func indexPath(_ file: UInt64) -> String { directory + "/" + Hex.lsn(file) + ".index" }

    // MARK: - Writing

    /// Writes `items` (records first, fdatasync; then their index entries, fdatasync) and
    /// returns each put's location (nil for a tombstone). Blocks the calling thread. After a
    /// failed write or fdatasync the archive refuses all later writes (`poisoned`).
    public func write(_ items: [Item]) throws -> [Location?] {
        for case let .put(summary, record) in items {
            if record.payload.count > options.maxRecordBytes {
                throw StorageError.recordTooLarge(bytes: record.payload.count, limit: options.maxRecordBytes)
            }
            if summary.count > options.maxSummaryBytes {
                throw StorageError.recordTooLarge(bytes: summary.count, limit: options.maxSummaryBytes)
            }
        }
        return try writer.withLock { w in
            if w.closed { throw StorageError.closed }
            if let failure = w.failure { throw StorageError.poisoned(failure.description) }
            do {
                let locations = try writeRecords(items, &w)
                try writeIndex(items, locations, &w)
                entryCount.add(UInt64(items.count), ordering: .releasing)
                return locations
            } catch {
                let failure = error as? StorageError ?? .poisoned("\(error)")
                w.failure = failure
                throw failure
            }
        }
    }

    private func writeRecords(_ items: [Item], _ w: inout Writer) throws -> [Location?] {
        var locations: [Location?] = []
        var pending: [UInt8] = []
        for item in items {
            guard case let .put(_, record) = item else {
                locations.append(nil)
                continue
            }
            let frame = Int64(Frame.size(payloadBytes: record.payload.count))
            let used = w.dataSize + Int64(pending.count)
            if used > 0 && used + frame > options.dataFileBytes {
                try flushData(&pending, &w)
                try rollData(&w)
            }
            let offset = w.dataSize + Int64(pending.count)
            Frame.encode(record, into: &pending)
            locations.append(Location(file: w.dataFile, offset: UInt32(offset), frameBytes: UInt32(frame)))
        }
        try flushData(&pending, &w)
        return locations
    }

    private func flushData(_ pending: inout [UInt8], _ w: inout Writer) throws {
        guard !pending.isEmpty else { return }
        let path = dataPath(w.dataFile)
        try pending.withUnsafeBytes { raw in try options.files.writeAll(w.dataFD, raw, path: path) }
        try options.files.fdatasync(w.dataFD)
        w.dataSize += Int64(pending.count)
        pending.removeAll(keepingCapacity: true)
    }

    private func rollData(_ w: inout Writer) throws {
        let next = w.dataFile + 1
        let fd = try Self.createFile(dataPath(next), directory: directory, files: options.files)
        options.files.close(w.dataFD)
        (w.dataFD, w.dataFile, w.dataSize) = (fd, next, 0)
    }

    private func writeIndex(_ items: [Item], _ locations: [Location?], _ w: inout Writer) throws {
        var frames: [UInt8] = []
        var count: UInt64 = 0
        for (item, location) in zip(items, locations) {
            let record = IndexEntry.record(item, location)
            let frame = Int64(Frame.size(payloadBytes: record.payload.count))
            let used = w.indexSize + Int64(frames.count)
            if used > 0 && used + frame > options.indexFileBytes {
                try flushIndex(&frames, &count, &w)
                let fd = try Self.createFile(indexPath(w.entriesWritten), directory: directory, files: options.files)
                options.files.close(w.indexFD)
                (w.indexFD, w.indexFile, w.indexSize) = (fd, w.entriesWritten, 0)
            }
            Frame.encode(record, into: &frames)
            count += 1
        }
        try flushIndex(&frames, &count, &w)
    }

    private func flushIndex(_ frames: inout [UInt8], _ count: inout UInt64, _ w: inout Writer) throws {
        guard !frames.isEmpty else { return }
        let path = indexPath(w.indexFile)
        try frames.withUnsafeBytes { raw in try options.files.writeAll(w.indexFD, raw, path: path) }
        try options.files.fdatasync(w.indexFD)
        w.indexSize += Int64(frames.count)
        w.entriesWritten += count
        frames.removeAll(keepingCapacity: true)
        count = 0
    }

    // MARK: - Reading

    /// The record at `location`, checked against its CRC. A damaged or missing record throws
    /// `ArchiveDamage` naming the file and offset.
    public func read(_ location: Location) throws -> Record {
        let path = dataPath(location.file)
        let fd = try reader(location.file, path: path)
        let bytes = try options.files.readFully(fd, count: Int(location.frameBytes), at: Int64(location.offset))
        return try Self.parse(bytes, path: path, offset: Int64(location.offset), maxPayloadBytes: options.maxRecordBytes)
    }

    static func parse(_ bytes: [UInt8], path: String, offset: Int64, maxPayloadBytes: Int) throws(ArchiveDamage) -> Record {
        let parsed = bytes.withUnsafeBytes { Frame.parse($0, maxPayloadBytes: maxPayloadBytes) }
        switch parsed {
        case let .record(type, payload, frameBytes) where frameBytes == bytes.count:
            return Record(type: type, payload: Array(bytes[payload]))
        case .record(_, _, let frameBytes):
            throw ArchiveDamage(path: path, offset: offset, reason: "the frame holds \(frameBytes) bytes, the index says \(bytes.count)")
        case .incomplete(let needed):
            throw ArchiveDamage(path: path, offset: offset, reason: "the file ends \(needed - bytes.count) bytes short of the record")
        case .badLength(let length):
            throw ArchiveDamage(path: path, offset: offset, reason: "record length \(length) is over the limit of \(maxPayloadBytes)")
        case .badChecksum:
            throw ArchiveDamage(path: path, offset: offset, reason: "checksum mismatch")
        case .zeros:
            throw ArchiveDamage(path: path, offset: offset, reason: "the record's bytes are zeros")
        }
    }

    func reader(_ file: UInt32, path: String) throws -> Int32 {
        if closed.load(ordering: .acquiring) { throw StorageError.closed }
        if let fd = readers.withLock({ $0[file] }) { return fd }
        let fd: Int32
        do {
            fd = try options.files.open(path, flags: O_RDONLY, mode: 0)
        } catch StorageError.io(_, _, let code) where code == ENOENT {
            throw ArchiveDamage(path: path, offset: 0, reason: "the file is missing")
        }
        let (kept, spare) = readers.withLock { r -> (Int32, Int32?) in
            if let other = r[file] { return (other, fd) }
            r[file] = fd
            return (fd, nil)
        }
        if let spare { options.files.close(spare) }
        return kept
    }

    /// Closes the files; later writes throw `closed`. Safe to call more than once.
    public func close() {
        closed.store(true, ordering: .releasing)
        writer.withLock { w in
            guard !w.closed else { return }
            w.closed = true
            options.files.close(w.dataFD)
            options.files.close(w.indexFD)
        }
        for fd in readers.withLock({ r in defer { r.removeAll() }; return Array(r.values) }) { options.files.close(fd) }
    }

    static func createFile(_ path: String, directory: String, files: any FileLayer) throws -> Int32 {
        try files.writeDurably([], to: path, directory: directory)
        return try files.open(path, flags: O_WRONLY | O_APPEND, mode: 0)
    }
}

/// A damaged archive record: the file, the offset, and what is wrong.
public struct ArchiveDamage: Error, Equatable, Sendable, CustomStringConvertible {
    public let path: String
    public let offset: Int64
    public let reason: String

    public var description: String { "damaged archive record: \(path) at offset \(offset): \(reason)" }
}

/// An index entry as a frame: type 1 `put`, payload [u32 file][u32 offset][u32 frame bytes]
/// then the summary; type 2 `removed`, payload the key.
enum IndexEntry {
    static let put: UInt8 = 1
    static let removed: UInt8 = 2

    static func record(_ item: Archive.Item, _ location: Archive.Location?) -> Record {
        switch item {
        case .put(let summary, _):
            var payload: [UInt8] = []
            payload.reserveCapacity(12 + summary.count)
            Frame.appendLE(location!.file, to: &payload)
            Frame.appendLE(location!.offset, to: &payload)
            Frame.appendLE(location!.frameBytes, to: &payload)
            payload += summary
            return Record(type: put, payload: payload)
        case .remove(let key):
            return Record(type: removed, payload: key)
        }
    }

    static func decode(_ type: UInt8, _ payload: [UInt8]) -> Archive.Entry? {
        switch type {
        case put:
            guard payload.count >= 12 else { return nil }
            return payload.withUnsafeBytes { raw in
                .put(summary: Array(payload[12...]),
                     at: Archive.Location(file: Frame.readLE(raw, at: 0, as: UInt32.self),
                                          offset: Frame.readLE(raw, at: 4, as: UInt32.self),
                                          frameBytes: Frame.readLE(raw, at: 8, as: UInt32.self)))
            }
        case removed:
            return .removed(key: payload)
        default:
            return nil
        }
    }
}
