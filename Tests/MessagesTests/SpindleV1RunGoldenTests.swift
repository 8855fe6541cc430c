import Messages
import ProtoWire
import Testing

/// spindle/v1/run.proto and run_service.proto built in Swift, against the reference runtime's
/// bytes (spindle_v1_run_cases in scripts/proto/gen-golden.py): every field of every message,
/// every value of each run enum, each arm of WatchRunsResponse.item.
extension SpindleV1GoldenTests {
    typealias TS = GoogleProtobuf.Timestamp

    static let stepError = SpindleV1.StepError(code: "HTTP_STATUS", message: "GET https://api.example.com/data: 503")

    /// A retrying step with every field set, then one bare step per StepStatus value.
    static func stepRuns() -> [SpindleV1.StepRun] {
        var fetch = SpindleV1.StepRun()
        fetch.stepID = "fetch"; fetch.type = "http_request"; fetch.status = .retrying; fetch.attempts = 2
        fetch.input = V(.structValue(S(["url": string("https://api.example.com/data")])))
        fetch.output = V(.listValue(.init([V(.numberValue(503)), V(.boolValue(false))])))
        fetch.error = stepError
        fetch.startedAt = TS(seconds: 1_767_225_600, nanos: 500); fetch.finishedAt = TS(seconds: 1_767_225_601, nanos: 0)
        fetch.nextAttemptAt = TS(seconds: 1_767_225_603, nanos: 0)
        fetch.usedFallback = true; fetch.childRunID = "run_01JD8X3K5ZQ8V4N2M6P7R9T0CH"
        fetch.wakeAt = TS(seconds: 1_767_229_200, nanos: 0)
        return [fetch] + SpindleV1.StepStatus.values.map { _, number in
            var step = SpindleV1.StepRun()
            step.stepID = "s\(number)"; step.type = "noop"; step.status = .init(rawValue: number)
            return step
        }
    }

    static func fullRun() -> SpindleV1.Run {
        var r = SpindleV1.Run()
        r.id = "run_01JD8X3K5ZQ8V4N2M6P7R9T0AB"; r.tenantID = "acme"; r.workflowID = "wf_01JD8X3K5ZQ8V4N2M6P7R9T0AB"
        r.workflowVersion = 3; r.status = .paused; r.trigger = .subworkflow
        r.inputs = S(["city": string("Paris"), "limit": V(.numberValue(10))])
        r.outputs = S(["notify": V(.structValue(S(["sent": V(.boolValue(true))])))])
        r.steps = stepRuns(); r.progressPercent = 40; r.currentSteps = ["fetch", "approve"]
        r.error = .init(code: "CHILD_FAILED", message: "child run failed")
        r.createdAt = TS(seconds: 1_767_225_500, nanos: 0); r.startedAt = TS(seconds: 1_767_225_600, nanos: 1000)
        r.finishedAt = TS(seconds: 1_767_232_800, nanos: 0); r.updatedAt = TS(seconds: 1_767_232_800, nanos: 999_999_999)
        r.parentRunID = "run_01JD8X3K5ZQ8V4N2M6P7R9T0PA"; r.parentStepID = "sub"; r.idempotencyKey = "idem-1"
        r.scheduleID = "sch_1"; r.batchID = "bat_1"; r.batchRow = 1 << 40
        r.pause = .init(); r.pause?.stepID = "approve"; r.pause?.message = "Approve the refund?"
        r.pause?.pausedAt = TS(seconds: 1_767_229_200, nanos: 0)
        r.lastSeq = (1 << 63) + 5
        return r
    }

    static func pauseRecord() -> SpindleV1.PauseRecord {
        var p = SpindleV1.PauseRecord()
        p.runID = "run_1"; p.stepID = "approve"; p.pausedAt = TS(seconds: 1_767_229_200, nanos: 0); p.action = .override
        p.userID = "u_42"; p.comment = "looks fine"; p.inputs = S(["amount": V(.numberValue(12.5))])
        p.output = string("overridden"); p.decidedAt = TS(seconds: 1_767_229_260, nanos: 0)
        return p
    }

    static func fullEvent() -> SpindleV1.RunEvent {
        var e = SpindleV1.RunEvent()
        e.runID = "run_1"; e.seq = .max; e.time = TS(seconds: 1_767_229_260, nanos: 7); e.type = .pauseAction
        e.workflowID = "wf_1"; e.stepID = "approve"; e.attempt = 3; e.output = V(.nullValue(.nullValue))
        e.error = stepError; e.runStatus = .running; e.nextAttemptAt = TS(seconds: 1_767_229_300, nanos: 0)
        e.pauseAction = pauseRecord()
        return e
    }

    @Test func runAndItsRecords() throws {
        try check(Self.fullRun(), "spindle_v1_run_full")
        var unknown = SpindleV1.Run()
        unknown.status = .init(rawValue: 99); unknown.trigger = .init(rawValue: -3)
        unknown.steps = [.init()]; unknown.steps[0].status = .init(rawValue: 42); unknown.error = .init()
        try check(unknown, "spindle_v1_run_unknown_enums")
        try check(Self.fullEvent(), "spindle_v1_run_event_full")

        var history = SpindleV1.GetPauseHistoryResponse()
        history.records = [Self.pauseRecord()] + SpindleV1.PauseAction.values.map { _, number in
            var p = SpindleV1.PauseRecord()
            p.runID = "run_1"; p.stepID = "s\(number)"; p.action = .init(rawValue: number)
            return p
        }
        try check(history, "spindle_v1_pause_history_response")

        var runs = SpindleV1.ListRunsResponse()
        runs.runs = SpindleV1.RunStatus.values.map { _, n in
            var r = SpindleV1.Run(); r.id = "run_s\(n)"; r.status = .init(rawValue: n); return r
        } + SpindleV1.RunTrigger.values.map { _, n in
            var r = SpindleV1.Run(); r.id = "run_t\(n)"; r.trigger = .init(rawValue: n); return r
        }
        runs.nextPageToken = "p2"
        try check(runs, "spindle_v1_list_runs_response")
        var paused = SpindleV1.ListPausedRunsResponse()
        paused.runs = [Self.fullRun()]
        try check(paused, "spindle_v1_list_paused_runs_response")
    }

    @Test func schedulesAndBatches() throws {
        var schedule = SpindleV1.Schedule()
        schedule.id = "sch_01JD8X3K5ZQ8V4N2M6P7R9T0AB"; schedule.workflowID = "wf_1"
        schedule.cron = "*/15 9-17 * JAN-MAR MON-FRI"; schedule.timeZone = "Europe/Paris"
        schedule.inputs = S(["report": Self.string("daily")]); schedule.paused = true; schedule.catchUp = .all
        schedule.nextRunAt = TS(seconds: 1_767_258_000, nanos: 0); schedule.lastRunAt = TS(seconds: 1_767_257_100, nanos: 0)
        schedule.lastRunID = "run_2"; schedule.createdAt = TS(seconds: 1_767_225_600, nanos: 0)
        schedule.pausedAt = TS(seconds: 1_767_257_400, nanos: 0)
        var schedules = SpindleV1.ListSchedulesResponse()
        schedules.schedules = [schedule] + SpindleV1.CatchUpPolicy.values.map { _, n in
            var s = SpindleV1.Schedule(); s.id = "sch_\(n)"; s.cron = "@daily"; s.catchUp = .init(rawValue: n); return s
        }
        try check(schedules, "spindle_v1_list_schedules_response")

        var batch = SpindleV1.BatchRun()
        batch.id = "bat_01JD8X3K5ZQ8V4N2M6P7R9T0AB"; batch.workflowID = "wf_1"; batch.fileID = "file_1"
        batch.status = .completed; batch.totalRows = 7; batch.completedRows = 6; batch.failedRows = 1
        batch.rows = SpindleV1.RunStatus.values.map { _, n in
            var row = SpindleV1.BatchRow(); row.row = Int64(n); row.runID = "run_r\(n)"; row.status = .init(rawValue: n)
            return row
        }
        batch.rows[5].error = Self.stepError
        batch.outputFileID = "file_2"
        batch.createdAt = TS(seconds: 1_767_225_600, nanos: 0); batch.finishedAt = TS(seconds: 1_767_229_200, nanos: 0)
        try check(batch, "spindle_v1_batch_run")
    }

    @Test func startingRuns() throws {
        let inputs = S(["city": Self.string("Paris"), "tags": V(.listValue(.init([Self.string("a"), Self.string("b")]))),
                        "deep": V(.structValue(S(["x": V(.nullValue(.nullValue))])))])
        var runWorkflow = SpindleV1.RunWorkflowRequest()
        runWorkflow.workflowID = "wf_1"; runWorkflow.inputs = inputs; runWorkflow.version = 2
        try check(runWorkflow, "spindle_v1_run_workflow_request")
        var start = SpindleV1.StartRunRequest()
        start.workflowID = "wf_1"; start.inputs = inputs; start.version = -1; start.idempotencyKey = "idem-✓"
        try check(start, "spindle_v1_start_run_request")
        var partial = SpindleV1.RunPartialRequest()
        partial.workflowID = "wf_1"; partial.inputs = S(); partial.version = 3; partial.fromStepID = "shape"
        partial.stepOutputs = S(["fetch": V(.structValue(S([
            "body": V(.structValue(S(["items": V(.listValue(.init([V(.numberValue(1)), V(.numberValue(2))])))]))),
            "status": V(.numberValue(200)),
        ])))])
        try check(partial, "spindle_v1_run_partial_request")

        var batch = SpindleV1.StartBatchRunRequest()
        batch.workflowID = "wf_1"; batch.fileID = "file_1"; batch.miniBatchSize = 1000; batch.version = 4
        batch.columnMapping = ["limit": "max rows", "city": "City", "": "empty key", "é": "", "a": "a"]
        try check(batch, "spindle_v1_start_batch_run_request")
        try check(SpindleV1.GetBatchRunRequest(batchID: "bat_1"), "spindle_v1_get_batch_run_request")

        var create = SpindleV1.CreateScheduleRequest()
        create.workflowID = "wf_1"; create.cron = "@hourly"; create.timeZone = "America/New_York"
        create.inputs = S(["n": V(.numberValue(1))]); create.catchUp = .skip
        try check(create, "spindle_v1_create_schedule_request")
    }

    @Test func downloads() throws {
        try check(SpindleV1.DownloadFileRequest(fileID: "file_2"), "spindle_v1_download_file_request")
        var first = SpindleV1.DownloadFileResponse()
        first.chunk = Array(repeating: (0...255).map { UInt8($0) }, count: 2).flatMap { $0 }
        first.size = 1 << 33; first.sha256 = "785b0751fc2c53dc14a4ce3d800e69ef9ce1009eb327ccf458afe09c242c26c9"
        try check(first, "spindle_v1_download_file_first")
        var later = SpindleV1.DownloadFileResponse()
        later.chunk = [0]
        try check(later, "spindle_v1_download_file_chunk")
    }

    @Test func runRequests() throws {
        var list = SpindleV1.ListRunsRequest()
        list.pageSize = 200; list.pageToken = "opaque=="; list.workflowID = "wf_1"; list.status = .failed
        try check(list, "spindle_v1_list_runs_request")
        try check(SpindleV1.GetRunRequest(runID: "run_1"), "spindle_v1_get_run_request")
        var cancel = SpindleV1.CancelRunRequest()
        cancel.runID = "run_1"; cancel.reason = "operator: stuck"
        try check(cancel, "spindle_v1_cancel_run_request")
        try check(SpindleV1.DeleteRunRequest(runID: "run_1"), "spindle_v1_delete_run_request")
        var deleted = SpindleV1.DeleteRunResponse()
        deleted.runID = "run_1"; deleted.eventsRemoved = 1 << 35
        try check(deleted, "spindle_v1_delete_run_response")
        var resume = SpindleV1.ResumeRunRequest()
        resume.runID = "run_1"; resume.fromStepID = "shape"
        try check(resume, "spindle_v1_resume_run_request")
        var pausedList = SpindleV1.ListPausedRunsRequest()
        pausedList.workflowID = "wf_1"; pausedList.pageSize = 10; pausedList.pageToken = "t"
        try check(pausedList, "spindle_v1_list_paused_runs_request")
        try check(SpindleV1.GetPauseHistoryRequest(runID: "run_1"), "spindle_v1_get_pause_history_request")
        var decide = SpindleV1.ProcessPauseActionRequest()
        decide.runID = "run_1"; decide.stepID = "approve"; decide.action = .approve; decide.userID = "u_42"
        decide.comment = "ok"; decide.inputs = S(["approved_by": Self.string("u_42")])
        decide.output = V(.structValue(S(["amount": V(.numberValue(12.5))])))
        try check(decide, "spindle_v1_process_pause_action_request")

        try check(SpindleV1.ListSchedulesRequest(workflowID: "wf_1"), "spindle_v1_list_schedules_request")
        var pause = SpindleV1.PauseScheduleRequest()
        pause.scheduleID = "sch_1"; pause.paused = true
        try check(pause, "spindle_v1_pause_schedule_request")
        try check(SpindleV1.DeleteScheduleRequest(scheduleID: "sch_1"), "spindle_v1_delete_schedule_request")
        try check(SpindleV1.DeleteScheduleResponse(scheduleID: "sch_1"), "spindle_v1_delete_schedule_response")
    }

    @Test func watching() throws {
        var one = SpindleV1.WatchRunRequest()
        one.runID = "run_1"; one.afterSeq = .max - 1
        try check(one, "spindle_v1_watch_run_request")
        var all = SpindleV1.WatchRunsRequest()
        all.workflowID = "wf_1"; all.status = .paused; all.resumeToken = "tok-7"
        try check(all, "spindle_v1_watch_runs_request")

        try check(SpindleV1.WatchRunsResponse(.event(Self.fullEvent()), resumeToken: "tok-8"), "spindle_v1_watch_runs_event")
        try check(SpindleV1.WatchRunsResponse(.event(.init()), resumeToken: ""), "spindle_v1_watch_runs_event_empty")
        var snapshotRun = SpindleV1.Run()
        snapshotRun.id = "run_1"; snapshotRun.status = .running
        try check(SpindleV1.WatchRunsResponse(.run(snapshotRun), resumeToken: "tok-snap-1"), "spindle_v1_watch_runs_run")
        // snapshot_end (4) is encoded after resume_token (3): fields go in number order.
        try check(SpindleV1.WatchRunsResponse(.snapshotEnd(true), resumeToken: "tok-snap-end"),
                  "spindle_v1_watch_runs_snapshot_end")
        try check(SpindleV1.WatchRunsResponse(.snapshotEnd(false), resumeToken: ""), "spindle_v1_watch_runs_snapshot_end_false")

        // event, snapshot_end, run, run again: the last arm wins and its two occurrences merge.
        let merged = try SpindleV1.WatchRunsResponse(serializedBytes: Repo.goldenBytes("noncanon_watch_runs_last_arm_wins.bin"))
        var expected = SpindleV1.Run()
        expected.id = "run_b"; expected.status = .running
        #expect(merged == SpindleV1.WatchRunsResponse(.run(expected), resumeToken: "tok"))
    }
}
