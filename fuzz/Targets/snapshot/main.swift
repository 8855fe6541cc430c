// The workflow-state snapshot decoder (binary "SPWFBIN1" and format-1 JSON). What decodes
// must encode and decode again to the same state.
import FuzzSupport
import Engine

fuzz { bytes in
    guard let state = try? WorkflowState(snapshot: bytes) else { return }
    let encoded = state.snapshotBytes()
    guard let again = try? WorkflowState(snapshot: encoded) else { finding("a state's own snapshot does not decode") }
    guard again.snapshotBytes() == encoded else { finding("snapshot bytes change on a second round trip") }
}
