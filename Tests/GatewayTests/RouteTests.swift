// The route table against the embedded schema: every route names a real method and fields.
@testable import Gateway
import ProtoJSON
import Testing

@Suite struct RouteTests {
    @Test func literalSegmentsWinOverVariables() {
        guard case .found(let m) = Routes.lookup(method: "GET", path: "/api/v1/workflows/runs") else {
            Issue.record("no route")
            return
        }
        #expect(m.route.rpc == "spindle.v1.RunService/ListRuns")
        guard case .found(let w) = Routes.lookup(method: "GET", path: "/api/v1/workflows/wf_1") else {
            Issue.record("no route")
            return
        }
        #expect(w.route.rpc == "spindle.v1.WorkflowService/GetWorkflow" && w.variables.map(\.1) == ["wf_1"])
        guard case .wrongMethod(let allowed) = Routes.lookup(method: "PUT", path: "/api/v1/workflows/wf_1") else {
            Issue.record("405 expected")
            return
        }
        #expect(Set(allowed) == ["GET", "PATCH", "DELETE"])
        guard case .notFound = Routes.lookup(method: "GET", path: "/api/v1/nope") else {
            Issue.record("404 expected")
            return
        }
    }

    @Test func everyRouteNamesAMethodOfTheSchemaAndItsFields() {
        for route in RouteTable.routes {
            guard let method = ProtoSchema.shared.methods[route.rpc], let input = ProtoSchema.shared.messages[method.input] else {
                Issue.record("\(route.rpc) is not in the embedded descriptors")
                continue
            }
            #expect(method.serverStreaming == (route.kind == .events), "\(route.rpc)")
            for part in route.template.split(separator: "/") where part.first == "{" {
                #expect(input.field(named: String(part.dropFirst().dropLast())) != nil, "\(route.template)")
            }
            if case .field(let name) = route.body { #expect(input.field(named: name) != nil, "\(route.rpc) body \(name)") }
        }
    }
}
