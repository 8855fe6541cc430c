import Foundation
import Glibc
@testable import Storage

/// A fresh directory under /tmp, removed by `remove()`.
struct TempDir {
    let path: String

    init(_ name: String = #function) {
        let clean = name.filter { $0.isLetter || $0.isNumber }
        path = NSTemporaryDirectory() + "spindle-storage-\(clean)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

func record(_ i: Int, type: UInt8 = 1, size: Int = 0) -> Record {
    var payload = Array("record-\(i)".utf8)
    while payload.count < size { payload.append(UInt8(truncatingIfNeeded: i &+ payload.count)) }
    return Record(type: type, payload: payload)
}

/// Everything `replay` hands over, with LSNs.
func replayAll(_ recovery: Recovery) throws -> [(UInt64, Record)] {
    var out: [(UInt64, Record)] = []
    try recovery.replay { out.append(($0, $1)) }
    return out
}

/// Opens, replays, closes: the records a fresh process would see.
func reopen(_ dir: TempDir, options: StoreOptions = StoreOptions()) throws -> (Recovery, [(UInt64, Record)]) {
    let (store, recovery) = try Store.open(directory: dir.path, options: options)
    store.close()
    return (recovery, try replayAll(recovery))
}

func fileBytes(_ path: String) -> [UInt8] { [UInt8](FileManager.default.contents(atPath: path) ?? Data()) }

func writeFile(_ path: String, _ bytes: [UInt8]) { _ = FileManager.default.createFile(atPath: path, contents: Data(bytes)) }

func segmentFiles(_ dir: TempDir) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: dir.path + "/log")) ?? [])
        .filter { $0.hasSuffix(".seg") }.sorted().map { dir.path + "/log/" + $0 }
}

func snapshotFiles(_ dir: TempDir) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: dir.path + "/snap")) ?? [])
        .filter { $0.hasSuffix(".snap") }.sorted().map { dir.path + "/snap/" + $0 }
}

/// Runs `body` and returns the StorageError it throws (nil if it throws nothing or something else).
func storageError(_ body: () throws -> Void) -> StorageError? {
    do { try body() } catch let error as StorageError { return error } catch { return nil }
    return nil
}

extension Frame {
    /// One record's frame, as the log holds it.
    static func bytes(_ record: Record) -> [UInt8] {
        var out: [UInt8] = []
        encode(record, into: &out)
        return out
    }
}
