// A public door to the request mapping, for the fuzz target in fuzz/ (built in release, where
// `@testable` is not available).
public import Engine

public enum RequestMapping {
    /// Maps the bytes of a `spindle.v1.Workflow` (a CreateWorkflow request's body) onto the engine
    /// model as CreateWorkflow does: metadata, then the definition, validated against the inputs.
    /// Nil when the bytes do not decode or do not map (each would be INVALID_ARGUMENT).
    public static func createWorkflow(_ bytes: [UInt8]) -> (WorkflowMetadata, WorkflowDefinition?, [ValidationError])? {
        guard let w = try? PB.Workflow(serializedBytes: bytes),
              let metadata = try? WorkflowMapping.metadata(w, at: "workflow.") else { return nil }
        guard let d = w.definition else { return (metadata, nil, []) }
        guard let definition = try? WorkflowMapping.definition(d, at: "") else { return nil }
        return (metadata, definition, validate(definition, inputs: metadata.inputs))
    }

    /// The engine definition as the API returns it, mapped back in: the round trip of a
    /// definition a client reads and sends again.
    public static func roundTrip(_ definition: WorkflowDefinition) -> WorkflowDefinition? {
        try? WorkflowMapping.definition(WorkflowMapping.definition(definition), at: "")
    }
}
