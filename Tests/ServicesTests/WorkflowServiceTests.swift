import Foundation
import Testing
import Engine
import Messages
import RPC
@testable import Services

/// The service's handlers called in process on a real store in a temp directory (no sockets).
@Suite struct WorkflowServiceTests {
    typealias PB = SpindleV1
    let tenant = Principal(tenant: "t1", subject: "s", method: "jwt")
    let other = Principal(tenant: "t2", subject: "s", method: "jwt")

    func withService(_ body: (WorkflowService, WorkflowStore) async throws -> Void) async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wfsvc-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (store, _) = try WorkflowStore.open(directory: dir)
        let service = WorkflowService(store: store, authenticator: Authenticator(mode: .none))
        try await body(service, store)
        await store.close()
    }

    func status(_ body: () async throws -> Void) async -> RPCError? {
        do { try await body(); return nil } catch let e as RPCError { return e } catch {
            Issue.record("not an RPCError: \(error)")
            return nil
        }
    }

    func createRequest(_ name: String, definition: PB.WorkflowDefinition? = nil) -> PB.CreateWorkflowRequest {
        var req = PB.CreateWorkflowRequest()
        var w = PB.Workflow()
        w.name = name
        w.definition = definition
        req.workflow = w
        return req
    }

    @Test func createThenGetRoundTripsTheFullModel() async throws {
        try await withService { service, store in
            var full = fullProtoWorkflow()
            full.status = .archived  // output-only: ignored
            full.etag = "made-up"
            let made = try await service.run(tenant) { try await service.create(createRequest("x", definition: full.definition), $0) }
            var req = PB.CreateWorkflowRequest()
            req.workflow = full
            let w = try await service.create(req, tenant)
            #expect(w.status == .draft && w.etag == "r1" && w.currentVersion == 1 && w.tenantID == "t1")
            #expect(w.definition == full.definition && w.inputs == full.inputs && w.config == full.config)
            #expect(w.testInputs == full.testInputs && w.origin == full.origin && w.triggerType == full.triggerType)
            let id = w.id
            let stored = try await store.read { s throws(DomainError) in try s.get(tenant: "t1", id: id) }
            #expect(WorkflowMapping.workflow(stored) == w)
            #expect(made.name == "x")
        }
    }

    @Test func updateCombinesMetadataAndDefinitionAtomically() async throws {
        try await withService { service, _ in
            let w = try await service.create(createRequest("u"), tenant)
            var req = PB.UpdateWorkflowRequest()
            req.workflowID = w.id
            var meta = PB.Workflow()
            meta.description = "new"
            req.metadata = meta
            var mask = GoogleProtobuf.FieldMask()
            mask.paths = ["description"]
            req.updateMask = mask
            req.definition = fullProtoWorkflow().definition
            req.changeSummary = "both"
            req.expectedEtag = w.etag
            let u = try await service.update(req, tenant)
            #expect(u.description == "new" && u.currentVersion == 2 && u.etag == "r3")
            // The same etag again: the first write moved it on.
            let e = await status { _ = try await service.run(tenant) { try await service.update(req, $0) } }
            #expect(e?.code == .aborted)
            // An invalid definition leaves the metadata alone too (one command, all or nothing).
            req.expectedEtag = ""
            meta.description = "never"
            req.metadata = meta
            var bad = PB.WorkflowDefinition()
            var s = PB.Step()
            (s.id, s.type) = ("z", "nope")
            bad.steps = [s]
            req.definition = bad
            let invalid = await status { _ = try await service.run(tenant) { try await service.update(req, $0) } }
            #expect(invalid?.code == .invalidArgument)
            let id = w.id
            let after = try await service.store.read { st throws(DomainError) in try st.get(tenant: "t1", id: id) }
            #expect(after.metadata.description == "new" && after.etag == "r3")
        }
    }

    @Test func cascadeRemovesTransitiveDependents() async throws {
        try await withService { service, _ in
            let w = try await service.create(createRequest("c", definition: fullProtoWorkflow().definition), tenant)
            var req = PB.RemoveStepRequest()
            req.workflowID = w.id
            req.stepID = "fetch"
            let refused = await status { _ = try await service.run(tenant) { try await service.removeStep(req, $0) } }
            #expect(refused?.code == .failedPrecondition && refused?.message.contains("shape") == true)
            req.cascade = true
            let r = try await service.removeStep(req, tenant)
            #expect(r.removedStepIDs == ["fetch", "shape"])
            #expect(r.workflow?.definition?.steps.isEmpty == true && r.workflow?.definition?.stepOrder.isEmpty == true)
        }
    }

    @Test func otherTenantsSeeNothing() async throws {
        try await withService { service, _ in
            let w = try await service.create(createRequest("mine"), tenant)
            var get = PB.UpdateWorkflowRequest()
            get.workflowID = w.id
            get.definition = PB.WorkflowDefinition()
            let e = await status { _ = try await service.run(other) { try await service.update(get, $0) } }
            #expect(e?.code == .notFound)
            let page = try await service.list(PB.ListWorkflowsRequest(), other)
            #expect(page.workflows.isEmpty)
            #expect(try await service.list(PB.ListWorkflowsRequest(), tenant).workflows.map(\.id) == [w.id])
        }
    }

    @Test func versionPagingIsNewestFirstWithAToken() async throws {
        try await withService { service, _ in
            let w = try await service.create(createRequest("v"), tenant)
            var up = PB.UpdateWorkflowRequest()
            up.workflowID = w.id
            up.definition = fullProtoWorkflow().definition
            _ = try await service.update(up, tenant)
            var list = PB.ListVersionsRequest()
            list.workflowID = w.id
            list.pageSize = 1
            let first = try await service.listVersions(list, tenant)
            #expect(first.versions.map(\.number) == [2] && first.versions[0].definition == nil)
            list.pageToken = first.nextPageToken
            let second = try await service.listVersions(list, tenant)
            #expect(second.versions.map(\.number) == [1] && second.nextPageToken.isEmpty)
            list.pageToken = "bm9wZQ=="  // "nope"
            let bad = await status { _ = try await service.run(tenant) { try await service.listVersions(list, $0) } }
            #expect(bad?.code == .invalidArgument && bad?.details != nil)
        }
    }

    @Test func aClosedStoreIsUnavailable() async throws {
        try await withService { service, store in
            await store.close()
            let e = await status { _ = try await service.run(tenant) { try await service.create(createRequest("late"), $0) } }
            #expect(e?.code == .unavailable && e?.message.contains("workflow store unavailable") == true)
        }
    }
}
