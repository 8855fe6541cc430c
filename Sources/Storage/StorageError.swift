#if canImport(Glibc)
import Glibc
#endif

/// Every way the store can fail. One closed enum, so callers (and tests) can match exactly.
public enum StorageError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A system call failed: which one, on which path, with which errno.
    case io(op: String, path: String, errno: Int32)
    /// Another process (or another `Store` in this one) holds the directory's LOCK file.
    case locked(path: String, pid: Int32?)
    /// A record's payload is over `StoreOptions.maxRecordBytes`; nothing was written.
    case recordTooLarge(bytes: Int, limit: Int)
    /// A blob is over `StoreOptions.maxBlobBytes`; nothing was kept.
    case blobTooLarge(limit: Int)
    /// Bad framing or a checksum failure that is not a torn tail: recovery refuses to guess.
    case corrupt(path: String, offset: Int64, reason: String)
    /// Recovery cannot rebuild the state (no usable snapshot and the log does not reach back).
    case unrecoverable(String)
    /// A snapshot LSN that is beyond the durable log, or not newer than the newest snapshot.
    case badSnapshotLSN(lsn: UInt64, reason: String)
    /// No blob with that id, or an id that is not one the store makes.
    case blobNotFound(String)
    /// A blob's bytes no longer match the SHA-256 recorded when it was written.
    case blobChecksumMismatch(id: String, expected: String, actual: String)
    /// An earlier write or fsync failed; the store accepts no more writes (reopen to recover).
    case poisoned(String)
    /// The store was closed.
    case closed

    public var description: String {
        switch self {
        case let .io(op, path, errno): "\(op) \(path): \(String(cString: strerror(errno))) (errno \(errno))"
        case let .locked(path, pid):
            "\(path) is locked by another store" + (pid.map { " (pid \($0))" } ?? "")
        case let .recordTooLarge(bytes, limit): "record payload of \(bytes) bytes is over the limit of \(limit)"
        case let .blobTooLarge(limit): "blob is over the limit of \(limit) bytes"
        case let .corrupt(path, offset, reason): "corrupt log: \(path) at offset \(offset): \(reason)"
        case let .unrecoverable(why): "cannot recover the store: \(why)"
        case let .badSnapshotLSN(lsn, reason): "cannot snapshot at LSN \(lsn): \(reason)"
        case let .blobNotFound(id): "no blob \(id)"
        case let .blobChecksumMismatch(id, expected, actual): "blob \(id): sha256 \(actual), expected \(expected)"
        case let .poisoned(why): "store refuses writes after an earlier failure: \(why)"
        case .closed: "store is closed"
        }
    }
}
