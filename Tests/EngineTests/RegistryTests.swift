import Synchronization
import Testing
@testable import Engine

/// A registry driven the way the server will: command -> events -> encode -> decode -> apply.
struct Harness {
    var state = WorkflowState()
    var log: [[UInt8]] = []
    let env = Environment(clock: .stepping(from: Instant(millisSinceEpoch: 1_700_000_000_000)), ids: IDGenerator(seed: 1))

    mutating func run(_ r: CommandResult) throws -> Workflow? {
        commit(r.events)
        return try? state.get(tenant: r.events.first?.tenantID ?? "t1", id: r.workflowID)
    }

    mutating func commit(_ events: [WorkflowEvent]) {
        for e in events {
            let bytes = e.encoded()
            log.append(bytes)
            state.apply(try! WorkflowEvent(bytes: bytes))
        }
    }

    @discardableResult
    mutating func create(_ name: String, tenant: String = "t1", definition: WorkflowDefinition? = nil,
                         requestID: String = "", tags: [String] = [], trigger: TriggerType = .manual) throws -> Workflow {
        let r = try state.create(tenant: tenant, metadata: WorkflowMetadata(name: name, tags: tags, triggerType: trigger),
                                 definition: definition, requestID: requestID, env: env)
        commit(r.events)
        return try state.get(tenant: tenant, id: r.workflowID)
    }
}

let chain = WorkflowDefinition(steps: [step("a"), step("b", deps: ["a"]), step("c", deps: ["b"])])

@Suite struct RegistryTests {
    @Test func createGivesDraftVersionOneAndAnInputStepByDefault() throws {
        var h = Harness()
        let wf = try h.create("Pipeline")
        #expect(wf.id.hasPrefix("wf_") && wf.id.count == 29)
        #expect(wf.status == .draft && wf.currentVersion == 1 && !wf.etag.isEmpty && !wf.deleted)
        #expect(wf.definition == .initial && wf.definition.steps.map(\.id) == ["input"])
        #expect(try h.state.listVersions(tenant: "t1", id: wf.id).map(\.changeSummary) == ["Initial version"])
        #expect(wf.createdAt == wf.updatedAt)
    }

    @Test func nameClashesAreSuffixed() throws {
        var h = Harness()
        #expect(try ["A", "A", "A", "A (1)"].map { try h.create($0).name } == ["A", "A (1)", "A (2)", "A (1) (1)"])
        // Another tenant has its own names.
        #expect(try h.create("A", tenant: "t2").name == "A")
    }

    /// The first free suffix, whichever way names were taken and freed, and in a state loaded
    /// from a snapshot as in the one that made it.
    @Test func clashingNamesTakeTheFirstFreeSuffix() throws {
        var h = Harness()
        let made = try (0..<300).map { _ in try h.create("Untitled") }
        #expect(made.map(\.name) == ["Untitled"] + (1..<300).map { "Untitled (\($0))" })
        _ = try h.run(h.state.delete(tenant: "t1", id: made[7].id, env: h.env))
        _ = try h.run(h.state.delete(tenant: "t1", id: made[3].id, env: h.env))
        _ = try h.run(h.state.updateMetadata(tenant: "t1", id: made[5].id, metadata: WorkflowMetadata(name: "Renamed"),
                                             mask: ["name"], env: h.env))
        // Deleted "Untitled" itself: the bare name is free again before any suffix.
        _ = try h.run(h.state.delete(tenant: "t1", id: made[0].id, env: h.env))
        let loaded = try WorkflowState(snapshot: h.state.snapshotBytes())
        #expect(loaded == h.state)
        for var state in [h.state, loaded] {
            var names: [String] = []
            for name in ["Untitled", "Untitled", "Untitled", "Untitled", "Untitled (301)", "Untitled", "Untitled", "Untitled (1)"] {
                let r = try state.create(tenant: "t1", metadata: WorkflowMetadata(name: name), env: h.env)
                for e in r.events { state.apply(e) }
                names.append(try state.get(tenant: "t1", id: r.workflowID).name)
            }
            #expect(names == ["Untitled", "Untitled (3)", "Untitled (5)", "Untitled (7)", "Untitled (301)",
                              "Untitled (300)", "Untitled (302)", "Untitled (1) (1)"])
        }
        // A restored workflow whose name was taken meanwhile is suffixed the same way.
        _ = try h.run(h.state.create(tenant: "t1", metadata: WorkflowMetadata(name: "Untitled (7)"), env: h.env))
        let restored = try h.run(h.state.restore(tenant: "t1", id: made[7].id, env: h.env))
        #expect(restored?.name == "Untitled (7) (1)")
    }

    @Test func suffixesAreReadOnlyInTheFormCreatesWriteThem() {
        #expect(LiveNames.split("A (12)")! == ("A", 12))
        #expect(LiveNames.split("A (1) (3)")! == ("A (1)", 3))
        for name in ["A (0)", "A (01)", "A(1)", "A (1", "A ()", "A (-1)", "(1)", "A (1234567890123456789)"] {
            #expect(LiveNames.split(name) == nil, "\(name)")
        }
    }

    @Test func createRejectsInvalidDefinitionsAndEmptyNames() {
        let h = Harness()
        let bad = WorkflowDefinition(steps: [step("a", deps: ["zz"])])
        #expect(throws: DomainError.invalidArgument([ValidationError(stepID: "a", field: "steps[a].depends_on[0]",
            code: .unknownDependency, message: "step \"a\" depends on \"zz\", which doesn't exist")])) {
            try h.state.create(tenant: "t1", metadata: WorkflowMetadata(name: "x"), definition: bad, env: h.env)
        }
        #expect(throws: DomainError.invalidArgument([ValidationError(field: "name", code: .invalidRequest, message: "name is required")])) {
            try h.state.create(tenant: "t1", metadata: WorkflowMetadata(name: ""), env: h.env)
        }
    }

    @Test func requestIDMakesCreateIdempotent() throws {
        var h = Harness()
        let first = try h.create("X", requestID: "req-1")
        let again = try h.state.create(tenant: "t1", metadata: WorkflowMetadata(name: "Other"), requestID: "req-1", env: h.env)
        #expect(again.events.isEmpty && again.workflowID == first.id)
        #expect(try h.create("X", requestID: "req-2").id != first.id)
        // Request ids are per tenant.
        #expect(try h.create("X", tenant: "t2", requestID: "req-1").id != first.id)
    }

    /// The request id window is 24 hours by the environment's clock: just inside it a retry
    /// gets the first workflow; at 24 hours it makes a new one, which later retries then get.
    @Test func requestIDWindowIsTwentyFourHours() throws {
        let now = Mutex(Instant(millisSinceEpoch: 1_700_000_000_000))
        let env = Environment(clock: Clock { now.withLock { $0 } }, ids: IDGenerator(seed: 9))
        var state = WorkflowState()
        func create() throws -> CommandResult {
            let r = try state.create(tenant: "t1", metadata: WorkflowMetadata(name: "R"), requestID: "req", env: env)
            state.apply(r.events)
            return r
        }
        let first = try create()
        #expect(first.events.count == 1)
        let day = WorkflowState.requestWindowNanos
        now.withLock { $0 = Instant(nanosSinceEpoch: $0.nanosSinceEpoch + day - 1) }
        let retry = try create()
        #expect(retry.events.isEmpty && retry.workflowID == first.workflowID)
        now.withLock { $0 = Instant(nanosSinceEpoch: $0.nanosSinceEpoch + 1) }
        let fresh = try create()
        #expect(fresh.events.count == 1 && fresh.workflowID != first.workflowID)
        let later = try create()
        #expect(later.events.isEmpty && later.workflowID == fresh.workflowID)
        // Replay and snapshots keep the window: the newest create owns the request id.
        #expect(try WorkflowState(snapshot: state.snapshotBytes()) == state)
    }

    @Test func updateMakesAVersionOnlyWhenTheHashChanges() throws {
        var h = Harness()
        let wf = try h.create("W", definition: chain)
        let same = try h.state.updateDefinition(tenant: "t1", id: wf.id, definition: chain, env: h.env)
        #expect(same.events.isEmpty)
        var next = chain
        next.steps[2].config["expression"] = "y"
        let v2 = try #require(try h.run(h.state.updateDefinition(tenant: "t1", id: wf.id, definition: next,
                                                                  changeSummary: "tweak", expectedEtag: wf.etag, env: h.env)))
        #expect(v2.currentVersion == 2 && v2.etag != wf.etag && v2.definition == next)
        #expect(try h.state.listVersions(tenant: "t1", id: wf.id).map(\.changeSummary) == ["Initial version", "tweak"])
        #expect(try h.state.getVersion(tenant: "t1", id: wf.id, number: 2).definitionHash == next.hash)
        // A stale etag is ABORTED.
        #expect(throws: DomainError.aborted("etag mismatch: expected \(wf.etag), workflow is at \(v2.etag)")) {
            try h.state.updateDefinition(tenant: "t1", id: wf.id, definition: chain, expectedEtag: wf.etag, env: h.env)
        }
        // An invalid one is INVALID_ARGUMENT with every error.
        let bad = WorkflowDefinition(steps: [step("a", "nope", deps: ["a"])])
        guard case .invalidArgument(let errors)? = catchDomain({ try h.state.updateDefinition(tenant: "t1", id: wf.id, definition: bad, env: h.env) })
        else { Issue.record("expected invalidArgument"); return }
        #expect(errors.map(\.code) == [.unknownStepType, .selfDependency])
        // Without a summary, one is computed.
        var v3 = next
        v3.steps.removeLast()
        _ = try h.run(h.state.updateDefinition(tenant: "t1", id: wf.id, definition: v3, env: h.env))
        #expect(try h.state.getVersion(tenant: "t1", id: wf.id, number: 3).changeSummary == "Removed 1 step")
    }

    @Test func metadataUpdateHonoursTheFieldMask() throws {
        var h = Harness()
        let wf = try h.create("W", tags: ["a"])
        try h.create("Taken")
        let patch = WorkflowMetadata(name: "Renamed", description: "d", tags: ["x", "y"], triggerType: .webhook,
                                     origin: Origin(instance: "api-prod", zone: "eu"))
        let after = try #require(try h.run(h.state.updateMetadata(tenant: "t1", id: wf.id, metadata: patch,
                                                                  mask: ["description", "tags", "origin.instance"], env: h.env)))
        #expect(after.name == "W" && after.metadata.description == "d" && after.metadata.tags == ["x", "y"])
        #expect(after.metadata.triggerType == .manual && after.metadata.origin == Origin(instance: "api-prod"))
        #expect(throws: DomainError.invalid("update_mask.paths[0]", "unknown or read-only field \"status\"")) {
            try h.state.updateMetadata(tenant: "t1", id: wf.id, metadata: patch, mask: ["status"], env: h.env)
        }
        var taken = patch
        taken.name = "Taken"
        guard case .alreadyExists? = catchDomain({ try h.state.updateMetadata(tenant: "t1", id: wf.id, metadata: taken, mask: ["name"], env: h.env) })
        else { Issue.record("expected alreadyExists"); return }
        // Unchanged values write nothing; a rename frees the old name.
        #expect(try h.state.updateMetadata(tenant: "t1", id: wf.id, metadata: patch, mask: ["tags"], env: h.env).events.isEmpty)
        _ = try h.run(h.state.updateMetadata(tenant: "t1", id: wf.id, metadata: patch, mask: ["name"], env: h.env))
        #expect(try h.create("W").name == "W")
        // Inputs are validated.
        var dup = patch
        dup.inputs = [InputDeclaration(name: "q"), InputDeclaration(name: "q")]
        guard case .invalidArgument(let errors)? = catchDomain({ try h.state.updateMetadata(tenant: "t1", id: wf.id, metadata: dup, mask: ["inputs"], env: h.env) })
        else { Issue.record("expected invalidArgument"); return }
        #expect(errors.map(\.field) == ["inputs[1].name"])
    }

    @Test func statusTransitionsFollowTheModel() throws {
        var h = Harness()
        let wf = try h.create("S")
        let all: [WorkflowStatus] = [.draft, .active, .paused, .archived]
        let allowed: Set<String> = ["DRAFT>ACTIVE", "DRAFT>ARCHIVED", "ACTIVE>PAUSED", "PAUSED>ACTIVE", "ACTIVE>ARCHIVED",
                                    "PAUSED>ARCHIVED", "ARCHIVED>DRAFT"]
        for from in all {
            for to in all + [.unspecified] {
                #expect(from.canTransition(to: to) == allowed.contains("\(from.name)>\(to.name)"))
            }
        }
        #expect(try h.state.setStatus(tenant: "t1", id: wf.id, status: .draft, env: h.env).events.isEmpty)
        #expect(throws: DomainError.failedPrecondition("cannot go from DRAFT to PAUSED")) {
            try h.state.setStatus(tenant: "t1", id: wf.id, status: .paused, env: h.env)
        }
        for s in [WorkflowStatus.active, .paused, .active, .archived, .draft] {
            #expect(try h.run(h.state.setStatus(tenant: "t1", id: wf.id, status: s, env: h.env))?.status == s)
        }
    }

    @Test func duplicateCopiesWithCopySuffix() throws {
        var h = Harness()
        let wf = try h.create("Flow", definition: chain)
        let copy = try #require(try h.run(h.state.duplicate(tenant: "t1", id: wf.id, env: h.env)))
        let copy2 = try #require(try h.run(h.state.duplicate(tenant: "t1", id: wf.id, env: h.env)))
        #expect(copy.name == "Flow (Copy)" && copy2.name == "Flow (Copy) (1)")
        #expect(copy.id != wf.id && copy.definition == chain && copy.currentVersion == 1 && copy.status == .draft)
    }

    @Test func resetAndRollback() throws {
        var h = Harness()
        let wf = try h.create("R", definition: chain)
        let reset = try #require(try h.run(h.state.reset(tenant: "t1", id: wf.id, env: h.env)))
        #expect(reset.definition == .initial && reset.currentVersion == 2)
        #expect(try h.state.reset(tenant: "t1", id: wf.id, env: h.env).events.isEmpty)
        let back = try #require(try h.run(h.state.rollback(tenant: "t1", id: wf.id, to: 1, env: h.env)))
        #expect(back.definition == chain && back.currentVersion == 3)
        #expect(try h.state.getVersion(tenant: "t1", id: wf.id, number: 3).changeSummary == "Rollback to version 1")
        // Version 1 is now the current definition: rolling back to it again changes nothing.
        #expect(try h.state.rollback(tenant: "t1", id: wf.id, to: 1, env: h.env).events.isEmpty)
        let named = try #require(try h.run(h.state.rollback(tenant: "t1", id: wf.id, to: 2, changeSummary: "undo", env: h.env)))
        #expect(named.currentVersion == 4)
        #expect(try h.state.getVersion(tenant: "t1", id: wf.id, number: 4).changeSummary == "undo")
        #expect(throws: DomainError.notFound("workflow \(wf.id) has no version 9")) {
            try h.state.rollback(tenant: "t1", id: wf.id, to: 9, env: h.env)
        }
        let d = try h.state.diffVersions(tenant: "t1", id: wf.id, from: 1, to: 2)
        #expect(d.summary == "Added 1 step, removed 3 steps")
        #expect(try apply(d.operations, to: chain.json) == WorkflowDefinition.initial.json)
    }

    @Test func addAndRemoveSteps() throws {
        var h = Harness()
        let wf = try h.create("Steps", definition: chain)
        let added = try #require(try h.run(h.state.addStep(tenant: "t1", id: wf.id, step: step("d", deps: ["a"]), env: h.env)))
        #expect(added.definition.steps.map(\.id) == ["a", "b", "c", "d"] && added.currentVersion == 2)
        guard case .alreadyExists? = catchDomain({ try h.state.addStep(tenant: "t1", id: wf.id, step: step("a"), env: h.env) })
        else { Issue.record("expected alreadyExists"); return }
        guard case .invalidArgument? = catchDomain({ try h.state.addStep(tenant: "t1", id: wf.id, step: step("e", deps: ["zz"]), env: h.env) })
        else { Issue.record("expected invalidArgument"); return }
        #expect(throws: DomainError.failedPrecondition("step a is used by b, d; remove those first or cascade")) {
            try h.state.removeStep(tenant: "t1", id: wf.id, stepID: "a", env: h.env)
        }
        #expect(throws: DomainError.notFound("step zz not found")) {
            try h.state.removeStep(tenant: "t1", id: wf.id, stepID: "zz", env: h.env)
        }
        let leaf = try #require(try h.run(h.state.removeStep(tenant: "t1", id: wf.id, stepID: "c", env: h.env)))
        #expect(leaf.definition.steps.map(\.id) == ["a", "b", "d"])
        // Cascade removes the dependents too, transitively (b depends on a; d on a).
        let cascaded = try #require(try h.run(h.state.removeStep(tenant: "t1", id: wf.id, stepID: "b", cascade: true, env: h.env)))
        #expect(cascaded.definition.steps.map(\.id) == ["a", "d"])
        let all = try #require(try h.run(h.state.removeStep(tenant: "t1", id: wf.id, stepID: "a", cascade: true, env: h.env)))
        #expect(all.definition.steps.isEmpty)
        #expect(try h.state.listVersions(tenant: "t1", id: wf.id).last?.changeSummary == "Removed steps a, d")
    }

    @Test func listStepsAndOutputVariables() throws {
        var h = Harness()
        let def = WorkflowDefinition(steps: [step("z", deps: ["y"]), step("y"), step("x", deps: ["y"])])
        let wf = try h.create("G", definition: def)
        #expect(try h.state.listSteps(tenant: "t1", id: wf.id).map(\.id) == ["y", "z", "x"])
        #expect(try h.state.outputVariables(tenant: "t1", id: wf.id).map(\.name) == ["z-output", "x-output"])
    }

    @Test func deleteRestorePurge() throws {
        var h = Harness()
        let wf = try h.create("D", requestID: "r1")
        let deleted = try #require(try h.run(h.state.delete(tenant: "t1", id: wf.id, env: h.env)))
        #expect(deleted.deleted && deleted.deletedAt != nil)
        #expect(try h.state.list(tenant: "t1").workflows.isEmpty)
        #expect(try h.state.list(tenant: "t1", filter: ListFilter(includeDeleted: true)).workflows.map(\.id) == [wf.id])
        #expect(throws: DomainError.failedPrecondition("workflow \(wf.id) is deleted; restore it first")) {
            try h.state.setStatus(tenant: "t1", id: wf.id, status: .active, env: h.env)
        }
        #expect(try h.state.delete(tenant: "t1", id: wf.id, env: h.env).events.isEmpty)
        // The name is free again; a restore then comes back suffixed.
        try h.create("D")
        let restored = try #require(try h.run(h.state.restore(tenant: "t1", id: wf.id, env: h.env)))
        #expect(!restored.deleted && restored.name == "D (1)")
        let (events, report) = try h.state.purge(tenant: "t1", id: wf.id)
        h.commit(events)
        #expect(report == PurgeReport(workflowID: wf.id, name: "D (1)", versionsRemoved: 1))
        #expect(throws: DomainError.notFound("workflow \(wf.id) not found")) { try h.state.get(tenant: "t1", id: wf.id) }
        // The purged workflow's request id no longer answers.
        #expect(try h.create("D", requestID: "r1").id != wf.id)
    }

    @Test func tenantsAreIsolated() throws {
        var h = Harness()
        let mine = try h.create("Mine", tenant: "t1")
        let notFound = DomainError.notFound("workflow \(mine.id) not found")
        let s = h.state, env = h.env
        #expect(throws: notFound) { try s.get(tenant: "t2", id: mine.id) }
        #expect(throws: notFound) { try s.updateDefinition(tenant: "t2", id: mine.id, definition: chain, env: env) }
        #expect(throws: notFound) { try s.updateMetadata(tenant: "t2", id: mine.id, metadata: WorkflowMetadata(name: "x"), env: env) }
        #expect(throws: notFound) { try s.setStatus(tenant: "t2", id: mine.id, status: .active, env: env) }
        #expect(throws: notFound) { try s.duplicate(tenant: "t2", id: mine.id, env: env) }
        #expect(throws: notFound) { try s.reset(tenant: "t2", id: mine.id, env: env) }
        #expect(throws: notFound) { try s.rollback(tenant: "t2", id: mine.id, to: 1, env: env) }
        #expect(throws: notFound) { try s.addStep(tenant: "t2", id: mine.id, step: step("q"), env: env) }
        #expect(throws: notFound) { try s.removeStep(tenant: "t2", id: mine.id, stepID: "input", env: env) }
        #expect(throws: notFound) { try s.delete(tenant: "t2", id: mine.id, env: env) }
        #expect(throws: notFound) { try s.restore(tenant: "t2", id: mine.id, env: env) }
        #expect(throws: notFound) { try s.purge(tenant: "t2", id: mine.id) }
        #expect(throws: notFound) { try s.listSteps(tenant: "t2", id: mine.id) }
        #expect(throws: notFound) { try s.outputVariables(tenant: "t2", id: mine.id) }
        #expect(throws: notFound) { try s.listVersions(tenant: "t2", id: mine.id) }
        #expect(throws: notFound) { try s.getVersion(tenant: "t2", id: mine.id, number: 1) }
        #expect(throws: notFound) { try s.diffVersions(tenant: "t2", id: mine.id, from: 1, to: 1) }
        #expect(throws: notFound) { try s.saveAsTemplate(tenant: "t2", id: mine.id, env: env) }
        #expect(try s.list(tenant: "t2", filter: ListFilter(includeDeleted: true)).workflows.isEmpty)
        // A page token made from t1's id shows t2 nothing of t1.
        let token = WorkflowState.encodeToken(mine.id)
        #expect(try s.list(tenant: "t2", pageToken: token).workflows.isEmpty)
    }

    @Test func templatesInstallAndSave() throws {
        var h = Harness()
        #expect(h.state.listTemplates(tenant: "t1").map(\.id) == ["http-fetch-transform", "approval-gate", "llm-summarize"])
        for t in BuiltinTemplates.all {
            let wf = try #require(try h.run(h.state.installTemplate(tenant: "t1", templateID: t.id, env: h.env)))
            #expect(wf.definition == t.definition && wf.name == t.name && wf.metadata.inputs == t.inputs)
        }
        #expect(throws: DomainError.notFound("template nope not found")) {
            try h.state.installTemplate(tenant: "t1", templateID: "nope", env: h.env)
        }
        let wf = try h.create("Mine", definition: chain)
        let (events, templateID) = try h.state.saveAsTemplate(tenant: "t1", id: wf.id, name: "My chain", env: h.env)
        h.commit(events)
        #expect(try h.state.getTemplate(tenant: "t1", id: templateID).definition == chain)
        #expect(h.state.listTemplates(tenant: "t1").count == 4 && h.state.listTemplates(tenant: "t2").count == 3)
        #expect(throws: DomainError.notFound("template \(templateID) not found")) { try h.state.getTemplate(tenant: "t2", id: templateID) }
    }
}

func catchDomain(_ body: () throws -> CommandResult) -> DomainError? {
    do { _ = try body(); return nil } catch { return error as? DomainError }
}
