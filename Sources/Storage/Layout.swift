/// Where everything lives under the data directory:
///
///     LOCK                      flock'd by the open store; holds its pid
///     log/<16-hex lsn>.seg      log segments, named by the LSN of their first record
///     snap/<16-hex lsn>.snap    snapshots, named by the last LSN they include
///     blobs/<32-hex id>.blob    uploaded files, each with its size and SHA-256 in a header
///     blobs/<64-hex>.value      large values, named by their SHA-256, and their owners'
///     blobs/<64-hex>.<32-hex>.ref   refs (`ValueBlobs.swift`)
///
/// `*.tmp` files are unfinished writes; recovery removes them.
struct Layout: Sendable {
    let root: String
    var log: String { root + "/log" }
    var snap: String { root + "/snap" }
    var blobs: String { root + "/blobs" }
    var lock: String { root + "/LOCK" }

    func segment(_ firstLSN: UInt64) -> String { log + "/" + Hex.lsn(firstLSN) + ".seg" }
    func snapshot(_ lsn: UInt64) -> String { snap + "/" + Hex.lsn(lsn) + ".snap" }
    func blob(_ id: String) -> String { blobs + "/" + id + ".blob" }
    func value(_ sha256: String) -> String { blobs + "/" + sha256 + ".value" }
    func valueRef(_ sha256: String, owner: String) -> String { blobs + "/" + sha256 + "." + owner + ".ref" }

    /// First LSNs of the segments on disk, ascending.
    func segmentLSNs() throws -> [UInt64] {
        try Directory.names(in: log).compactMap { Hex.parseLSN($0, suffix: ".seg") }.sorted()
    }

    /// LSNs of the snapshots on disk, ascending.
    func snapshotLSNs() throws -> [UInt64] {
        try Directory.names(in: snap).compactMap { Hex.parseLSN($0, suffix: ".snap") }.sorted()
    }
}

public struct StoreOptions: Sendable {
    public static let defaultMaxRecordBytes = 16 << 20

    /// A segment is closed and a new one started when the next record would take it past this.
    public var segmentBytes: Int64 = 64 << 20
    /// Zeros the writer keeps written ahead of the records in the active segment, so that a
    /// group commit's fdatasync has no file size or extent to journal (`LogWriter`). 0: none.
    public var zeroAheadBytes: Int64 = 4 << 20
    /// The largest payload one record may carry.
    public var maxRecordBytes: Int = StoreOptions.defaultMaxRecordBytes
    /// The most bytes the writer puts in one write + fdatasync before acknowledging.
    public var maxBatchBytes: Int = 8 << 20
    /// The largest blob `putBlob` accepts.
    public var maxBlobBytes: Int = 256 << 20
    /// Snapshots kept on disk (at least 1). With 2, a corrupt newest snapshot falls back to the
    /// previous one, so compaction keeps the segments back to that previous snapshot.
    public var snapshotsKept: Int = 2
    /// Compaction keeps the segments holding the newest this many records even when a
    /// snapshot covers them, for readers that fell behind memory (`Store.reader(after:)`).
    public var retainRecords: UInt64 = 1_000_000
    /// The system calls; tests inject faults here.
    public var files: any FileLayer = PosixFiles()
    /// How long the writer lingers before an fdatasync when appends arrived during the last
    /// one (a busy log): more appends share each fdatasync, which costs the server's CPU per
    /// call. An idle log is never delayed.
    public var commitDelayNanos: Int = 100_000

    public init() {}
}

/// Counters for tests and benchmarks.
public struct StoreStats: Sendable, Equatable {
    /// append calls acknowledged.
    public var appends = 0
    /// Records written.
    public var records = 0
    /// Records taken by `append`, durable or still queued: counts a burst of appends at once,
    /// where `records` moves only as their fdatasyncs finish.
    public var queuedRecords = 0
    /// fdatasync calls on log segments (group commit makes this far smaller than `appends`).
    public var logSyncs = 0
    /// Segments created after the first.
    public var rollovers = 0
    /// Segments deleted by compaction.
    public var segmentsCompacted = 0
}
