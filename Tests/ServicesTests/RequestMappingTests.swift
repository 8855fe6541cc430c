import Testing
import Engine
import Messages
import ProtoWire
import Services

/// The public door the fuzz target uses (fuzz/Targets/workflow-proto): a Workflow message's
/// bytes mapped as CreateWorkflow maps them, and back through the API's own mapping.
@Suite struct RequestMappingTests {
    @Test func aFullWorkflowMapsAndRoundTrips() throws {
        let (metadata, definition, _) = try #require(RequestMapping.createWorkflow(fullProtoWorkflow().serializedBytes()))
        #expect(!metadata.name.isEmpty)
        let mapped = try #require(definition)
        #expect(!mapped.steps.isEmpty)
        #expect(RequestMapping.roundTrip(mapped)?.canonicalJSON == mapped.canonicalJSON)
    }

    @Test func bytesThatDoNotDecodeOrMapAreRefused() {
        #expect(RequestMapping.createWorkflow([0x0a, 0x05, 0x61]) == nil, "truncated field")
        var w = fullProtoWorkflow()
        var config = GoogleProtobuf.Struct()
        config.fields["x"] = value(.numberValue(.nan))
        w.config = config
        #expect(RequestMapping.createWorkflow(w.serializedBytes()) == nil, "a NaN is not a JSON number")
        var bare = SpindleV1.Workflow()
        bare.name = "no definition"
        #expect(RequestMapping.createWorkflow(bare.serializedBytes())?.1 == nil)
    }
}
