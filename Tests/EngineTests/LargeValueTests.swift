import Foundation
import Storage
import Testing
@testable import Engine

/// Large values (issue 14): kept in blobs beside the log past a threshold, read back
/// everywhere, refused past a limit, removed with their runs; and no record the log cannot
/// take is ever queued. Small thresholds here, so small values exercise the same paths.
@Suite(.serialized) struct LargeValueTests {
    static let small = ValueLimits(blobThresholdBytes: 1024, maxValueBytes: 64 << 10)

    func completed(_ id: String, output: JSONValue) -> RunEvent {
        RunEvent(runID: "run_1", tenantID: "t", workflowID: "wf_1", seq: 3, at: Instant(millisSinceEpoch: 1),
                 kind: .stepCompleted(stepID: id, attempt: 1, output: output, usedFallback: false), runStatus: .running)
    }

    func valueFiles(_ h: RunHarness) throws -> (values: [String], refs: [String]) {
        let names = try FileManager.default.contentsOfDirectory(atPath: h.dir + "/blobs")
        return (names.filter { $0.hasSuffix(".value") }.sorted(), names.filter { $0.hasSuffix(".ref") }.sorted())
    }

    /// The run once it has ended and every event of it is durable (blobs written, records in).
    func done(_ h: RunHarness, _ id: String) async throws -> Run {
        let run = try await h.finished(id)
        await (try h.executor.cell(tenant: "t", runID: id)).waitDurable(run.lastSeq)
        return run
    }

    /// A string output `bytes` long in a step of its own, and a step that reads it back.
    func bigWorkflow(_ h: RunHarness, bytes: Int, name: String = "big") async throws -> String {
        // join(range(n), "-"): n numbers of up to 5 digits and n - 1 dashes; substring cuts it exactly.
        try await h.workflow([
            runStep("big", "transform", ["expression": .string("substring(join(range(\(bytes)), \"-\"), 0, \(bytes))")]),
            runStep("size", "transform", ["expression": "len(steps.big)"], after: ["big"]),
            runStep("echo", "transform", ["expression": "steps.big"], after: ["big"]),
        ], name: name)
    }

    @Test func aRecordAtTheThresholdStaysInlineAndOneByteMoreGoesToABlob() async throws {
        let h = try await RunHarness.make(values: Self.small)
        let values = h.store.values
        // A string value's encoding: a tag, a two-byte length (128 to 16383), the bytes.
        let atThreshold = completed("s", output: .string(String(repeating: "x", count: 1024 - 3)))
        #expect(JSONValue.string(String(repeating: "x", count: 1021)).binarySize(stoppingAbove: .max) == 1024)
        #expect(atThreshold.encoded().count > 1024)  // the record is over, the value is not: inline
        #expect(try atThreshold.logEncoding(values: values) == atThreshold.encoded())
        #expect(try valueFiles(h).values.isEmpty)

        let over = completed("s", output: .string(String(repeating: "y", count: 1024 - 2)))
        let record = try over.logEncoding(values: values)
        #expect(record != over.encoded() && record.count < 200)
        #expect(try valueFiles(h).values.count == 1 && valueFiles(h).refs.count == 1)
        #expect(try RunEvent(bytes: record, values: values) == over)
        // Without the blob store the reference cannot be resolved, and says so.
        #expect(throws: DecodeError.self) { try RunEvent(bytes: record) }
    }

    @Test func manyMembersUnderTheThresholdStillMakeASmallRecord() async throws {
        let h = try await RunHarness.make(values: Self.small)
        var members: [String: JSONValue] = [:]
        for i in 0..<200 { members["k\(i)"] = .string(String(repeating: "v", count: 500)) }
        let event = RunEvent(runID: "run_1", tenantID: "t", workflowID: "wf_1", seq: 9, at: Instant(millisSinceEpoch: 1),
                             kind: .completed(outputs: members), runStatus: .completed)
        let array = completed("s", output: .array(Array(members.values)))
        for e in [event, array] {
            let record = try e.logEncoding(values: h.store.values)
            #expect(record.count < 10_000, "\(record.count) bytes")
            #expect(try RunEvent(bytes: record, values: h.store.values) == e)
        }
        // 200 equal strings: one blob.
        #expect(try valueFiles(h).values.count >= 1)
    }

    @Test func aLargeOutputFlowsDownstreamAndReadsBackAfterRestartAndFromTheArchive() async throws {
        var h = try await RunHarness.make(values: Self.small)
        let wf = try await bigWorkflow(h, bytes: 20_000)
        let run = try await done(h, try await h.start(wf).id)
        #expect(run.status == .completed)
        let big = try #require(run.step("big")?.output?.stringValue)
        #expect(big.utf8.count == 20_000)
        #expect(run.step("size")?.output == 20_000)
        #expect(run.step("echo")?.output == .string(big))
        #expect(run.outputs["echo"] == .string(big))
        #expect(try !valueFiles(h).values.isEmpty)
        let before = try h.events(run.id)

        let beforeFiles = try valueFiles(h)
        h = try await h.reopen(values: Self.small)
        #expect(try valueFiles(h) == beforeFiles)
        #expect(h.executor.valueBlobsCollected == 0)
        let again = try h.executor.get(tenant: "t", runID: run.id)
        #expect(again.step("big")?.output == .string(big))
        #expect(again.outputs == run.outputs)
        #expect(try h.events(run.id) == before)
        // A second run after the restart makes the same value: the same blob, a new ref.
        let second = try await done(h, try await h.start(wf).id)
        #expect(second.step("echo")?.output == .string(big))
        let files = try valueFiles(h)
        #expect(files.refs.count == 2 * files.values.count, "\(files)")
    }

    @Test func aValueOverTheLimitFailsOnlyItsStepWithResourceExhausted() async throws {
        let h = try await RunHarness.make(values: Self.small)
        let wf = try await bigWorkflow(h, bytes: 70_000)
        let run = try await h.finished(try await h.start(wf).id)
        #expect(run.status == .failed)
        let step = try #require(run.step("big"))
        #expect(step.status == .failed && step.error?.code == StepFailure.resourceExhausted)
        #expect(step.error?.message == "output is 70004 bytes, over the limit of 65536 bytes (--max-value-bytes)")
        #expect(run.error?.message.hasPrefix("step big: output is 70004 bytes") == true)
        #expect(run.step("size")?.status != .completed)
        // Nothing else is disturbed: a value under the limit still goes through.
        let fits = try await h.finished(try await h.start(try await bigWorkflow(h, bytes: 60_000, name: "fits")).id)
        #expect(fits.status == .completed)
        // A run input over the limit is refused before the run exists.
        let takesInput = try await h.workflow([runStep("a", "transform", ["expression": "inputs.blob"])], name: "input")
        await #expect(throws: DomainError.resourceExhausted(
            "run input \"blob\" is 70004 bytes, over the limit of 65536 bytes (--max-value-bytes)")) {
            _ = try await h.start(takesInput, inputs: ["blob": .string(String(repeating: "z", count: 70_000))])
        }
        #expect(h.executor.list(tenant: "t", filter: .init(workflowID: takesInput), pageSize: 10, afterID: "").runs.isEmpty)
    }

    @Test func aRecordOverTheLogLimitIsRefusedWholeAndEveryOtherWriteGoesOn() async throws {
        // The bug case at its root: a record the log cannot take made the executor refuse every
        // later write. Here values stay inline up to 256 KiB while the log takes 64 KiB records.
        var options = StoreOptions()
        options.maxRecordBytes = 64 << 10
        let h = try await RunHarness.make(options: options, values: ValueLimits(maxValueBytes: 1 << 20))
        let big = try await h.start(try await bigWorkflow(h, bytes: 100_000))
        let small = try await h.workflow([runStep("a", "transform", ["expression": "1 + 2"])], name: "small")
        _ = try await h.finished(big.id)
        func refused() -> Bool { h.executor.recoveryProblems.contains { $0.contains(big.id) && $0.contains("over the log's record limit") } }
        for _ in 0..<2000 where !refused() { try await Task.sleep(for: .milliseconds(5)) }
        #expect(refused())
        let other = try await done(h, try await h.start(small).id)
        #expect(other.status == .completed && other.outputs == ["a": 3])
        // A workflow definition the log cannot take is refused before the state changes.
        let huge = String(repeating: "w", count: 70_000)
        await #expect(throws: DomainError.self) { _ = try await h.workflow([runStep("a", "template", ["template": .string(huge)])], name: "huge") }
        let names = try await h.store.read { s throws(DomainError) in
            try s.list(tenant: "t").workflows.map(\.name)
        }
        #expect(!names.contains("huge"))
        _ = try await h.workflow([runStep("a", "template", ["template": "ok"])], name: "after")
        // An idempotency key goes in every archive summary (64 KiB at most): a long one is
        // refused up front, not left to fail the archiver's batch and stop all archiving.
        await #expect(throws: DomainError.self) {
            _ = try await h.start(small, key: String(repeating: "k", count: Executor.maxIdempotencyKeyBytes + 1))
        }
        let keyed = try await done(h, try await h.start(small, key: String(repeating: "k", count: Executor.maxIdempotencyKeyBytes)).id)
        #expect(keyed.status == .completed)
    }

    @Test func purgeRemovesTheBlobsOfItsRunsButNotOnesAnotherRunHolds() async throws {
        let h = try await RunHarness.make(values: Self.small)
        let first = try await bigWorkflow(h, bytes: 5_000, name: "one")
        let second = try await bigWorkflow(h, bytes: 5_000, name: "two")
        _ = try await done(h, try await h.start(first).id)
        let made = try valueFiles(h).values
        #expect(!made.isEmpty)
        let kept = try await done(h, try await h.start(second).id)
        #expect(try valueFiles(h).values == made)  // the same content: shared
        let store = h.store
        _ = try await h.executor.purgeWorkflow(tenant: "t", workflowID: first) { try await store.purge(tenant: "t", id: first) }
        #expect(try valueFiles(h).values == made)
        #expect(try h.executor.get(tenant: "t", runID: kept.id).step("echo")?.output == kept.step("big")?.output)
        _ = try await h.executor.delete(tenant: "t", runID: kept.id)
        #expect(try valueFiles(h).values.isEmpty && valueFiles(h).refs.isEmpty)
    }

    @Test func anOrphanBlobLeftByACrashIsCollectedAtStartUpAndAHeldOneIsNot() async throws {
        var h = try await RunHarness.make(values: Self.small)
        let run = try await done(h, try await h.start(try await bigWorkflow(h, bytes: 5_000)).id)
        let held = try valueFiles(h).values
        #expect(!held.isEmpty)
        // As a crash after the blob was written and before its record leaves it: an owner that
        // never came to exist.
        _ = try h.store.store.putValue(Array("orphan".utf8), owner: "run_never_written")
        #expect(try valueFiles(h).values.count == held.count + 1)
        h = try await h.reopen(values: Self.small)
        #expect(h.executor.valueBlobsCollected == 1)
        #expect(try valueFiles(h).values == held)
        #expect(try h.executor.get(tenant: "t", runID: run.id).step("big")?.output == run.step("big")?.output)
    }

    @Test func dataWrittenWithEveryValueInlineStillLoads() async throws {
        // Today's main writes every value inline: a threshold over any record does the same.
        var h = try await RunHarness.make(values: ValueLimits(blobThresholdBytes: 4 << 20))
        let run = try await done(h, try await h.start(try await bigWorkflow(h, bytes: 20_000)).id)
        #expect(try valueFiles(h).values.isEmpty)
        let dir = h.dir
        await h.store.close()
        h = try await RunHarness.make(dir: dir, values: Self.small)
        let again = try h.executor.get(tenant: "t", runID: run.id)
        #expect(again.step("big")?.output == run.step("big")?.output && again.outputs == run.outputs)
        let more = try await done(h, try await h.start(try await bigWorkflow(h, bytes: 20_000, name: "more")).id)
        #expect(more.status == .completed)
        #expect(try !valueFiles(h).values.isEmpty)
    }
}
