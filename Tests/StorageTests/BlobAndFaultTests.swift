import Crypto
import Foundation
import Glibc
import Synchronization
import Testing
@testable import Storage

func chunks(_ data: [UInt8], size: Int) -> AsyncStream<[UInt8]> {
    AsyncStream { continuation in
        for start in stride(from: 0, to: data.count, by: size) { continuation.yield(Array(data[start..<min(start + size, data.count)])) }
        continuation.finish()
    }
}

@Suite struct BlobTests {
    @Test func putOpenDeleteAndChecksumMismatch() async throws {
        let dir = TempDir()
        defer { dir.remove() }
        let (store, _) = try Store.open(directory: dir.path)
        defer { store.close() }
        let data = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let info = try await store.putBlob(chunks(data, size: 4096))
        #expect(info.size == data.count && info.sha256 == SHA256.hex(data) && info.id.count == 32)
        let opened = try store.openBlob(info.id)
        #expect(opened.bytes == data && opened.info == info)
        #expect(try await store.putBlob(chunks([], size: 1)).size == 0)

        let path = dir.path + "/blobs/\(info.id).blob"
        var bytes = fileBytes(path)
        bytes[bytes.count / 2] ^= 0x01
        writeFile(path, bytes)
        guard case let .blobChecksumMismatch(id, expected, _)? = storageError({ _ = try store.openBlob(info.id) }) else {
            Issue.record("a flipped blob byte went unnoticed")
            return
        }
        #expect(id == info.id && expected == info.sha256)

        try store.deleteBlob(info.id)
        #expect(!FileManager.default.fileExists(atPath: path))
        #expect(storageError { _ = try store.openBlob(info.id) } == .blobNotFound(info.id))
        #expect(storageError { try store.deleteBlob(info.id) } == .blobNotFound(info.id))
        #expect(storageError { _ = try store.openBlob("../LOCK") } == .blobNotFound("../LOCK"))
    }

    @Test func blobOverTheLimitLeavesNothingBehind() async throws {
        let dir = TempDir()
        defer { dir.remove() }
        var options = StoreOptions()
        options.maxBlobBytes = 10_000
        let (store, _) = try Store.open(directory: dir.path, options: options)
        defer { store.close() }
        #expect(try await store.putBlob(chunks([UInt8](repeating: 1, count: 10_000), size: 3000)).size == 10_000)
        await #expect(throws: StorageError.blobTooLarge(limit: 10_000)) {
            _ = try await store.putBlob(chunks([UInt8](repeating: 1, count: 10_001), size: 3000))
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path + "/blobs")
        #expect(names.count == 1 && names[0].hasSuffix(".blob"), "no temp file left: \(names)")
    }
}

/// A file layer that breaks on request: short reads, writes cut short, failing fdatasync.
final class FaultyFiles: FileLayer {
    struct Faults {
        /// Each read returns at most this many bytes.
        var maxReadBytes = Int.max
        /// The next write of records (a write or pwrite with a nonzero byte: not the zeros the
        /// log writes ahead) writes only this many bytes, then fails with EIO.
        var tearNextWriteAt: Int?
        var failFdatasync = false
    }

    let faults = Mutex(Faults())
    private let real = PosixFiles()

    func open(_ path: String, flags: Int32, mode: UInt32) throws -> Int32 { try real.open(path, flags: flags, mode: mode) }
    func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws -> Int {
        let limit = faults.withLock { $0.maxReadBytes }
        return try real.read(fd, into: UnsafeMutableRawBufferPointer(rebasing: buffer.prefix(limit)), at: offset)
    }
    func write(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) throws -> Int {
        guard let tear = tear(bytes) else { return try real.write(fd, bytes) }
        _ = try real.write(fd, UnsafeRawBufferPointer(rebasing: bytes.prefix(tear)))
        throw StorageError.io(op: "write", path: "fd \(fd)", errno: EIO)
    }
    func pwrite(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, at offset: Int64) throws -> Int {
        guard let tear = tear(bytes) else { return try real.pwrite(fd, bytes, at: offset) }
        _ = try real.pwrite(fd, UnsafeRawBufferPointer(rebasing: bytes.prefix(tear)), at: offset)
        throw StorageError.io(op: "pwrite", path: "fd \(fd)", errno: EIO)
    }
    private func tear(_ bytes: UnsafeRawBufferPointer) -> Int? {
        guard bytes.contains(where: { $0 != 0 }) else { return nil }
        return faults.withLock { f in defer { f.tearNextWriteAt = nil }; return f.tearNextWriteAt }
    }
    func fdatasync(_ fd: Int32) throws {
        if faults.withLock({ $0.failFdatasync }) { throw StorageError.io(op: "fdatasync", path: "fd \(fd)", errno: EIO) }
        try real.fdatasync(fd)
    }
    func fsync(_ fd: Int32) throws { try real.fsync(fd) }
    func truncate(_ fd: Int32, to size: Int64) throws { try real.truncate(fd, to: size) }
    func size(_ fd: Int32) throws -> Int64 { try real.size(fd) }
    func close(_ fd: Int32) { real.close(fd) }
    func rename(_ from: String, _ to: String) throws { try real.rename(from, to) }
    func unlink(_ path: String) throws { try real.unlink(path) }
}

@Suite struct FaultTests {
    static func openFaulty(_ dir: TempDir) throws -> (Store, FaultyFiles) {
        let files = FaultyFiles()
        var options = StoreOptions()
        options.files = files
        return (try Store.open(directory: dir.path, options: options).0, files)
    }

    @Test func recoveryReadsCorrectlyThroughShortReadsOfEverySize() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let records = (1...20).map { record($0, size: $0 * 7) }
        // A short run of zeros after the records (a 4 MiB one read a byte at a time is slow).
        var small = StoreOptions()
        small.zeroAheadBytes = 4096
        let (store, _) = try Store.open(directory: dir.path, options: small)
        _ = try store.appendSync(records)
        try store.writeSnapshot(lsn: 5, bytes: [5])
        store.close()
        for maxRead in [1, 2, 3, 7, 8, 9, 100] {
            let files = FaultyFiles()
            files.faults.withLock { $0.maxReadBytes = maxRead }
            var options = StoreOptions()
            options.files = files
            let (recovery, replayed) = try reopen(dir, options: options)
            #expect(recovery.snapshot?.bytes == [5], "reads of \(maxRead)")
            #expect(replayed.map(\.1) == Array(records[5...]), "reads of \(maxRead)")
        }
    }

    @Test func tornWriteFailsTheAppendPoisonsTheStoreAndIsTruncatedOnReopen() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let (store, files) = try Self.openFaulty(dir)
        _ = try store.appendSync([record(1)])
        files.faults.withLock { $0.tearNextWriteAt = 13 }
        guard case .io("pwrite", _, EIO)? = storageError({ _ = try store.appendSync([record(2, size: 40)]) }) else {
            Issue.record("a torn write was acknowledged")
            return
        }
        guard case .poisoned? = storageError({ _ = try store.appendSync([record(3)]) }) else {
            Issue.record("the store took a write after a failed one")
            return
        }
        store.close()
        // The 13 bytes went into the zeros written ahead: everything after record 1 is cut.
        let path = segmentFiles(dir)[0]
        let end = Int64(Frame.size(payloadBytes: record(1).payload.count))
        let size = Int64(fileBytes(path).count)
        #expect(fileBytes(path)[Int(end)...].filter { $0 != 0 }.count > 0)
        let (recovery, replayed) = try reopen(dir)
        #expect(replayed.map(\.1) == [record(1)])
        #expect(recovery.report.truncation?.offset == end && recovery.report.truncation?.bytesDropped == size - end)
    }

    @Test func failedFdatasyncIsNeverAcknowledged() async throws {
        let dir = TempDir()
        defer { dir.remove() }
        let (store, files) = try Self.openFaulty(dir)
        defer { store.close() }
        _ = try await store.append([record(1)])
        files.faults.withLock { $0.failFdatasync = true }
        await #expect(throws: StorageError.self) { _ = try await store.append([record(2)]) }
        files.faults.withLock { $0.failFdatasync = false }
        // Even with the disk healthy again: after a failed fsync the page cache cannot be trusted.
        await #expect(throws: StorageError.self) { _ = try await store.append([record(3)]) }
        #expect(store.lastLSN == 1)
    }
}
