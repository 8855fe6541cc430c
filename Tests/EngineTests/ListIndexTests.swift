import Testing
@testable import Engine

/// The list index against the definition of List: every workflow of the tenant, newest first,
/// filtered one by one. Whatever the events did to the index (status changes, renames, tag
/// edits, deletes, restores, purges), and after a restart (replay or snapshot), every filter
/// and every page token must give exactly what the definition gives.
@Suite struct ListIndexTests {
    static let tags = ["red", "green", "blue"]
    static let names = ["Alpha", "beta", "Gamma ray", "ÉCLAIR", "beta max", "e\u{301}clair", "cr\r\nlf"]

    /// The definition: a full walk over the records, newest first, with the filters as the
    /// proto states them.
    static func reference(_ s: WorkflowState, tenant: String, _ f: ListFilter) -> [String] {
        guard let t = s.tenants[tenant] else { return [] }
        let needle = f.nameContains?.lowercased() ?? ""
        return t.records.values.map(\.workflow)
            .sorted { $0.id.utf8.lexicographicallyPrecedes($1.id.utf8) }.reversed()
            .filter { w in
                (f.includeDeleted || !w.deleted)
                    && (f.status == nil || f.status == .unspecified || w.status == f.status)
                    && (f.triggerType == nil || f.triggerType == .unspecified || w.metadata.triggerType == f.triggerType)
                    && (f.tag?.isEmpty ?? true || w.metadata.tags.contains(f.tag!))
                    && (needle.isEmpty || Self.characters(of: w.name.lowercased(), contain: needle))
            }.map(\.id)
    }

    /// Substring by Characters (canonical equivalence, "\r\n" one Character), spelled out: in
    /// this test module `String.contains` may resolve to Foundation's UTF-16 search instead.
    static func characters(of text: String, contain needle: String) -> Bool {
        let h = Array(text), n = Array(needle)
        guard n.count <= h.count else { return false }
        return (0...(h.count - n.count)).contains { i in h[i..<(i + n.count)].elementsEqual(n) }
    }

    /// Every page of `size`, following the tokens.
    static func paged(_ s: WorkflowState, tenant: String, _ f: ListFilter, size: Int) throws -> [String] {
        var out: [String] = []
        var token = ""
        repeat {
            let page = try s.list(tenant: tenant, filter: f, pageSize: size, pageToken: token)
            #expect(page.workflows.count <= size)
            #expect(page.nextPageToken.isEmpty || page.workflows.count == size)
            out += page.workflows.map(\.id)
            token = page.nextPageToken
        } while !token.isEmpty
        return out
    }

    static var filters: [ListFilter] {
        var out: [ListFilter] = []
        for tag in [nil, "red", "blue", "none"] as [String?] {
            for status in [nil, .draft, .active, .archived] as [WorkflowStatus?] {
                for trigger in [nil, .webhook] as [TriggerType?] {
                    for name in [nil, "BETA", "a", "é", "\r", "zzz", "CLAIR", "a r", "ay 1", "eta m"] as [String?] {
                        for deleted in [false, true] {
                            out.append(ListFilter(status: status, tag: tag, triggerType: trigger, nameContains: name,
                                                  includeDeleted: deleted))
                        }
                    }
                }
            }
        }
        return out
    }

    static func expectSameAsReference(_ s: WorkflowState, _ label: String) throws {
        for f in filters {
            let want = reference(s, tenant: "t1", f)
            let got = try paged(s, tenant: "t1", f, size: 3)
            #expect(got == want, "\(label): \(f)")
            #expect(try s.list(tenant: "t1", filter: f, pageSize: 200).workflows.map(\.id) == Array(want.prefix(200)))
        }
    }

    @Test(arguments: [7, 8] as [UInt64])
    func everyChangeKeepsTheIndexExact(seed: UInt64) throws {
        var h = Harness()
        var rng = SplitMix(seed: seed)
        var ids: [String] = []
        for step in 0..<300 {
            let s = h.state, env = h.env
            let target = ids.randomElement(using: &rng) ?? ""
            let events: [WorkflowEvent]?
            switch Int.random(in: 0..<10, using: &rng) {
            case 0, 1, 2:
                let tags = Self.tags.filter { _ in Int.random(in: 0..<3, using: &rng) == 0 }
                events = try? s.create(tenant: Bool.random(using: &rng) ? "t1" : "t2",
                                       metadata: WorkflowMetadata(name: Self.names.randomElement(using: &rng)!, tags: tags,
                                                                  triggerType: Bool.random(using: &rng) ? .webhook : .manual),
                                       env: env).events
            case 3:
                let status = WorkflowStatus(rawValue: Int32.random(in: 1...4, using: &rng))!
                events = try? s.setStatus(tenant: "t1", id: target, status: status, env: env).events
            case 4:
                let meta = WorkflowMetadata(name: Self.names.randomElement(using: &rng)! + " \(step)",
                                            tags: Self.tags.filter { _ in Bool.random(using: &rng) } + ["red"],
                                            triggerType: Bool.random(using: &rng) ? .webhook : .schedule)
                events = try? s.updateMetadata(tenant: "t1", id: target, metadata: meta,
                                               mask: ["name", "tags", "trigger_type"].filter { _ in Bool.random(using: &rng) },
                                               env: env).events
            case 5: events = try? s.delete(tenant: "t1", id: target, env: env).events
            case 6: events = try? s.restore(tenant: "t1", id: target, env: env).events
            case 7: events = try? s.purge(tenant: "t1", id: target).events
            case 8: events = try? s.duplicate(tenant: "t1", id: target, env: env).events
            default: events = try? s.updateDefinition(tenant: "t1", id: target, definition: chain, env: env).events
            }
            for case .created(let c) in events ?? [] where c.tenantID == "t1" { ids.append(c.workflowID) }
            h.commit(events ?? [])
            if step % 60 == 59 { try Self.expectSameAsReference(h.state, "after \(step + 1) commands") }
        }
        #expect(h.state.count(tenant: "t1") > 20)
        // A restart rebuilds the index from the log, or from a snapshot plus the log.
        var replayed = WorkflowState()
        for bytes in h.log { replayed.apply(try WorkflowEvent(bytes: bytes)) }
        #expect(replayed == h.state)
        try Self.expectSameAsReference(replayed, "replayed")
        var partial = WorkflowState()
        for bytes in h.log.prefix(h.log.count / 2) { partial.apply(try WorkflowEvent(bytes: bytes)) }
        var resumed = try WorkflowState(snapshot: partial.snapshotBytes())
        for bytes in h.log.dropFirst(h.log.count / 2) { resumed.apply(try WorkflowEvent(bytes: bytes)) }
        #expect(resumed == h.state)
        try Self.expectSameAsReference(resumed, "snapshot + log")
    }

    @Test func eachKindOfChangeMovesTheWorkflowBetweenLists() throws {
        var h = Harness()
        let a = try h.create("Apple", tags: ["red"], trigger: .webhook)
        let b = try h.create("Banana", tags: ["yellow"])
        let list = { (f: ListFilter) in try h.state.list(tenant: "t1", filter: f).workflows.map(\.name) }
        #expect(try list(ListFilter(tag: "red")) == ["Apple"])
        _ = try h.run(h.state.setStatus(tenant: "t1", id: a.id, status: .active, env: h.env))
        #expect(try list(ListFilter(status: .active)) == ["Apple"])
        #expect(try list(ListFilter(status: .draft)) == ["Banana"])
        _ = try h.run(h.state.updateMetadata(tenant: "t1", id: b.id, metadata: WorkflowMetadata(name: "Cherry", tags: ["red", "red"]),
                                             mask: ["name", "tags"], env: h.env))
        #expect(try list(ListFilter(tag: "red")) == ["Cherry", "Apple"])
        #expect(try list(ListFilter(tag: "yellow")).isEmpty)
        #expect(try list(ListFilter(nameContains: "ERR")) == ["Cherry"])
        #expect(try list(ListFilter(nameContains: "banana")).isEmpty)
        _ = try h.run(h.state.updateMetadata(tenant: "t1", id: a.id, metadata: WorkflowMetadata(name: "Apple", triggerType: .schedule),
                                             mask: ["trigger_type"], env: h.env))
        #expect(try list(ListFilter(triggerType: .webhook)).isEmpty)
        #expect(try list(ListFilter(triggerType: .schedule)) == ["Apple"])
        _ = try h.run(h.state.delete(tenant: "t1", id: a.id, env: h.env))
        #expect(try list(ListFilter(tag: "red")) == ["Cherry"])
        #expect(try list(ListFilter(tag: "red", includeDeleted: true)) == ["Cherry", "Apple"])
        _ = try h.run(h.state.restore(tenant: "t1", id: a.id, env: h.env))
        #expect(try list(ListFilter(status: .active)) == ["Apple"])
        h.commit(try h.state.purge(tenant: "t1", id: a.id).events)
        for f in [ListFilter(tag: "red", includeDeleted: true), ListFilter(status: .active, includeDeleted: true),
                  ListFilter(triggerType: .schedule, includeDeleted: true), ListFilter(includeDeleted: true)] {
            #expect(try !list(f).contains("Apple"))
        }
        #expect(try list(ListFilter(tag: "red")) == ["Cherry"])
        // The emptied posting lists are gone: the index equals one built from scratch.
        let rebuilt = try WorkflowState(snapshot: h.state.snapshotBytes())
        #expect(rebuilt == h.state)
    }

    /// Rows added in any id order (a clock set back between restarts gives older ids) and
    /// removed from the middle (purges) move the positions the posting lists hold: the index
    /// must equal one built from the remaining rows, and answer the same pages.
    @Test func rowsAddedOutOfOrderAndRemovedInTheMiddleGiveTheIndexBuiltFromScratch() {
        var rng = SplitMix(seed: 11)
        func row(_ i: Int) -> ListRow {
            let meta = WorkflowMetadata(name: Self.names[i % Self.names.count] + " \(i)", tags: [Self.tags[i % 3]],
                                        triggerType: i % 4 == 0 ? .webhook : .manual)
            return ListRow(Workflow(id: "wf_" + String(1000 + i), tenantID: "t1", metadata: meta,
                                    status: i % 3 == 0 ? .active : .draft, definition: WorkflowDefinition(steps: []),
                                    createdAt: Instant(nanosSinceEpoch: 0), updatedAt: Instant(nanosSinceEpoch: 0),
                                    currentVersion: 1, etag: "", deleted: false, deletedAt: nil))
        }
        var order = Array(0..<120)
        for i in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(i, Int(rng.next() % UInt64(i + 1))) }
        var index = ListIndex()
        for i in order { index.set(row(i)) }
        var kept = Set(order)
        for i in order.prefix(40) where i % 2 == 0 {
            index.remove(row(i).id)
            kept.remove(i)
        }
        let rebuilt = ListIndex(rows: kept.map(row))
        #expect(index == rebuilt)
        for f in [ListFilter(tag: "red"), ListFilter(status: .active, triggerType: .webhook), ListFilter(nameContains: "beta")] {
            let filter = RowFilter(f)
            let want = rebuilt.rows.reversed().filter(filter.matches).map(\.id)
            #expect(index.page(filter, before: nil, limit: 500) == want, "\(f)")
            #expect(index.page(filter, before: want[3], limit: 2) == Array(want[4..<6]), "\(f)")
        }
    }

    @Test func intersectionWalksEveryListDownTogether() {
        func run(_ lists: [[String]], before: String? = nil, take: Int = .max) -> [String] {
            var out: [String] = []
            ListIndex.intersectDescending(lists, before: before) { id in
                out.append(id)
                return out.count < take
            }
            return out
        }
        let a = ["b", "c", "d", "f", "g", "k"], b = ["a", "c", "f", "g", "h", "k"], c = ["c", "e", "g", "k", "z"]
        #expect(run([a]) == ["k", "g", "f", "d", "c", "b"])
        #expect(run([a, b]) == ["k", "g", "f", "c"])
        #expect(run([a, b, c]) == ["k", "g", "c"])
        #expect(run([c, b, a], before: "k") == ["g", "c"])
        #expect(run([a, b, c], before: "c") == [])
        #expect(run([a, b], take: 2) == ["k", "g"])
        #expect(run([a, ["x"]]) == [])
        #expect(run([[], a]) == [])
    }
}
