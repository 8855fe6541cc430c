import Testing
@testable import Engine

/// Run events as log records: every kind round-trips through the binary format written now and
/// through the JSON format of older logs; damaged records are errors, not crashes.
@Suite struct RunEventCodecTests {
    static let at = Instant(nanosSinceEpoch: 1_790_000_000_123_456_789)
    static let kinds: [RunEvent.Kind] = [
        .queued(.init(version: 3, origin: RunOrigin(trigger: .batch, parentRunID: "run_p", parentStepID: "s",
                                                     idempotencyKey: "k\"\\\n", scheduleID: "sch_1", batchID: "bat_1", batchRow: 42),
                      inputs: ["a": 1, "b": ["x", nil, true], "ü": "ünï\u{1}"], steps: [("a", "template"), ("b", "wait")])),
        .started, .paused(stepID: "b"), .resumed(fromStepID: "b", reset: ["b", "c"]), .completed(outputs: ["c": ["n": 1.5]]),
        .failed(StepError(code: "TIMEOUT", message: "slow")), .canceled(StepError(code: "CANCELED", message: "stop")),
        .stepStarted(.init(stepID: "a", attempt: 2, input: ["x": 1], fallback: true, childRunID: "run_c", wakeAt: at)),
        .stepRetrying(stepID: "a", attempt: 1, error: StepError(code: "HTTP_STATUS", message: "503"), nextAttemptAt: at),
        .stepCompleted(stepID: "a", attempt: 1, output: .null, usedFallback: false),
        .stepCompleted(stepID: "a", attempt: 1, output: "tab\there", usedFallback: true),
        .stepFailed(stepID: "a", attempt: 3, error: StepError(code: "EXIT_CODE", message: "exit 3")),
        .stepSkipped(stepID: "a"), .stepPaused(stepID: "a", message: "ok?"), .stepCanceled(stepID: "a"),
        .pauseAction(PauseRecord(stepID: "a", pausedAt: at, action: .override, userID: "ann", comment: "c",
                                 inputs: ["k": 1], output: ["o": true], decidedAt: at)),
        // No output (an APPROVE) is not a null output.
        .pauseAction(PauseRecord(stepID: "a", pausedAt: at, action: .approve, userID: "bo", comment: "",
                                 inputs: [:], output: nil, decidedAt: nil)),
    ]

    static func event(_ i: Int) -> RunEvent {
        RunEvent(runID: "run_1", tenantID: "t", workflowID: "wf_1", seq: UInt64(i + 1), at: Self.at,
                 kind: Self.kinds[i], runStatus: .paused)
    }

    @Test(arguments: kinds.indices)
    func roundTripsInBothFormats(_ i: Int) throws {
        let event = Self.event(i)
        let bytes = event.encoded()
        #expect(bytes.first == RunEvent.binaryFormat)
        #expect(try RunEvent(bytes: bytes) == event)
        // A format-1 record (canonical JSON, as older logs and snapshots hold) still reads.
        #expect(try RunEvent(bytes: event.json.canonicalBytes()) == event)
    }

    @Test func nestedValuesNegativeNumbersAndLargeSequenceNumbersSurvive() throws {
        let deep: JSONValue = ["a": [[["b": -0.5]], [1e300, -1e-300, -9_007_199_254_740_991], ["": ""]], "z": nil]
        let event = RunEvent(runID: "r", tenantID: "t", workflowID: "w", seq: UInt64.max, at: Instant(nanosSinceEpoch: -1),
                             kind: .stepCompleted(stepID: "s", attempt: Int32.min, output: deep, usedFallback: true),
                             runStatus: .running)
        #expect(try RunEvent(bytes: event.encoded()) == event)
    }

    /// Every truncation of every kind's record, and every single-byte change of the kind, the
    /// run status and the lengths: each is refused or decodes to some event, never a trap.
    @Test func damagedRecordsAreErrors() throws {
        for i in Self.kinds.indices {
            let bytes = Self.event(i).encoded()
            for cut in 1..<bytes.count {
                #expect(throws: DecodeError.self) { try RunEvent(bytes: Array(bytes.prefix(cut))) }
            }
            #expect(throws: DecodeError.self) { try RunEvent(bytes: bytes + [0]) }
            for at in bytes.indices.dropFirst() {
                for value: UInt8 in [0x00, 0x7F, 0x80, 0xFF] {
                    var damaged = bytes
                    damaged[at] = value
                    _ = try? RunEvent(bytes: damaged)
                }
            }
        }
        var unknownKind = Self.event(1).encoded()
        unknownKind[unknownKind.count - 1] = 99
        #expect(throws: DecodeError.self) { try RunEvent(bytes: unknownKind) }
        var nested = ByteWriter()
        for _ in 0...JSONValue.defaultDepthLimit + 1 {
            nested.byte(JSONTag.array)
            nested.varint(1)
        }
        nested.byte(JSONTag.null)
        var reader = ByteReader(nested.bytes, path: "x")
        #expect(throws: DecodeError.self) { try reader.json() }
    }
}

/// The WatchRuns ring: LSNs with gaps (other records share the log), eviction, too-old tokens.
@Suite struct EventHubTests {
    func entry(_ lsn: UInt64) -> EventHub.Entry {
        EventHub.Entry(lsn: lsn, event: RunEvent(runID: "r", tenantID: "t", workflowID: "w", seq: lsn,
                                                  at: Instant(nanosSinceEpoch: 0), kind: .started))
    }

    func lsns(_ next: EventHub.Next) -> [UInt64]? {
        if case .events(let e) = next { return e.map(\.lsn) }
        return nil
    }

    @Test func evictsTheOldestAndRefusesTokensBeforeIt() async {
        let hub = EventHub(capacity: 4, startLSN: 10)
        #expect(hub.canResume(from: 10) && !hub.canResume(from: 9))
        hub.publish([entry(11), entry(13), entry(14)])
        #expect(lsns(await hub.next(after: 10)) == [11, 13, 14])
        #expect(lsns(await hub.next(after: 12)) == [13, 14])  // 12 was another record type
        hub.publish([entry(15), entry(17), entry(20)])         // 11 and 13 are evicted
        #expect(lsns(await hub.next(after: 13)) == [14, 15, 17, 20])
        if case .tooOld = await hub.next(after: 12) {} else { Issue.record("a token before the ring must be too old") }
        #expect(!hub.canResume(from: 11) && hub.canResume(from: 13) && hub.canResume(from: 20))
        #expect(lsns(await hub.next(after: 17, limit: 1)) == [20])
    }

    @Test func aWaitingWatcherWakesOnPublish() async {
        let hub = EventHub(capacity: 8, startLSN: 0)
        async let got = hub.next(after: 0)
        try? await Task.sleep(for: .milliseconds(20))
        hub.publish([entry(1)])
        #expect(lsns(await got) == [1])
    }
}
