"""Purging a workflow takes its runs and schedules with it, and the workflow webhook's
retries survive SIGKILL: both against the live server, killed and restarted on the same data
directory. Also the schedule's pause time, as the API shows it.
"""
import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import grpc
import pytest

from conftest import Api, mint
from spindle_proc import Spindle
from test_runs import step, upload, wait_status
from spindle_client.spindle.v1 import run_pb2 as rpb
from spindle_client.spindle.v1 import run_service_pb2 as rs
from spindle_client.spindle.v1 import workflow_pb2 as wf
from spindle_client.spindle.v1 import workflow_service_pb2 as ws

pytestmark = pytest.mark.spindle_only
C = grpc.StatusCode
RS = rpb.RunStatus


class Hook:
    """A local webhook endpoint: answers 503 to the first `failures` POSTs, then 204."""

    def __init__(self, failures):
        self.bodies = []
        self.statuses = []
        self.failures = failures
        hook = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def do_POST(self):
                n = int(self.headers.get("content-length") or 0)
                hook.bodies.append(json.loads(self.rfile.read(n)))
                status = 503 if len(hook.bodies) <= hook.failures else 204
                hook.statuses.append(status)
                self.send_response(status)
                self.send_header("content-length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/finished"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


@pytest.fixture
def data_dir(tmp_path):
    return str(tmp_path)


def connect(server):
    channel = grpc.insecure_channel(server.addr)
    return channel, Api(channel, mint(server, "gaps"))


def kill_and_restart(server, channel, args=()):
    """SIGKILL, then a new server on the same data directory, and the API on it."""
    channel.close()
    server.kill()
    server = Spindle(list(args), data_dir=server.data_dir)
    return (server, *connect(server))


def workflow(api, steps, webhook_url=""):
    w = wf.Workflow(name=f"gaps-{uuid.uuid4().hex[:8]}", webhook_url=webhook_url,
                    definition=wf.WorkflowDefinition(steps=steps))
    return api.CreateWorkflow(ws.CreateWorkflowRequest(workflow=w)).id


def wait_for(what, condition, timeout=20):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def not_found(api, run_id):
    with pytest.raises(grpc.RpcError) as e:
        api.GetRun(rs.GetRunRequest(run_id=run_id))
    return e.value.code() == C.NOT_FOUND


def log_lines(server, event):
    return [l for l in server.lines if f"event={event} " in l]


def assert_no_more_calls(data_dir, hook):
    """A delivery that ended (delivered or given up) is not tried again after a restart."""
    calls = len(hook.bodies)
    server = Spindle(["--webhook-backoff-ms", "100"], data_dir=data_dir)
    try:
        time.sleep(0.5)
        assert len(hook.bodies) == calls
    finally:
        assert server.stop() == 0
        hook.close()


def test_purge_cancels_and_removes_runs_and_schedules_for_good(data_dir):
    server = Spindle([], data_dir=data_dir)
    channel, api = connect(server)
    try:
        doomed = workflow(api, [step("ask", "human_approval", {"message": "go?"}),
                                step("nap", "wait", {"duration": "1h"})])
        kept = workflow(api, [step("a", "transform", {"expression": "1"})])
        # A paused run (its wait step running), a canceled one, and a run of another workflow.
        paused = api.RunWorkflow(rs.RunWorkflowRequest(workflow_id=doomed))
        assert paused.status == RS.RUN_STATUS_PAUSED
        ended = api.StartRun(rs.StartRunRequest(workflow_id=doomed, idempotency_key="once"))
        wait_status(api, ended.id, [RS.RUN_STATUS_PAUSED])
        api.CancelRun(rs.CancelRunRequest(run_id=ended.id))
        other = api.RunWorkflow(rs.RunWorkflowRequest(workflow_id=kept))
        api.CreateSchedule(rs.CreateScheduleRequest(workflow_id=doomed, cron="0 * * * *"))
        kept_schedule = api.CreateSchedule(rs.CreateScheduleRequest(workflow_id=kept, cron="0 * * * *"))

        # A workflow with a finished batch: its runs, the batch and its results file go too.
        batched = workflow(api, [step("a", "transform", {"expression": "inputs.n * 2"})])
        batch = api.StartBatchRun(rs.StartBatchRunRequest(workflow_id=batched,
                                                          file_id=upload(api, batched, b"n\n1\n2\n3\n")))
        wait_for("the batch", lambda: api.GetBatchRun(rs.GetBatchRunRequest(batch_id=batch.id)).status
                 == rpb.BATCH_STATUS_COMPLETED)
        output = api.GetBatchRun(rs.GetBatchRunRequest(batch_id=batch.id)).output_file_id
        assert list(api.DownloadFile(rs.DownloadFileRequest(file_id=output)))
        batch_report = api.PurgeWorkflow(ws.PurgeWorkflowRequest(workflow_id=batched))
        assert (batch_report.runs_removed, batch_report.runs_canceled, batch_report.files_removed) == (3, 0, 2)
        for call, req in [(api.GetBatchRun, rs.GetBatchRunRequest(batch_id=batch.id)),
                          (lambda r: list(api.DownloadFile(r)), rs.DownloadFileRequest(file_id=output))]:
            with pytest.raises(grpc.RpcError) as e:
                call(req)
            assert e.value.code() == C.NOT_FOUND

        report = api.PurgeWorkflow(ws.PurgeWorkflowRequest(workflow_id=doomed))
        assert (report.workflow_id, report.runs_removed, report.runs_canceled, report.schedules_removed) == \
               (doomed, 2, 1, 1)
        assert not_found(api, paused.id) and not_found(api, ended.id)
        assert [r.id for r in api.ListRuns(rs.ListRunsRequest()).runs] == [other.id]
        assert [s.id for s in api.ListSchedules(rs.ListSchedulesRequest()).schedules] == [kept_schedule.id]
        with pytest.raises(grpc.RpcError) as e:
            api.PurgeWorkflow(ws.PurgeWorkflowRequest(workflow_id=doomed))
        assert e.value.code() == C.NOT_FOUND
        with pytest.raises(grpc.RpcError) as e:
            api.WatchRun(rs.WatchRunRequest(run_id=paused.id)).next()
        assert e.value.code() == C.NOT_FOUND

        # SIGKILL right after the purge was acknowledged: none of it comes back.
        server, channel, api = kill_and_restart(server, channel)
        assert not_found(api, paused.id) and not_found(api, ended.id)
        assert [r.id for r in api.ListRuns(rs.ListRunsRequest()).runs] == [other.id]
        assert [s.id for s in api.ListSchedules(rs.ListSchedulesRequest()).schedules] == [kept_schedule.id]
        with pytest.raises(grpc.RpcError) as e:
            api.GetBatchRun(rs.GetBatchRunRequest(batch_id=batch.id))
        assert e.value.code() == C.NOT_FOUND
        assert not log_lines(server, "run_recovery")
    finally:
        channel.close()
        assert server.stop() == 0


def test_the_workflow_webhook_is_retried_across_sigkill_until_delivered(data_dir):
    hook = Hook(failures=2)
    args = ["--webhook-backoff-ms", "1500", "--webhook-attempts", "4"]
    server = Spindle(args, data_dir=data_dir)
    channel, api = connect(server)
    try:
        wid = workflow(api, [step("a", "transform", {"expression": "6 * 7"})], webhook_url=hook.url)
        run = api.RunWorkflow(rs.RunWorkflowRequest(workflow_id=wid))
        assert run.status == RS.RUN_STATUS_COMPLETED
        # The first attempt fails; its failure (and the next attempt's time) is on the log.
        wait_for("the first failed attempt", lambda: log_lines(server, "run_webhook_retry"))
        assert hook.statuses == [503]
    finally:
        channel.close()
        server.kill()

    server = Spindle(args, data_dir=data_dir)
    try:
        # Resumed after the restart: attempt 2 fails again, attempt 3 gets through.
        wait_for("the delivery", lambda: log_lines(server, "run_webhook"), timeout=30)
        done = log_lines(server, "run_webhook")[0]
        assert "delivered=true" in done and "attempts=3" in done and f"run_id={run.id}" in done, done
        assert hook.statuses == [503, 503, 204]
        assert all(b == hook.bodies[0] for b in hook.bodies)
        doc = hook.bodies[0]
        assert (doc["run_id"], doc["workflow_id"], doc["status"], doc["outputs"]) == \
               (run.id, wid, "COMPLETED", {"a": 42})
    finally:
        assert server.stop() == 0

    # Delivered is durable too: no further call after another restart.
    assert_no_more_calls(data_dir, hook)


def test_the_workflow_webhook_gives_up_after_its_attempts(data_dir):
    hook = Hook(failures=100)
    server = Spindle(["--webhook-backoff-ms", "100", "--webhook-attempts", "3"], data_dir=data_dir)
    channel, api = connect(server)
    try:
        wid = workflow(api, [step("a", "transform", {"expression": "1"})], webhook_url=hook.url)
        run = api.RunWorkflow(rs.RunWorkflowRequest(workflow_id=wid))
        wait_for("the delivery to be given up", lambda: log_lines(server, "run_webhook"))
        line = log_lines(server, "run_webhook")[0]
        assert "delivered=false" in line and "given_up=true" in line and "attempts=3" in line, line
        assert f"run_id={run.id}" in line
        assert len(hook.bodies) == 3
    finally:
        channel.close()
        server.kill()
    assert_no_more_calls(data_dir, hook)


def test_a_paused_schedule_says_since_when(data_dir):
    server = Spindle([], data_dir=data_dir)
    channel, api = connect(server)
    try:
        wid = workflow(api, [step("a", "transform", {"expression": "1"})])
        s = api.CreateSchedule(rs.CreateScheduleRequest(workflow_id=wid, cron="0 0 1 1 *"))
        assert not s.HasField("paused_at") and s.HasField("next_run_at")
        before = time.time_ns()
        paused = api.PauseSchedule(rs.PauseScheduleRequest(schedule_id=s.id, paused=True))
        assert paused.paused and not paused.HasField("next_run_at")
        at = paused.paused_at.ToNanoseconds()
        assert before - 5_000_000_000 < at <= time.time_ns()
        # Pausing again keeps the first pause time; a restart keeps it too.
        again = api.PauseSchedule(rs.PauseScheduleRequest(schedule_id=s.id, paused=True))
        assert again.paused_at.ToNanoseconds() == at

        server, channel, api = kill_and_restart(server, channel)
        [listed] = api.ListSchedules(rs.ListSchedulesRequest(workflow_id=wid)).schedules
        assert listed.paused and listed.paused_at.ToNanoseconds() == at
        resumed = api.PauseSchedule(rs.PauseScheduleRequest(schedule_id=s.id, paused=False))
        assert not resumed.paused and not resumed.HasField("paused_at") and resumed.HasField("next_run_at")
        with pytest.raises(grpc.RpcError) as e:
            api.PauseSchedule(rs.PauseScheduleRequest(schedule_id="sch_nope", paused=True))
        assert e.value.code() == C.NOT_FOUND
    finally:
        channel.close()
        assert server.stop() == 0
