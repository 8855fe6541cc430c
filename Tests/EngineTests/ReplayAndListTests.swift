import Testing
@testable import Engine

@Suite struct ReplayTests {
    /// Random commands against two tenants; whatever they do, replaying the encoded log and
    /// loading the snapshot both rebuild the same state.
    @Test(arguments: [1, 2, 3] as [UInt64])
    func replayAndSnapshotRebuildTheSameState(seed: UInt64) throws {
        var h = Harness()
        var rng = SplitMix(seed: seed)
        var ids: [(String, String)] = []
        var applied = 0
        for _ in 0..<400 {
            let tenant = Bool.random(using: &rng) ? "t1" : "t2"
            let target = ids.filter { $0.0 == tenant }.randomElement(using: &rng)?.1 ?? ""
            let s = h.state, env = h.env
            let events: [WorkflowEvent]?
            switch Int.random(in: 0..<12, using: &rng) {
            case 0, 1:
                events = try? s.create(tenant: tenant, metadata: WorkflowMetadata(name: ["a", "b", "c"].randomElement(using: &rng)!,
                                       tags: ["x"]), definition: Bool.random(using: &rng) ? randomValid(&rng) : nil,
                                       requestID: Bool.random(using: &rng) ? "r\(Int.random(in: 0..<5, using: &rng))" : "",
                                       env: env).events
            case 2: events = try? s.updateDefinition(tenant: tenant, id: target, definition: randomValid(&rng), env: env).events
            case 3: events = try? s.setStatus(tenant: tenant, id: target, status: WorkflowStatus(rawValue: Int32.random(in: 1...4, using: &rng))!, env: env).events
            case 4: events = try? s.updateMetadata(tenant: tenant, id: target, metadata: WorkflowMetadata(name: "m\(Int.random(in: 0..<3, using: &rng))", description: "d"), mask: ["name", "description"], env: env).events
            case 5: events = try? s.duplicate(tenant: tenant, id: target, env: env).events
            case 6: events = try? s.delete(tenant: tenant, id: target, env: env).events
            case 7: events = try? s.restore(tenant: tenant, id: target, env: env).events
            case 8: events = try? s.purge(tenant: tenant, id: target).events
            case 9: events = try? s.rollback(tenant: tenant, id: target, to: 1, env: env).events
            case 10: events = try? s.addStep(tenant: tenant, id: target, step: step("n\(Int.random(in: 0..<99, using: &rng))"), env: env).events
            default: events = try? s.saveAsTemplate(tenant: tenant, id: target, env: env).events
            }
            for case .created(let c) in events ?? [] { ids.append((tenant, c.workflowID)) }
            applied += events?.count ?? 0
            h.commit(events ?? [])
        }
        #expect(applied > 150)
        var replayed = WorkflowState()
        for bytes in h.log { replayed.apply(try WorkflowEvent(bytes: bytes)) }
        #expect(replayed == h.state)
        let snapshot = h.state.snapshotBytes()
        let loaded = try WorkflowState(snapshot: snapshot)
        #expect(loaded == h.state)
        #expect(loaded.snapshotBytes() == snapshot)
        // Snapshots written before the binary form still load to the same state.
        #expect(try WorkflowState(snapshot: h.state.jsonSnapshotBytes()) == h.state)
        // Snapshot + the rest of the log also lands on the same state.
        var partial = WorkflowState()
        let half = h.log.count / 2
        for bytes in h.log[..<half] { partial.apply(try WorkflowEvent(bytes: bytes)) }
        var resumed = try WorkflowState(snapshot: partial.snapshotBytes())
        for bytes in h.log[half...] { resumed.apply(try WorkflowEvent(bytes: bytes)) }
        #expect(resumed == h.state)
    }

    /// A damaged binary snapshot is a DecodeError (never a crash or a wrong state): cut short
    /// anywhere, or with a byte changed.
    @Test func damagedBinarySnapshotsAreRefused() throws {
        var h = Harness()
        let def = WorkflowDefinition(steps: [Step(id: "a", type: "template", config: ["template": "x", "n": [1, true, nil]],
                                                  retry: RetryPolicy(maxAttempts: 2, initialBackoff: TimeSpan(seconds: 1)),
                                                  timeout: TimeSpan(milliseconds: 1500), fallback: Fallback(type: "wait", config: ["duration": "1s"]))])
        let wf = try h.create("W", definition: def, requestID: "r", tags: ["t"])
        _ = try h.run(h.state.delete(tenant: "t1", id: wf.id, env: h.env))
        let bytes = h.state.snapshotBytes()
        #expect(try WorkflowState(snapshot: bytes) == h.state)
        for cut in stride(from: WorkflowState.binarySnapshotMagic.count, to: bytes.count, by: 1) {
            #expect(throws: DecodeError.self) { try WorkflowState(snapshot: Array(bytes[..<cut])) }
        }
        // Flipped bytes: each either decodes (inside a string or a number: the store's CRC is
        // what catches those) or throws; none may crash the reader.
        for at in WorkflowState.binarySnapshotMagic.count..<bytes.count {
            var bad = bytes
            bad[at] ^= 0xFF
            _ = try? WorkflowState(snapshot: bad)
        }
    }

    @Test func everyEventKindRoundTrips() throws {
        let v = WorkflowVersion(number: 2, changeSummary: "s", createdAt: Instant(nanosSinceEpoch: 1_700_000_000_123_456_789),
                                definition: BuiltinTemplates.approvalGate.definition)
        let meta = WorkflowMetadata(name: "n", description: "d", tags: ["t"], triggerType: .schedule, kind: .agent,
                                    inputs: [InputDeclaration(name: "i", type: .integer, required: true, defaultValue: 3, description: "x")],
                                    config: ["k": [1, "v"]], webhookURL: "https://h", origin: Origin(instance: "a", zone: "b", reference: "c"),
                                    testInputs: [["i": 1], [:]])
        let at = Instant(nanosSinceEpoch: 9_007_199_254_740_993)  // not exact as a Double
        let events: [WorkflowEvent] = [
            .created(.init(tenantID: "t", workflowID: "wf_1", at: at, metadata: meta, status: .draft, version: v, requestID: "r")),
            .versioned(.init(tenantID: "t", workflowID: "wf_1", version: v)),
            .metadataUpdated(.init(tenantID: "t", workflowID: "wf_1", at: at, metadata: meta)),
            .statusChanged(.init(tenantID: "t", workflowID: "wf_1", at: at, status: .paused)),
            .deleted(.init(tenantID: "t", workflowID: "wf_1", at: at)),
            .restored(.init(tenantID: "t", workflowID: "wf_1", at: at, name: "n (1)")),
            .purged(.init(tenantID: "t", workflowID: "wf_1")),
            .templateSaved(.init(tenantID: "t", template: BuiltinTemplates.llmSummarize)),
            .fileAttached(.init(tenantID: "t", workflowID: "wf_1",
                                file: AttachedFile(blobID: "b", name: "f.csv", contentType: "text/csv", purpose: "dataset",
                                                   stepID: "s", size: 5_000_000_000, sha256: "ab", at: at))),
        ]
        for e in events {
            let bytes = e.encoded()
            #expect(bytes.first == WorkflowEvent.binaryFormat)
            #expect(try WorkflowEvent(bytes: bytes) == e)
            // Format 1 (JSON), as logs written before format 2 hold it, still reads the same.
            #expect(try WorkflowEvent(bytes: e.json.canonicalBytes()) == e)
            // Cut short anywhere: a DecodeError, never a crash or a wrong event.
            for cut in 1..<bytes.count {
                #expect(throws: DecodeError.self) { try WorkflowEvent(bytes: Array(bytes[..<cut])) }
            }
            #expect(throws: DecodeError.self) { try WorkflowEvent(bytes: bytes + [0]) }
            for at in 1..<bytes.count {
                var bad = bytes
                bad[at] ^= 0xFF
                _ = try? WorkflowEvent(bytes: bad)
            }
        }
        #expect(String(decoding: events[6].json.canonicalBytes(), as: UTF8.self)
                == #"{"tenant_id":"t","type":"purged","v":1,"workflow_id":"wf_1"}"#)
    }

    @Test func badRecordsAreRefusedWithAPath() {
        #expect(throws: DecodeError(path: "event.v", message: "unsupported event format 2")) {
            try WorkflowEvent(bytes: Array(#"{"v":2,"type":"purged"}"#.utf8))
        }
        #expect(throws: DecodeError(path: "event.type", message: "unknown event type \"exploded\"")) {
            try WorkflowEvent(bytes: Array(#"{"v":1,"type":"exploded"}"#.utf8))
        }
        #expect(throws: DecodeError(path: "event", message: "JSON error at byte 5: unexpected end of input")) {
            try WorkflowEvent(bytes: Array(#"{"v":"#.utf8))
        }
        #expect(throws: DecodeError(path: "event.status", message: "unknown enum value")) {
            try WorkflowEvent(bytes: Array(#"{"v":1,"type":"status_changed","status":9}"#.utf8))
        }
    }
}

func randomValid(_ rng: inout SplitMix) -> WorkflowDefinition {
    let d = randomDefinition(&rng)
    var seen: Set<String> = []
    return WorkflowDefinition(steps: d.steps.filter { seen.insert($0.id).inserted }.map { s in
        var s = s
        s.dependsOn = s.dependsOn.filter { seen.contains($0) }
        return s
    }.filter { _ in true })
}

@Suite struct ListTests {
    @Test func newestFirstWithPagingAndFilters() throws {
        var h = Harness()
        var made: [Workflow] = []
        for i in 0..<25 {
            made.append(try h.create("Flow \(i)", tags: i % 2 == 0 ? ["even"] : ["odd"], trigger: i % 5 == 0 ? .schedule : .manual))
        }
        _ = try h.run(h.state.setStatus(tenant: "t1", id: made[3].id, status: .active, env: h.env))
        _ = try h.run(h.state.delete(tenant: "t1", id: made[24].id, env: h.env))
        // Pages of 10, newest first, deleted hidden; tokens chain to the end and no further.
        var seen: [String] = []
        var token = ""
        var pages = 0
        repeat {
            let page = try h.state.list(tenant: "t1", pageSize: 10, pageToken: token)
            seen += page.workflows.map(\.id)
            token = page.nextPageToken
            pages += 1
        } while !token.isEmpty
        #expect(pages == 3)
        #expect(seen == made[..<24].reversed().map(\.id))
        let list = { (f: ListFilter) in try h.state.list(tenant: "t1", filter: f, pageSize: 200).workflows.map(\.name) }
        #expect(try list(ListFilter(status: .active)) == ["Flow 3"])
        #expect(try list(ListFilter(tag: "odd")).count == 12)
        #expect(try list(ListFilter(triggerType: .schedule)) == ["Flow 20", "Flow 15", "Flow 10", "Flow 5", "Flow 0"])
        #expect(try list(ListFilter(nameContains: "FLOW 2")) == ["Flow 23", "Flow 22", "Flow 21", "Flow 20", "Flow 2"])
        #expect(try list(ListFilter(nameContains: "flow 24", includeDeleted: true)) == ["Flow 24"])
        #expect(try list(ListFilter(tag: "even", triggerType: .schedule)) == ["Flow 20", "Flow 10", "Flow 0"])
        // A filtered page's token resumes the filtered walk.
        let first = try h.state.list(tenant: "t1", filter: ListFilter(tag: "even"), pageSize: 5)
        let second = try h.state.list(tenant: "t1", filter: ListFilter(tag: "even"), pageSize: 5, pageToken: first.nextPageToken)
        #expect((first.workflows + second.workflows).map(\.name) == (0..<10).map { "Flow \(22 - 2 * $0)" })
    }

    @Test func pageSizeAndTokenLimits() throws {
        var h = Harness()
        for i in 0..<205 { try h.create("W\(i)") }
        #expect(try h.state.list(tenant: "t1").workflows.count == 50)
        #expect(try h.state.list(tenant: "t1", pageSize: 1000).workflows.count == 200)
        #expect(throws: DomainError.invalid("page_size", "page_size must not be negative")) {
            try h.state.list(tenant: "t1", pageSize: -1)
        }
        for bad in ["%%%", "aGVsbG8=", ""] where !bad.isEmpty {
            #expect(throws: DomainError.invalid("page_token", "invalid page token")) { try h.state.list(tenant: "t1", pageToken: bad) }
        }
    }

    @Test func idsSortByCreationTime() {
        let ids = IDGenerator(seed: 5)
        let t = Instant(millisSinceEpoch: 1_700_000_000_000)
        let made = (0..<100).map { i in ids.workflowID(tenant: "t", at: Instant(millisSinceEpoch: t.millisSinceEpoch + Int64(i / 10))) }
        #expect(made == made.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
        #expect(Set(made).count == 100)
        #expect(made.allSatisfy { $0.count == 29 && $0.dropFirst(3).allSatisfy { "0123456789ABCDEFGHJKMNPQRSTVWXYZ".contains($0) } })
        // The first 10 characters are the millisecond timestamp (ULID spec example value).
        #expect(IDGenerator.encode(millis: 1_469_918_176_385, high: 0, low: 0).prefix(10) == "01ARYZ6S41")
        #expect(IDGenerator(seed: 5).workflowID(tenant: "t", at: t) == made[0])
    }

    /// Issue 14: ids of one tenant are no increment away from another's made in the same
    /// millisecond, yet each tenant's own ids still sort in the order they were made.
    @Test func idsOfOtherTenantsAreNotOneIncrementAway() {
        let ids = IDGenerator(seed: 11)
        let t = Instant(millisSinceEpoch: 1_700_000_000_000)
        var byTenant: [String: [String]] = [:]
        for i in 0..<60 {
            let tenant = ["a", "b", "c"][i % 3]
            byTenant[tenant, default: []].append(ids.make(prefix: "run", tenant: tenant, at: t))
        }
        for own in byTenant.values {
            #expect(own == own.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
            #expect(Set(own).count == own.count)
        }
        // Consecutive ids in creation order (a, b, c, a, ...): their 80-bit tails differ in
        // about half their bits, not in the last one.
        let interleaved = (0..<20).flatMap { i in ["a", "b", "c"].map { byTenant[$0]![i] } }
        for (x, y) in zip(interleaved, interleaved.dropFirst()) {
            #expect(x.prefix(14) == y.prefix(14))  // "run_" + the same 10-digit millisecond
            let differing = zip(Self.bits(x), Self.bits(y)).filter { $0 != $1 }.count
            #expect(differing >= 16, "\(x) vs \(y): \(differing) of 80 tail bits differ")
        }
        // A clock that steps back never makes an id that sorts before an earlier one.
        let later = ids.make(prefix: "run", tenant: "a", at: Instant(millisSinceEpoch: t.millisSinceEpoch - 5))
        #expect(byTenant["a"]!.last!.utf8.lexicographicallyPrecedes(later.utf8))
    }

    /// The 80 tail bits of a generated id.
    static func bits(_ id: String) -> [Bool] {
        let digits = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ")
        return id.suffix(16).flatMap { c -> [Bool] in
            let v = digits.firstIndex(of: c)!
            return (0..<5).map { v >> (4 - $0) & 1 == 1 }
        }
    }

    @Test func hundredThousandWorkflowsListInMilliseconds() throws {
        var state = WorkflowState()
        let ids = IDGenerator(seed: 3)
        let version = WorkflowVersion(number: 1, changeSummary: "Initial version", createdAt: Instant(nanosSinceEpoch: 0),
                                      definition: .initial)
        for i in 0..<100_000 {
            let at = Instant(millisSinceEpoch: 1_700_000_000_000 + Int64(i))
            state.apply(.created(.init(tenantID: "big", workflowID: ids.workflowID(tenant: "big", at: at), at: at,
                                       metadata: WorkflowMetadata(name: "wf \(i)", tags: i % 100 == 0 ? ["rare"] : [],
                                                                  triggerType: i % 3 == 0 ? .webhook : .manual),
                                       status: .draft, version: version, requestID: "")))
        }
        #expect(state.count(tenant: "big") == 100_000)
        func time(_ label: String, _ body: () throws -> ListPage) rethrows -> ListPage {
            let clock = ContinuousClock()
            var page: ListPage?
            let elapsed = try clock.measure { page = try body() }
            print("100k list \(label): \(elapsed) (\(page!.workflows.count) rows)")
            return page!
        }
        let first = try time("first page of 200") { try state.list(tenant: "big", pageSize: 200) }
        #expect(first.workflows.first?.name == "wf 99999")
        let deep = try time("page after token") { try state.list(tenant: "big", pageSize: 200, pageToken: first.nextPageToken) }
        #expect(deep.workflows.first?.name == "wf 99799")
        let rare = try time("tag filter 1%") { try state.list(tenant: "big", filter: ListFilter(tag: "rare"), pageSize: 200) }
        #expect(rare.workflows.count == 200)
        let none = try time("name filter, no match (full scan)") {
            try state.list(tenant: "big", filter: ListFilter(nameContains: "zzz"), pageSize: 200)
        }
        #expect(none.workflows.isEmpty && none.nextPageToken.isEmpty)
    }
}
