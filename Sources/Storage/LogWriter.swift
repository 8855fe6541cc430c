#if canImport(Glibc)
import Glibc
#endif

/// Appends frames to the active segment and rolls over to a new one. Owned by one thread at
/// a time: `Store.open` builds it, then hands it to the writer thread, which alone uses it.
///
/// Frames go in with `pwrite` at the end of the records, into space the writer filled with
/// zeros ahead of time (`zeroAhead`, a few MiB at once, after a batch is acknowledged). An
/// fdatasync then flushes data blocks only: the file's size and extents are already on disk,
/// so there is no journal commit per batch. On this machine's ext4 that halves the latency
/// and the kernel CPU of each group commit. Readers stop at the first all-zero frame header
/// (`Frame.Parse.zeros`); recovery checks that only zeros follow it.
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
    /// Bytes of the active segment holding records: where the next frame goes.
    private var segmentSize: Int64
    /// The active segment's file size: from `segmentSize` up to here it holds zeros.
    private var fileSize: Int64
    /// How far ahead of the records `zeroAhead` keeps zeros (0: never).
    let zeroAheadBytes: Int64
    /// Set when writing zeros failed (a full disk): none more in this segment.
    private var zeroAheadFailed = false
    /// LSN the next record gets.
    private(set) var nextLSN: UInt64
    /// Encoded frames not yet written.
    private var pending: [UInt8] = []
    /// Counts for `StoreStats`, read by the writer thread after each batch.
    private(set) var syncs = 0
    private(set) var rollovers = 0
    /// Tells the store a new segment exists (so compaction knows the active one).
    let onRollover: @Sendable (UInt64) -> Void

    init(files: any FileLayer, layout: Layout, segmentBytes: Int64, zeroAheadBytes: Int64, fd: Int32,
         segmentFirstLSN: UInt64, segmentSize: Int64, fileSize: Int64, nextLSN: UInt64,
         onRollover: @escaping @Sendable (UInt64) -> Void) {
        self.files = files
        self.layout = layout
        self.segmentBytes = segmentBytes
        self.fd = fd
        self.segmentFirstLSN = segmentFirstLSN
        segmentPath = layout.segment(segmentFirstLSN)
        self.segmentSize = segmentSize
        self.fileSize = max(fileSize, segmentSize)
        self.zeroAheadBytes = max(0, zeroAheadBytes)
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
        let (path, at) = (segmentPath, segmentSize)
        try pending.withUnsafeBytes { raw in try files.pwriteAll(fd, raw, at: at, path: path) }
        segmentSize += Int64(pending.count)
        fileSize = max(fileSize, segmentSize)
        pending.removeAll(keepingCapacity: pending.capacity <= 16 << 20)
        try files.fdatasync(fd)
        syncs += 1
    }

    /// Writes zeros past the records when fewer than half of `zeroAheadBytes` are left, up to
    /// `zeroAheadBytes` ahead (never past the segment's size). Not synced: the next batch's
    /// fdatasync carries them and the new file size, once per few MiB. A failure (a full
    /// disk) only stops the zeros for this segment; records still go in, extending the file.
    func zeroAhead() {
        guard zeroAheadBytes > 0, !zeroAheadFailed, fileSize - segmentSize < zeroAheadBytes / 2 else { return }
        let end = min(segmentBytes, segmentSize + zeroAheadBytes)
        while fileSize < end {
            let piece = Int(min(end - fileSize, Int64(Self.zeros.count)))
            let at = fileSize
            do {
                try Self.zeros.withUnsafeBytes { raw in
                    try files.pwriteAll(fd, UnsafeRawBufferPointer(rebasing: raw[0..<piece]), at: at, path: segmentPath)
                }
            } catch {
                zeroAheadFailed = true
                return
            }
            fileSize += Int64(piece)
        }
    }

    private static let zeros = [UInt8](repeating: 0, count: 256 << 10)

    private func rollOver() throws {
        // The zeros past the last record are of no use in a full segment. Not synced: after a
        // crash recovery accepts a zero tail on any segment (the next one's first LSN shows
        // nothing is missing).
        if fileSize > segmentSize || zeroAheadFailed { try? files.truncate(fd, to: segmentSize) }
        let newFD = try Self.createSegment(files: files, layout: layout, firstLSN: nextLSN)
        files.close(fd)
        fd = newFD
        segmentFirstLSN = nextLSN
        segmentSize = 0
        fileSize = 0
        zeroAheadFailed = false
        rollovers += 1
        onRollover(nextLSN)
    }

    func close() { files.close(fd) }

    /// A new, empty segment, made durable by name before any record goes in:
    /// temp file, fsync, rename, fsync of log/. Returns a descriptor for `pwrite`.
    static func createSegment(files: any FileLayer, layout: Layout, firstLSN: UInt64) throws -> Int32 {
        let path = layout.segment(firstLSN)
        try files.writeDurably([], to: path, directory: layout.log)
        return try files.open(path, flags: O_WRONLY, mode: 0)
    }
}
