#if canImport(Glibc)
import Glibc
#endif

/// Appends frames to the active segment and rolls over to a new one. Owned by one thread at
/// a time: `Store.open` builds it, then hands it to the writer thread, which alone uses it.
final class LogWriter: @unchecked Sendable {
    let files: any FileLayer
    let layout: Layout
    let segmentBytes: Int64
    private(set) var fd: Int32
    private(set) var segmentFirstLSN: UInt64 {
        didSet { segmentPath = layout.segment(segmentFirstLSN) }
    }
    /// The active segment's path (for error messages), made once per segment.
    private var segmentPath: String
    private var segmentSize: Int64
    /// LSN the next record gets.
    private(set) var nextLSN: UInt64
    /// Encoded frames not yet written.
    private var pending: [UInt8] = []
    /// Counts for `StoreStats`, read by the writer thread after each batch.
    private(set) var syncs = 0
    private(set) var rollovers = 0
    /// Tells the store a new segment exists (so compaction knows the active one).
    let onRollover: @Sendable (UInt64) -> Void

    init(files: any FileLayer, layout: Layout, segmentBytes: Int64, fd: Int32, segmentFirstLSN: UInt64,
         segmentSize: Int64, nextLSN: UInt64, onRollover: @escaping @Sendable (UInt64) -> Void) {
        self.files = files
        self.layout = layout
        self.segmentBytes = segmentBytes
        self.fd = fd
        self.segmentFirstLSN = segmentFirstLSN
        segmentPath = layout.segment(segmentFirstLSN)
        self.segmentSize = segmentSize
        self.nextLSN = nextLSN
        self.onRollover = onRollover
    }

    /// Buffers one record (rolling over first if it would not fit); returns its LSN.
    func add(_ record: Record) throws -> UInt64 {
        let frame = Int64(Frame.size(payloadBytes: record.payload.count))
        let used = segmentSize + Int64(pending.count)
        if used > 0 && used + frame > segmentBytes {
            try sync()
            try rollOver()
        }
        Frame.encode(record, into: &pending)
        nextLSN += 1
        return nextLSN - 1
    }

    /// Writes what is buffered and fdatasyncs the segment: after this, every added record is durable.
    func sync() throws {
        guard !pending.isEmpty else { return }
        let path = segmentPath
        try pending.withUnsafeBytes { raw in try files.writeAll(fd, raw, path: path) }
        segmentSize += Int64(pending.count)
        pending.removeAll(keepingCapacity: pending.capacity <= 16 << 20)
        try files.fdatasync(fd)
        syncs += 1
    }

    private func rollOver() throws {
        let newFD = try Self.createSegment(files: files, layout: layout, firstLSN: nextLSN)
        files.close(fd)
        fd = newFD
        segmentFirstLSN = nextLSN
        segmentSize = 0
        rollovers += 1
        onRollover(nextLSN)
    }

    func close() { files.close(fd) }

    /// A new, empty segment, made durable by name before any record goes in:
    /// temp file, fsync, rename, fsync of log/. Returns an O_APPEND descriptor.
    static func createSegment(files: any FileLayer, layout: Layout, firstLSN: UInt64) throws -> Int32 {
        let path = layout.segment(firstLSN)
        try files.writeDurably([], to: path, directory: layout.log)
        return try files.open(path, flags: O_WRONLY | O_APPEND, mode: 0)
    }
}
