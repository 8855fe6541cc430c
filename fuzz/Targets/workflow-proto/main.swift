// CreateWorkflow's request mapping (Services): a spindle.v1.Workflow message decoded, its
// metadata and definition mapped onto the engine model (Struct -> JSON, Durations, enums) and
// validated. A definition that maps must come back the same through the API's own mapping.
import FuzzSupport
import Engine
import Services

fuzz { bytes in
    guard let (_, definition, _) = RequestMapping.createWorkflow(bytes), let definition else { return }
    guard let again = RequestMapping.roundTrip(definition) else { finding("a mapped definition does not map back in") }
    guard again.canonicalJSON == definition.canonicalJSON else { finding("definition changes through the API mapping") }
}
