import Foundation
import Glibc
import Testing
@testable import Storage

/// The built spindle-storage-torture: next to the test bundle, or under .build/debug of this checkout.
func tortureBinary() throws -> String {
    let bundleDir = (Bundle.main.executablePath.map { ($0 as NSString).deletingLastPathComponent } ?? "")
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    let candidates = [bundleDir, (bundleDir as NSString).deletingLastPathComponent, (bundleDir as NSString).deletingLastPathComponent + "/..",
                      root + "/.build/debug"].map { $0 + "/spindle-storage-torture" }
    guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
        throw TortureMissing(description: "spindle-storage-torture not built; looked in \(candidates) (swift build --product spindle-storage-torture)")
    }
    return found
}

struct TortureMissing: Error, CustomStringConvertible { let description: String }

func launchTorture(_ arguments: [String], stderr: Pipe? = nil) throws -> Process {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: try tortureBinary())
    process.arguments = arguments
    if let stderr { process.standardError = stderr }
    try process.run()
    return process
}

/// The acknowledged (writer, seq) pairs in an ackfile; a last line cut by the kill is ignored.
func readAcks(_ path: String) -> [(UInt32, UInt64)] {
    let text = String(decoding: fileBytes(path), as: UTF8.self)
    return text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().compactMap { line in
        let parts = line.split(separator: " ")
        guard parts.count == 2, let w = UInt32(parts[0]), let s = UInt64(parts[1]) else { return nil }
        return (w, s)
    }
}

@Suite(.serialized) struct ProcessTests {
    @Test func lockBlocksASecondOpenInThisProcess() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let (store, _) = try Store.open(directory: dir.path)
        let error = storageError { _ = try Store.open(directory: dir.path) }
        #expect(error == .locked(path: dir.path + "/LOCK", pid: getpid()))
        #expect(error?.description.contains("pid \(getpid())") == true)
        store.close()
        let (again, _) = try Store.open(directory: dir.path)
        again.close()
    }

    @Test func lockBlocksAnotherProcessBothWays() throws {
        let dir = TempDir()
        defer { dir.remove() }
        // We hold it: the torture process cannot open, and says who holds it.
        let (store, _) = try Store.open(directory: dir.path)
        let stderr = Pipe()
        let refused = try launchTorture([dir.path, "1", dir.path + "/acks"], stderr: stderr)
        refused.waitUntilExit()
        let message = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(refused.terminationStatus == 1)
        #expect(message.contains("locked") && message.contains("pid \(getpid())"), "\(message)")
        #expect(readAcks(dir.path + "/acks").isEmpty)
        store.close()

        // It holds it: we cannot open, and the error names its pid.
        let holder = try launchTorture([dir.path, "1", dir.path + "/acks"])
        defer { kill(holder.processIdentifier, SIGKILL); holder.waitUntilExit() }
        let deadline = Date().addingTimeInterval(10)
        while readAcks(dir.path + "/acks").isEmpty && Date() < deadline { usleep(5_000) }
        #expect(storageError { _ = try Store.open(directory: dir.path) } == .locked(path: dir.path + "/LOCK", pid: holder.processIdentifier))
    }

    /// SIGKILL the torture writer at random moments, many times, on the same directory; after
    /// each kill every acknowledged (writer, seq) must be there, and nothing half-written.
    @Test func crashAtRandomMomentsLosesNoAcknowledgedWrite() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let acks = dir.path + "/acks"
        var options = StoreOptions()
        options.segmentBytes = 64 << 10
        var totalAcked = 0
        var truncations = 0
        var snapshotsSeen = Set<UInt64>()
        for round in 0..<24 {
            // Alternate: plain appends, and appends with a snapshot every 20 ms (compaction too).
            let snapshotting = round % 2 == 1
            let process = try launchTorture([dir.path, "8", acks, snapshotting ? "20" : "0", "\(options.segmentBytes)"])
            if snapshotting {
                // Kill only once a snapshot exists, so recovery from one is exercised however
                // slow the machine is (a cold CI run once got no snapshot in time).
                let deadline = Date().addingTimeInterval(10)
                while Date() < deadline,
                      !((try? FileManager.default.contentsOfDirectory(atPath: dir.path + "/snap")) ?? [])
                        .contains(where: { $0.hasSuffix(".snap") }) {
                    usleep(2_000)
                }
            }
            usleep(UInt32.random(in: 50_000...300_000))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            #expect(process.terminationReason == .uncaughtSignal, "round \(round): the writer died before the kill")

            let (store, recovery) = try Store.open(directory: dir.path, options: options)
            defer { store.close() }
            var state = try CounterPayload.decodeState(recovery.snapshot?.bytes ?? CounterPayload.encodeState([:]))
            if let lsn = recovery.snapshot?.lsn { snapshotsSeen.insert(lsn) }
            if recovery.report.truncation != nil { truncations += 1 }
            try recovery.replay { lsn, record in
                let (writer, seq) = try CounterPayload.decode(record)  // a half-written record cannot parse
                #expect(seq == (state[writer] ?? 0) + 1, "round \(round) LSN \(lsn): writer \(writer) seq \(seq) after \(state[writer] ?? 0)")
                state[writer] = seq
            }
            let acked = readAcks(acks)
            for (writer, seq) in acked where seq > (state[writer] ?? 0) {
                Issue.record("round \(round): acknowledged writer \(writer) seq \(seq) is lost (store has \(state[writer] ?? 0))")
            }
            totalAcked = acked.count
        }
        #expect(totalAcked > 100, "the writers made progress: \(totalAcked) acks")
        #expect(!snapshotsSeen.isEmpty, "some rounds recovered from a snapshot")
        print("crash test: \(totalAcked) acknowledged appends over 24 kills, \(truncations) torn tails truncated, \(snapshotsSeen.count) snapshots recovered from")
    }
}
