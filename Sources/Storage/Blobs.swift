import Crypto
#if canImport(Glibc)
import Glibc
#endif

public struct BlobInfo: Sendable, Hashable {
    /// 32 lower-case hex digits, random.
    public let id: String
    public let size: Int
    /// Lower-case hex SHA-256 of the bytes.
    public let sha256: String
}

/// The blob file, little-endian: [8 "SPNDBLOB"][u32 version = 1][u32 flags = 0][u64 size]
/// [32-byte SHA-256][bytes]. The header is written last (before the fsync), so a file whose
/// header does not match its bytes was never finished.
enum BlobFile {
    static let magic = Array("SPNDBLOB".utf8)
    static let headerBytes = 56

    static func header(size: Int, sha256: [UInt8]) -> [UInt8] {
        var out = magic
        Frame.appendLE(UInt32(1), to: &out)
        Frame.appendLE(UInt32(0), to: &out)
        Frame.appendLE(UInt64(size), to: &out)
        return out + sha256
    }

    static func isValidID(_ id: String) -> Bool {
        id.utf8.count == 32 && id.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }
}

extension Store {
    /// Streams `chunks` into a new blob: a temp file, fsync, rename, fsync of blobs/. Over
    /// `maxBlobBytes` throws `blobTooLarge` and leaves nothing behind.
    public func putBlob<Chunks: AsyncSequence>(_ chunks: Chunks) async throws -> BlobInfo where Chunks.Element == [UInt8] {
        let id = Hex.string((0..<16).map { _ in UInt8.random(in: 0...255) })
        let path = layout.blob(id)
        let temp = path + ".tmp"
        let fd = try files.open(temp, flags: O_WRONLY | O_CREAT | O_EXCL, mode: 0o644)
        var hasher = SHA256()
        var size = 0
        do {
            for try await chunk in chunks {
                size += chunk.count
                guard size <= options.maxBlobBytes else { throw StorageError.blobTooLarge(limit: options.maxBlobBytes) }
                hasher.update(chunk)
                try chunk.withUnsafeBytes { try files.pwriteAll(fd, $0, at: Int64(BlobFile.headerBytes + size - chunk.count), path: temp) }
            }
            let digest = hasher.finalize()
            try BlobFile.header(size: size, sha256: digest).withUnsafeBytes { try files.pwriteAll(fd, $0, at: 0, path: temp) }
            try files.fsync(fd)
            files.close(fd)
            try files.rename(temp, path)
            try files.fsyncDirectory(layout.blobs)
            return BlobInfo(id: id, size: size, sha256: Hex.string(digest))
        } catch {
            files.close(fd)
            try? files.unlink(temp)
            throw error
        }
    }

    /// The blob's bytes, after checking them against the SHA-256 stored with them.
    public func openBlob(_ id: String) throws -> (info: BlobInfo, bytes: [UInt8]) {
        guard BlobFile.isValidID(id) else { throw StorageError.blobNotFound(id) }
        return try readBlobFile(layout.blob(id), id: id)
    }

    /// A blob file's bytes, checked against its header's size and SHA-256.
    func readBlobFile(_ path: String, id: String) throws -> (info: BlobInfo, bytes: [UInt8]) {
        let fd: Int32
        do { fd = try files.open(path, flags: O_RDONLY, mode: 0) } catch StorageError.io(_, _, ENOENT) {
            throw StorageError.blobNotFound(id)
        }
        defer { files.close(fd) }
        let file = try files.readFully(fd, count: Int(try files.size(fd)), at: 0)
        guard file.count >= BlobFile.headerBytes, Array(file[0..<8]) == BlobFile.magic else {
            throw StorageError.corrupt(path: path, offset: 0, reason: "not a blob file")
        }
        let size = file.withUnsafeBytes { Frame.readLE($0, at: 16, as: UInt64.self) }
        let expected = Hex.string(file[24..<56])
        let bytes = Array(file[BlobFile.headerBytes...])
        let actual = Hex.string(SHA256.hash(bytes))
        guard UInt64(bytes.count) == size, actual == expected else {
            throw StorageError.blobChecksumMismatch(id: id, expected: expected, actual: actual)
        }
        return (BlobInfo(id: id, size: bytes.count, sha256: actual), bytes)
    }

    /// Removes the blob for good (unlink, then fsync of blobs/).
    public func deleteBlob(_ id: String) throws {
        guard BlobFile.isValidID(id) else { throw StorageError.blobNotFound(id) }
        do { try files.unlink(layout.blob(id)) } catch StorageError.io(_, _, ENOENT) {
            throw StorageError.blobNotFound(id)
        }
        try files.fsyncDirectory(layout.blobs)
    }
}
