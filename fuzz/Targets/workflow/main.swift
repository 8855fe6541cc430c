// The workflow definition JSON decoder and validation: JSON text parsed, decoded as a
// WorkflowDefinition, validated. A definition that decodes must come back the same from its
// canonical JSON (what its hash is taken over).
import FuzzSupport
import Engine

fuzz { bytes in
    guard let json = try? JSONValue.parse(bytes) else { return }
    guard let definition = try? WorkflowDefinition(json: json) else { return }
    _ = validate(definition)
    let canonical = definition.canonicalJSON
    guard let reparsed = try? JSONValue.parse(canonical),
          let again = try? WorkflowDefinition(json: reparsed) else {
        finding("a definition's canonical JSON does not decode")
    }
    guard again.canonicalJSON == canonical else { finding("canonical JSON changes on a round trip") }
}
