// The log record decoders above Storage: workflow events and run events, each in both its
// binary and its JSON format (the first byte of a record picks the format, so the input is
// the record as stored). Input byte 0 picks which decoder: even, WorkflowEvent; odd, RunEvent.
// What decodes must encode (binary) and decode again to the same event. (Events write object
// keys in dictionary order, so two equal events may differ in bytes: compare the values; a
// NaN makes a value unequal to itself, and then the bytes must agree.)
import FuzzSupport
import Engine

fuzz { bytes in
    guard let mode = bytes.first else { return }
    let record = Array(bytes.dropFirst())
    if mode & 1 == 0 {
        guard let event = try? WorkflowEvent(bytes: record) else { return }
        guard let again = try? WorkflowEvent(bytes: event.encoded()) else { finding("a workflow event's encoding does not decode") }
        guard again == event || again.encoded() == event.encoded() else { finding("workflow event changes on a round trip") }
    } else {
        guard let event = try? RunEvent(bytes: record) else { return }
        guard let again = try? RunEvent(bytes: event.encoded()) else { finding("a run event's encoding does not decode") }
        guard again == event || again.encoded() == event.encoded() else { finding("run event changes on a round trip") }
    }
}
