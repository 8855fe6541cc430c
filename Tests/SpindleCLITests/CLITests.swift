import Testing
import Messages
import ProtoJSON
@testable import SpindleCLI

@Suite struct OptionsTests {
    func parse(_ args: [String], env: [String: String] = [:]) throws(CLIError) -> Invocation {
        try Commands.parse(args, environment: env).0
    }

    func usageError(_ args: [String]) -> String? {
        do {
            _ = try parse(args)
            return nil
        } catch {
            return error.exitCode == ExitCode.usage ? error.description : "exit \(error.exitCode)"
        }
    }

    @Test func globalsAnywhereAndTheTokenFromTheEnvironment() throws {
        let a = try parse(["--server", "h:1", "run", "start", "wf", "--output", "json", "--input", "a=1", "--input=b=x",
                           "--watch"], env: ["SPINDLE_TOKEN": "env-token"])
        #expect(a.command == "run start" && a.positional == ["wf"])
        #expect(a.globals == GlobalOptions(server: "h:1", token: "env-token", tlsCA: nil, output: .json))
        #expect(a.values("--input") == ["a=1", "b=x"] && a.has("--watch") && !a.has("--version"))
        let b = try parse(["approve", "r1", "--step", "s", "--token", "flag-token", "--tls-ca", "ca.pem"],
                          env: ["SPINDLE_TOKEN": "env-token"])
        #expect(b.command == "approve" && b.positional == ["r1"] && b.value("--step") == "s")
        #expect(b.globals.token == "flag-token" && b.globals.tlsCA == "ca.pem")
        let c = try parse(["workflow", "diff", "wf", "1", "2"])
        #expect(c.command == "workflow diff" && c.positional == ["wf", "1", "2"] && c.globals.server == "127.0.0.1:50051")
    }

    @Test func helpForCommandsAndGroups() throws {
        let (inv, spec) = try Commands.parse(["run", "watch", "--help"], environment: [:])
        #expect(inv.help && spec?.usage.hasPrefix("usage: spindle run watch RUN") == true)
        let (group, none) = try Commands.parse(["schedule", "--help"], environment: [:])
        #expect(group.help && group.command == "schedule" && none == nil)
        #expect(SpindleCLI.groupUsage("schedule").contains("schedule pause SCHEDULE"))
    }

    @Test func usageErrors() {
        #expect(usageError(["run", "bogus"])?.contains("unknown command \"run bogus\"") == true)
        #expect(usageError(["run"])?.contains("needs a subcommand: start, watch, list, get, cancel, resume") == true)
        #expect(usageError(["run", "list", "--workflow"])?.contains("--workflow needs a value") == true)
        #expect(usageError(["run", "list", "--nope"])?.contains("unknown flag \"--nope\"") == true)
        #expect(usageError(["run", "get"])?.contains("takes RUN, got 0") == true)
        #expect(usageError(["run", "get", "a", "b"])?.contains("takes RUN, got 2") == true)
        #expect(usageError(["run", "list", "--output", "yaml"])?.contains("table or json") == true)
        #expect(usageError(["workflow", "list", "--server"])?.contains("--server needs a value") == true)
    }

    @Test func negativeNumbersArePositionalNotFlags() throws {
        #expect(try parse(["workflow", "diff", "wf", "-1", "2"]).positional == ["wf", "-1", "2"])
    }

    @Test func clientInvocationsAreRecognized() {
        #expect(SpindleCLI.handles(arguments: ["run", "list"]))
        #expect(SpindleCLI.handles(arguments: ["--server", "x:1", "workflow", "list"]))
        #expect(SpindleCLI.handles(arguments: ["--output=json", "approvals", "list"]))
        #expect(!SpindleCLI.handles(arguments: ["serve", "--port", "1"]))
        #expect(!SpindleCLI.handles(arguments: ["--server", "x:1"]))
    }

    @Test func serverAddresses() throws {
        #expect(try SpindleClient.splitServer("h:1") == ("h", 1))
        #expect(try SpindleClient.splitServer("[::1]:8") == ("::1", 8))
        #expect(try SpindleClient.splitServer("h") == ("h", 50051))
        #expect(throws: CLIError.self) { try SpindleClient.splitServer("h:0") }
        #expect(throws: CLIError.self) { try SpindleClient.splitServer("[::1") }
        #expect(throws: CLIError.self) { try SpindleClient.splitServer(":80") }
    }
}

@Suite struct RenderTests {
    @Test func tablesAlignAndDoNotPadTheLastColumn() {
        var t = Table(headers: ["ID", "NAME", "NOTE"])
        t.rows = [["a", "long name", "x"], ["bbbb", "n", ""]]
        #expect(t.render() == "ID    NAME       NOTE\na     long name  x\nbbbb  n\n")
    }

    @Test func enumNamesBothWays() throws {
        #expect(Render.name(SpindleV1.RunStatus.completed) == "COMPLETED")
        #expect(Render.name(SpindleV1.RunEventType.stepStarted) == "STEP_STARTED")
        #expect(Render.name(SpindleV1.RunStatus(rawValue: 42)) == "42")
        #expect(try Render.parse("failed", SpindleV1.RunStatus.self, flag: "--status") == .failed)
        #expect(try Render.parse("RUN_STATUS_PAUSED", SpindleV1.RunStatus.self, flag: "--status") == .paused)
        do {
            _ = try Render.parse("unspecified", SpindleV1.RunStatus.self, flag: "--status")
            Issue.record("UNSPECIFIED accepted")
        } catch {
            #expect(error.description == "--status must be one of queued, running, paused, completed, failed, canceled, got \"unspecified\"")
        }
    }

    @Test func timesAndDurations() {
        var t = GoogleProtobuf.Timestamp()
        t.seconds = 1_796_684_471
        #expect(Render.time(t) == "2026-12-07 23:01:11")
        #expect(Render.time(nil) == "-")
        var end = t
        end.seconds += 75
        end.nanos = 500_000_000
        #expect(Render.duration(t, end) == "1m15s")
        #expect(Render.seconds(0.25) == "250ms" && Render.seconds(2.04) == "2.0s" && Render.seconds(7300) == "2h1m")
        #expect(Render.duration(nil, end) == "")
    }

    @Test func diffLines() {
        var d = SpindleV1.DiffVersionsResponse()
        (d.fromVersion, d.toVersion, d.summary) = (1, 2, "Modified 1 step")
        var op = SpindleV1.PatchOperation()
        (op.op, op.path) = ("replace", "/steps/1/config/duration")
        op.value = GoogleProtobuf.Value()
        op.value?.kind = .stringValue("1s")
        var removed = SpindleV1.PatchOperation()
        (removed.op, removed.path) = ("remove", "/steps/2")
        d.operations = [op, removed]
        #expect(Render.diff(d) == "version 1 -> 2: Modified 1 step\n  ~ replace /steps/1/config/duration = \"1s\"\n  - remove /steps/2\n")
        d.operations = []
        #expect(Render.diff(d).hasSuffix("(no changes)\n"))
    }
}

@Suite struct WatchStateTests {
    func event(_ seq: UInt64, _ type: SpindleV1.RunEventType, step: String = "", run: SpindleV1.RunStatus = .running) -> SpindleV1.RunEvent {
        var e = SpindleV1.RunEvent()
        (e.seq, e.type, e.stepID, e.runStatus, e.attempt) = (seq, type, step, run, step.isEmpty ? 0 : 1)
        e.time = GoogleProtobuf.Timestamp()
        e.time?.seconds = 1_000 + Int64(seq)
        return e
    }

    func initial() -> WatchState {
        var run = SpindleV1.Run()
        (run.id, run.workflowID, run.workflowVersion, run.status) = ("run_1", "wf_1", 2, .queued)
        run.steps = ["a", "b"].map { id in
            var s = SpindleV1.StepRun()
            (s.stepID, s.type, s.status) = (id, "transform", .pending)
            return s
        }
        var state = WatchState(run: run)
        state.workflowName = "etl"
        return state
    }

    @Test func eventsMoveStepsAndProgressOnceEach() {
        var state = initial()
        var applied = state.apply(event(1, .runStarted))
        #expect(applied && state.status == .running)
        applied = state.apply(event(2, .stepStarted, step: "a"))
        #expect(applied)
        #expect(state.steps[0].status == .running && state.steps[0].attempts == 1 && state.percent == 0)
        var done = event(3, .stepCompleted, step: "a")
        done.output = GoogleProtobuf.Value()
        done.output?.kind = .stringValue("hi")
        applied = state.apply(done)
        #expect(applied)
        let again = state.apply(event(3, .stepCompleted, step: "a")), older = state.apply(event(2, .stepStarted, step: "a"))
        #expect(!again && !older)
        #expect(state.steps[0].status == .completed && state.steps[0].detail == "\"hi\"" && state.percent == 50)
        let failed = state.apply(event(4, .stepFailed, step: "b")), ended = state.apply(event(5, .runFailed, run: .failed))
        #expect(failed && ended)
        #expect(state.finished && state.percent == 100 && state.lastSeq == 5)
        let frame = state.frame(width: 80, now: 2_000)
        #expect(frame[0] == "run run_1  workflow etl v2  FAILED  4.0s")
        #expect(frame[1] == "[########################################] 100%  2/2 steps")
        #expect(frame[2].hasPrefix("  STEP  TYPE") && frame[3].hasPrefix("  a     transform  COMPLETED  1    1.0s") && frame[3].hasSuffix("\"hi\""))
        #expect(frame.last == "last event: run_failed (seq 5)")
    }

    @Test func unknownStepsAreAddedAndLinesFitTheWidth() {
        var state = initial()
        state.apply(event(1, .stepStarted, step: "loop_child_with_a_very_long_name_indeed"))
        #expect(state.steps.count == 3 && state.steps[2].status == .running)
        let frame = state.frame(width: 40, now: 1_002)
        #expect(frame.allSatisfy { $0.count <= 40 } && frame[1].hasPrefix("[----------] 0%  0/3 steps"))
    }

    @Test func pendingStartAfterTheRunFinished() {
        var run = SpindleV1.Run()
        run.status = .completed
        var s = SpindleV1.StepRun()
        (s.stepID, s.status) = ("a", .completed)
        run.steps = [s]
        let fresh = WatchState(run: run, keepingName: "w")
        #expect(fresh.status == .queued && fresh.steps[0].status == .pending && !fresh.finished)
    }
}
