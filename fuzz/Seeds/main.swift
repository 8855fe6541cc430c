// Writes the seed corpora that the code itself makes: a log segment and a snapshot file
// written by Storage, workflow-state snapshots, workflow and run events in both record
// formats, definitions, and the golden protobuf vectors tagged with their registry index.
//
//     fuzz-seeds <corpus dir> <golden vectors dir>
//
// Text seeds (expressions, cron lines, TZ strings, JWTs, HTTP responses) are plain files
// committed in corpus/ beside these; scripts/fuzz-seeds.sh runs this tool.
import Foundation
import Engine
import Messages
import Storage

let arguments = CommandLine.arguments
guard arguments.count == 3 else {
    FileHandle.standardError.write(Data("usage: fuzz-seeds <corpus dir> <golden vectors dir>\n".utf8))
    exit(2)
}
let corpus = arguments[1], golden = arguments[2]

func write(_ target: String, _ name: String, _ bytes: [UInt8]) {
    let dir = corpus + "/" + target
    try! FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    _ = FileManager.default.createFile(atPath: dir + "/" + name, contents: Data(bytes))
}

// MARK: Workflows: definitions, events, state snapshots

let definition = WorkflowDefinition(steps: [
    Step(id: "fetch", name: "Fetch", type: "condition", config: ["expression": "inputs.name == 'world'"],
         retry: RetryPolicy(maxAttempts: 3, initialBackoff: TimeSpan(seconds: 1), maxBackoff: TimeSpan(seconds: 10),
                            backoffMultiplier: 2, retryableErrors: ["HTTP_STATUS"]),
         timeout: TimeSpan(seconds: 30)),
    Step(id: "shape", type: "transform", config: ["expression": "steps.fetch.output.body.items[0].id ?? inputs.name"],
         dependsOn: ["fetch"], inputMappings: [InputMapping(fromStep: "fetch", fromField: "body", toField: "b")]),
    Step(id: "say", type: "template", config: ["template": "hello {{ inputs.name }}"], dependsOn: ["shape"],
         fallback: Fallback(type: "template", config: ["template": "fallback"])),
], stepOrder: ["fetch", "shape", "say"])
write("workflow", "definition.json", Array(definition.canonicalJSON.utf8))
write("workflow", "empty.json", Array(WorkflowDefinition().canonicalJSON.utf8))

var state = WorkflowState()
let env = Environment()
var events: [WorkflowEvent] = []
for (tenant, name) in [("acme", "orders"), ("acme", "billing"), ("zeta", "orders")] {
    let metadata = WorkflowMetadata(name: name, description: "seed", tags: ["a", "b"],
                                    inputs: [InputDeclaration(name: "name", type: .string, required: false, defaultValue: "world")],
                                    config: ["k": 1])
    let created = try! state.create(tenant: tenant, metadata: metadata, definition: definition, env: env)
    state.apply(created.events)
    events += created.events
    let updated = try! state.updateDefinition(tenant: tenant, id: created.workflowID,
                                              definition: WorkflowDefinition(steps: Array(definition.steps.prefix(1))),
                                              env: env)
    state.apply(updated.events)
    events += updated.events
}
for (i, event) in events.prefix(4).enumerated() {
    write("events", "workflow-\(i).bin", [0] + event.encoded())
    write("events", "workflow-\(i).json", [0] + event.json.canonicalBytes())
}
let snapshot = state.snapshotBytes()
write("snapshot", "state.bin", snapshot)
write("snapshot", "empty.bin", WorkflowState().snapshotBytes())

// MARK: Storage: a segment and a snapshot file as the store writes them

let dir = NSTemporaryDirectory() + "/spindle-fuzz-seeds-\(getpid())"
try? FileManager.default.removeItem(atPath: dir)
var options = StoreOptions()
options.zeroAheadBytes = 0
let (store, _) = try! Store.open(directory: dir, options: options)
let records = events.map { Record(type: WorkflowStore.RecordType.workflowEvent, payload: $0.encoded()) }
let last = try! store.appendSync(records)
try! store.writeSnapshot(lsn: last, bytes: Array(snapshot.prefix(512)))
store.close()
for name in try! FileManager.default.contentsOfDirectory(atPath: dir + "/log") {
    let bytes = Array(FileManager.default.contents(atPath: dir + "/log/" + name)!)
    write("storage", "segment.bin", [0] + bytes)
    // A torn tail: the last record cut short.
    write("storage", "segment-torn.bin", [0] + bytes.dropLast(7))
}
for name in try! FileManager.default.contentsOfDirectory(atPath: dir + "/snap") {
    write("storage", "snapshot.bin", [1] + Array(FileManager.default.contents(atPath: dir + "/snap/" + name)!))
}
try? FileManager.default.removeItem(atPath: dir)

// MARK: Messages: the golden vectors, each behind its type's index in the registry

let index = Dictionary(MessageRegistry.all.enumerated().map { ($1.protoName, $0) }, uniquingKeysWith: { a, _ in a })
let manifest = try! String(contentsOfFile: golden + "/manifest.txt", encoding: .utf8)
for line in manifest.split(separator: "\n") {
    let parts = line.split(separator: " ")
    guard parts.count == 2, let i = index[String(parts[1])],
          let bytes = FileManager.default.contents(atPath: golden + "/" + parts[0] + ".bin"),
          bytes.count <= 4096 else { continue }  // the corpus stays small; big vectors add no paths
    write("messages", String(parts[0]), [UInt8(i)] + Array(bytes))
    write("protowire", String(parts[0]), Array(bytes))
    if parts[1] == "spindle.v1.Workflow" { write("workflow-proto", String(parts[0]), Array(bytes)) }
}
print("seeds written to \(corpus)")
