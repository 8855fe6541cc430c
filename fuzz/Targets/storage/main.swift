// The log's record framing, segment scanner and recovery. The first byte picks where the rest
// goes in an otherwise empty data directory: even, the first log segment; odd, a snapshot
// (at the LSN its header names, when it has one). The store is opened (recovery checks every
// frame, truncates a torn tail, refuses a bad middle), replayed, written to and reopened:
// recovery must be repeatable, and what it kept must still be there with the new record after.
// The same bytes also go through LogDecoder, whole and a byte at a time.
import Foundation
import FuzzSupport
import Storage

let base = (FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory())
    + "/spindle-fuzz-storage-\(getpid())"
var options = StoreOptions()
options.zeroAheadBytes = 0
options.maxRecordBytes = 1 << 20
options.commitDelayNanos = 0

func lsnName(_ lsn: UInt64) -> String {
    let hex = String(lsn, radix: 16)
    return String(repeating: "0", count: max(0, 16 - hex.count)) + hex
}

func replayAll(_ recovery: Recovery) -> [Record]? {
    var records: [Record] = []
    do { try recovery.replay { _, record in records.append(record) } } catch { return nil }
    return records
}

func decodeAll(_ bytes: [UInt8], chunk: Int) -> [LogDecoder.Output] {
    var decoder = LogDecoder(maxPayloadBytes: 1 << 20)
    var out: [LogDecoder.Output] = []
    var offset = 0
    while true {
        let next = decoder.next()
        switch next {
        case .needMore:
            guard offset < bytes.count else { return out }
            let end = min(bytes.count, offset + chunk)
            decoder.feed(bytes[offset..<end])
            offset = end
        case .corrupt:
            out.append(next)
            return out
        case .record:
            out.append(next)
        }
    }
}

fuzz { bytes in
    var input = FuzzInput(bytes)
    let mode = input.byte()
    let data = input.rest()
    guard decodeAll(data, chunk: data.count + 1) == decodeAll(data, chunk: 1) else {
        finding("LogDecoder result depends on how the bytes arrive")
    }

    try? FileManager.default.removeItem(atPath: base)
    try! FileManager.default.createDirectory(atPath: base + "/log", withIntermediateDirectories: true)
    try! FileManager.default.createDirectory(atPath: base + "/snap", withIntermediateDirectories: true)
    if mode & 1 == 0 {
        _ = FileManager.default.createFile(atPath: base + "/log/" + lsnName(1) + ".seg", contents: Data(data))
    } else {
        // A snapshot's name must carry the LSN in its header (bytes 16..<24) to be considered.
        var lsn: UInt64 = 0
        if data.count >= 24 { for i in (16..<24).reversed() { lsn = lsn << 8 | UInt64(data[i]) } }
        _ = FileManager.default.createFile(atPath: base + "/snap/" + lsnName(lsn) + ".snap", contents: Data(data))
    }

    guard let (store, recovery) = try? Store.open(directory: base, options: options) else { return }
    let snapshot = recovery.snapshot
    let replayed = replayAll(recovery)
    store.close()
    guard let replayed else { finding("replay failed after open accepted the log") }

    guard let (again, recoveryAgain) = try? Store.open(directory: base, options: options) else {
        finding("a store that opened once does not open again")
    }
    guard recoveryAgain.snapshot == snapshot, replayAll(recoveryAgain) == replayed else {
        finding("a second recovery finds different records")
    }
    let added = Record(type: 9, payload: Array("after recovery".utf8))
    guard (try? again.appendSync([added])) != nil else { finding("the recovered store refuses a write") }
    again.close()

    guard let (third, recoveryThird) = try? Store.open(directory: base, options: options) else {
        finding("the store does not open after a write")
    }
    guard replayAll(recoveryThird) == replayed + [added] else {
        finding("the record written after recovery is not where it belongs")
    }
    third.close()
}
