#if canImport(Glibc)
import Glibc
#endif

/// What compaction needs from the archive: which data files are sealed (no write goes to them
/// any more) and how big they are, and a way to remove one once its live records have been
/// written again.
///
/// The protocol, run by the caller's archiver thread (the only writer), is index-ordered: the
/// live records of a sealed file are written again through `write` (records fdatasynced, then
/// their new `put` entries fdatasynced: the newest entry of a key wins at start-up), and only
/// then is the old file removed. A kill before the new entries are durable leaves the old ones
/// in force and the old file whole; a kill after them leaves both copies, the new in force and
/// the old file with nothing live in it, which the next compaction removes. Nothing is
/// rewritten in place. The caller decides what is live: it must never write a record again for
/// a key whose tombstone is already written (that would bring it back).
extension Archive {
    /// A sealed data file: its number and size in bytes.
    public struct DataFile: Sendable, Equatable {
        public let file: UInt32
        public let bytes: Int64
    }

    /// The data files other than the one writes go to, oldest first.
    public func sealedDataFiles() throws -> [DataFile] {
        let active = writer.withLock { $0.dataFile }
        var out: [DataFile] = []
        for name in try Directory.names(in: directory) {
            guard let n = Hex.parseLSN(name, suffix: ".data"), let file = UInt32(exactly: n), file != active else { continue }
            let fd = try options.files.open(dataPath(file), flags: O_RDONLY, mode: 0)
            defer { options.files.close(fd) }
            out.append(DataFile(file: file, bytes: try options.files.size(fd)))
        }
        return out.sorted { $0.file < $1.file }
    }

    /// Removes a sealed data file whose live records are durable elsewhere, and fsyncs the
    /// directory. A reader that took an old location just before it moved still reads the old
    /// bytes: the file's descriptor stays open (unlinked) until `retiredGraceNanos` later.
    public func removeDataFile(_ file: UInt32) throws {
        try writer.withLock { w in
            if w.closed { throw StorageError.closed }
            guard file != w.dataFile else {
                throw StorageError.unrecoverable("data file \(file) is the one being written: it cannot be removed")
            }
        }
        let path = dataPath(file)
        // Opened (if no reader has it yet) before the unlink, so stale locations still read.
        _ = try? reader(file, path: path)
        try options.files.unlink(path)
        try options.files.fsyncDirectory(directory)
        let now = ContinuousClock.now
        let expired = retired.withLock { r -> [UInt32] in
            r.append((file, now))
            let old = r.filter { now - $0.at > .nanoseconds(Int64(options.retiredGraceNanos)) }.map(\.file)
            r.removeAll { old.contains($0.file) }
            return old
        }
        for old in expired {
            if let fd = readers.withLock({ $0.removeValue(forKey: old) }) { options.files.close(fd) }
        }
    }
}
