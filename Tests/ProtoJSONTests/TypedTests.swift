// The transcoder on typed messages, as the CLI uses it: both name styles in, errors that
// name the path, int64s as strings, the well-known types' forms, RFC 3339 and durations.
import Messages
import ProtoJSON
import Testing

@Suite struct ProtoJSONTests {
    @Test func aWorkflowFromJSONWithBothNameStyles() throws {
        let doc = try JSONParser.parse("""
        {"name": "w", "trigger_type": "TRIGGER_TYPE_SCHEDULE", "kind": 2, "tags": ["a"],
         "inputs": [{"name": "n", "type": "INPUT_TYPE_NUMBER", "defaultValue": 3}],
         "definition": {"steps": [{"id": "s", "type": "wait", "config": {"duration": "1s", "nested": [1, null, {"x": true}]},
           "dependsOn": [], "retry": {"max_attempts": 4, "backoffMultiplier": 1.5, "initialBackoff": "0.25s"},
           "timeout": "3s"}]}}
        """)
        let w = try Transcoder().decode(doc, as: SpindleV1.Workflow.self)
        #expect(w.name == "w" && w.triggerType == .schedule && w.kind == .chatbot && w.tags == ["a"])
        #expect(w.inputs.first?.type == .number && w.inputs.first?.defaultValue?.kind == .numberValue(3))
        let step = try #require(w.definition?.steps.first)
        #expect(step.retry?.maxAttempts == 4 && step.retry?.backoffMultiplier?.value == 1.5)
        #expect(step.retry?.initialBackoff?.nanos == 250_000_000 && step.timeout?.seconds == 3)
        #expect(step.config?.fields["duration"]?.kind == .stringValue("1s"))
        // And back: camelCase names, enum names, the well-known types in their JSON forms.
        let back = Transcoder().encode(w)
        #expect(back["triggerType"] == .string("TRIGGER_TYPE_SCHEDULE") && back["kind"] == .string("WORKFLOW_KIND_CHATBOT"))
        let stepJSON = back["definition"]?["steps"].flatMap { if case .array(let a) = $0 { a.first } else { nil } }
        #expect(stepJSON?["retry"]?["initialBackoff"] == .string("0.250s") && stepJSON?["timeout"] == .string("3s"))
        #expect(stepJSON?["retry"]?["backoffMultiplier"] == .number("1.5"))
        #expect(stepJSON?["config"]?["nested"] == .array([.number("1"), .null, .object([JSONMember("x", .bool(true))])]))
        #expect(try Transcoder().decode(back, as: SpindleV1.Workflow.self) == w)
    }

    @Test func int64sAsStringsAndTimestamps() throws {
        var e = SpindleV1.RunEvent()
        e.seq = 12_345_678_901
        e.type = .stepCompleted
        e.time = GoogleProtobuf.Timestamp()
        e.time?.seconds = 1_796_684_471
        let json = Transcoder().encode(e)
        #expect(json.render() == #"{"seq":"12345678901","time":"2026-12-07T23:01:11Z","type":"RUN_EVENT_TYPE_STEP_COMPLETED"}"#)
        #expect(try Transcoder().decode(json, as: SpindleV1.RunEvent.self) == e)
        #expect(try Transcoder().decode(.object([JSONMember("seq", .number("7"))]), as: SpindleV1.RunEvent.self).seq == 7)
    }

    @Test func errorsNameTheField() {
        let cases: [(String, String)] = [
            (#"{"definition": {"steps": [{"idd": "x"}]}}"#, "definition.steps[0].idd: unknown field"),
            (#"{"name": 3}"#, "name: expected a string"),
            (#"{"status": "NOPE"}"#, "status: unknown value \"NOPE\" (one of: WORKFLOW_STATUS_UNSPECIFIED"),
            (#"{"currentVersion": 3000000000}"#, "currentVersion: expected an integer in range"),
            (#"{"tags": "a"}"#, "tags: expected a list"),
            (#"{"createdAt": "yesterday"}"#, "createdAt: expected an RFC 3339 time"),
            (#"{"definition": []}"#, "definition: expected an object"),
        ]
        for (text, message) in cases {
            do {
                _ = try Transcoder().decode(try JSONParser.parse(text), as: SpindleV1.Workflow.self)
                Issue.record("\(text) decoded")
            } catch {
                #expect("\(error)".hasPrefix(message), "\(text): \(error)")
            }
        }
    }

    @Test func timestampsRoundTrip() {
        for (text, seconds, nanos) in [("1970-01-01T00:00:00Z", Int64(0), Int32(0)), ("2026-12-07T23:01:11.250Z", 1_796_684_471, 250_000_000),
                                       ("1969-12-31T23:59:59.000001Z", -1, 1000), ("2000-02-29T12:00:00Z", 951_825_600, 0)] {
            #expect(RFC3339.format(seconds: seconds, nanos: nanos) == text)
            #expect(RFC3339.parse(text).map { [$0.0, Int64($0.1)] } == [seconds, Int64(nanos)])
        }
        #expect(RFC3339.parse("2026-12-07T23:01:11+02:00")?.0 == Int64(1_796_677_271))
        #expect(RFC3339.parse("2026-13-07T23:01:11Z") == nil && RFC3339.parse("2026-12-07 23:01:11") == nil)
        #expect(RFC3339.formatDuration(seconds: 1, nanos: 500_000_000) == "1.500s" && RFC3339.formatDuration(seconds: -2, nanos: 0) == "-2s")
        #expect(RFC3339.parseDuration("250ms").map { [$0.0, Int64($0.1)] } == [0, 250_000_000])
        #expect(RFC3339.parseDuration("2m")?.0 == 120 && RFC3339.parseDuration("1.5s")?.1 == 500_000_000)
        #expect(RFC3339.parseDuration("5x") == nil && RFC3339.parseDuration("s") == nil)
    }
}
