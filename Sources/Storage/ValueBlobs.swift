import Crypto
#if canImport(Glibc)
import Glibc
#endif

/// Content-addressed blobs for values too large to ride in a log record (the engine's large
/// step outputs, inputs and run outputs), beside the uploaded files in `blobs/`:
///
///     blobs/<64-hex sha256>.value                 the bytes, in the blob file format (`BlobFile`)
///     blobs/<64-hex sha256>.<32-hex>.ref          one per owner holding it; the name's second
///                                                 part is the owner's SHA-256 (first 16 bytes),
///                                                 the file holds the owner id itself
///
/// A value is named by its SHA-256, so equal values share one file; each owner (a run) that
/// refers to it has a ref file, and the value goes when its last ref does. Crash safety: the
/// value and its ref are durable (file fsynced, renamed, blobs/ fsynced) before `putValue`
/// returns, that is before the record referring to them is queued; a crash between the two
/// leaves a ref whose owner may not exist, which `collectValues` removes at start-up.
/// One lock orders puts and releases, so a release never deletes a value another owner is
/// referring to at that moment. All of it is slow-path work: only values over the engine's
/// threshold (256 KiB by default) come here.
extension Store {
    /// Makes `bytes` a durable value blob held by `owner`; returns its SHA-256 (32 bytes).
    /// A value already stored is not written again; only the owner's ref is added.
    public func putValue(_ bytes: [UInt8], owner: String) throws -> [UInt8] {
        let digest = Array(SHA256.hash(bytes))
        let hex = Hex.string(digest)
        try valueGate.withLock { _ in
            let path = layout.value(hex)
            if !(try exists(path, size: BlobFile.headerBytes + bytes.count)) {
                try files.writeDurably(parts: [BlobFile.header(size: bytes.count, sha256: digest), bytes], to: path,
                                       directory: layout.blobs)
            }
            let ref = layout.valueRef(hex, owner: Self.ownerDigest(owner))
            if !(try exists(ref, size: nil)) {
                try files.writeDurably(Array(owner.utf8), to: ref, directory: layout.blobs)
            }
        }
        return digest
    }

    /// The value blob's bytes, checked against its SHA-256.
    public func readValue(_ digest: [UInt8]) throws -> [UInt8] {
        let hex = Hex.string(digest)
        let (info, bytes) = try readBlobFile(layout.value(hex), id: hex)
        guard info.sha256 == hex else { throw StorageError.blobChecksumMismatch(id: hex, expected: hex, actual: info.sha256) }
        return bytes
    }

    /// Drops every ref the owners hold and deletes the values left with none. Returns the
    /// values deleted. One directory listing, however many owners.
    @discardableResult
    public func releaseValues(owners: Set<String>) throws -> Int {
        guard !owners.isEmpty else { return 0 }
        let digests = Set(owners.map(Self.ownerDigest))
        return try sweepValues { _, ownerDigest in digests.contains(ownerDigest) }
    }

    /// Start-up's garbage collection: drops the refs whose owner `isLive` says is gone (a
    /// crash after a value was written and before its record, or before a purge finished),
    /// then the values no ref holds. Returns the values deleted.
    @discardableResult
    public func collectValues(isLive: (String) -> Bool) throws -> Int {
        try sweepValues { path, _ in
            let owner = (try? readSmallFile(path)).map { String(decoding: $0, as: UTF8.self) }
            return owner.map { !isLive($0) } ?? true
        }
    }

    /// The value blobs on disk (their SHA-256s, hex), for tests and tools.
    public func valueNames() throws -> [String] {
        try Directory.names(in: layout.blobs).compactMap { name in
            name.hasSuffix(".value") ? String(name.dropLast(6)) : nil
        }.sorted()
    }

    /// Removes the refs `doomed` picks (given the ref's path and owner digest), then every
    /// value without a ref; fsyncs blobs/ once.
    private func sweepValues(_ doomed: (String, String) -> Bool) throws -> Int {
        try valueGate.withLock { _ in
            var held = Set<String>(), values: [String] = [], removed = 0
            for name in try Directory.names(in: layout.blobs) {
                if name.hasSuffix(".value") {
                    values.append(String(name.dropLast(6)))
                    continue
                }
                let parts = name.split(separator: ".")
                guard parts.count == 3, parts[2] == "ref" else { continue }
                let path = layout.blobs + "/" + name
                if doomed(path, String(parts[1])) {
                    try files.unlink(path)
                    removed += 1
                } else {
                    held.insert(String(parts[0]))
                }
            }
            var deleted = 0
            for hex in values where !held.contains(hex) {
                try files.unlink(layout.value(hex))
                deleted += 1
            }
            if removed + deleted > 0 { try files.fsyncDirectory(layout.blobs) }
            return deleted
        }
    }

    static func ownerDigest(_ owner: String) -> String { Hex.string(SHA256.hash(Array(owner.utf8)).prefix(16)) }

    /// Whether `path` exists (with `size` bytes, when given: a value of another size is a
    /// file torn by something other than this code, and is written again).
    private func exists(_ path: String, size: Int?) throws -> Bool {
        let fd: Int32
        do { fd = try files.open(path, flags: O_RDONLY, mode: 0) } catch StorageError.io(_, _, ENOENT) { return false }
        defer { files.close(fd) }
        guard let size else { return true }
        return try files.size(fd) == Int64(size)
    }

    private func readSmallFile(_ path: String) throws -> [UInt8] {
        let fd = try files.open(path, flags: O_RDONLY, mode: 0)
        defer { files.close(fd) }
        return try files.readFully(fd, count: Int(min(try files.size(fd), 4096)), at: 0)
    }
}
