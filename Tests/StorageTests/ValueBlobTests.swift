import Crypto
import Foundation
import Testing
@testable import Storage

/// Content-addressed value blobs: one file per content, one ref per owner, a value goes with
/// its last ref, and start-up collects refs of owners that are gone.
@Suite struct ValueBlobTests {
    func names(_ dir: TempDir) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: dir.path + "/blobs").sorted()
    }

    @Test func equalValuesShareAFileAndGoWithTheirLastOwner() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let (store, _) = try Store.open(directory: dir.path)
        defer { store.close() }
        let bytes = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let digest = try store.putValue(bytes, owner: "run_a")
        #expect(digest == Array(SHA256.hash(bytes)))
        #expect(try store.putValue(bytes, owner: "run_b") == digest)
        #expect(try store.putValue(bytes, owner: "run_b") == digest)
        let other = try store.putValue([1, 2, 3], owner: "run_b")
        #expect(try store.valueNames().count == 2)
        #expect(try names(dir).filter { $0.hasSuffix(".ref") }.count == 3)
        #expect(try store.readValue(digest) == bytes)

        #expect(try store.releaseValues(owners: ["run_a"]) == 0)  // run_b still holds both
        #expect(try store.readValue(digest) == bytes)
        #expect(try store.releaseValues(owners: ["run_b", "run_unknown"]) == 2)
        #expect(try names(dir).isEmpty)
        #expect(throws: StorageError.self) { try store.readValue(other) }
    }

    @Test func aDamagedValueIsRefusedAndStartUpCollectsRefsOfOwnersThatAreGone() throws {
        let dir = TempDir()
        defer { dir.remove() }
        var (store, _) = try Store.open(directory: dir.path)
        let kept = try store.putValue(Array("kept".utf8), owner: "run_live")
        let orphan = try store.putValue(Array("orphan".utf8), owner: "run_gone")
        let shared = try store.putValue(Array("shared".utf8), owner: "run_gone")
        _ = try store.putValue(Array("shared".utf8), owner: "run_live")
        let path = dir.path + "/blobs/" + Hex.string(kept) + ".value"
        var file = fileBytes(path)
        file[file.count - 1] ^= 1
        writeFile(path, file)
        #expect(throws: StorageError.self) { try store.readValue(kept) }
        store.close()

        (store, _) = try Store.open(directory: dir.path)
        defer { store.close() }
        #expect(try store.collectValues { $0 == "run_live" } == 1)
        #expect(try store.valueNames() == [Hex.string(kept), Hex.string(shared)].sorted())
        #expect(try store.readValue(shared) == Array("shared".utf8))
        #expect(throws: StorageError.self) { try store.readValue(orphan) }
        #expect(try names(dir).filter { $0.hasSuffix(".ref") }.count == 2)
    }
}
