import Engine
import FoundationEssentials

/// `spindle bench-seed`: fills a data directory with many workflow records through the engine
/// and the real log (fsynced, group-committed, snapshotted every 50k events like the server),
/// far faster than any client could: bench/workflows.py --records times a restart on it.
/// The records: `workflows` creates of a one-step workflow in one tenant, then metadata
/// updates (a new description) round-robin over them until `records` in all.
struct BenchSeedOptions {
    var dataDir = "./spindle-data"
    var tenant = "bench"
    var records = 1_000_000
    var workflows: Int?
}

enum BenchSeed {
    static let usage = """
    usage: spindle bench-seed --data-dir DIR [--records 1000000] [--workflows N] [--tenant bench]

    Appends RECORDS workflow records to the store in DIR/store (creating it): WORKFLOWS creates
    (default RECORDS / 10), then metadata updates spread over them. For benchmarks only.
    """

    /// Events per command: one actor turn and one log append each.
    static let batch = 1000
    /// Commands in flight at once, so appends share fsyncs.
    static let inFlight = 8

    static func run(_ o: BenchSeedOptions) async throws -> String {
        let clock = ContinuousClock()
        let started = clock.now
        let (store, _) = try WorkflowStore.open(directory: o.dataDir + "/store")
        let workflows = max(1, min(o.records, o.workflows ?? o.records / 10))
        let tenant = o.tenant
        let definition = WorkflowDefinition(steps: [Step(id: "render", type: "template", config: ["template": "seed"])])
        let checked = try WorkflowState.check(definition, inputs: [])
        var ids: [String] = []
        ids.reserveCapacity(workflows)
        // Creates, in batches; the ids come back in order.
        for first in stride(from: 0, to: workflows, by: batch * inFlight) {
            let made = try await withThrowingTaskGroup(of: (Int, [String]).self) { group in
                for start in stride(from: first, to: min(workflows, first + batch * inFlight), by: batch) {
                    let end = min(workflows, start + batch)
                    group.addTask {
                        let r = try await store.execute { s, env throws(DomainError) in
                            var events: [WorkflowEvent] = []
                            for n in start..<end {
                                events += try s.create(tenant: tenant, metadata: WorkflowMetadata(name: "seed \(n)",
                                                       tags: [n % 100 == 0 ? "rare" : "common"]), checked: checked, env: env).events
                            }
                            return CommandResult(events: events, workflowID: "")
                        }
                        return (start, r.events.compactMap { if case .created(let c) = $0 { c.workflowID } else { nil } })
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            for (_, batchIDs) in made.sorted(by: { $0.0 < $1.0 }) { ids += batchIDs }
        }
        // Metadata updates: batch k touches a distinct run of workflows with a new description.
        let updates = o.records - workflows
        let frozenIDs = ids
        for first in stride(from: 0, to: updates, by: batch * inFlight) {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for start in stride(from: first, to: min(updates, first + batch * inFlight), by: batch) {
                    let end = min(updates, start + batch)
                    group.addTask {
                        _ = try await store.execute { s, env throws(DomainError) in
                            var events: [WorkflowEvent] = []
                            for n in start..<end {
                                let id = frozenIDs[n % frozenIDs.count]
                                events += try s.updateMetadata(tenant: tenant, id: id,
                                                               metadata: WorkflowMetadata(name: "", description: "update \(n)"),
                                                               mask: ["description"], env: env).events
                            }
                            return CommandResult(events: events, workflowID: "")
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
        await store.close()
        return "event=bench_seed records=\(o.records) workflows=\(workflows) updates=\(updates) seconds=\(clock.now - started)"
    }
}
