#if canImport(Glibc)
import Glibc
#endif
import Dispatch

/// What recovery found and did.
public struct RecoveryReport: Sendable, CustomStringConvertible {
    /// A torn record cut off the end of the last segment.
    public struct Truncation: Sendable, Equatable {
        public let file: String
        public let offset: Int64
        public let bytesDropped: Int64
        public let reason: String
    }

    /// The snapshot the state starts from; nil when it starts empty and replays the whole log.
    public var snapshotLSN: UInt64?
    /// Snapshots passed over, newest first, each with the reason ("snap/...snap: checksum mismatch").
    public var skippedSnapshots: [String] = []
    /// Records after the snapshot, every one checked; `replay` hands over exactly these.
    public var records = 0
    /// The LSN of the last record in the log (0 if none).
    public var lastLSN: UInt64 = 0
    public var segmentsScanned = 0
    public var truncation: Truncation?
    /// Unfinished `*.tmp` files from an earlier crash, removed.
    public var removedTempFiles: [String] = []
    /// Time taken by `open` (locking, choosing the snapshot, checking the log).
    public var duration: Duration = .zero

    public var description: String {
        var parts = ["recovered \(records) records after " + (snapshotLSN.map { "snapshot \($0)" } ?? "an empty state"),
                     "last LSN \(lastLSN)", "\(segmentsScanned) segments checked in \(duration)"]
        if let t = truncation { parts.append("torn tail truncated: \(t.file) at offset \(t.offset), \(t.bytesDropped) bytes dropped (\(t.reason))") }
        if !skippedSnapshots.isEmpty { parts.append("skipped snapshots: " + skippedSnapshots.joined(separator: "; ")) }
        return parts.joined(separator: ", ")
    }
}

/// The state to rebuild: the newest valid snapshot, then the records after it.
/// Holds the segments it will replay open, so compaction cannot pull them away mid-replay.
public final class Recovery: Sendable {
    struct Segment: Sendable {
        let fd: Int32
        let path: String
        let startLSN: UInt64
        let startOffset: Int64
        let endOffset: Int64
    }

    public let snapshot: Snapshot?
    public let report: RecoveryReport
    private let segments: [Segment]
    private let files: any FileLayer
    private let maxRecordBytes: Int

    init(snapshot: Snapshot?, report: RecoveryReport, segments: [Segment], files: any FileLayer, maxRecordBytes: Int) {
        self.snapshot = snapshot
        self.report = report
        self.segments = segments
        self.files = files
        self.maxRecordBytes = maxRecordBytes
    }

    deinit { for segment in segments { files.close(segment.fd) } }

    /// Calls `body` with each record after the snapshot, in LSN order. The bytes are checked
    /// again as they are read: a file changed since `open` throws `corrupt`.
    public func replay(_ body: (_ lsn: UInt64, _ record: Record) throws -> Void) throws {
        for segment in segments {
            var scanner = SegmentScanner(files: files, fd: segment.fd, path: segment.path, from: segment.startOffset,
                                         limit: segment.endOffset, maxPayloadBytes: maxRecordBytes)
            var lsn = segment.startLSN
            while true {
                switch try scanner.next(wantPayload: true) {
                case let .record(type, payload):
                    try body(lsn, Record(type: type, payload: payload ?? []))
                    lsn += 1
                case .end:
                    break
                case .zeros:
                    throw StorageError.corrupt(path: segment.path, offset: scanner.offset,
                                               reason: "zeros where a record was (changed since open)")
                case let .bad(offset, reason, _):
                    throw StorageError.corrupt(path: segment.path, offset: offset, reason: reason + " (changed since open)")
                }
                if scanner.offset >= segment.endOffset { break }
            }
        }
    }
}

extension Store {
    /// Opens (creating if needed) the store in `directory`: takes the LOCK, picks the newest
    /// valid snapshot, checks every record after it, truncates a torn tail, and starts the writer.
    /// Refuses (`corrupt`) a bad record with valid data after it, naming the file and offset.
    public static func open(directory: String, options: StoreOptions = StoreOptions()) throws -> (Store, Recovery) {
        let clock = ContinuousClock()
        let started = clock.now
        let layout = Layout(root: directory)
        let files = options.files
        var created = try Directory.make(directory)
        let lockFD = try takeLock(layout: layout, files: files)
        do {
            for sub in [layout.log, layout.snap, layout.blobs] { created = try Directory.make(sub) || created }
            if created { try files.fsyncDirectory(directory) }
            var report = RecoveryReport()
            report.removedTempFiles = try removeTempFiles(layout: layout, files: files)
            var segments = try layout.segmentLSNs()
            let snapshot = try chooseSnapshot(layout: layout, files: files, segments: segments, report: &report)
            let startLSN = (snapshot?.lsn ?? 0) + 1
            var scan = try checkLog(layout: layout, options: options, segments: segments, startLSN: startLSN, report: &report)
            if let snapshot, report.lastLSN < snapshot.lsn && !segments.isEmpty {
                throw StorageError.unrecoverable("the log ends at LSN \(report.lastLSN), before snapshot \(snapshot.lsn)")
            }
            if segments.isEmpty {
                segments = [startLSN]
                scan.activeFD = try LogWriter.createSegment(files: files, layout: layout, firstLSN: startLSN)
                scan.nextLSN = startLSN
            }
            let core = Core(durableLSN: scan.nextLSN - 1, segments: segments, maxBatchBytes: options.maxBatchBytes,
                            commitDelayNanos: options.commitDelayNanos)
            let writer = LogWriter(files: files, layout: layout, segmentBytes: options.segmentBytes,
                                   zeroAheadBytes: options.zeroAheadBytes, fd: scan.activeFD,
                                   segmentFirstLSN: segments.last!, segmentSize: scan.activeSize,
                                   fileSize: scan.activeFileSize, nextLSN: scan.nextLSN, onRollover: { [core] first in core.shared.withLock { $0.segments.append(first) } })
            report.duration = clock.now - started
            let recovery = Recovery(snapshot: snapshot, report: report, segments: scan.replay, files: files,
                                    maxRecordBytes: options.maxRecordBytes)
            return (Store(layout: layout, options: options, lockFD: lockFD, writer: writer, core: core), recovery)
        } catch {
            files.close(lockFD)
            throw error
        }
    }

    /// flock(LOCK_EX | LOCK_NB) on LOCK, then our pid written into it for the next one to see.
    private static func takeLock(layout: Layout, files: any FileLayer) throws -> Int32 {
        let fd = try files.open(layout.lock, flags: O_RDWR | O_CREAT, mode: 0o644)
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            let holder = try? files.readFully(fd, count: 32, at: 0)
            files.close(fd)
            guard code == EWOULDBLOCK else { throw StorageError.io(op: "flock", path: layout.lock, errno: code) }
            let text = holder.map { String(decoding: $0, as: UTF8.self) } ?? ""
            throw StorageError.locked(path: layout.lock, pid: text.split(whereSeparator: \.isWhitespace).first.flatMap { Int32($0) })
        }
        do {
            try files.truncate(fd, to: 0)
            let pid = Array("\(getpid())\n".utf8)
            try pid.withUnsafeBytes { raw in try files.pwriteAll(fd, raw, at: 0, path: layout.lock) }
        } catch {
            files.close(fd)
            throw error
        }
        return fd
    }

    private static func removeTempFiles(layout: Layout, files: any FileLayer) throws -> [String] {
        var removed: [String] = []
        for dir in [layout.log, layout.snap, layout.blobs] {
            for name in try Directory.names(in: dir) where name.hasSuffix(".tmp") {
                try files.unlink(dir + "/" + name)
                removed.append(dir + "/" + name)
            }
            if !removed.isEmpty { try files.fsyncDirectory(dir) }
        }
        return removed
    }

    /// The newest snapshot that is valid and that the log can continue from. Nil: start empty
    /// (only allowed when the log reaches back to LSN 1).
    private static func chooseSnapshot(layout: Layout, files: any FileLayer, segments: [UInt64],
                                       report: inout RecoveryReport) throws -> Snapshot? {
        let candidates = try layout.snapshotLSNs()
        for lsn in candidates.reversed() {
            let path = layout.snapshot(lsn)
            let fd = try files.open(path, flags: O_RDONLY, mode: 0)
            defer { files.close(fd) }
            let file = try files.readFully(fd, count: Int(try files.size(fd)), at: 0)
            switch SnapshotFile.decode(file, lsn: lsn) {
            case let .failure(problem):
                report.skippedSnapshots.append("\(path): \(problem.reason)")
            case let .success(bytes):
                if let first = segments.first, first > lsn + 1 {
                    throw StorageError.unrecoverable("snapshot \(path) is valid but the log starts at LSN \(first): records \(lsn + 1)..<\(first) are gone")
                }
                report.snapshotLSN = lsn
                return Snapshot(lsn: lsn, bytes: bytes)
            }
        }
        let why = report.skippedSnapshots.isEmpty ? "" : " (" + report.skippedSnapshots.joined(separator: "; ") + ")"
        if !candidates.isEmpty && segments.isEmpty {
            throw StorageError.unrecoverable("no valid snapshot\(why) and no log to replay")
        }
        if let first = segments.first, first != 1 {
            throw StorageError.unrecoverable("no valid snapshot\(why), and the log starts at LSN \(first), not 1 (compacted)")
        }
        return nil
    }

    struct LogScan {
        var replay: [Recovery.Segment] = []
        var activeFD: Int32 = -1
        /// Where the active segment's records end, and its file size (zeros between).
        var activeSize: Int64 = 0
        var activeFileSize: Int64 = 0
        var nextLSN: UInt64 = 1
    }

    /// Reads every segment from the one holding `startLSN` to the end, checking every frame and
    /// that the segments follow on without gaps. Truncates a torn tail of the last segment.
    private static func checkLog(layout: Layout, options: StoreOptions, segments: [UInt64], startLSN: UInt64,
                                 report: inout RecoveryReport) throws -> LogScan {
        var scan = LogScan()
        guard let from = segments.lastIndex(where: { $0 <= startLSN }) ?? (segments.isEmpty ? nil : 0) else { return scan }
        let files = options.files
        do {
            for index in from..<segments.count {
                let first = segments[index]
                let isLast = index == segments.count - 1
                let path = layout.segment(first)
                if first != scan.nextLSN && index > from {
                    throw StorageError.corrupt(path: path, offset: 0,
                                               reason: "segment starts at LSN \(first), the one before ends at \(scan.nextLSN - 1)")
                }
                let fd = try files.open(path, flags: isLast ? O_RDWR : O_RDONLY, mode: 0)
                scan.replay.append(Recovery.Segment(fd: fd, path: path, startLSN: max(first, startLSN), startOffset: 0, endOffset: 0))
                let (end, size, next, startOffset) = try checkSegment(fd: fd, path: path, firstLSN: first, startLSN: startLSN,
                                                                 isLast: isLast, options: options, report: &report)
                scan.replay[scan.replay.count - 1] = Recovery.Segment(fd: fd, path: path, startLSN: max(first, startLSN),
                                                                      startOffset: startOffset, endOffset: end)
                report.records += Int(next - max(first, startLSN))
                report.segmentsScanned += 1
                scan.nextLSN = next
                if isLast {
                    scan.activeSize = end
                    scan.activeFileSize = size
                    scan.activeFD = try files.open(path, flags: O_WRONLY, mode: 0)
                }
            }
        } catch {
            for segment in scan.replay { files.close(segment.fd) }
            throw error
        }
        report.lastLSN = scan.nextLSN - 1
        return scan
    }

    /// Checks one segment. Returns its valid end offset, its file size after any truncation, the
    /// LSN after its last record, and the offset of the record at `startLSN` (or the end, if that
    /// record is not in it). Zeros after the last record are space written ahead (`LogWriter`),
    /// on any segment: a full one is trimmed at rollover without a sync, and the next segment's
    /// first LSN shows that nothing after the zeros is missing.
    private static func checkSegment(fd: Int32, path: String, firstLSN: UInt64, startLSN: UInt64, isLast: Bool,
                                     options: StoreOptions, report: inout RecoveryReport) throws
        -> (end: Int64, size: Int64, next: UInt64, startOffset: Int64) {
        let files = options.files
        let size = try files.size(fd)
        var scanner = SegmentScanner(files: files, fd: fd, path: path, from: 0, limit: size,
                                     maxPayloadBytes: options.maxRecordBytes)
        var lsn = firstLSN
        var startOffset: Int64? = startLSN <= firstLSN ? 0 : nil
        while true {
            switch try scanner.next(wantPayload: false) {
            case .record:
                lsn += 1
                if lsn == startLSN { startOffset = scanner.offset }
            case .end:
                return (size, size, lsn, startOffset ?? size)
            case .zeros:
                let offset = scanner.offset
                let end = try dataEnd(fd: fd, files: files, from: offset, size: size)
                if end == offset { return (offset, size, lsn, startOffset ?? offset) }
                try torn(offset: offset, reason: "a header of zeros with data after it",
                         frameEnd: offset + Int64(Frame.headerBytes), dataEnd: end)
                return (offset, offset, lsn, startOffset ?? offset)
            case let .bad(offset, reason, frameEnd):
                try torn(offset: offset, reason: reason, frameEnd: frameEnd,
                         dataEnd: try dataEnd(fd: fd, files: files, from: offset, size: size))
                return (offset, offset, lsn, startOffset ?? offset)
            }
        }

        /// A bad frame: cut off if it is a torn tail, else refused.
        func torn(offset: Int64, reason: String, frameEnd: Int64?, dataEnd end: Int64) throws {
            guard isLast, try isTornTail(fd: fd, options: options, offset: offset, frameEnd: frameEnd, dataEnd: end,
                                         size: size) else {
                throw StorageError.corrupt(path: path, offset: offset, reason: reason)
            }
            try files.truncate(fd, to: offset)
            try files.fsync(fd)
            report.truncation = .init(file: path, offset: offset, bytesDropped: size - offset, reason: reason)
        }
    }

    /// A bad frame at the end of the records is a torn tail (a write cut short by a crash) when
    /// its length is within the limit, the bytes from it to the last nonzero byte of the file
    /// are no more than one write could have been, and one of these holds:
    ///  - every nonzero byte lies before where it claims to end (past that, zeros: space written
    ///    ahead, or a file extended but never written), and no valid frame starts anywhere after
    ///    its first byte. That rule stops a flipped length bit mid-log, which makes a frame seem
    ///    to run past the end of the file, from passing as torn and dropping the good records
    ///    behind it;
    ///  - or the write landed in part: a page of it never reached the disk while a later one did
    ///    (writes into zero-filled space are not ordered by the file system). Its header is nine
    ///    zero bytes, or its bytes hold a whole 512-byte sector of zeros. A flipped bit makes
    ///    neither: no record's header is all zeros.
    /// `end` is `dataEnd` from `offset`.
    private static func isTornTail(fd: Int32, options: StoreOptions, offset: Int64, frameEnd: Int64?,
                                   dataEnd end: Int64, size: Int64) throws -> Bool {
        guard let frameEnd else { return false }
        let longestWrite = Int64(max(options.maxBatchBytes, Frame.size(payloadBytes: options.maxRecordBytes)))
        guard end - offset <= longestWrite else { return false }
        // The bad frame's own bytes (for the sector rule), and any frame starting before `end`,
        // which may run on into the zeros after it.
        let readEnd = min(size, max(frameEnd, end + Int64(Frame.size(payloadBytes: options.maxRecordBytes))))
        let tail = try options.files.readFully(fd, count: Int(readEnd - offset), at: offset)
        if Self.holdsUnwrittenSector(tail, offset: offset, frameBytes: Int(min(frameEnd, readEnd) - offset)) { return true }
        guard end <= frameEnd else { return false }
        return tail.withUnsafeBytes { raw in
            for start in 1..<max(Int(end - offset), 1) {
                let rest = UnsafeRawBufferPointer(rebasing: raw[start...])
                if case .record = Frame.parse(rest, maxPayloadBytes: options.maxRecordBytes) { return false }
            }
            return true
        }
    }

    /// Whether the bad frame at the start of `tail` (file offset `offset`, `frameBytes` long) has
    /// a header of zeros or holds a 512-byte-aligned sector of zeros: part of a write never landed.
    static func holdsUnwrittenSector(_ tail: [UInt8], offset: Int64, frameBytes: Int) -> Bool {
        if tail.count >= Frame.headerBytes && tail[..<Frame.headerBytes].allSatisfy({ $0 == 0 }) { return true }
        let sector = 512
        var at = Int((offset + Int64(sector) - 1) / Int64(sector) * Int64(sector) - offset)
        while at + sector <= min(frameBytes, tail.count) {
            if tail[at..<(at + sector)].allSatisfy({ $0 == 0 }) { return true }
            at += sector
        }
        return false
    }

    /// The offset just past the last nonzero byte in `from..<size` (`from` if all are zeros),
    /// read backwards from the end in 1 MiB pieces: a zero tail is a few MiB at most.
    private static func dataEnd(fd: Int32, files: any FileLayer, from: Int64, size: Int64) throws -> Int64 {
        var end = size
        while end > from {
            let start = max(from, end - (1 << 20))
            let piece = try files.readFully(fd, count: Int(end - start), at: start)
            if let last = piece.lastIndex(where: { $0 != 0 }) { return start + Int64(last) + 1 }
            end = start
        }
        return from
    }
}
