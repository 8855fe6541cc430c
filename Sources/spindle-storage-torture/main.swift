// spindle-storage-torture: writes to a store until killed, for the crash tests; and benchmarks.
//
//   spindle-storage-torture <dir> <writers> <ackfile> [snapshot-every-ms (0: never) [segment-bytes]]
//       N writers append 200-byte counter records; after each acknowledged append the
//       writer's "<writer> <seq>\n" goes to <ackfile> with write() + fdatasync(). Prints nothing.
//   spindle-storage-torture bench-append <dir> <writers> <seconds>
//   spindle-storage-torture fill <dir> <records>
//   spindle-storage-torture recover <dir>
import Foundation
import Glibc
import Storage
import Synchronization

func fail(_ message: String, code: Int32 = 2) -> Never {
    FileHandle.standardError.write(Data((message + "\n").utf8))
    exit(code)
}

let args = CommandLine.arguments
guard args.count >= 3 else { fail("usage: spindle-storage-torture <dir> <writers> <ackfile> [snapshot-every-ms] | bench-append <dir> <writers> <seconds> | fill <dir> <records> | recover <dir>") }

do {
    switch args[1] {
    case "bench-append":
        guard args.count == 5, let writers = Int(args[3]), let seconds = Double(args[4]) else { fail("bad arguments") }
        try await benchAppend(dir: args[2], writers: writers, seconds: seconds)
    case "fill":
        guard args.count == 4, let count = Int(args[3]) else { fail("bad arguments") }
        try fill(dir: args[2], records: count)
    case "recover":
        try recover(dir: args[2])
    default:
        guard args.count >= 4, let writers = Int(args[2]), writers > 0 else { fail("bad arguments") }
        let snapshotMs = args.count > 4 ? Int(args[4]).flatMap { $0 > 0 ? $0 : nil } : nil
        var options = StoreOptions()
        if args.count > 5, let bytes = Int64(args[5]) { options.segmentBytes = bytes }
        try await torture(dir: args[1], writers: writers, ackfile: args[3], snapshotEveryMs: snapshotMs, options: options)
    }
} catch {
    fail("spindle-storage-torture: \(error)", code: 1)
}

// MARK: torture

/// Lets the snapshotter stop new appends and wait for those in flight, so the state it
/// saves is exactly the state at the store's last LSN.
final class Gate: Sendable {
    struct State {
        var paused = false
        var inflight = 0
        var maxSeq: [UInt32: UInt64]
    }

    let state: Mutex<State>

    init(_ maxSeq: [UInt32: UInt64]) { state = Mutex(State(maxSeq: maxSeq)) }

    func enter() -> Bool {
        state.withLock { g in
            if g.paused { return false }
            g.inflight += 1
            return true
        }
    }
}

func torture(dir: String, writers: Int, ackfile: String, snapshotEveryMs: Int?, options: StoreOptions) async throws {
    let (store, recovery) = try Store.open(directory: dir, options: options)
    var recovered = try CounterPayload.decodeState(recovery.snapshot?.bytes ?? CounterPayload.encodeState([:]))
    try recovery.replay { _, record in
        let (writer, seq) = try CounterPayload.decode(record)
        guard seq == (recovered[writer] ?? 0) + 1 else { fail("writer \(writer): seq \(seq) after \(recovered[writer] ?? 0)", code: 3) }
        recovered[writer] = seq
    }
    let ackFD = open(ackfile, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
    guard ackFD >= 0 else { fail("open \(ackfile): errno \(errno)") }
    let gate = Gate(recovered)
    let start = recovered
    try await withThrowingTaskGroup(of: Void.self) { group in
        for w in 0..<writers {
            let writer = UInt32(w)
            group.addTask {
                var seq = start[writer] ?? 0
                while true {
                    seq += 1
                    while !gate.enter() {
                        try await Task.sleep(for: .milliseconds(1))
                    }
                    _ = try await store.append([CounterPayload.encode(writer: writer, seq: seq)])
                    gate.state.withLock { $0.maxSeq[writer] = seq; $0.inflight -= 1 }
                    let line = Array("\(writer) \(seq)\n".utf8)
                    guard write(ackFD, line, line.count) == line.count, fdatasync(ackFD) == 0 else { fail("ack write failed") }
                }
            }
        }
        if let every = snapshotEveryMs {
            group.addTask {
                while true {
                    try await Task.sleep(for: .milliseconds(every))
                    gate.state.withLock { $0.paused = true }
                    while gate.state.withLock({ $0.inflight }) > 0 { try await Task.sleep(for: .microseconds(200)) }
                    // Every append is acknowledged and none is queued: the state is exactly lastLSN.
                    let state = gate.state.withLock { $0.maxSeq }
                    let lsn = store.lastLSN
                    if lsn > 0 && lsn > (try? lastSnapshot(dir)) ?? 0 {
                        try store.writeSnapshot(lsn: lsn, bytes: CounterPayload.encodeState(state))
                    }
                    gate.state.withLock { $0.paused = false }
                }
            }
        }
        try await group.waitForAll()
    }
}

func lastSnapshot(_ dir: String) throws -> UInt64 {
    try FileManager.default.contentsOfDirectory(atPath: dir + "/snap").compactMap { name -> UInt64? in
        name.hasSuffix(".snap") ? UInt64(name.prefix(16), radix: 16) : nil
    }.max() ?? 0
}

// MARK: benchmarks

func benchAppend(dir: String, writers: Int, seconds: Double) async throws {
    let (store, _) = try Store.open(directory: dir)
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    let started = ContinuousClock.now
    let before = store.stats
    let total = try await withThrowingTaskGroup(of: Int.self) { group in
        for w in 0..<writers {
            group.addTask {
                var n = 0
                while ContinuousClock.now < deadline {
                    n += 1
                    _ = try await store.append([CounterPayload.encode(writer: UInt32(w), seq: UInt64(n))])
                }
                return n
            }
        }
        return try await group.reduce(0, +)
    }
    let elapsed = ContinuousClock.now - started
    let stats = store.stats
    store.close()
    let secs = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    let syncs = stats.logSyncs - before.logSyncs
    print("writers=\(writers) appends=\(total) seconds=\(String(format: "%.2f", secs)) "
          + "durable_appends_per_s=\(Int(Double(total) / secs)) fdatasyncs=\(syncs) "
          + "appends_per_fsync=\(String(format: "%.1f", Double(total) / Double(max(syncs, 1))))")
}

func fill(dir: String, records: Int) throws {
    let (store, _) = try Store.open(directory: dir)
    var seq: UInt64 = 0
    while seq < UInt64(records) {
        let batch = (0..<min(10_000, records - Int(seq))).map { i in CounterPayload.encode(writer: 0, seq: seq + UInt64(i) + 1) }
        seq += UInt64(batch.count)
        _ = try store.appendSync(batch)
    }
    store.close()
}

func recover(dir: String) throws {
    let started = ContinuousClock.now
    let (store, recovery) = try Store.open(directory: dir)
    let opened = ContinuousClock.now
    var count = 0
    var bytes = 0
    try recovery.replay { _, record in
        _ = try CounterPayload.decode(record)
        count += 1
        bytes += record.payload.count
    }
    let done = ContinuousClock.now
    store.close()
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    print("records=\(count) payload_bytes=\(bytes) open=\(opened - started) replay=\(done - opened) "
          + "total=\(done - started) max_rss_mib=\(usage.ru_maxrss / 1024)")
    print(recovery.report)
}
